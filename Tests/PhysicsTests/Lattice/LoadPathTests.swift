import Foundation
@testable import Physics
import Testing

/// The loading path that defines a lattice's equilibrium.
@Suite struct LoadPathTests {
    private func shearedLattice() throws -> LatticeModel<Morse> {
        let lattice = try Lattice(kind: .triangular, cells: [6, 4], latticeConstant: 1, periodic: [false, false])
        return try LatticeModel(lattice: lattice, potential: Morse(), cutoff: try SmoothCutoff(inner: 1.5, outer: 1.9), skin: 0.3,
                                constraints: [GroupConstraint(group: "bottom", components: [0: 0, 1: 0]),
                                              GroupConstraint(group: "top", components: [0: 0.05, 1: 0.08])],
                                forces: [], indenter: nil)
    }

    @Test func aLoadThatOneStepCarriesIsTheColdStartBitForBit() throws {
        let model = try shearedLattice()
        let theta = [1.0, 3.0, 1.0]
        let solver = try Equilibrium(model: try model.makeModel())
        let cold = try solver.solve(parameters: theta, initial: model.initialDisplacement())
        guard case let .solved(path, increments, _) = try solver.solveAlongLoadPath(parameters: theta, final: model.initialDisplacement()) else {
            Issue.record("the load path failed")
            return
        }
        #expect(increments == 1)
        #expect(path.displacement == cold.displacement)
        #expect(path.converged)
    }

    @Test func optionsAreValidated() throws {
        var options = LoadPathOptions(loadParameters: [7])
        #expect(throws: PhysicsError.self) { try options.validate(parameterCount: 3) }
        options = LoadPathOptions()
        options.minimumIncrement = 0
        #expect(throws: PhysicsError.self) { try options.validate(parameterCount: 3) }
    }
}
