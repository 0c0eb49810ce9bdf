import Bilevel
import Foundation
import Testing

/// The termination policy as a pure function of scripted outcomes, and both optimizers judged by it.
@Suite("Termination policy")
struct TerminationPolicyTests {
    let policy = TerminationPolicy()

    private func optimality(pg: Double, decrement: Double?, relative: Double) -> Optimality {
        Optimality(projectedGradientNorm: pg, decrement: decrement, relativeGradient: relative)
    }

    @Test func everyOwnStopAtAFirstOrderPointIsConverged() {
        let optimal = optimality(pg: 1e-4, decrement: 1e-5, relative: 1e-3)
        let expected: [(StopCriterion, ConvergenceRule)] = [
            (.projectedGradient, .projectedGradient), (.objectiveChange, .objectiveChange), (.stepSize, .stepSize),
            (.solverSuccess, .solverCriterion), (.solverGaveUp(code: -1, meaning: "FAILURE"), .roundoffLimited),
            (.dampingCeiling, .roundoffLimited),
        ]
        for (stop, rule) in expected {
            #expect(policy.status(after: stop, optimality: optimal, absoluteTolerance: 1e-10) == .converged(rule), "\(stop)")
        }
    }

    @Test func everyOwnStopAwayFromAMinimumIsStalled() {
        // The lattice run of issue 9: a step-size stop with |g| = 3.5 at f ≈ 4.4e3, hundreds of standard
        // errors from the Gauss–Newton minimizer.
        let far = optimality(pg: 3.5, decrement: 240, relative: 8e-4)
        for stop in [StopCriterion.objectiveChange, .stepSize, .solverSuccess, .solverGaveUp(code: -4, meaning: "ROUNDOFF_LIMITED"),
                     .dampingCeiling] {
            let status = policy.status(after: stop, optimality: far, absoluteTolerance: 1e-10)
            #expect(status == .stalled(stop))
            #expect(!status.isConverged)
            #expect(status.description.hasPrefix("stalled"))
        }
    }

    @Test func theDecrementDecidesWhereCurvatureIsKnownAndTheRelativeGradientOtherwise() {
        // Decrement known: a relative gradient that would fail does not matter, and vice versa.
        #expect(policy.isOptimal(optimality(pg: 1, decrement: 9e-4, relative: 1), absoluteTolerance: 0))
        #expect(!policy.isOptimal(optimality(pg: 1, decrement: 2e-3, relative: 0), absoluteTolerance: 0))
        #expect(policy.isOptimal(optimality(pg: 1, decrement: nil, relative: 9e-7), absoluteTolerance: 0))
        #expect(!policy.isOptimal(optimality(pg: 1, decrement: nil, relative: 2e-6), absoluteTolerance: 0))
        // A projected gradient below the optimizer's own absolute tolerance is optimal whatever else.
        #expect(policy.isOptimal(optimality(pg: 1e-11, decrement: 5, relative: 5), absoluteTolerance: 1e-10))
    }

    @Test func theDecrementIsTheGaussNewtonStepInStandardErrors() throws {
        // f = ½‖J z − y‖², A = JᵀJ; at z the Gauss–Newton step is −A⁻¹g and δ² = gᵀA⁻¹g.
        let a = DenseMatrix(rowArrays: [[4, 1], [1, 3]])
        let g = [2.0, -1.0]
        // A⁻¹ = [[3, −1], [−1, 4]]/11 → gᵀA⁻¹g = (12 + 4 + 4)/11.
        let o = Optimality.measure(z: [0, 0], objective: 10, gradient: g, bounds: .unbounded(2), curvature: a, scales: nil,
                                   objectiveScale: 1)
        #expect(abs(o.decrement! - (20.0 / 11).squareRoot()) < 1e-12)
        // Invariant to rescaling a parameter: z₀ → 1000 z₀ scales row/column 0 of A by 1/1000 and g₀ by 1/1000.
        let scaled = DenseMatrix(rowArrays: [[4e-6, 1e-3], [1e-3, 3]])
        let o2 = Optimality.measure(z: [0, 0], objective: 10, gradient: [2e-3, -1], bounds: .unbounded(2), curvature: scaled,
                                    scales: [1000, 1], objectiveScale: 1)
        #expect(abs(o2.decrement! - o.decrement!) < 1e-9)
    }

    @Test func aParameterTheDataDoNotSeeIsLeftOut() throws {
        // The energy scale of a lattice under prescribed displacements: its column of J is round-off.
        let a = DenseMatrix(rowArrays: [[1e-20, 1e-12], [1e-12, 4]])
        let o = Optimality.measure(z: [0.1, 2], objective: 7, gradient: [3e-10, 1e-4], bounds: .unbounded(2), curvature: a,
                                   scales: [1, 1], objectiveScale: 1)
        #expect(abs(o.decrement! - 0.5e-4) < 1e-9, "\(o)")
    }

    @Test func anUndeterminedDirectionCarriesNoGradientAndIsLeftOut() throws {
        // J = [1 1] has the null direction (1, −1); g = Jᵀr lies along (1, 1).
        let a = DenseMatrix(rowArrays: [[1, 1], [1, 1]])
        let o = Optimality.measure(z: [0.3, 0.7], objective: 2, gradient: [0.5, 0.5], bounds: .unbounded(2), curvature: a,
                                   scales: nil, objectiveScale: 1)
        // Pseudo-inverse: gᵀA⁺g = 0.5² · 2 / 2 = 0.25.
        #expect(abs(o.decrement! - 0.5) < 1e-9)
    }

    @Test func aBoundHoldingAVariableRemovesItFromTheTest() throws {
        let bounds = try BoxBounds(lower: [0, -10], upper: [1, 10])
        // z₀ sits on its lower bound with the gradient pushing outward: only z₁ counts, and it is stationary.
        let o = Optimality.measure(z: [0, 2], objective: 5, gradient: [3, 0], bounds: bounds,
                                   curvature: DenseMatrix(rowArrays: [[2, 0], [0, 2]]), scales: nil, objectiveScale: 1)
        #expect(o.projectedGradientNorm == 0)
        #expect(o.decrement == 0)
    }

    @Test func levenbergMarquardtCallsAStepStopOnADiscontinuousObjectiveStalled() throws {
        // r(z) = z − 1 for z < 0.5 and z + 5 beyond: the minimum of ½r² sits at the jump, where the
        // gradient never vanishes. The damping climbs until the step or the damping test stops the run.
        let jump: ResidualFunction = { z, needJacobian in
            let r = z[0] < 0.5 ? z[0] - 1 : z[0] + 5
            return ResidualEvaluation(residuals: [r], jacobian: needJacobian ? DenseMatrix(rowArrays: [[1]]) : nil)
        }
        // Each accepted step halves the distance to the jump; the step test needs ~40 of them, each
        // followed by rejections, which takes more than the default 100 iterations.
        var options = LevenbergMarquardtOptions()
        options.maximumIterations = 1000
        let result = try LevenbergMarquardt(options: options).minimize(jump, from: [0], bounds: .unbounded(1))
        #expect(!result.status.isConverged, "\(result.fullReport)")
        guard case .stalled = result.status else {
            Issue.record("expected a stalled run, got \(result.status)")
            return
        }
        #expect((result.optimality.decrement ?? 0) > 100 * TerminationPolicy().decrementTolerance)
    }

    @Test func lbfgsCallsALineSearchFailureAtTheOptimumConverged() throws {
        // A quadratic whose reported gradient carries noise of 1e-9: NLopt's line search gives up near the
        // minimum (where the noise dominates), which is optimal to within 1e-6 standard errors.
        var noise = SplitMix64(seed: 3)
        let counter = OuterCallCounter()
        let result = try BoundedLBFGS().minimize({ z in
            counter.count += 1
            let g = [2 * (z[0] - 1) + 1e-9 * noise.nextNormal(), 20 * (z[1] + 2) + 1e-9 * noise.nextNormal()]
            return ObjectiveEvaluation(value: (z[0] - 1) * (z[0] - 1) + 10 * (z[1] + 2) * (z[1] + 2) + 100, gradient: g)
        }, from: [3, 3], bounds: .unbounded(2), curvature: { _ in DenseMatrix(rowArrays: [[2, 0], [0, 20]]) })
        #expect(result.status.isConverged, "\(result.fullReport)")
        #expect(abs(result.z[0] - 1) < 1e-6 && abs(result.z[1] + 2) < 1e-6)
        #expect((result.optimality.decrement ?? 1) <= 1e-3)
    }
}
