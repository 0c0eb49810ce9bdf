/// Settings of the bound-constrained L-BFGS optimizer (NLopt `LD_LBFGS`), with documented defaults.
///
/// `validate()` rejects meaningless values before any evaluation; the optimizer calls it.
public struct LBFGSOptions: Sendable, Equatable, Codable {
    /// Stop when NLopt's relative objective change |Δf| ≤ tol·(|f_new| + |f_old|)/2 in two successive
    /// iterations (Lukšan's test with NLopt's `ftol_rel`). Default 1e-10.
    public var relativeObjectiveTolerance = 1e-10
    /// Stop when ‖P(z − ∇f) − z‖∞ ≤ tol at a new best point (checked by this wrapper). Default 1e-8.
    public var projectedGradientTolerance = 1e-8
    /// Maximum accepted iterations (new best points). Default 500.
    public var maximumIterations = 500
    /// Maximum objective evaluations, failed ones included. Default 2000.
    public var maximumEvaluations = 2000
    /// Number of stored correction pairs (L-BFGS memory); 0 lets NLopt choose. Default 10.
    public var memory = 10
    /// A failed evaluation is shown to NLopt as a steep quadratic wall whose height at the failed point is
    /// `failurePenalty · (1 + |f_best|)` above the best value, so the line search backs off. Default 10.
    public var failurePenalty = 10.0
    /// Give up after this many consecutive failed evaluations. Default 20.
    public var maximumConsecutiveFailures = 20
    /// NLopt restarts (from the best point, with a fresh L-BFGS memory) allowed after NLopt stops with a
    /// failure code (its line search gave up, typically after failed evaluations). Default 3.
    public var maximumRestarts = 3
    /// When a stop of NLopt's (or this wrapper's) own test counts as converged. Default `TerminationPolicy()`.
    public var termination = TerminationPolicy()
    /// Stop as soon as a new best point whose evaluation carries curvature (`ObjectiveEvaluation.curvature`)
    /// passes `termination`'s optimality test in standard errors (`ConvergenceRule.firstOrderOptimality`).
    /// Without curvature the relative gradient is too coarse a test to stop on early: the run goes on to
    /// NLopt's own tests, judged at the end. Default true.
    public var stopAtFirstOrderOptimality = true
    /// Evaluate the start first and, when the evaluation carries curvature A = JᵀJ, let NLopt work on
    /// y_i = z_i·√A_ii (Jacobi scaling: unit curvature along every axis) instead of z. L-BFGS's first
    /// steps are steepest-descent steps, which on parameters of very different sensitivity (a lattice's
    /// r₀ against its D) zigzag for tens of evaluations. Values, gradients, bounds, the history and
    /// the result stay in z. Default true.
    public var curvatureScaling = true

    public init() {}

    /// Throws `OptimizerError.invalidOption` naming the first bad setting.
    public func validate() throws(OptimizerError) {
        try requireOption(relativeObjectiveTolerance >= 0 && relativeObjectiveTolerance.isFinite,
                    "relativeObjectiveTolerance", relativeObjectiveTolerance, "a finite number ≥ 0")
        try requireOption(projectedGradientTolerance >= 0 && projectedGradientTolerance.isFinite,
                    "projectedGradientTolerance", projectedGradientTolerance, "a finite number ≥ 0")
        try requireOption(maximumIterations > 0, "maximumIterations", maximumIterations, "a positive integer")
        try requireOption(maximumEvaluations > 0, "maximumEvaluations", maximumEvaluations, "a positive integer")
        try requireOption(memory >= 0, "memory", memory, "≥ 0 (0: NLopt's default)")
        try requireOption(failurePenalty > 0 && failurePenalty.isFinite, "failurePenalty", failurePenalty, "a positive finite number")
        try requireOption(maximumConsecutiveFailures > 0, "maximumConsecutiveFailures", maximumConsecutiveFailures, "a positive integer")
        try requireOption(maximumRestarts >= 0, "maximumRestarts", maximumRestarts, "≥ 0")
        try termination.validate()
    }
}

/// Settings of the Levenberg–Marquardt / Gauss–Newton least-squares optimizer, with documented defaults.
public struct LevenbergMarquardtOptions: Sendable, Equatable, Codable {
    /// The iteration: damped (robust) or plain Gauss–Newton (λ = 0, every step accepted, for comparison).
    public enum Method: String, Sendable, Equatable, Codable {
        case levenbergMarquardt
        case gaussNewton
    }

    /// Default `.levenbergMarquardt`.
    public var method = Method.levenbergMarquardt
    /// Stop when an accepted step's actual and predicted decreases are both ≤ tol·F (MINPACK's rule). Default 1e-12.
    public var relativeObjectiveTolerance = 1e-12
    /// Stop when ‖P(z − Jᵀr) − z‖∞ ≤ tol. Default 1e-10.
    public var projectedGradientTolerance = 1e-10
    /// Stop when ‖Δz‖₂ ≤ tol·(‖z‖₂ + tol) for a computed step. Default 1e-12.
    public var stepTolerance = 1e-12
    /// Maximum iterations (trial steps, accepted or rejected). Default 100.
    public var maximumIterations = 100
    /// Initial damping λ₀, relative to the Marquardt scaling diag(JᵀJ). Default 1e-3.
    public var initialDamping = 1e-3
    /// Stop (`StopCriterion.dampingCeiling`) when λ exceeds this. Default 1e16.
    public var maximumDamping = 1e16
    /// Give up after this many consecutive failed evaluations. Default 20.
    public var maximumConsecutiveFailures = 20
    /// Ask for the Jacobian together with the residuals at every trial point. Default true: most trial
    /// steps are accepted, and a separate call would repeat the inner solve. Set false when a Jacobian
    /// costs much more than a solve; it is then requested only at accepted points.
    public var jacobianAtTrialPoints = true
    /// When a stop of the optimizer's own tests counts as converged. Default `TerminationPolicy()`.
    public var termination = TerminationPolicy()
    /// Stop as soon as an accepted point passes `termination`'s optimality test
    /// (`ConvergenceRule.firstOrderOptimality`). Default true; false polishes on to the tolerances above.
    public var stopAtFirstOrderOptimality = true
    /// Add geodesic acceleration to each damped step (Transtrum & Sethna 2012), its second derivative
    /// estimated from the Jacobians at hand (no extra evaluation). Default true: in a curved valley of the
    /// misfit it turns a creep of small steps into a few long ones.
    public var geodesicAcceleration = true
    /// α: the acceleration a is used only when 2‖a‖ ≤ α‖v‖ (scaled norms), else the plain step. Default 0.75.
    public var accelerationLimit = 0.75

    public init() {}

    /// Throws `OptimizerError.invalidOption` naming the first bad setting.
    public func validate() throws(OptimizerError) {
        try requireOption(relativeObjectiveTolerance >= 0 && relativeObjectiveTolerance.isFinite,
                    "relativeObjectiveTolerance", relativeObjectiveTolerance, "a finite number ≥ 0")
        try requireOption(projectedGradientTolerance >= 0 && projectedGradientTolerance.isFinite,
                    "projectedGradientTolerance", projectedGradientTolerance, "a finite number ≥ 0")
        try requireOption(stepTolerance >= 0 && stepTolerance.isFinite, "stepTolerance", stepTolerance, "a finite number ≥ 0")
        try requireOption(maximumIterations > 0, "maximumIterations", maximumIterations, "a positive integer")
        try requireOption(initialDamping > 0 && initialDamping.isFinite, "initialDamping", initialDamping, "a positive finite number")
        try requireOption(maximumDamping > initialDamping, "maximumDamping", maximumDamping, "larger than initialDamping")
        try requireOption(maximumConsecutiveFailures > 0, "maximumConsecutiveFailures", maximumConsecutiveFailures, "a positive integer")
        try requireOption(accelerationLimit > 0 && accelerationLimit.isFinite, "accelerationLimit", accelerationLimit, "a positive finite number")
        try termination.validate()
    }
}

func requireOption<T>(_ condition: Bool, _ name: String, _ value: T, _ requirement: String) throws(OptimizerError) {
    if !condition { throw .invalidOption(name: name, value: "\(value)", requirement: requirement) }
}
