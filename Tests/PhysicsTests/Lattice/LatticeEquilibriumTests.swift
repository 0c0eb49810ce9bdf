import Foundation
import Physics
import Testing

@Suite struct LatticeEquilibriumTests {
    @Test func newtonConvergesQuadraticallyOnAShearedLatticeOfTenThousandAtoms() throws {
        // 50 × 100 rectangular cells of 2 atoms (10⁴ sites), periodic along x, nearest-neighbour Morse
        // bonds; four vacancies make the relaxed field inhomogeneous. 2% shear and 1% stretch, started
        // from the affine field, as a loading program would.
        let perfect = try Lattice(kind: .triangular, cells: [50, 100], latticeConstant: 1, periodic: [true, false])
        let centre = 50 * 100 + 25
        let lattice = try perfect.removingAtoms([centre, centre + 1, centre + 100, centre + 101])
        let height = perfect.box[1] - 3.0.squareRoot() / 2
        let model = try LatticeModel(lattice: lattice, potential: Morse(), cutoff: try SmoothCutoff(inner: 1.2, outer: 1.6),
                                     constraints: [.fixed("bottom", dimension: 2),
                                                   GroupConstraint(group: "top", components: [0: 0.02 * height, 1: 0.01 * height])])
        #expect(perfect.atomCount == 10_000 && lattice.atomCount == 9_996)
        let solver = try Equilibrium(model: try model.makeModel())
        let start = model.initialDisplacement(displacementGradient: [0, 0.02, 0, 0.01])
        let result = try solver.solve(parameters: morseTheta, initial: start)
        #expect(result.converged, "\(result.fullReport)")
        let g = result.gradientNorms
        // In the quadratic phase each gradient norm is at most a constant times the square of the last,
        // down to the round-off floor of a sum over 3·10⁴ bonds (about 1e-10 here).
        let floor = 1e-9 * g[0]
        let quadratic = zip(g, g.dropFirst()).filter { $0.0 < 1e-2 && $0.0 > floor }
        #expect(!quadratic.isEmpty, "\(g)")
        for (previous, next) in quadratic { #expect(next <= 10 * previous * previous, "\(g)") }
        #expect(g.last! <= floor)
        #expect(result.iterations <= 8, "\(result.fullReport)")
        // Atoms moved far (the top by 3.4 spacings) but no bond broke or formed: every pair within the
        // cutoff at the relaxed positions was already in the model's neighbour list.
        let relaxed = zip(lattice.positions, result.displacement).map { $0 + $1 }
        let now = try NeighbourList(lattice: lattice, positions: relaxed, cutoff: model.cutoff.outer, skin: 0)
        let before = Set(zip(model.neighbours.first, model.neighbours.second).map { "\($0)-\($1)" })
        #expect(zip(now.first, now.second).allSatisfy { before.contains("\($0)-\($1)") })
    }

    @Test func overlappingAtomsAreATypedErrorNotANaN() throws {
        let model = try shearedTriangularLattice(cells: [5, 3], shear: 0)
        let a = try Assembler(model: try model.makeModel())
        var u = model.initialDisplacement()
        // Move atom 6 onto atom 7 (its right-hand neighbour along x).
        u[12] = model.lattice.positions[14] - model.lattice.positions[12]
        u[13] = model.lattice.positions[15] - model.lattice.positions[13]
        #expect {
            try a.evaluate(displacement: u, parameters: morseTheta, needs: .energy)
        } throws: { error in
            guard case let PhysicsError.nonFinite(group, _, detail) = error else { return false }
            return group.contains("pairs") && detail.contains("overlap")
        }
    }

    @Test func aLatticeThatCanMoveRigidlyIsRejectedBeforeSolving() throws {
        let lattice = try Lattice(kind: .square, cells: [4, 4], latticeConstant: 1, periodic: [false, false])
        let cutoff = try SmoothCutoff(inner: 1.2, outer: 1.6)
        #expect(throws: PhysicsError.self) {
            _ = try LatticeModel(lattice: lattice, potential: Morse(), cutoff: cutoff, constraints: [])
        }
        var pinned = lattice
        try pinned.tag("corner", atoms: [0])
        do {
            _ = try LatticeModel(lattice: pinned, potential: Morse(), cutoff: cutoff, constraints: [.fixed("corner", dimension: 2)])
            Issue.record("one held atom in an open lattice leaves rotation free; it must be rejected")
        } catch let PhysicsError.underConstrained(message) {
            #expect(message.contains("rotate"))
        }
    }

    @Test func nonPhysicalParametersAndShortCutoffsAreRejected() throws {
        let model = try shearedTriangularLattice(cells: [5, 3], shear: 0)
        let a = try Assembler(model: try model.makeModel())
        #expect(throws: PhysicsError.invalidParameter(name: "D", value: -1, requirement: "> 0")) {
            try a.evaluate(displacement: model.initialDisplacement(), parameters: [-1, 3, 1], needs: .energy)
        }
        let lattice = try Lattice(kind: .triangular, cells: [5, 3], latticeConstant: 1, periodic: [true, false])
        #expect(throws: PhysicsError.self) {
            _ = try LatticeModel(lattice: lattice, potential: LennardJones(), cutoff: try SmoothCutoff(inner: 0.5, outer: 0.9),
                                 constraints: [.fixed("bottom", dimension: 2)])
        }
    }
}
