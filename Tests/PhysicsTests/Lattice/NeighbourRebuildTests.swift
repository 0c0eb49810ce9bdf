import Foundation
import Physics
import Testing

/// The neighbour list followed during Newton: a load that brings new pairs within the cutoff must give
/// the energy, forces and equilibrium of all pairs (checked against a direct double sum), and loadings
/// that move atoms far without bringing pairs together must not rebuild anything.
@Suite struct NeighbourRebuildTests {
    static let inner = 1.2, outer = 1.6

    /// A triangular Morse slab (spacing 1), periodic along x, bottom row held, top row pushed down by
    /// `compression` of the height (free along x), and its affine start. With a small skin the next
    /// neighbours (√3 apart) are not listed; at 10% compression those along y come to 0.9·√3 ≈ 1.56,
    /// inside the 1.6 cutoff.
    static func compressedSlab(compression: Double, skin: Double) throws -> (model: LatticeModel<Morse>, start: [Double]) {
        let lattice = try Lattice(kind: .triangular, cells: [6, 5], latticeConstant: 1, periodic: [true, false])
        let height = lattice.box[1] - 3.0.squareRoot() / 2
        let model = try LatticeModel(lattice: lattice, potential: Morse(), cutoff: try SmoothCutoff(inner: inner, outer: outer),
                                     skin: skin, constraints: [.fixed("bottom", dimension: 2),
                                                               GroupConstraint(group: "top", components: [1: -compression * height])])
        return (model, model.initialDisplacement(displacementGradient: [0, 0, 0, -compression]))
    }

    /// Energy and gradient over the unknowns of every pair, by the direct sum of the test fixtures.
    static func allPairs(_ model: LatticeModel<Morse>, _ u: [Double]) -> (energy: Double, gradient: [Double]) {
        let x = zip(model.lattice.positions, u).map { $0 + $1 }
        let (e, g) = DirectSum.morseEnergyAndGradient(positions: x, dimension: 2, box: model.lattice.box,
                                                      periodic: model.lattice.periodic, theta: morseTheta,
                                                      inner: inner, outer: outer)
        return (e, model.layout.gather(g))
    }

    @Test func aCompressionThatBringsNewPairsInGivesTheEnergyAndForcesOfAllPairs() throws {
        let (model, u) = try Self.compressedSlab(compression: 0.1, skin: 0.05)
        let reference = Self.allPairs(model, u)
        // The list built at the reference misses the pairs that the compression brought within the cutoff.
        #expect(model.neighbourListIsStale(displacement: u))
        let stale = try Assembler(model: try model.makeModel())
        try stale.evaluate(displacement: u, parameters: morseTheta, needs: [.energy, .gradient])
        #expect(abs(stale.energy - reference.energy) > 1e-4 * abs(reference.energy))

        let solver = try Equilibrium(model: try model.makeModel())
        #expect(try solver.refreshTerms(at: u))
        #expect(solver.rebuildCount == 1)
        try solver.assembler.evaluate(displacement: u, parameters: morseTheta, needs: [.energy, .gradient])
        #expect(abs(solver.assembler.energy - reference.energy) <= 1e-12 * abs(reference.energy))
        let scale = reference.gradient.map(abs).max()!
        #expect(scale > 1e-3)
        for (a, b) in zip(solver.assembler.gradient, reference.gradient) { #expect(abs(a - b) <= 1e-12 * scale) }
        // Asked again at the same state, the rebuilt terms hold: nothing more is rebuilt.
        #expect(try !solver.refreshTerms(at: u))
    }

    @Test func newtonRebuildsTheListAlongTheSolveAndReachesTheEquilibriumOfAllPairs() throws {
        let (model, start) = try Self.compressedSlab(compression: 0.1, skin: 0.05)
        let solver = try Equilibrium(model: try model.makeModel())
        let result = try solver.solve(parameters: morseTheta, initial: start)
        #expect(result.converged, "\(result.fullReport)")
        #expect(solver.rebuildCount >= 1)
        // The state is an equilibrium of the energy of every pair, not only of the pairs listed at the start.
        let initialForces = Self.allPairs(model, start).gradient.map(abs).max()!
        let forces = Self.allPairs(model, result.displacement).gradient.map(abs).max()!
        #expect(initialForces > 1e-2)
        #expect(forces <= 1e-10 * initialForces, "largest force \(forces)")
        // A skin wide enough to list the next neighbours from the start needs no rebuild and gives the same state.
        let (wide, _) = try Self.compressedSlab(compression: 0.1, skin: 0.5)
        let wideSolver = try Equilibrium(model: try wide.makeModel())
        let wideResult = try wideSolver.solve(parameters: morseTheta, initial: start)
        #expect(wideResult.converged && wideSolver.rebuildCount == 0)
        for (a, b) in zip(result.displacement, wideResult.displacement) { #expect(abs(a - b) <= 1e-10) }
    }

    @Test func largeMotionsThatBringNoPairTogetherRebuildNothing() throws {
        // The benchmark loading: a 2% shear and 1% stretch of a slab 51 spacings tall (the top row moves by
        // more than three skins), started from the affine field and relaxed around four vacancies.
        let perfect = try Lattice(kind: .triangular, cells: [20, 30], latticeConstant: 1, periodic: [true, false])
        let centre = 2 * 20 * 15 + 10
        let lattice = try perfect.removingAtoms([centre, centre + 1, centre + 40, centre + 41])
        let height = perfect.box[1] - 3.0.squareRoot() / 2
        let model = try LatticeModel(lattice: lattice, potential: Morse(), cutoff: try SmoothCutoff(inner: Self.inner, outer: Self.outer),
                                     constraints: [.fixed("bottom", dimension: 2),
                                                   GroupConstraint(group: "top", components: [0: 0.02 * height, 1: 0.01 * height])])
        let start = model.initialDisplacement(displacementGradient: [0, 0.02, 0, 0.01])
        #expect(start.map(abs).max()! > 3 * model.skin)
        #expect(!model.neighbourListIsStale(displacement: start))
        let solver = try Equilibrium(model: try model.makeModel())
        let result = try solver.solve(parameters: morseTheta, initial: start)
        #expect(result.converged)
        #expect(solver.rebuildCount == 0)
        #expect(!model.neighbourListIsStale(displacement: result.displacement))
    }
}
