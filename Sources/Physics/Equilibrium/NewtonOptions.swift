import Sparse

/// Settings of the Newton equilibrium solver, with documented defaults and a `validate()`.
public struct NewtonOptions: Sendable, Equatable {
    /// What kind of stationary point is sought.
    public enum Problem: String, Sendable {
        /// A minimum of Π: LLᵀ factorization, a diagonal shift (modified Newton) when the Hessian is not
        /// positive definite, and backtracking on the energy (Armijo).
        case minimum
        /// A stationary point of a symmetric quasi-definite system (displacement–pressure saddle points):
        /// LDLᵀ factorization (see `saddleFactorization`) and full Newton steps.
        case saddle
    }

    /// Default `.minimum`.
    public var problem: Problem = .minimum
    /// Default 50.
    public var maximumIterations = 50
    /// Converged when ‖∂Π/∂u‖₂ ≤ this. Default 0 (off: an absolute force depends on the units).
    public var absoluteTolerance = 0.0
    /// ... or when ‖∂Π/∂u‖₂ ≤ this × the initial gradient norm. Default 1e-12.
    public var relativeTolerance = 1e-12
    /// ... or when a full Newton step moved no unknown by more than this × the largest position
    /// magnitude (reference + displacement): the state is then accurate to about this relative
    /// precision, and the gradient sits at its round-off floor (warm starts, ill-conditioned systems).
    /// For minima, after a full step shorter than 10⁻⁴ × that magnitude the next step is first estimated
    /// with the factorization at hand (a chord step, equal to the Newton step to O(last step) relative);
    /// when it is below this tolerance the state is returned without the confirming factorization.
    /// Default 1e-13.
    public var stepTolerance = 1e-13
    /// Armijo sufficient-decrease constant. Default 1e-4.
    public var armijo = 1e-4
    /// Step reduction per backtrack. Default 0.5.
    public var backtrackingFactor = 0.5
    /// Backtracks before the line search gives up. Default 40.
    public var maximumBacktracks = 40
    /// Margin of the diagonal shift tried first when the Hessian is not positive definite, relative to
    /// its largest diagonal entry; the shift starts at this margin above the most negative diagonal
    /// entry (Nocedal & Wright, Algorithm 3.3). Default 1e-3.
    public var initialShift = 1e-3
    /// Factor by which the shift grows per failed attempt. Default 10.
    public var shiftGrowth = 10.0
    /// Declares Π quadratic in u (a linear model): its Hessian depends on θ only. Newton then takes one
    /// step per solve, and for unchanged θ reuses the previous factorization (one factorization for a
    /// whole time series and its adjoint). Default false.
    public var hessianIsConstant = false
    /// Fill-reducing ordering for the factorization. Default `.automatic`.
    public var ordering: FactorizationOptions.Ordering = .automatic

    public init() {}

    /// Throws `PhysicsError.invalidModel` naming the first setting out of range.
    public func validate() throws {
        func require(_ ok: Bool, _ message: String) throws {
            if !ok { throw PhysicsError.invalidModel("Newton option \(message)") }
        }
        try require(maximumIterations >= 1, "maximumIterations must be ≥ 1 (got \(maximumIterations))")
        try require(absoluteTolerance >= 0 && relativeTolerance >= 0 && stepTolerance >= 0, "tolerances must be ≥ 0")
        try require(absoluteTolerance > 0 || relativeTolerance > 0, "at least one tolerance must be > 0")
        try require(armijo > 0 && armijo < 0.5, "armijo must be in (0, 0.5) (got \(armijo))")
        try require(backtrackingFactor > 0 && backtrackingFactor < 1, "backtrackingFactor must be in (0, 1)")
        try require(maximumBacktracks >= 1, "maximumBacktracks must be ≥ 1")
        try require(initialShift > 0 && shiftGrowth > 1, "initialShift must be > 0 and shiftGrowth > 1")
        try require(saddleFactorization.map { $0 != .cholesky } ?? true,
                    "saddleFactorization must be .ldlt or .multifrontalLDLT (a saddle point is indefinite)")
    }

    /// The factorization of `.saddle` problems. Default nil: chosen by size, CHOLMOD's simplicial `.ldlt`
    /// below `FactorizationOptions.multifrontalThreshold` unknowns (there its solves are several times
    /// faster and its factorizations as fast), MUMPS's `.multifrontalLDLT` from there on (3× faster
    /// factorizations at 10⁵ unknowns, 10× at 10⁶; figures in docs/sparse.md).
    public var saddleFactorization: FactorizationOptions.Kind?

    /// The factorization a problem with `unknowns` unknowns needs: CHOLMOD's LLᵀ for minima.
    public func factorizationOptions(unknowns: Int) -> FactorizationOptions {
        guard problem == .saddle else { return FactorizationOptions(kind: .cholesky, ordering: ordering) }
        let kind = saddleFactorization
            ?? (unknowns >= FactorizationOptions.multifrontalThreshold ? .multifrontalLDLT : .ldlt)
        return FactorizationOptions(kind: kind, ordering: ordering)
    }
}
