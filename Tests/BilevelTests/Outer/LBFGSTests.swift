import Bilevel
import Foundation
import Testing

@Suite("Bounded L-BFGS (NLopt)")
struct LBFGSTests {
    @Test func recoversTheRosenbrockMinimum() throws {
        let result = try BoundedLBFGS().minimize({ OuterTestProblems.rosenbrock($0) }, from: [-1.2, 1],
                                                 bounds: .unbounded(2))
        #expect(result.status.isConverged, "\(result.fullReport)")
        #expect(abs(result.z[0] - 1) < 1e-5 && abs(result.z[1] - 1) < 1e-5, "\(result.z)")
        #expect(result.objective < 1e-10)
        #expect(result.history.first?.iteration == 0 && result.history.count == result.iterations + 1)
        #expect(result.innerIterations == 3 * result.objectiveEvaluations)
        #expect(zip(result.history, result.history.dropFirst()).allSatisfy { $1.objective < $0.objective })
    }

    @Test func respectsBoundsWhenTheOptimumIsOutside() throws {
        // f = Σ (z_i − c_i)² with c outside the box [0, 1]²: the solution is the projection of c.
        let c = [2.0, -3.0]
        let counter = OuterCallCounter()
        let result = try BoundedLBFGS().minimize({ z in
            counter.points.append(z)
            return ObjectiveEvaluation(value: zip(z, c).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) },
                                       gradient: zip(z, c).map { 2 * ($0 - $1) })
        }, from: [0.5, 0.5], bounds: try BoxBounds(lower: [0, 0], upper: [1, 1]))
        #expect(result.status.isConverged)
        #expect(result.z == [1, 0], "\(result.z)")
        #expect(result.projectedGradientNorm < 1e-8)
        #expect(abs(result.gradient[0] + 2) < 1e-12 && abs(result.gradient[1] - 6) < 1e-12,
                "the plain gradient is not zero on the bound; only the projected one is")
        #expect(counter.points.allSatisfy { $0.allSatisfy { $0 >= 0 && $0 <= 1 } }, "NLopt evaluated outside the box")
    }

    @Test func projectedGradientRuleStopsTheRun() throws {
        var options = LBFGSOptions()
        options.relativeObjectiveTolerance = 0
        options.projectedGradientTolerance = 1e-3
        let result = try BoundedLBFGS(options: options).minimize({ OuterTestProblems.rosenbrock($0) }, from: [-1.2, 1],
                                                                 bounds: .unbounded(2))
        #expect(result.status == .converged(.projectedGradient))
        #expect(result.projectedGradientNorm <= 1e-3)
    }

    @Test func aFailedEvaluationMidRunIsRejectedAndTheRunConverges() throws {
        // The inner solve "fails" at the 3rd and 6th calls and whenever z₀ > 1.6.
        let counter = OuterCallCounter()
        let result = try BoundedLBFGS().minimize({ z in
            counter.count += 1
            if counter.count == 3 || counter.count == 6 || z[0] > 1.6 { return nil }
            return OuterTestProblems.rosenbrock(z)
        }, from: [-1.2, 1], bounds: .unbounded(2))
        #expect(result.status.isConverged, "\(result.fullReport)")
        #expect(abs(result.z[0] - 1) < 1e-5 && abs(result.z[1] - 1) < 1e-5)
        #expect(result.failedEvaluations >= 2)
        #expect(result.log.contains { $0.contains("rejected") })
    }

    @Test func failureAtTheStartAndThrownErrorsAreReported() throws {
        #expect(throws: OptimizerError.initialEvaluationFailed) {
            try BoundedLBFGS().minimize({ _ in nil }, from: [0], bounds: .unbounded(1))
        }
        struct Boom: Error, Equatable {}
        let counter = OuterCallCounter()
        #expect(throws: Boom()) {
            try BoundedLBFGS().minimize({ z in
                counter.count += 1
                if counter.count == 4 { throw Boom() }
                return OuterTestProblems.rosenbrock(z)
            }, from: [-1.2, 1], bounds: .unbounded(2))
        }
        #expect(counter.count == 4, "NLopt must stop at once after the objective threw")
    }

    @Test func progressHandlerCanStopAndRunsAreDeterministic() throws {
        let stopAtThree: ProgressHandler = { $0.iteration >= 3 ? .stop : .proceed }
        let stopped = try BoundedLBFGS().minimize({ OuterTestProblems.rosenbrock($0) }, from: [-1.2, 1],
                                                  bounds: .unbounded(2), progress: stopAtThree)
        #expect(stopped.status == .stoppedByCallback && stopped.iterations == 3)

        let a = try BoundedLBFGS().minimize({ OuterTestProblems.rosenbrock($0) }, from: [-1.2, 1], bounds: .unbounded(2))
        let b = try BoundedLBFGS().minimize({ OuterTestProblems.rosenbrock($0) }, from: [-1.2, 1], bounds: .unbounded(2))
        #expect(a.z == b.z && a.objective == b.objective && a.gradient == b.gradient)
        #expect(a.objectiveEvaluations == b.objectiveEvaluations && a.status == b.status)
        #expect(a.history.map(\.objective) == b.history.map(\.objective))
    }

    @Test func evaluationAndIterationLimits() throws {
        var options = LBFGSOptions()
        options.maximumEvaluations = 5
        let limited = try BoundedLBFGS(options: options).minimize({ OuterTestProblems.rosenbrock($0) }, from: [-1.2, 1],
                                                                  bounds: .unbounded(2))
        #expect(limited.status == .maximumEvaluations && limited.objectiveEvaluations <= 5)
        options = LBFGSOptions()
        options.maximumIterations = 2
        let few = try BoundedLBFGS(options: options).minimize({ OuterTestProblems.rosenbrock($0) }, from: [-1.2, 1],
                                                              bounds: .unbounded(2))
        #expect(few.status == .maximumIterations && few.iterations == 2)
        #expect(few.briefReport.contains("iteration limit"))
    }

    @Test func optionsAndInputsAreValidated() throws {
        var options = LBFGSOptions()
        options.maximumEvaluations = 0
        #expect(throws: OptimizerError.self) { try options.validate() }
        options = LBFGSOptions()
        options.relativeObjectiveTolerance = -1
        let error = #expect(throws: OptimizerError.self) {
            try BoundedLBFGS(options: options).minimize({ OuterTestProblems.rosenbrock($0) }, from: [0, 0], bounds: .unbounded(2))
        }
        #expect(error?.description.contains("relativeObjectiveTolerance") == true)
        #expect(throws: OptimizerError.invalidBounds(index: 1, lower: 2, upper: 1)) { try BoxBounds(lower: [0, 2], upper: [1, 1]) }
        #expect(throws: OptimizerError.noFreeParameters) {
            try BoundedLBFGS().minimize({ _ in nil }, from: [], bounds: .unbounded(0))
        }
    }
}
