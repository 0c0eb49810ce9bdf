internal import CMUMPS
import Foundation
import Synchronization

/// MUMPS keeps process-wide Fortran module state (its load-balancing module among others), so two
/// instances must never run at the same time, even from different threads: every call goes through
/// this lock. Calls of one instance are already serialized (a factorization is used by one thread).
private let mumpsLock = Mutex(())

/// Runs MUMPS phase `job` on `instance` under the process-wide lock.
private func callMumps(_ instance: UnsafeMutablePointer<DMUMPS_STRUC_C>, job: Int32) {
    mumpsLock.withLock { _ in
        instance.pointee.job = job
        dmumps_c(instance)
    }
}

/// A multifrontal LDLᵀ factorization by MUMPS (sequential library, SYM = 2: general symmetric, with
/// threshold pivoting) of matrices sharing one `SparsityPattern`: the factorization the project uses for
/// symmetric quasi-definite and indefinite (displacement–pressure saddle-point) systems.
///
/// Mathematics: MUMPS computes P A Pᵀ = L D Lᵀ with D block diagonal (1×1 and 2×2 pivots), by the
/// multifrontal method: the elimination tree's fronts are dense and are factored with BLAS-3 kernels,
/// so OpenBLAS's threads (`BLASThreads`) work on both cores (Amestoy, Duff, L'Excellent & Koster,
/// SIAM J. Matrix Anal. Appl. 23 (2001) 15–41; MUMPS 5.5 user's guide). A is symmetric, so the adjoint
/// solve Aᵀx = b is the same solve.
///
/// The analysis (ordering, symbolic factorization, scaling) is done once, at the first `factorize`
/// (its values set the scaling); each later `factorize` is a numeric refactorization on the same
/// analysis, and `solve` reuses the factors for any number of right-hand sides.
///
/// Guarantees: MUMPS's printing is switched off; every INFOG(1) is checked, and a negative one throws a
/// `SparseError` (`.mumps`, or `.outOfMemory`); a workspace that proved too small (INFO(1) = −8, −9,
/// −14, −15, −17, −20) is enlarged and the factorization retried, so a valid matrix is not rejected for
/// that; the MUMPS instance and the 1-based index arrays are freed exactly once, when the object is
/// released; refactorizations and solves allocate nothing in Swift. Not thread-safe: one factorization
/// is used by one thread at a time; calls of different instances are serialized process-wide, because
/// MUMPS's own global state is not thread-safe.
public final class MumpsLDLT: SymmetricFactorization {
    public let pattern: SparsityPattern
    public let options: FactorizationOptions
    private let instance: UnsafeMutablePointer<DMUMPS_STRUC_C>
    /// 1-based row and column of each stored (upper-triangle) entry, in the pattern's order, so the
    /// matrix values are handed to MUMPS in place.
    private let rows: UnsafeMutableBufferPointer<Int32>
    private let columns: UnsafeMutableBufferPointer<Int32>
    /// The pivot position of each column when the ordering is given to MUMPS (ICNTL(7) = 1: `.natural`,
    /// and `.metis`, computed by CHOLMOD), else empty.
    private let givenOrder: UnsafeMutableBufferPointer<Int32>
    /// Values of A + shift·I when a shift is asked for (allocated on first use).
    private var shiftedValues: UnsafeMutableBufferPointer<Double>?
    private var analysed = false

    public private(set) var isFactorized = false
    public private(set) var factorizationCount = 0
    public private(set) var shift = 0.0

    /// Starts a MUMPS instance for matrices on `pattern`. `options.kind` must be `.multifrontalLDLT`.
    public init(pattern: SparsityPattern, options: FactorizationOptions = FactorizationOptions(kind: .multifrontalLDLT)) throws {
        try options.validate()
        guard options.kind == .multifrontalLDLT else {
            throw SparseError.invalidOption("MumpsLDLT computes the .multifrontalLDLT kind, not .\(options.kind)")
        }
        self.pattern = pattern
        self.options = options
        let n = pattern.dimension
        rows = .allocate(capacity: pattern.entryCount)
        columns = .allocate(capacity: pattern.entryCount)
        for j in 0 ..< n {
            for k in Int(pattern.columnStarts[j]) ..< Int(pattern.columnStarts[j + 1]) {
                rows[k] = pattern.rowIndices[k] + 1
                columns[k] = Int32(j + 1)
            }
        }
        switch options.ordering {
        case .natural:
            givenOrder = .allocate(capacity: n)
            for j in 0 ..< n { givenOrder[j] = Int32(j + 1) }
        case .automatic, .metis:
            do { givenOrder = try MetisOrdering.positions(of: pattern) } catch {
                rows.deallocate(); columns.deallocate()
                throw error
            }
        case .amd:
            givenOrder = .allocate(capacity: 0)
        }

        instance = .allocate(capacity: 1)
        instance.initialize(to: DMUMPS_STRUC_C())
        instance.pointee.sym = 2
        instance.pointee.par = 1
        instance.pointee.comm_fortran = CMUMPS_USE_COMM_WORLD
        callMumps(instance, job: -1)
        guard cmumps_infog(instance, 1) >= 0 else {
            let error = mumpsError("initialization (JOB = -1)")
            rows.deallocate(); columns.deallocate(); givenOrder.deallocate()
            instance.deallocate()
            throw error
        }
        // Silence every output stream: errors are reported through INFOG and thrown.
        for stream: Int32 in 1 ... 3 { cmumps_set_icntl(instance, stream, -1) }
        cmumps_set_icntl(instance, 4, 0)
        cmumps_set_icntl(instance, 7, Self.orderingCode(options.ordering))
        // Usual (not compressed) ordering: quasi-definite systems need no 2×2-pivot matching.
        cmumps_set_icntl(instance, 12, 1)
        instance.pointee.n = Int32(n)
        instance.pointee.nnz = Int64(pattern.entryCount)
        instance.pointee.nz = Int32(pattern.entryCount)
        instance.pointee.irn = rows.baseAddress
        instance.pointee.jcn = columns.baseAddress
        if givenOrder.count > 0 { instance.pointee.perm_in = givenOrder.baseAddress }
    }

    deinit {
        callMumps(instance, job: -2)
        instance.deallocate()
        rows.deallocate()
        columns.deallocate()
        givenOrder.deallocate()
        shiftedValues?.deallocate()
    }

    /// ICNTL(7): 0 is MUMPS's AMD; 1 a given ordering. Debian's sequential MUMPS has no METIS, so METIS
    /// (also `.automatic`: on the Biot matrices it beats MUMPS's own automatic choice, SCOTCH, in fill,
    /// factorization and solve time, and it is deterministic) is computed by CHOLMOD and given.
    private static func orderingCode(_ ordering: FactorizationOptions.Ordering) -> Int32 {
        switch ordering {
        case .amd: return 0
        case .automatic, .metis, .natural: return 1
        }
    }

    public var dimension: Int { pattern.dimension }

    /// Megabytes MUMPS used for the latest factorization (INFOG(22), 10⁶ bytes), as bytes.
    public var memoryInUse: Int { analysed ? Int(cmumps_infog(instance, 22)) * 1_000_000 : 0 }

    /// Negative pivots of D in the latest factorization (INFOG(12)): the number of negative eigenvalues
    /// of A (Sylvester's law of inertia). For a quasi-definite `[[A, Bᵀ], [B, −C]]`, the size of C.
    public var negativePivotCount: Int { Int(cmumps_infog(instance, 12)) }

    /// Entries of the factors (INFOG(29); MUMPS reports −count/10⁶ when it exceeds 32 bits).
    public var factorEntryCount: Int {
        let v = Int(cmumps_infog(instance, 29))
        return v >= 0 ? v : -v * 1_000_000
    }

    /// Floating-point operations of the latest elimination (RINFOG(3)).
    public var factorizationFlops: Double { cmumps_rinfog(instance, 3) }

    /// The ordering MUMPS used (INFOG(7): 0 AMD, 1 given (METIS from CHOLMOD, or natural)), after analysis.
    public var orderingUsed: Int { Int(cmumps_infog(instance, 7)) }

    /// Factors `matrix + shift·I` numerically; analyses the pattern on the first call. Throws
    /// `SparseError.mumps` (a numerically singular matrix is INFO(1) = −10) or `.outOfMemory`; the object
    /// stays usable for another attempt.
    public func factorize(_ matrix: SymmetricMatrix, shift: Double = 0) throws {
        guard matrix.pattern === pattern else {
            throw SparseError.dimensionMismatch(expected: dimension, found: matrix.dimension,
                                                what: "a matrix on a different sparsity pattern")
        }
        guard shift.isFinite else { throw SparseError.notFinite(what: "the diagonal shift") }
        isFactorized = false
        instance.pointee.a = shift == 0 ? matrix.values.baseAddress : shifted(matrix, by: shift)
        defer { instance.pointee.a = nil }
        if !analysed {
            try run(job: 1, "analysis (MUMPS JOB = 1)")
            analysed = true
        }
        // Enlarge the workspace (ICNTL(14): percentage above the analysis's estimate) when MUMPS finds it
        // too small, as its guide advises, a bounded number of times.
        var attempts = 0
        while true {
            callMumps(instance, job: 2)
            let code = Int(cmumps_infog(instance, 1))
            if code >= 0 { break }
            guard [-8, -9, -14, -15, -17, -20].contains(code), attempts < 4 else {
                throw mumpsError("numeric factorization (MUMPS JOB = 2)")
            }
            cmumps_set_icntl(instance, 14, max(40, 2 * cmumps_icntl(instance, 14)))
            attempts += 1
        }
        self.shift = shift
        isFactorized = true
        factorizationCount += 1
    }

    /// Solves (A + shift·I) X = B for `columns` right-hand sides stored column by column in `b`,
    /// writing X into `x` (MUMPS overwrites its right-hand side with the solution, in `x`).
    public func solve(_ b: UnsafeBufferPointer<Double>, into x: UnsafeMutableBufferPointer<Double>,
                      columns: Int = 1) throws {
        try checkSolveArguments(b, x, columns: columns)
        let n = dimension
        guard n > 0 else { return }
        _ = x.update(fromContentsOf: b)
        instance.pointee.rhs = x.baseAddress
        instance.pointee.nrhs = Int32(columns)
        instance.pointee.lrhs = Int32(n)
        defer { instance.pointee.rhs = nil }
        try run(job: 3, "solve (MUMPS JOB = 3)")
    }

    private func run(job: Int32, _ operation: String) throws {
        callMumps(instance, job: job)
        if cmumps_infog(instance, 1) < 0 { throw mumpsError(operation) }
    }

    private func mumpsError(_ operation: String) -> SparseError {
        let code = Int(cmumps_infog(instance, 1)), detail = Int(cmumps_infog(instance, 2))
        if [-7, -13].contains(code) { return .outOfMemory(operation: operation) }
        return .mumps(info: code, detail: detail, operation: operation)
    }

    /// The values of `matrix + shift·I` in a buffer kept for reuse (the diagonal is each column's last
    /// stored entry: rows are sorted and the pattern always holds the diagonal).
    private func shifted(_ matrix: SymmetricMatrix, by shift: Double) -> UnsafeMutablePointer<Double>? {
        let buffer = shiftedValues ?? .allocate(capacity: pattern.entryCount)
        shiftedValues = buffer
        _ = buffer.update(fromContentsOf: matrix.values)
        for j in 0 ..< dimension { buffer[Int(pattern.columnStarts[j + 1]) - 1] += shift }
        return buffer.baseAddress
    }
}
