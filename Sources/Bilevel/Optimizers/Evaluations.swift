// The contract between the outer optimizers and whatever computes the misfit (an inner equilibrium solve
// followed by an adjoint or sensitivity computation). The optimizers know nothing of the physics.
//
// Failure protocol (one rule for every optimizer):
//   • return nil   — "the inner equilibrium failed at this z" (Newton did not converge, the lattice
//                    collapsed, …). The optimizer rejects that trial point, shortens the step or raises
//                    the damping, logs it, counts it in `failedEvaluations`, and carries on.
//   • throw        — "stop everything" (I/O error, invalid model). The optimizer aborts and rethrows the
//                    error unchanged.
// Returning nil at the starting point is an error (`OptimizerError.initialEvaluationFailed`): there is
// nothing to fall back to.

/// The value and gradient of a scalar objective at one z, plus an opaque work count.
public struct ObjectiveEvaluation: Sendable {
    /// f(z).
    public var value: Double
    /// ∇f(z), one entry per free transformed parameter.
    public var gradient: [Double]
    /// Work the caller wants summed per outer iteration (e.g. Newton iterations of the inner solve).
    public var innerIterations: Int
    /// For least squares, JᵀJ at z (prior rows included) when the caller has it at no extra cost: the
    /// termination policy then judges every new best point in standard errors. nil otherwise.
    public var curvature: DenseMatrix?

    public init(value: Double, gradient: [Double], innerIterations: Int = 0, curvature: DenseMatrix? = nil) {
        self.value = value
        self.gradient = gradient
        self.innerIterations = innerIterations
        self.curvature = curvature
    }
}

/// Weighted residuals r_i = (predicted_i − observed_i)/σ_i at one z, optionally their Jacobian ∂r/∂z.
public struct ResidualEvaluation: Sendable {
    /// Weighted residuals (m entries).
    public var residuals: [Double]
    /// ∂r/∂z (m × p), or nil when it was not requested.
    public var jacobian: DenseMatrix?
    /// Work the caller wants summed per outer iteration (e.g. Newton iterations of the inner solve).
    public var innerIterations: Int

    public init(residuals: [Double], jacobian: DenseMatrix? = nil, innerIterations: Int = 0) {
        self.residuals = residuals
        self.jacobian = jacobian
        self.innerIterations = innerIterations
    }

    /// ½ rᵀr, the least-squares objective the Levenberg–Marquardt solver minimizes.
    public var halfSumOfSquares: Double { 0.5 * residuals.reduce(0) { $0 + $1 * $1 } }
}

/// A scalar objective with gradient: nil means the inner solve failed at z (see the failure protocol).
public typealias ObjectiveFunction = (_ z: [Double]) throws -> ObjectiveEvaluation?

/// A residual function: nil means the inner solve failed at z. When `needJacobian` is false the
/// Jacobian may be omitted (it is then ignored even if present).
public typealias ResidualFunction = (_ z: [Double], _ needJacobian: Bool) throws -> ResidualEvaluation?

/// The Gauss–Newton curvature JᵀJ of a least-squares objective at z (prior rows included), for the
/// termination policy's optimality test; nil when it cannot be computed there.
public typealias CurvatureFunction = (_ z: [Double]) throws -> DenseMatrix?

/// JᵀJ of `residuals` (evaluated with their Jacobian), the curvature a least-squares problem offers an
/// optimizer that works on ½‖r‖² alone.
public func gaussNewtonCurvature(of residuals: @escaping ResidualFunction) -> CurvatureFunction {
    { z in try residuals(z, true)?.jacobian?.gram() }
}

/// What a progress handler tells the optimizer after each iteration.
public enum ProgressAction: Sendable, Equatable {
    /// Carry on.
    case proceed
    /// Stop now; the result has status `.stoppedByCallback` and the best point so far (Ctrl-C, checkpoints).
    case stop
}

/// One outer iteration as seen by a progress handler, also kept in `OptimizationResult.history`.
///
/// For Levenberg–Marquardt an iteration is one trial step (accepted or not); for L-BFGS (NLopt) it is
/// one evaluation that lowered the best objective so far (NLopt does not expose its iterations).
public struct IterationRecord: Sendable, Codable, Equatable {
    /// 1, 2, … (0 is the starting point).
    public var iteration: Int
    /// Objective at the current (best accepted) point.
    public var objective: Double
    /// ‖P(z − ∇f) − z‖∞ at the current point.
    public var projectedGradientNorm: Double
    /// ‖Δz‖₂ of the step taken in this iteration (0 when it was rejected).
    public var stepNorm: Double
    /// Whether the trial point was accepted.
    public var accepted: Bool
    /// Levenberg–Marquardt damping λ after this iteration (nil for L-BFGS).
    public var damping: Double?
    /// Evaluations (of residuals or objective) made during this iteration.
    public var evaluations: Int
    /// Sum of `innerIterations` reported by the evaluations of this iteration.
    public var innerIterations: Int
    /// Seconds since the optimizer started (the only field that is not reproducible bit for bit).
    public var elapsedSeconds: Double
}

/// Called with the starting point (iteration 0) and after each outer iteration, on the calling thread;
/// return `.stop` to end the run cleanly (the result then holds the best point so far).
public typealias ProgressHandler = @Sendable (IterationRecord) -> ProgressAction
