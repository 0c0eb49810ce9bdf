internal import CSuiteSparse
import Foundation

/// A sparse Cholesky (LLᵀ) or LDLᵀ factorization of matrices sharing one `SparsityPattern`.
///
/// The pattern is analysed once at creation (fill-reducing ordering and symbolic factorization by
/// CHOLMOD); `factorize(_:shift:)` then refactors numerically as values change, reusing that analysis.
/// After a successful factorization, `solve` applies A⁻¹ to one or many right-hand sides as often as
/// needed (the adjoint and the sensitivities of the bilevel layer reuse the Newton factor this way).
///
/// Guarantees: every CHOLMOD status is checked (a matrix that is not positive definite throws, never
/// yields a silently wrong factor); the factor, the solve workspaces and the `cholmod_common` are freed
/// exactly once, when the object is released; repeated factorizations allocate nothing new. Not
/// thread-safe: one factorization is used by one thread at a time.
public final class SparseCholesky: SymmetricFactorization {
    public let pattern: SparsityPattern
    public let options: FactorizationOptions
    private let workspace: CholmodWorkspace
    private let header: UnsafeMutablePointer<cholmod_sparse>
    private let factor: UnsafeMutablePointer<cholmod_factor>
    private var solveX: UnsafeMutablePointer<cholmod_dense>?
    private var solveY: UnsafeMutablePointer<cholmod_dense>?
    private var solveE: UnsafeMutablePointer<cholmod_dense>?

    /// True once a `factorize` call has succeeded and no later one has failed.
    public private(set) var isFactorized = false
    /// Number of successful numeric factorizations so far.
    public private(set) var factorizationCount = 0
    /// The diagonal shift of the current factorization: the factor is of A + shift·I.
    public private(set) var shift = 0.0

    /// Analyses `pattern` (ordering and symbolic factorization) once.
    public init(pattern: SparsityPattern, options: FactorizationOptions = FactorizationOptions()) throws {
        guard options.kind != .multifrontalLDLT else {
            throw SparseError.invalidOption("the .multifrontalLDLT kind is computed by MumpsLDLT, not CHOLMOD")
        }
        self.pattern = pattern
        self.options = options
        workspace = try CholmodWorkspace(options: options)
        header = .allocate(capacity: 1)
        header.initialize(to: cholmod_sparse(
            nrow: pattern.dimension, ncol: pattern.dimension, nzmax: pattern.entryCount,
            p: UnsafeMutableRawPointer(pattern.columnStarts.baseAddress),
            i: UnsafeMutableRawPointer(pattern.rowIndices.baseAddress),
            nz: nil, x: nil, z: nil, stype: 1, itype: CHOLMOD_INT, xtype: CHOLMOD_PATTERN,
            dtype: CHOLMOD_DOUBLE, sorted: 1, packed: 1))
        guard let analysed = cholmod_analyze(header, workspace.common) else {
            header.deallocate()
            try workspace.check("analysis (cholmod_analyze)", succeeded: false)
            throw SparseError.cholmod(status: Int(workspace.status), operation: "analysis (cholmod_analyze)")
        }
        factor = analysed
    }

    deinit {
        var f: UnsafeMutablePointer<cholmod_factor>? = factor
        cholmod_free_factor(&f, workspace.common)
        cholmod_free_dense(&solveX, workspace.common)
        cholmod_free_dense(&solveY, workspace.common)
        cholmod_free_dense(&solveE, workspace.common)
        header.deallocate()
    }

    /// Floating-point operations of one numeric factorization, as estimated by the analysis.
    public var factorizationFlops: Double { workspace.common.pointee.fl }

    /// Number of stored entries of the factor L (after numeric factorization; the estimate before).
    public var factorEntryCount: Int {
        factor.pointee.is_super != 0 ? Int(factor.pointee.xsize) : Int(workspace.common.pointee.lnz)
    }

    /// Bytes CHOLMOD currently holds for this factorization (factor, workspaces).
    public var memoryInUse: Int { Int(workspace.common.pointee.memory_inuse) }

    /// Factors `matrix + shift·I` numerically, reusing the analysis. `matrix` must use this pattern.
    ///
    /// Throws `notPositiveDefinite(column:)` (LLᵀ) or `singular(column:)` (LDLᵀ) with the column of the
    /// original matrix where the factorization broke down; the object stays usable for another attempt
    /// (for example with a larger shift).
    public func factorize(_ matrix: SymmetricMatrix, shift: Double = 0) throws {
        guard matrix.pattern === pattern else {
            throw SparseError.dimensionMismatch(expected: dimension, found: matrix.dimension,
                                                what: "a matrix on a different sparsity pattern")
        }
        guard shift.isFinite else { throw SparseError.notFinite(what: "the diagonal shift") }
        isFactorized = false
        header.pointee.x = UnsafeMutableRawPointer(matrix.values.baseAddress)
        header.pointee.xtype = CHOLMOD_REAL
        defer {
            header.pointee.x = nil
            header.pointee.xtype = CHOLMOD_PATTERN
        }
        var beta: (Double, Double) = (shift, 0)
        OpenMPRuntime.serializeOnThisThread()  // CHOLMOD's copy loops: serial on every thread
        let ok = withUnsafeMutablePointer(to: &beta) { b in
            b.withMemoryRebound(to: Double.self, capacity: 2) {
                cholmod_factorize_p(header, $0, nil, 0, factor, workspace.common)
            }
        }
        try workspace.check("numeric factorization (cholmod_factorize)", succeeded: ok != 0)
        let n = dimension
        if workspace.status == CHOLMOD_NOT_POSDEF || Int(factor.pointee.minor) < n {
            let column = originalColumn(Int(factor.pointee.minor))
            if options.kind == .ldlt { throw SparseError.singular(column: column) }
            throw SparseError.notPositiveDefinite(column: column)
        }
        if options.kind == .ldlt, let column = smallPivotColumn() {
            throw SparseError.singular(column: column)
        }
        self.shift = shift
        isFactorized = true
        factorizationCount += 1
    }

    /// Solves (A + shift·I) X = B for `columns` right-hand sides stored column by column in `b`
    /// (`dimension × columns`), writing X into `x` (same layout). No allocation after the first call of
    /// a given width: CHOLMOD's solve workspaces are kept and reused.
    public func solve(_ b: UnsafeBufferPointer<Double>, into x: UnsafeMutableBufferPointer<Double>,
                      columns: Int = 1) throws {
        try checkSolveArguments(b, x, columns: columns)
        let n = dimension
        var dense = cholmod_dense(nrow: n, ncol: columns, nzmax: n * columns, d: n,
                                  x: UnsafeMutableRawPointer(mutating: b.baseAddress), z: nil,
                                  xtype: CHOLMOD_REAL, dtype: CHOLMOD_DOUBLE)
        let ok = cholmod_solve2(CHOLMOD_A, factor, &dense, nil, &solveX, nil, &solveY, &solveE, workspace.common)
        try workspace.check("solve (cholmod_solve2)", succeeded: ok != 0)
        guard let result = solveX?.pointee.x?.assumingMemoryBound(to: Double.self) else {
            throw SparseError.cholmod(status: Int(workspace.status), operation: "solve (cholmod_solve2)")
        }
        _ = x.update(fromContentsOf: UnsafeBufferPointer(start: result, count: n * columns))
    }

    /// log|det(A + shift·I)| and the sign of the determinant, from the diagonal of the factor.
    public func logDeterminant() throws -> (logAbsolute: Double, sign: Double) {
        guard isFactorized else {
            throw SparseError.invalidOption("logDeterminant called before a successful factorize")
        }
        var logAbs = 0.0, sign = 1.0
        forEachPivot { d in
            if d < 0 { sign = -sign }
            logAbs += (factor.pointee.is_ll != 0 ? 2 : 1) * log(abs(d))
        }
        return (logAbs, sign)
    }

    /// The diagonal of L (LLᵀ) or D (LDLᵀ), in pivot order.
    private func forEachPivot(_ body: (Double) -> Void) {
        let f = factor.pointee
        guard let x = f.x?.assumingMemoryBound(to: Double.self) else { return }
        if f.is_super != 0 {
            let sup = f.super.assumingMemoryBound(to: Int32.self)
            let pi = f.pi.assumingMemoryBound(to: Int32.self)
            let px = f.px.assumingMemoryBound(to: Int32.self)
            for s in 0 ..< Int(f.nsuper) {
                let columns = Int(sup[s + 1] - sup[s]), rows = Int(pi[s + 1] - pi[s])
                for k in 0 ..< columns { body(x[Int(px[s]) + k * rows + k]) }
            }
        } else {
            let p = f.p.assumingMemoryBound(to: Int32.self)
            for j in 0 ..< Int(f.n) { body(x[Int(p[j])]) }
        }
    }

    /// First LDLᵀ pivot below the singular tolerance, as an original column, or nil.
    private func smallPivotColumn() -> Int? {
        var k = 0, found: Int?
        let tolerance = options.singularPivotTolerance
        forEachPivot { d in
            if found == nil && !(abs(d) > tolerance) { found = k }
            k += 1
        }
        return found.map(originalColumn)
    }

    /// Maps a pivot index of the permuted factor back to a column of the user's matrix.
    private func originalColumn(_ pivot: Int) -> Int {
        guard pivot < dimension, let perm = factor.pointee.Perm?.assumingMemoryBound(to: Int32.self) else {
            return pivot
        }
        return Int(perm[pivot])
    }
}
