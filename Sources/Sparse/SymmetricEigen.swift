internal import CSuiteSparse

// Eigen-decomposition A = V Λ Vᵀ of a small dense real symmetric matrix by LAPACK's dsyev (Householder
// tridiagonalization, then the implicit QL/QR algorithm; Anderson et al., LAPACK Users' Guide, 3rd ed.,
// SIAM 1999, §2.4.4). Used for identifiability diagnostics (eigenvalues of JᵀJ), where n is a few tens.

/// Why a symmetric eigen-decomposition could not be computed.
public enum SymmetricEigenError: Error, Equatable, CustomStringConvertible, Sendable {
    /// The value array does not hold `dimension × dimension` entries.
    case dimensionMismatch(dimension: Int, count: Int)
    /// An entry is NaN or infinite.
    case notFinite(row: Int, column: Int)
    /// a[row, column] and a[column, row] differ by more than rounding.
    case notSymmetric(row: Int, column: Int)
    /// dsyev's QL/QR iteration did not converge (`info` > 0 off-diagonal elements did not reach zero).
    case noConvergence(offDiagonals: Int)
    /// dsyev rejected argument number `argument` (`info` < 0): a bug in this wrapper.
    case illegalArgument(argument: Int)

    public var description: String {
        switch self {
        case let .dimensionMismatch(dimension, count):
            return "a \(dimension)×\(dimension) symmetric matrix needs \(dimension * dimension) values, got \(count)"
        case let .notFinite(row, column):
            return "matrix entry (\(row), \(column)) is NaN or infinite; check the Jacobian that produced it"
        case let .notSymmetric(row, column):
            return "matrix is not symmetric at (\(row), \(column)); pass a symmetric matrix such as JᵀJ"
        case let .noConvergence(count):
            return "LAPACK dsyev did not converge (\(count) off-diagonal elements remained); "
                + "the matrix is probably badly scaled: rescale the parameters (log transforms) and retry"
        case let .illegalArgument(argument):
            return "LAPACK dsyev rejected argument \(argument); this is a bug in SymmetricEigen, please report it"
        }
    }
}

/// The eigenvalues (ascending) and orthonormal eigenvectors of a dense real symmetric matrix.
///
/// Guarantees: `eigenvalues` are sorted ascending; eigenvector `k` has unit length and its
/// largest-magnitude component is positive (LAPACK's sign is arbitrary; fixing it makes reports
/// reproducible and readable); for a fixed BLAS thread count results are bit for bit reproducible.
public struct SymmetricEigen: Sendable, Equatable {
    /// n, the order of the matrix.
    public let dimension: Int
    /// λ₀ ≤ λ₁ ≤ … ≤ λₙ₋₁.
    public let eigenvalues: [Double]
    /// Eigenvector k occupies `vectors[k * n ..< (k + 1) * n]` (column-major V).
    public let vectors: [Double]

    /// Decomposes the symmetric matrix whose `dimension × dimension` entries are `values` (row-major or
    /// column-major: the matrix is symmetric). Symmetry is checked to a relative 1e-10 of the largest entry.
    public init(symmetric values: [Double], dimension n: Int) throws(SymmetricEigenError) {
        guard n >= 0, values.count == n * n else {
            throw .dimensionMismatch(dimension: n, count: values.count)
        }
        var scale = 0.0
        for i in 0 ..< n {
            for j in 0 ..< n {
                let v = values[i * n + j]
                guard v.isFinite else { throw .notFinite(row: i, column: j) }
                scale = max(scale, abs(v))
            }
        }
        for i in 0 ..< n {
            for j in 0 ..< i where abs(values[i * n + j] - values[j * n + i]) > 1e-10 * scale {
                throw .notSymmetric(row: i, column: j)
            }
        }
        dimension = n
        guard n > 0 else {
            eigenvalues = []
            vectors = []
            return
        }
        var a = values
        var w = [Double](repeating: 0, count: n)
        var order = Int32(n)
        var info: Int32 = 0
        var jobz = CChar(UInt8(ascii: "V"))
        var uplo = CChar(UInt8(ascii: "L"))
        // Workspace query first (lwork = −1), so dsyev gets its preferred blocked size.
        var query = 0.0
        var lwork: Int32 = -1
        dsyev_(&jobz, &uplo, &order, &a, &order, &w, &query, &lwork, &info, 1, 1)
        if info < 0 { throw .illegalArgument(argument: Int(-info)) }
        lwork = Int32(max(Double(3 * n - 1), query.rounded(.up)))
        var work = [Double](repeating: 0, count: Int(lwork))
        dsyev_(&jobz, &uplo, &order, &a, &order, &w, &work, &lwork, &info, 1, 1)
        if info < 0 { throw .illegalArgument(argument: Int(-info)) }
        if info > 0 { throw .noConvergence(offDiagonals: Int(info)) }
        for k in 0 ..< n {
            var largest = 0
            for i in 1 ..< n where abs(a[k * n + i]) > abs(a[k * n + largest]) { largest = i }
            if a[k * n + largest] < 0 {
                for i in 0 ..< n { a[k * n + i] = -a[k * n + i] }
            }
        }
        eigenvalues = w
        vectors = a
    }

    /// Eigenvector `k` (unit length), paired with `eigenvalues[k]`.
    public func eigenvector(_ k: Int) -> [Double] {
        Array(vectors[k * dimension ..< (k + 1) * dimension])
    }
}
