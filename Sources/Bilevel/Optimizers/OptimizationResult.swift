import Foundation

/// Which stopping rule ended a converged run.
public enum ConvergenceRule: String, Sendable, Codable, Equatable {
    /// Relative decrease of the objective below `relativeObjectiveTolerance`.
    case objectiveChange
    /// ‖P(z − ∇f) − z‖∞ below `projectedGradientTolerance`.
    case projectedGradient
    /// Step shorter than `stepTolerance` (relative to ‖z‖).
    case stepSize
    /// NLopt's own internal test (L-BFGS: its fixed 1e-8 projected-gradient test) reported success.
    case solverCriterion
    /// No further progress was possible at round-off (NLopt's line search gave up, or the damping hit
    /// its ceiling) at a point where first-order optimality holds.
    case roundoffLimited
    /// The optimizer's per-iteration check of the termination policy: the Gauss–Newton decrement (or,
    /// without curvature, the relative gradient) fell below its tolerance at an accepted point. The run
    /// stops there rather than polishing a minimum already located to a fraction of a standard error.
    case firstOrderOptimality
}

/// Why a run failed.
public enum OptimizationFailure: Sendable, Codable, Equatable, CustomStringConvertible {
    /// Too many consecutive trial points where the inner solve failed.
    case tooManyFailedEvaluations(Int)
    /// The objective became non-finite (plain Gauss–Newton: divergence).
    case diverged
    /// The normal equations could not be solved (plain Gauss–Newton on a rank-deficient Jacobian).
    case singularNormalEquations
    /// The inner solve failed at a Gauss–Newton trial point (plain Gauss–Newton never backtracks).
    case innerSolveFailed

    public var description: String {
        switch self {
        case let .tooManyFailedEvaluations(n):
            return "\(n) consecutive evaluations failed (inner equilibrium not found); the model fails near "
                + "the current parameters: tighten the bounds or improve the inner solver's robustness"
        case .diverged:
            return "the objective became non-finite: the iteration diverged (use Levenberg–Marquardt or a better start)"
        case .singularNormalEquations:
            return "JᵀJ is singular: some parameter combination is not determined; use Levenberg–Marquardt, "
                + "fix a parameter or add a prior"
        case .innerSolveFailed:
            return "the inner solve failed at a Gauss–Newton trial point and plain Gauss–Newton cannot backtrack"
        }
    }
}

/// How a run ended. Only `.converged` means the point can be trusted as a (local) minimum: it is given
/// only where first-order optimality holds (see `TerminationPolicy`).
public enum OptimizationStatus: Sendable, Codable, Equatable, CustomStringConvertible {
    case converged(ConvergenceRule)
    /// The optimizer's own test stopped the run, but first-order optimality does not hold there: a
    /// discontinuous or noisy objective (an inner solve switching equilibria), a wrong gradient, or bad scaling.
    case stalled(StopCriterion)
    case maximumIterations
    case maximumEvaluations
    case stoppedByCallback
    case failed(OptimizationFailure)

    /// True for `.converged`.
    public var isConverged: Bool {
        if case .converged = self { return true }
        return false
    }

    /// What to do about a stalled run (nil for the other statuses).
    public var advice: String? {
        guard case .stalled = self else { return nil }
        return "the gradient is not small where the optimizer stopped: the objective may jump there (inner solves switching "
            + "between equilibria) or its gradient may be wrong; check the gradient at the end point, and try other starts"
    }

    public var description: String {
        switch self {
        case let .converged(rule):
            switch rule {
            case .objectiveChange: return "converged (relative objective change below tolerance)"
            case .projectedGradient: return "converged (projected gradient below tolerance)"
            case .stepSize: return "converged (step below tolerance)"
            case .solverCriterion: return "converged (NLopt's internal criterion)"
            case .roundoffLimited: return "converged (first-order optimal; no further progress at round-off)"
            case .firstOrderOptimality: return "converged (first-order optimal by the termination policy)"
            }
        case let .stalled(criterion):
            return "stalled (\(criterion) at a point that is not a minimum)"
        case .maximumIterations: return "stopped: iteration limit reached"
        case .maximumEvaluations: return "stopped: evaluation limit reached"
        case .stoppedByCallback: return "stopped by the progress handler"
        case let .failed(failure): return "failed: \(failure)"
        }
    }
}

/// The outcome of an outer optimization: the best point found, how the run ended, and what it cost.
///
/// Guarantees: `z` is inside the bounds and is the point with the lowest objective among successful
/// evaluations (for Levenberg–Marquardt, the last accepted point); `objective`, `gradient` and (for
/// least squares) `residuals`/`jacobian` belong to that same z. Same inputs give the same result bit for
/// bit, except the `elapsedSeconds` of history records.
public struct OptimizationResult: Sendable, Codable, Equatable {
    /// "L-BFGS-B (NLopt LD_LBFGS)", "Levenberg–Marquardt" or "Gauss–Newton".
    public var method: String
    public var status: OptimizationStatus
    /// Final (best) point, free transformed parameters.
    public var z: [Double]
    /// f(z); for least squares ½ rᵀr.
    public var objective: Double
    /// ∇f(z); for least squares Jᵀr.
    public var gradient: [Double]
    /// ‖P(z − ∇f) − z‖∞ at z.
    public var projectedGradientNorm: Double
    /// First-order optimality at z, as `TerminationPolicy` judged it.
    public var optimality: Optimality
    /// Weighted residuals at z (least squares only).
    public var residuals: [Double]?
    /// Residual Jacobian at z (least squares only), ready for `UncertaintyAnalysis`.
    public var jacobian: DenseMatrix?
    /// Outer iterations performed.
    public var iterations: Int
    /// Calls of the objective or residual function (failed ones included).
    public var objectiveEvaluations: Int
    /// Calls that returned a Jacobian or gradient.
    public var jacobianEvaluations: Int
    /// Calls that returned nil (inner solve failed); each was rejected.
    public var failedEvaluations: Int
    /// Trial steps rejected for any reason (failed inner solve, or no decrease).
    public var rejectedSteps: Int
    /// NLopt restarts after failed evaluations (L-BFGS only).
    public var restarts: Int
    /// Sum of `innerIterations` over all evaluations.
    public var innerIterations: Int
    /// One record per iteration (record 0 is the starting point).
    public var history: [IterationRecord]
    /// Notable events in order (rejected evaluations, restarts, why the run stopped).
    public var log: [String]

    /// One line: method, status, objective, projected gradient, counts.
    public var briefReport: String {
        let decrement = optimality.decrement.map { ", \(outerFormat($0)) standard errors from the minimizer" } ?? ""
        return "\(method): \(status); f = \(outerFormat(objective)), |pg| = \(outerFormat(projectedGradientNorm))\(decrement), "
            + "\(iterations) iterations, \(objectiveEvaluations) evaluations (\(failedEvaluations) failed)"
    }

    /// Brief report, point, counts, the iteration table and the log.
    public var fullReport: String {
        var lines = [briefReport, "z = [" + z.map(outerFormat).joined(separator: ", ") + "]",
                     "gradient = [" + gradient.map(outerFormat).joined(separator: ", ") + "]",
                     "evaluations: \(objectiveEvaluations) (with derivatives \(jacobianEvaluations), failed \(failedEvaluations)); "
                         + "rejected steps: \(rejectedSteps); restarts: \(restarts); inner iterations: \(innerIterations)",
                     "", "iter   objective        |pg|        |step|     damping    evals  inner  ok"]
        for r in history {
            let damping = r.damping.map(outerFormat) ?? "-"
            lines.append(outerPad(String(r.iteration), 4) + "  " + outerPad(outerFormat(r.objective), 14) + "  " + outerPad(outerFormat(r.projectedGradientNorm), 10)
                + "  " + outerPad(outerFormat(r.stepNorm), 10) + "  " + outerPad(damping, 10) + "  " + outerPad(String(r.evaluations), 5)
                + "  " + outerPad(String(r.innerIterations), 5) + "  " + (r.accepted ? "yes" : "no"))
        }
        if !log.isEmpty { lines.append(""); lines.append(contentsOf: log) }
        return lines.joined(separator: "\n")
    }
}

func outerFormat(_ x: Double) -> String {
    if x.isNaN { return "undefined" }
    if x.isInfinite { return x > 0 ? "inf" : "-inf" }
    return String(format: "%.6g", x)
}

func outerPad(_ s: String, _ width: Int) -> String {
    s.count >= width ? s : String(repeating: " ", count: width - s.count) + s
}
