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
        case let .invalidOption(message):
            return "invalid sparse solver option: \(message)"
        }
    }
}
