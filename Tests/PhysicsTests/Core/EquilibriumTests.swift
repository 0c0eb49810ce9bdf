import Physics
import Sparse
import Testing

@Suite struct EquilibriumTests {
    @Test func newtonConvergesQuadraticallyToAStationaryPoint() throws {
        let (model, initial, theta) = try springChain(count: 30)
        let solver = try Equilibrium(model: model)
        let result = try solver.solve(parameters: theta, initial: initial)
        #expect(result.converged)
        #expect(result.gradientNorms.last! <= 1e-10)
        // Quadratic convergence: once in the basin, each norm is about the square of the previous one.
        let g = result.gradientNorms
        if let k = g.firstIndex(where: { $0 < 1e-3 }), k + 1 < g.count, g[k + 1] > 1e-14 {
            #expect(g[k + 1] <= 10 * g[k] * g[k])
        }
        // The returned state is a stationary point: the gradient re-evaluated there vanishes.
        try solver.assembler.evaluate(displacement: result.displacement, parameters: theta, needs: .gradient)
        #expect(solver.assembler.gradient.allSatisfy { abs($0) <= 1e-9 })
        // Prescribed dofs keep their imposed values.
        #expect(result.displacement[0] == 0 && result.displacement[58] == 0.3)
    }

    @Test func indefiniteStartIsShiftedAndStillConverges() throws {
        // Springs compressed far below their rest length are unstable along y: the Hessian at the
        // start is indefinite, so the solver must shift it and still reach a minimum.
        let (model, _, _) = try springChain(count: 8)
        let solver = try Equilibrium(model: model)
        var initial = [Double](repeating: 0, count: 16)
        for d in stride(from: 0, to: 16, by: 2) { initial[d] = -0.6 * Double(d / 2) }
        initial[14] = -4.2
        let result = try solver.solve(parameters: [2.0, 1.0, 0.05], initial: initial)
        #expect(result.converged)
        #expect(result.shifts.contains { $0 > 0 })
    }

    @Test func nonConvergenceIsAStatusNotACrash() throws {
        let (model, initial, theta) = try springChain(count: 10)
        var options = NewtonOptions()
        options.maximumIterations = 1
        options.absoluteTolerance = 1e-300
        options.relativeTolerance = 0
        let result = try Equilibrium(model: model, options: options).solve(parameters: theta, initial: initial)
        #expect(result.status == .maximumIterations)
        #expect(!result.converged)
    }

    @Test func invalidOptionsAreRejected() throws {
        let (model, _, _) = try springChain(count: 3)
        var options = NewtonOptions()
        options.armijo = 0.9
        #expect(throws: PhysicsError.self) { _ = try Equilibrium(model: model, options: options) }
    }
}
