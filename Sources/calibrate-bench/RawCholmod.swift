import CSuiteSparse
import Sparse

/// The reference for the Swift layer: the same matrix analysed, factored and solved by calling CHOLMOD's
/// C functions directly, with the same settings. The benchmark is the one place outside the Sparse module
/// that calls CHOLMOD, because measuring the wrapper's overhead needs the bare library beside it.
final class RawCholmod {
    var common = cholmod_common()
    var matrix: UnsafeMutablePointer<cholmod_sparse>?
    var factor: UnsafeMutablePointer<cholmod_factor>?
    let n: Int

    init(copying a: SymmetricMatrix, ordering: FactorizationOptions.Ordering) {
        n = a.dimension
        cholmod_start(&common)
        common.print = 0
        common.supernodal = CHOLMOD_SUPERNODAL
        common.final_ll = 1
        switch ordering {
        case .automatic: break
        case .amd: common.nmethods = 1; common.method.0.ordering = CHOLMOD_AMD
        case .metis: common.nmethods = 1; common.method.0.ordering = CHOLMOD_METIS
        case .natural: common.nmethods = 1; common.method.0.ordering = CHOLMOD_NATURAL; common.postorder = 0
        }
        let nnz = a.pattern.entryCount
        matrix = cholmod_allocate_sparse(n, n, nnz, 1, 1, 1, CHOLMOD_REAL, &common)
        let m = matrix!.pointee
        m.p.assumingMemoryBound(to: Int32.self).update(from: a.pattern.columnStarts.baseAddress!, count: n + 1)
        m.i.assumingMemoryBound(to: Int32.self).update(from: a.pattern.rowIndices.baseAddress!, count: nnz)
        m.x.assumingMemoryBound(to: Double.self).update(from: a.values.baseAddress!, count: nnz)
    }

    deinit {
        cholmod_free_factor(&factor, &common)
        cholmod_free_sparse(&matrix, &common)
        cholmod_finish(&common)
    }

    func analyse() {
        cholmod_free_factor(&factor, &common)
        factor = cholmod_analyze(matrix, &common)
        precondition(factor != nil && common.status == CHOLMOD_OK, "raw cholmod_analyze failed")
    }

    func factorize() {
        cholmod_factorize(matrix, factor, &common)
        precondition(common.status == CHOLMOD_OK, "raw cholmod_factorize failed")
    }

    /// Solves with a fresh right-hand side, as a plain C caller would (cholmod_solve allocates X).
    func solve(_ b: [Double]) -> [Double] {
        var rhs = cholmod_ones(n, 1, CHOLMOD_REAL, &common)
        rhs!.pointee.x.assumingMemoryBound(to: Double.self).update(from: b, count: n)
        var x = cholmod_solve(CHOLMOD_A, factor, rhs, &common)
        let result = Array(UnsafeBufferPointer(start: x!.pointee.x.assumingMemoryBound(to: Double.self), count: n))
        cholmod_free_dense(&x, &common)
        cholmod_free_dense(&rhs, &common)
        return result
    }
}
