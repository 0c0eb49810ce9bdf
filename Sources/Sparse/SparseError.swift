/// Every failure of the sparse layer: a malformed pattern or a factorization CHOLMOD could not complete.
///
/// Messages say what happened, where (the column of the original, unpermuted matrix) and what to do.
public enum SparseError: Error, Equatable, CustomStringConvertible {
    /// A connectivity entry points outside `0 ..< dimension`.
    case indexOutOfRange(term: Int, index: Int, dimension: Int)
    /// The pattern has more entries than CHOLMOD's 32-bit interface can address.
    case tooLarge(entries: Int)
    /// A matrix or right-hand side does not fit the factorization it is given to.
    case dimensionMismatch(expected: Int, found: Int, what: String)
    /// LLᵀ broke down: the leading minor ending at this (original) column is not positive definite.
    case notPositiveDefinite(column: Int)
    /// LDLᵀ met a zero (or NaN) pivot at this (original) column: the matrix is singular.
    case singular(column: Int)
    /// CHOLMOD ran out of memory or an integer size overflowed.
    case outOfMemory(operation: String)
    /// A numeric input was NaN or infinite.
    case notFinite(what: String)
    /// Any other CHOLMOD failure, with its status code.
    case cholmod(status: Int, operation: String)
    /// A MUMPS failure: INFOG(1) (negative) and INFOG(2), as the MUMPS user's guide lists them.
    case mumps(info: Int, detail: Int, operation: String)
    /// Options that make no sense, found by `validate()`.
    case invalidOption(String)

    public var description: String {
        switch self {
        case let .indexOutOfRange(term, index, dimension):
            return "term \(term) refers to unknown \(index), outside 0..<\(dimension); "
                + "check the connectivity (eliminated degrees of freedom must be negative)"
        case let .tooLarge(entries):
            return "the sparsity pattern has \(entries) entries, more than CHOLMOD's 32-bit index limit "
                + "(2^31 - 1); reduce the problem size"
        case let .dimensionMismatch(expected, found, what):
            return "\(what) has size \(found) but the factorization expects \(expected)"
        case let .notPositiveDefinite(column):
            return "the matrix is not positive definite (Cholesky broke down at column \(column)); "
                + "the equilibrium may be unstable or under-constrained: add boundary conditions, "
                + "use a diagonal shift, or use the LDLᵀ kind for saddle-point systems"
        case let .singular(column):
            return "the matrix is singular (zero pivot at column \(column) in LDLᵀ); "
                + "check for unconstrained degrees of freedom or a missing boundary condition"
        case let .outOfMemory(operation):
            return "CHOLMOD ran out of memory during \(operation); reduce the problem size, "
                + "choose a better ordering (METIS) or use a machine with more memory"
        case let .notFinite(what):
            return "\(what) contains NaN or infinite values"
        case let .cholmod(status, operation):
            return "CHOLMOD failed during \(operation) with status \(status)"
        case let .mumps(info, detail, operation):
            return "MUMPS failed during \(operation) (INFOG(1) = \(info), INFOG(2) = \(detail)): " + Self.mumpsAdvice(info)
        case let .invalidOption(message):
            return "invalid sparse solver option: \(message)"
        }
    }

    /// What a MUMPS error code means for the user, and what to do.
    private static func mumpsAdvice(_ info: Int) -> String {
        switch info {
        case -10:
            return "the matrix is numerically singular; check for unconstrained degrees of freedom or a "
                + "missing boundary condition (a fixed displacement, or a drained boundary for the pressure)"
        case -8, -9, -11, -14, -15, -17, -20:
            return "a MUMPS workspace was too small even after enlarging it; reduce the problem size"
        case -16:
            return "the matrix has no unknowns or too many for MUMPS's 32-bit indices; check the problem size"
        case -5, -7, -13, -19:
            return "MUMPS could not allocate memory; reduce the problem size or use a machine with more memory"
        default:
            return "see the MUMPS user's guide for this code; the matrix or its pattern may be invalid"
        }
    }
}
