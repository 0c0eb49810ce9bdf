import Bilevel
import Foundation
import Testing

/// The optimizers apply the termination policy at every accepted point and stop there, and L-BFGS
/// works in variables scaled by the start's curvature.
@Suite("Stopping at first-order optimality")
struct OptimalityStopTests {
    /// Rosenbrock as residuals r = (10(z₁ − z₀²), 1 − z₀): a curved valley, zero residual at (1, 1).
    static func rosenbrock(_ z: [Double], _ needJacobian: Bool) -> ResidualEvaluation? {
        ResidualEvaluation(residuals: [10 * (z[1] - z[0] * z[0]), 1 - z[0]],
                           jacobian: needJacobian ? DenseMatrix(rowArrays: [[-20 * z[0], 10], [-1, 0]]) : nil)
    }

    @Test func levenbergMarquardtStopsWhereThePolicyFindsTheMinimumLocated() throws {
        let early = try LevenbergMarquardt().minimize(Self.rosenbrock, from: [-1.2, 1], bounds: .unbounded(2))
        var options = LevenbergMarquardtOptions()
        options.stopAtFirstOrderOptimality = false
        let polished = try LevenbergMarquardt(options: options).minimize(Self.rosenbrock, from: [-1.2, 1], bounds: .unbounded(2))
        #expect(early.status == .converged(.firstOrderOptimality), "\(early.fullReport)")
        #expect(polished.status.isConverged)
        #expect(early.objectiveEvaluations < polished.objectiveEvaluations)
        // Within 10⁻³ standard errors of the Gauss–Newton minimizer: for this zero-residual problem the
        // remaining misfit is at most ½δ² plus the model's error, far below 10⁻⁶.
        #expect((early.optimality.decrement ?? 1) <= 1e-3)
        #expect(early.objective < 1e-6)
        #expect(abs(early.z[0] - 1) < 1e-3 && abs(early.z[1] - 1) < 2e-3)
    }

    @Test func levenbergMarquardtDoesNotStopEarlyAwayFromTheMinimum() throws {
        // Every accepted point before the last fails the policy: the stop is never premature.
        let result = try LevenbergMarquardt().minimize(Self.rosenbrock, from: [-1.2, 1], bounds: .unbounded(2))
        #expect(result.history.count > 3)
        #expect(result.history.dropLast().allSatisfy { $0.objective > 1e-8 })
    }

    /// ½‖r‖² of r = (s₀(z₀ − 1), s₁(z₁ + 2), (z₀ − 1)(z₁ + 2)) with its gradient and JᵀJ; scales s set
    /// the conditioning.
    static func scaled(_ s: [Double]) -> ObjectiveFunction {
        { z in
            let a = z[0] - 1, b = z[1] + 2
            let r = [s[0] * a, s[1] * b, a * b]
            let j = DenseMatrix(rowArrays: [[s[0], 0], [0, s[1]], [b, a]])
            return ObjectiveEvaluation(value: 0.5 * r.reduce(0) { $0 + $1 * $1 }, gradient: j.transposeMultiply(r),
                                       curvature: j.gram())
        }
    }

    @Test func lbfgsScalingHelpsABadlyScaledProblem() throws {
        let f = Self.scaled([1e3, 1e-1])
        let scaled = try BoundedLBFGS().minimize(f, from: [3, 3], bounds: .unbounded(2))
        var options = LBFGSOptions()
        options.curvatureScaling = false
        let plain = try BoundedLBFGS(options: options).minimize(f, from: [3, 3], bounds: .unbounded(2))
        for r in [scaled, plain] {
            #expect(r.status.isConverged, "\(r.fullReport)")
            #expect((r.optimality.decrement ?? 1) <= 1e-3)
        }
        // The scaled run's result is in z, not in NLopt's scaled variable.
        #expect(abs(scaled.z[0] - 1) < 1e-5 && abs(scaled.z[1] + 2) < 1e-2, "\(scaled.z)")
        #expect(scaled.objectiveEvaluations <= plain.objectiveEvaluations, "\(scaled.objectiveEvaluations) vs \(plain.objectiveEvaluations)")
    }

    @Test func lbfgsScalingKeepsTheBoundsInTheUsersVariable() throws {
        // The minimum lies outside the box: the answer is on the bound z₀ = 0.5, in z.
        let bounds = try BoxBounds(lower: [-5, -5], upper: [0.5, 5])
        let result = try BoundedLBFGS().minimize(Self.scaled([1e3, 1e-1]), from: [0, 0], bounds: bounds)
        #expect(result.status.isConverged, "\(result.fullReport)")
        #expect(result.z[0] == 0.5)
    }
}
