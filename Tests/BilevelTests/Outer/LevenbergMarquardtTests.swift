import Bilevel
import Foundation
import Testing

@Suite("Levenberg–Marquardt")
struct LevenbergMarquardtTests {
    static let x = OuterTestProblems.abscissae(20)
    static let y = OuterTestProblems.decay(2.0, 1.5, x)
    /// These tests check that the minimum is found to 1e-9, so the runs polish past the policy's
    /// optimality stop (10⁻³ standard errors, `OptimalityStopTests`).
    static var polishing: LevenbergMarquardt {
        var options = LevenbergMarquardtOptions()
        options.stopAtFirstOrderOptimality = false
        return LevenbergMarquardt(options: options)
    }

    @Test func recoversAnExactFitInAHandfulOfIterations() throws {
        let f = OuterTestProblems.decayResiduals(x: Self.x, y: Self.y, sigma: 0.01)
        let result = try Self.polishing.minimize(f, from: [1, 0.5], bounds: .unbounded(2))
        #expect(result.status.isConverged, "\(result.fullReport)")
        #expect(abs(result.z[0] - 2) < 1e-9 && abs(result.z[1] - 1.5) < 1e-9, "\(result.z)")
        #expect(result.iterations <= 15)
        #expect(result.residuals?.count == 20 && result.jacobian?.columns == 2)
        #expect(result.innerIterations == 2 * result.objectiveEvaluations)
        let accepted = result.history.filter(\.accepted).map(\.objective)
        #expect(zip(accepted, accepted.dropFirst()).allSatisfy { $1 <= $0 }, "accepted objectives never increase")
    }

    @Test func convergesWherePlainGaussNewtonDiverges() throws {
        // From A = 1, k = −2 (a growing exponential, far from the decaying truth) full Gauss–Newton steps
        // overshoot; damping keeps Levenberg–Marquardt on a descent path.
        let f = OuterTestProblems.decayResiduals(x: Self.x, y: Self.y, sigma: 0.01)
        var options = LevenbergMarquardtOptions()
        options.method = .gaussNewton
        options.maximumIterations = 50
        let gn = try LevenbergMarquardt(options: options).minimize(f, from: [1, -2], bounds: .unbounded(2))
        let lm = try Self.polishing.minimize(f, from: [1, -2], bounds: .unbounded(2))
        #expect(!gn.status.isConverged, "Gauss–Newton should not converge: \(gn.fullReport)")
        #expect(lm.status.isConverged, "\(lm.fullReport)")
        #expect(abs(lm.z[0] - 2) < 1e-8 && abs(lm.z[1] - 1.5) < 1e-8)
        #expect(gn.method == "Gauss–Newton" && lm.method == "Levenberg–Marquardt")
    }

    @Test func aFailedInnerSolveIsRejectedAndCounted() throws {
        let f = OuterTestProblems.decayResiduals(x: Self.x, y: Self.y, sigma: 0.01)
        let counter = OuterCallCounter()
        let result = try Self.polishing.minimize({ z, needJacobian in
            counter.count += 1
            return counter.count == 2 || counter.count == 5 ? nil : try f(z, needJacobian)
        }, from: [1, 0.5], bounds: .unbounded(2))
        #expect(result.status.isConverged, "\(result.fullReport)")
        #expect(abs(result.z[0] - 2) < 1e-9 && abs(result.z[1] - 1.5) < 1e-9)
        #expect(result.failedEvaluations == 2 && result.rejectedSteps >= 2)
        #expect(result.log.filter { $0.contains("failed (inner solve); step rejected") }.count == 2)
        #expect(result.history[1].accepted == false, "the first trial failed and must be shown as rejected")
        #expect(result.history[1].damping! > result.history[0].damping!, "a failure raises the damping")
    }

    @Test func respectsBoundsAndStopsOnTheProjectedGradient() throws {
        let f = OuterTestProblems.decayResiduals(x: Self.x, y: Self.y, sigma: 0.01)
        let counter = OuterCallCounter()
        let bounds = try BoxBounds(lower: [0, 0], upper: [1.5, 3])   // A* = 2 lies outside
        let result = try LevenbergMarquardt().minimize({ z, j in
            counter.points.append(z)
            return try f(z, j)
        }, from: [1, 0.5], bounds: bounds)
        #expect(result.status.isConverged, "\(result.fullReport)")
        #expect(result.z[0] == 1.5)
        #expect(result.projectedGradientNorm <= 1e-10 || result.status == .converged(.stepSize)
                    || result.status == .converged(.objectiveChange) || result.status == .converged(.firstOrderOptimality))
        #expect(result.gradient[0] < 0, "the gradient pushes A beyond its upper bound")
        #expect(counter.points.allSatisfy(bounds.contains))
    }

    @Test func jacobianOnlyAtAcceptedPointsGivesTheSameAnswer() throws {
        let f = OuterTestProblems.decayResiduals(x: Self.x, y: Self.y, sigma: 0.01)
        var options = LevenbergMarquardtOptions()
        options.jacobianAtTrialPoints = false
        let lazy = try LevenbergMarquardt(options: options).minimize(f, from: [1, 0.5], bounds: .unbounded(2))
        let eager = try LevenbergMarquardt().minimize(f, from: [1, 0.5], bounds: .unbounded(2))
        #expect(lazy.z == eager.z && lazy.iterations == eager.iterations)
        #expect(lazy.objectiveEvaluations > eager.objectiveEvaluations)
    }

    @Test func deterministicAndStoppable() throws {
        let f = OuterTestProblems.decayResiduals(x: Self.x, y: OuterTestProblems.noisyDecay(a: 2, k: 1.5, x: Self.x, sigma: 0.01, seed: 9),
                                                 sigma: 0.01)
        let a = try LevenbergMarquardt().minimize(f, from: [1, 0.5], bounds: .unbounded(2))
        let b = try LevenbergMarquardt().minimize(f, from: [1, 0.5], bounds: .unbounded(2))
        #expect(a.z == b.z && a.objective == b.objective && a.residuals == b.residuals && a.jacobian == b.jacobian)
        #expect(a.history.map(\.objective) == b.history.map(\.objective) && a.history.map(\.damping) == b.history.map(\.damping))
        let stopped = try LevenbergMarquardt().minimize(f, from: [1, 0.5], bounds: .unbounded(2)) { $0.iteration == 2 ? .stop : .proceed }
        #expect(stopped.status == .stoppedByCallback && stopped.iterations == 2)
        #expect(stopped.fullReport.contains("stopped by the progress handler"))
    }

    @Test func validationAndMalformedEvaluations() throws {
        var options = LevenbergMarquardtOptions()
        options.initialDamping = 0
        #expect(throws: OptimizerError.self) { try options.validate() }
        let f = OuterTestProblems.decayResiduals(x: Self.x, y: Self.y, sigma: 0.01)
        #expect(throws: OptimizerError.initialEvaluationFailed) {
            try LevenbergMarquardt().minimize({ _, _ in nil }, from: [1, 1], bounds: .unbounded(2))
        }
        let error = #expect(throws: OptimizerError.self) {
            try LevenbergMarquardt().minimize({ z, _ in try f(z, false) }, from: [1, 1], bounds: .unbounded(2))
        }
        #expect(error?.description.contains("Jacobian was requested") == true)
        #expect(throws: OptimizerError.dimensionMismatch(what: "bounds", expected: 2, found: 1)) {
            try LevenbergMarquardt().minimize(f, from: [1, 1], bounds: .unbounded(1))
        }
    }
}
