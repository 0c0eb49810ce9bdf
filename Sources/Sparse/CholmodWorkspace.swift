internal import CSuiteSparse

/// The single throwing layer over CHOLMOD's status codes, and the owner of one `cholmod_common`.
///
/// CHOLMOD reports some failures (a matrix that is not positive definite) only as warnings in
/// `common.status`, and prints to stdout by default. Every call of the Sparse module goes through
/// `check(_:)` here, printing is switched off, and nothing else in the project calls CHOLMOD.
final class CholmodWorkspace {
    let common: UnsafeMutablePointer<cholmod_common>

    init(options: FactorizationOptions) throws {
        try options.validate()
        _ = OpenMPRuntime.serialized
        common = .allocate(capacity: 1)
        guard cholmod_start(common) != 0 else {
            common.deallocate()
            throw SparseError.cholmod(status: -4, operation: "cholmod_start")
        }
        common.pointee.print = 0
        common.pointee.error_handler = nil
        switch options.kind {
        case .cholesky:
            common.pointee.supernodal = CHOLMOD_SUPERNODAL
            common.pointee.final_ll = 1
        case .ldlt, .multifrontalLDLT:
            common.pointee.supernodal = CHOLMOD_SIMPLICIAL
            common.pointee.final_ll = 0
        }
        switch options.ordering {
        case .automatic:
            break
        case .amd:
            common.pointee.nmethods = 1
            common.pointee.method.0.ordering = CHOLMOD_AMD
        case .metis:
            common.pointee.nmethods = 1
            common.pointee.method.0.ordering = CHOLMOD_METIS
        case .natural:
            common.pointee.nmethods = 1
            common.pointee.method.0.ordering = CHOLMOD_NATURAL
            common.pointee.postorder = 0
        }
    }

    deinit {
        cholmod_finish(common)
        common.deallocate()
    }

    var status: Int32 { common.pointee.status }

    /// Throws for every failure status; warnings (not positive definite, tiny pivots) are left to the
    /// caller, which knows the factor and can name the failing column.
    func check(_ operation: String, succeeded: Bool = true) throws {
        switch status {
        case CHOLMOD_OK, CHOLMOD_NOT_POSDEF, CHOLMOD_DSMALL:
            if !succeeded && status == CHOLMOD_OK {
                throw SparseError.cholmod(status: Int(status), operation: operation)
            }
        case CHOLMOD_OUT_OF_MEMORY, CHOLMOD_TOO_LARGE:
            throw SparseError.outOfMemory(operation: operation)
        default:
            throw SparseError.cholmod(status: Int(status), operation: operation)
        }
    }
}
