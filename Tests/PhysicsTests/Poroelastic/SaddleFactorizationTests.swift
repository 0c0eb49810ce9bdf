import Physics
import Sparse
import Testing

/// The saddle factorization is chosen by size, and CHOLMOD's and MUMPS's LDLᵀ give the same
/// consolidation to round-off.
@Suite struct SaddleFactorizationTests {
    @Test func saddleFactorizationIsChosenBySize() throws {
        var options = NewtonOptions()
        #expect(options.factorizationOptions(unknowns: 1_000_000).kind == .cholesky)
        options.problem = .saddle
        let threshold = FactorizationOptions.multifrontalThreshold
        #expect(options.factorizationOptions(unknowns: threshold - 1).kind == .ldlt)
        #expect(options.factorizationOptions(unknowns: threshold).kind == .multifrontalLDLT)
        options.saddleFactorization = .multifrontalLDLT
        #expect(options.factorizationOptions(unknowns: 10).kind == .multifrontalLDLT)
        options.saddleFactorization = .cholesky
        #expect(throws: PhysicsError.self) { try options.validate() }
    }

    @Test func cholmodAndMumpsGiveTheSameConsolidation() throws {
        let model = try TerzaghiSetup.model(rows: 24)
        let dt = TerzaghiSetup.reference.time(dimensionless: 0.01)
        var runs: [ConsolidationResult] = []
        for kind in [FactorizationOptions.Kind.ldlt, .multifrontalLDLT] {
            var options = NewtonOptions()
            options.problem = .saddle
            options.hessianIsConstant = true
            options.saddleFactorization = kind
            let consolidation = try Consolidation(model: model, timeStep: dt, steps: 30, options: options)
            let run = try consolidation.run(parameters: model.initialParameters)
            #expect(run.converged && run.states.count == 31)
            #expect(try consolidation.solver(timeStep: dt).factor.options.kind == kind)
            // One factorization for the undrained response, one for every step.
            #expect(consolidation.factorizationCount == 2)
            // The last step's energy, reported from the quadratic model without re-assembly, is the
            // energy evaluated at the state it returned (history and time are still that step's).
            let solver = try consolidation.solver(timeStep: dt)
            try solver.assembler.evaluate(displacement: run.states.last!, parameters: model.initialParameters, needs: .energy)
            let reported = run.solves.last!.energy
            #expect(abs(reported - solver.assembler.energy) <= 1e-10 * abs(solver.assembler.energy), "\(reported) vs \(solver.assembler.energy)")
            runs.append(run)
        }
        var worst = 0.0
        for (a, b) in zip(runs[0].states, runs[1].states) {
            let scale = a.map(abs).max()!
            for (x, y) in zip(a, b) { worst = max(worst, abs(x - y) / scale) }
        }
        #expect(worst <= 1e-11, "largest difference \(worst) of the largest value")
    }
}
