import Foundation
import Physics
import Testing

/// Literature lattice sums Σ' (r_nn/|R|)ⁿ: FCC (Kittel, Introduction to Solid State Physics, ch. 3) and
/// the 2D triangular lattice (Borwein et al., Lattice Sums Then and Now, 2013).
private let fccA6 = 14.45392, fccA12 = 12.13188
private let triangularA6 = 6.37588, triangularA12 = 6.00981

/// Equilibrium nearest-neighbour distance, cohesive energy and bulk modulus of a Lennard-Jones crystal
/// (ε = σ = 1) from its lattice sums: E(r) = 2(A12 r⁻¹² − A6 r⁻⁶) per atom.
private func lennardJonesReference(a6: Double, a12: Double, dimension: Double, volumeOverR: Double)
    -> (r0: Double, cohesive: Double, bulk: Double)
{
    let r0 = pow(2 * a12 / a6, 1.0 / 6)
    let cohesive = a6 * a6 / (2 * a12)
    let second = 2 * (156 * a12 * pow(r0, -14) - 42 * a6 * pow(r0, -8))
    let omega = volumeOverR * pow(r0, dimension)
    return (r0, cohesive, r0 * r0 * second / (dimension * dimension * omega))
}

private func relaxedProperties(_ kind: LatticeKind, start: Double) throws -> [Double] {
    let crystal = try CrystalModel(kind: kind, potential: LennardJones(), cutoff: try SmoothCutoff(inner: 9, outer: 10),
                                   initialLatticeConstant: start)
    let solver = try Equilibrium(model: try crystal.makeModel())
    let result = try solver.solve(parameters: [1, 1], initial: crystal.initialDisplacement)
    #expect(result.converged)
    let kinds: [CrystalProperty<LennardJones>.Kind] = [.latticeConstant, .cohesiveEnergy, .bulkModulus, .c11, .c12, .c44]
    let values = try crystal.observables(kinds).evaluate(layout: solver.model.layout, displacement: result.displacement, parameters: [1, 1])
    return values.values
}

@Suite struct CrystalTests {
    @Test func lennardJonesFCCMatchesLatticeSums() throws {
        let v = try relaxedProperties(.fcc, start: 1.5)
        let ref = lennardJonesReference(a6: fccA6, a12: fccA12, dimension: 3, volumeOverR: 1 / 2.0.squareRoot())
        // A cutoff at 9–10σ leaves out ~1e-3 of the r⁻⁶ sum: that is the accuracy the cutoff allows.
        #expect(abs(v[0] / 2.0.squareRoot() - ref.r0) <= 1e-3 * ref.r0)
        #expect(abs(v[1] - ref.cohesive) <= 2e-3 * ref.cohesive)
        #expect(abs(v[2] - ref.bulk) <= 5e-3 * ref.bulk)
        // Cauchy relation and the cubic bulk modulus identity hold exactly for pair potentials.
        #expect(abs(v[4] - v[5]) <= 1e-12 * v[4])
        #expect(abs((v[3] + 2 * v[4]) / 3 - v[2]) <= 1e-6 * v[2])
    }

    @Test func lennardJonesTriangularMatchesLatticeSums() throws {
        let v = try relaxedProperties(.triangular, start: 1.05)
        let ref = lennardJonesReference(a6: triangularA6, a12: triangularA12, dimension: 2, volumeOverR: 3.0.squareRoot() / 2)
        #expect(abs(v[0] - ref.r0) <= 1e-3 * ref.r0)
        #expect(abs(v[1] - ref.cohesive) <= 2e-3 * ref.cohesive)
        #expect(abs(v[2] - ref.bulk) <= 5e-3 * ref.bulk)
        #expect(abs((v[3] + v[4]) / 2 - v[2]) <= 1e-6 * v[2])
    }

    @Test func shellsHaveTheKnownCoordination() {
        let expected: [(LatticeKind, [Int])] = [(.fcc, [12, 6, 24]), (.bcc, [8, 6, 12]), (.simpleCubic, [6, 12, 8]),
                                                (.square, [4, 4, 4]), (.triangular, [6, 6, 6])]
        for (kind, counts) in expected {
            let shells = CoordinationShells(kind: kind, maximumRatio: 2.01)
            #expect(shells.shells.prefix(3).map(\.count) == counts, "\(kind)")
        }
    }

    /// A cutoff of a thousand lattice constants (a lattice constant in the wrong units, say) would
    /// enumerate ~10¹⁰ sites: it is refused at once, with the figures, instead.
    @Test func aCutoffOfManyLatticeConstantsIsRefusedBeforeEnumeratingSites() throws {
        #expect(throws: PhysicsError.self) {
            _ = try CrystalModel(kind: .fcc, potential: LennardJones(), cutoff: try SmoothCutoff(inner: 3000, outer: 3500),
                                 initialLatticeConstant: 3.5)
        }
        // The edge of the bound still builds (a short lattice sum).
        let edge = 0.6 * 1.5 * CrystalModel<LennardJones>.maximumCutoffRatio
        _ = try CrystalModel(kind: .fcc, potential: LennardJones(), cutoff: try SmoothCutoff(inner: edge - 1, outer: edge),
                             initialLatticeConstant: 1.5)
    }

    @Test func cutoffShorterThanNeighbourDistanceIsRejected() throws {
        #expect(throws: PhysicsError.self) {
            _ = try CrystalModel(kind: .fcc, potential: LennardJones(), cutoff: try SmoothCutoff(inner: 0.5, outer: 0.9),
                                 initialLatticeConstant: 1.5)
        }
    }

    @Test func nonPhysicalParametersAreRejected() throws {
        let crystal = try CrystalModel(kind: .fcc, potential: LennardJones(), cutoff: try SmoothCutoff(inner: 2, outer: 2.5),
                                       initialLatticeConstant: 1.5)
        #expect(throws: PhysicsError.invalidParameter(name: "sigma", value: -1, requirement: "> 0")) {
            try LennardJones().validate([1, -1])
        }
        _ = crystal
    }
}
