import Foundation

/// The outcome of one equilibrium solve. Non-convergence is a status, not an error: the bilevel layer
/// rejects an outer step whose inner solve did not converge and carries on.
public struct EquilibriumResult: Sendable {
    public enum Status: Equatable, Sendable {
        case converged
        /// The iteration limit was reached first.
        case maximumIterations
        /// No step length gave sufficient decrease of the energy.
        case lineSearchFailed
        /// The Hessian could not be factored even with the largest shift tried.
        case factorizationFailed(String)
    }

    public let status: Status
    /// Displacement of every dof (prescribed ones included) at the last iterate.
    public let displacement: [Double]
    /// Π at the last iterate.
    public let energy: Double
    /// ‖∂Π/∂u‖₂ at each iterate, starting with the initial guess: quadratic convergence shows here.
    public let gradientNorms: [Double]
    /// Newton iterations performed (factorizations with a successful step).
    public let iterations: Int
    /// Total energy evaluations spent in backtracking.
    public let backtracks: Int
    /// Diagonal shift used at each iteration (0 when the Hessian was positive definite).
    public let shifts: [Double]
    /// Whether the solver's factorization is of the Hessian at the returned state (false when the last
    /// Newton step moved the state after the last factorization).
    public let factorIsAtSolution: Bool
    /// Wall-clock seconds of the solve.
    public let seconds: Double
    /// Wall-clock seconds of the solve spent in numeric factorizations (shifted attempts included) and
    /// in solves with them: what is left of `seconds` is assembly, line search and bookkeeping.
    public let factorizationSeconds: Double, linearSolveSeconds: Double

    public var converged: Bool { status == .converged }

    /// One line: status, iterations, final gradient norm, time.
    public var briefReport: String {
        String(format: "%@ after %d Newton iterations, |g| = %.3e, %.3f s", "\(status)", iterations,
               gradientNorms.last ?? 0, seconds)
    }

    /// The brief report and the gradient norm and shift of every iteration.
    public var fullReport: String {
        var lines = [briefReport, "iteration  |gradient|   shift"]
        for (k, g) in gradientNorms.enumerated() {
            lines.append(String(format: "%9d  %.3e  %.1e", k, g, k < shifts.count ? shifts[k] : 0))
        }
        return lines.joined(separator: "\n")
    }
}
