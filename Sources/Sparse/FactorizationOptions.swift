/// How a `SparseFactorization` (`SparseCholesky`, `MumpsLDLT`) factors its matrices. A value type with documented defaults, in the manner of
/// Ceres Solver's option structs; `validate()` rejects contradictory settings before any work is done.
public struct FactorizationOptions: Sendable, Equatable {
    /// Which factorization is computed, and by which library.
    public enum Kind: String, Sendable, CaseIterable {
        /// Supernodal LLᵀ for symmetric positive-definite matrices (stiffness, Newton Hessians).
        /// Fails with `SparseError.notPositiveDefinite` otherwise.
        case cholesky
        /// Simplicial LDLᵀ for symmetric quasi-definite matrices `[[A, Bᵀ], [B, −C]]` with A and C
        /// positive definite (displacement–pressure saddle systems). Any symmetric permutation of such a
        /// matrix has an LDLᵀ factorization (Vanderbei 1995), so a fill-reducing ordering is safe.
        case ldlt
        /// Multifrontal LDLᵀ with threshold pivoting by MUMPS (`MumpsLDLT`), for the same saddle systems
        /// and symmetric indefinite ones: BLAS-3 on dense fronts, so it uses every BLAS thread. Several
        /// times faster than `.ldlt` from 10⁵ unknowns on (figures in docs/sparse.md).
        case multifrontalLDLT
    }

    /// The fill-reducing ordering computed during analysis (MUMPS: see `MumpsLDLT`).
    public enum Ordering: String, Sendable, CaseIterable {
        /// CHOLMOD's default: AMD, then METIS as well if AMD's fill is high, keeping the better one.
        case automatic
        /// Approximate minimum degree only: fastest analysis (10× faster than METIS at 10⁶ unknowns).
        case amd
        /// METIS nested dissection only: the least fill on large 2D/3D meshes, at a higher analysis cost.
        case metis
        /// No reordering (for tests and already well-ordered matrices).
        case natural
    }

    /// Size from which `.multifrontalLDLT` beats `.ldlt` on the project's saddle systems (Taylor–Hood
    /// Biot matrices, docs/sparse.md): 20,000 unknowns. Below it CHOLMOD's simplicial solves are 2–6×
    /// faster than MUMPS's and its factorizations as fast; above it MUMPS's factorizations win, by 3× at
    /// 10⁵ unknowns and 10× at 10⁶.
    public static let multifrontalThreshold = 20_000

    /// Default `.cholesky`.
    public var kind: Kind
    /// Default `.automatic`.
    public var ordering: Ordering
    /// For `.ldlt`: a pivot of absolute value below this makes the factorization fail as singular.
    /// Default 0 (only exact zeros); CHOLMOD itself only reports them.
    public var singularPivotTolerance: Double

    public init(kind: Kind = .cholesky, ordering: Ordering = .automatic, singularPivotTolerance: Double = 0) {
        self.kind = kind
        self.ordering = ordering
        self.singularPivotTolerance = singularPivotTolerance
    }

    /// Throws `SparseError.invalidOption` when a setting is out of range.
    public func validate() throws {
        guard singularPivotTolerance >= 0, singularPivotTolerance.isFinite else {
            throw SparseError.invalidOption("singularPivotTolerance must be finite and ≥ 0, got \(singularPivotTolerance)")
        }
        if kind != .ldlt && singularPivotTolerance != 0 {
            throw SparseError.invalidOption("singularPivotTolerance applies to the .ldlt kind only")
        }
    }
}
