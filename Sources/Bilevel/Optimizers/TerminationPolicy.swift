// One honest termination rule for every outer optimizer.
//
// An optimizer's own stopping test (a short step, a small change of the objective, NLopt's line search
// giving up, Levenberg–Marquardt's damping hitting its ceiling) only says that progress stopped. A
// discontinuous objective (an inner solve that jumps between equilibria) or round-off stops progress
// too, far from any minimum. So a stop is called *converged* only when first-order optimality holds at
// the returned point, measured without units:
//
// • With curvature (least squares, A = JᵀJ of the weighted residuals, prior rows included): the
//   Gauss–Newton decrement over the free set F (variables not held by an active bound),
//       δ = √(g_Fᵀ A_FF⁺ g_F),
//   the length of the Gauss–Newton step −A⁻¹g in the metric A (Boyd & Vandenberghe, "Convex
//   Optimization", 2004, §9.5.1; Nocedal & Wright, 2nd ed., §10.3). For residuals weighted by their
//   standard deviations A⁻¹ is the parameter covariance, so δ is the distance from z to the minimizer
//   of the local quadratic model *in standard errors*, and is invariant to any linear reparametrization.
//   A⁺ is a pseudo-inverse computed on A scaled by the parameters' typical magnitudes (S A S, the
//   relative sensitivities): directions the data do not determine (eigenvalues below 1e-12 of the
//   largest) carry no gradient (g = Jᵀr is orthogonal to the null space of J) and are left out.
// • Without curvature (a general objective f): Dennis & Schnabel's relative gradient ("Numerical
//   Methods for Unconstrained Optimization and Nonlinear Equations", SIAM 1996, §7.2),
//       max_i |pg_i| · s_i / max(|f|, f_typ),   pg = P(z − g) − z,
//   the relative change of f per relative change of z_i, with the scale s_i of z_i.
//
// A projected gradient at or below the optimizer's own absolute tolerance is optimal in any case.
// The decision is the pure function `TerminationPolicy.status(after:optimality:)`: the same inputs give
// the same status on every CPU, and it is tested with scripted outcomes.

import Foundation
import Sparse

/// What an optimizer's own stopping test reported, before the optimality check.
public enum StopCriterion: Sendable, Codable, Equatable, CustomStringConvertible {
    /// ‖P(z − ∇f) − z‖∞ at or below the optimizer's absolute tolerance.
    case projectedGradient
    /// The relative change of the objective fell below its tolerance.
    case objectiveChange
    /// The step fell below its tolerance.
    case stepSize
    /// NLopt reported success by its internal test.
    case solverSuccess
    /// NLopt's line search gave up (FAILURE or ROUNDOFF_LIMITED) and the restarts were used up.
    case solverGaveUp(code: Int, meaning: String)
    /// Levenberg–Marquardt's damping passed its ceiling without an acceptable step.
    case dampingCeiling
    /// The optimizer checked the policy itself at an accepted point and found it optimal.
    case firstOrderOptimality

    public var description: String {
        switch self {
        case .projectedGradient: return "projected gradient below tolerance"
        case .objectiveChange: return "relative objective change below tolerance"
        case .stepSize: return "step below tolerance"
        case .solverSuccess: return "NLopt's internal criterion"
        case let .solverGaveUp(code, meaning): return "NLopt's line search gave up with code \(code) (\(meaning))"
        case .dampingCeiling: return "damping above its ceiling, no acceptable step"
        case .firstOrderOptimality: return "first-order optimality at an accepted point"
        }
    }
}

/// First-order optimality at one point, in the measures `TerminationPolicy` judges.
public struct Optimality: Sendable, Codable, Equatable {
    /// ‖P(z − ∇f) − z‖∞ (in the units of z).
    public var projectedGradientNorm: Double
    /// The Gauss–Newton decrement √(g_Fᵀ A_FF⁺ g_F): the distance to the local minimizer in standard
    /// errors (nil when no curvature was available).
    public var decrement: Double?
    /// max_i |pg_i| · s_i / max(|f|, f_typ) (Dennis & Schnabel's relative gradient).
    public var relativeGradient: Double

    public init(projectedGradientNorm: Double, decrement: Double?, relativeGradient: Double) {
        self.projectedGradientNorm = projectedGradientNorm
        self.decrement = decrement
        self.relativeGradient = relativeGradient
    }

    /// Measures optimality at `z` with objective `f`, gradient `g` (both in z), optional curvature
    /// `a` (JᵀJ in z) and parameter scales `scales` (nil: max(|z_i|, 1)).
    public static func measure(z: [Double], objective f: Double, gradient g: [Double], bounds: BoxBounds,
                               curvature a: DenseMatrix?, scales: [Double]?, objectiveScale: Double) -> Optimality {
        var relative = 0.0, largest = 0.0
        var free: [Int] = []
        let s = z.indices.map { scales?[$0] ?? max(abs(z[$0]), 1) }
        for i in z.indices {
            let moved = min(max(z[i] - g[i], bounds.lower[i]), bounds.upper[i])
            let pg = abs(moved - z[i])
            largest = max(largest, pg)
            relative = max(relative, pg * s[i])
            let held = (z[i] <= bounds.lower[i] && g[i] > 0) || (z[i] >= bounds.upper[i] && g[i] < 0)
            if !held { free.append(i) }
        }
        relative /= max(abs(f), objectiveScale)
        let decrement = a.flatMap { gaussNewtonDecrement(curvature: $0, gradient: g, free: free, scales: s) }
        return Optimality(projectedGradientNorm: largest, decrement: decrement,
                          relativeGradient: relative.isFinite ? relative : .infinity)
    }

    /// √(g_Fᵀ A_FF⁺ g_F), the pseudo-inverse taken on S A_FF S with S the parameter scales; eigenvalues
    /// below 1e-12 of the largest count as zero. nil when A is not usable (non-finite, or the
    /// eigen-solver failed).
    static func gaussNewtonDecrement(curvature a: DenseMatrix, gradient g: [Double], free: [Int], scales: [Double]) -> Double? {
        guard !free.isEmpty else { return 0 }
        let n = free.count
        let s = free.map { scales[$0] }
        var scaled = [Double](repeating: 0, count: n * n)
        for (r, i) in free.enumerated() { for (c, j) in free.enumerated() { scaled[r * n + c] = s[r] * a[i, j] * s[c] } }
        guard scaled.allSatisfy(\.isFinite), let e = try? SymmetricEigen(symmetric: scaled, dimension: n) else { return nil }
        let cutoff = 1e-12 * max(e.eigenvalues.last ?? 0, 0)
        var squared = 0.0
        for k in 0 ..< n where e.eigenvalues[k] > cutoff {
            let v = e.eigenvector(k)
            var projection = 0.0
            for (r, i) in free.enumerated() { projection += v[r] * s[r] * g[i] }
            squared += projection * projection / e.eigenvalues[k]
        }
        return squared.isFinite ? squared.squareRoot() : nil
    }
}

/// Decides how an optimizer's stop is reported: converged only where first-order optimality holds.
///
/// Guarantees: a pure function of its inputs (no CPU-dependent branch beyond the numbers given);
/// `.converged` only when `isOptimal`; a stop of the optimizer's own test at a non-optimal point is
/// `.stalled`, which is not converged.
public struct TerminationPolicy: Sendable, Codable, Equatable {
    /// Largest Gauss–Newton decrement (standard errors to the local minimizer) called optimal. Default 1e-3.
    public var decrementTolerance = 1e-3
    /// Largest relative gradient called optimal when no curvature is known. Default 1e-6.
    public var relativeGradientTolerance = 1e-6
    /// f_typ, the objective scale below which the relative gradient is taken relative to this instead of
    /// |f| (for ½χ², 1 is a change of χ² that no statistic notices). Default 1.
    public var objectiveScale = 1.0

    public init() {}

    /// Throws `OptimizerError.invalidOption` naming the first bad setting.
    public func validate() throws(OptimizerError) {
        try requireOption(decrementTolerance > 0 && decrementTolerance.isFinite, "decrementTolerance", decrementTolerance,
                          "a positive finite number")
        try requireOption(relativeGradientTolerance > 0 && relativeGradientTolerance.isFinite, "relativeGradientTolerance",
                          relativeGradientTolerance, "a positive finite number")
        try requireOption(objectiveScale > 0 && objectiveScale.isFinite, "objectiveScale", objectiveScale, "a positive finite number")
    }

    /// First-order optimality: the decrement where curvature is known, the relative gradient otherwise.
    public func isOptimal(_ o: Optimality, absoluteTolerance: Double) -> Bool {
        if o.projectedGradientNorm <= absoluteTolerance { return true }
        if let d = o.decrement { return d <= decrementTolerance }
        return o.relativeGradient <= relativeGradientTolerance
    }

    /// The status of a run that stopped because of `stop`, with optimality `o` at its final point.
    public func status(after stop: StopCriterion, optimality o: Optimality, absoluteTolerance: Double) -> OptimizationStatus {
        guard isOptimal(o, absoluteTolerance: absoluteTolerance) else { return .stalled(stop) }
        switch stop {
        case .projectedGradient: return .converged(.projectedGradient)
        case .objectiveChange: return .converged(.objectiveChange)
        case .stepSize: return .converged(.stepSize)
        case .solverSuccess: return .converged(.solverCriterion)
        case .solverGaveUp, .dampingCeiling: return .converged(.roundoffLimited)
        case .firstOrderOptimality: return .converged(.firstOrderOptimality)
        }
    }
}
