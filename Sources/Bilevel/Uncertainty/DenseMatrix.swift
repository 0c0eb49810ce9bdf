/// A small dense real matrix stored row-major: entry (i, j) is `values[i * columns + j]`.
///
/// Used for residual Jacobians (m × p, p ≤ a few tens), normal matrices and covariances. It guarantees
/// `values.count == rows * columns` (the initializer traps otherwise, as for an array index out of range:
/// a size mismatch here is a programming error, not a data error).
public struct DenseMatrix: Sendable, Codable, Equatable {
    /// Number of rows.
    public let rows: Int
    /// Number of columns.
    public let columns: Int
    /// Row-major entries.
    public private(set) var values: [Double]

    /// A matrix from row-major values.
    public init(rows: Int, columns: Int, values: [Double]) {
        precondition(rows >= 0 && columns >= 0 && values.count == rows * columns,
                     "DenseMatrix \(rows)×\(columns) needs \(rows * columns) values, got \(values.count)")
        self.rows = rows
        self.columns = columns
        self.values = values
    }

    /// A zero matrix.
    public init(rows: Int, columns: Int) {
        self.init(rows: rows, columns: columns, values: [Double](repeating: 0, count: rows * columns))
    }

    /// A matrix from an array of equally long rows.
    public init(rowArrays: [[Double]]) {
        let c = rowArrays.first?.count ?? 0
        precondition(rowArrays.allSatisfy { $0.count == c }, "all rows must have the same length")
        self.init(rows: rowArrays.count, columns: c, values: rowArrays.flatMap { $0 })
    }

    /// The n × n identity.
    public static func identity(_ n: Int) -> DenseMatrix {
        var m = DenseMatrix(rows: n, columns: n)
        for i in 0 ..< n { m[i, i] = 1 }
        return m
    }

    public subscript(row: Int, column: Int) -> Double {
        get { values[row * columns + column] }
        set { values[row * columns + column] = newValue }
    }

    /// Row `i` as an array.
    public func row(_ i: Int) -> [Double] { Array(values[i * columns ..< (i + 1) * columns]) }

    /// Column `j` as an array.
    public func column(_ j: Int) -> [Double] { (0 ..< rows).map { self[$0, j] } }

    /// The diagonal (of the leading square part).
    public var diagonal: [Double] { (0 ..< min(rows, columns)).map { self[$0, $0] } }

    /// Aᵀ.
    public var transposed: DenseMatrix {
        var t = DenseMatrix(rows: columns, columns: rows)
        for i in 0 ..< rows { for j in 0 ..< columns { t[j, i] = self[i, j] } }
        return t
    }

    /// A x.
    public func multiply(_ x: [Double]) -> [Double] {
        precondition(x.count == columns, "vector of \(x.count) entries for a matrix with \(columns) columns")
        return (0 ..< rows).map { i in
            var s = 0.0
            for j in 0 ..< columns { s += self[i, j] * x[j] }
            return s
        }
    }

    /// Aᵀ y.
    public func transposeMultiply(_ y: [Double]) -> [Double] {
        precondition(y.count == rows, "vector of \(y.count) entries for a matrix with \(rows) rows")
        var out = [Double](repeating: 0, count: columns)
        for i in 0 ..< rows where y[i] != 0 {
            for j in 0 ..< columns { out[j] += self[i, j] * y[i] }
        }
        return out
    }

    /// AᵀA, exactly symmetric (each entry computed once and mirrored).
    public func gram() -> DenseMatrix {
        var g = DenseMatrix(rows: columns, columns: columns)
        for a in 0 ..< columns {
            for b in 0 ... a {
                var s = 0.0
                for i in 0 ..< rows { s += self[i, a] * self[i, b] }
                g[a, b] = s
                g[b, a] = s
            }
        }
        return g
    }

    /// True when every entry is finite.
    public var isFinite: Bool { values.allSatisfy { $0.isFinite } }

    /// The rows of `other` appended below these (same column count).
    public func appendingRows(of other: DenseMatrix) -> DenseMatrix {
        precondition(other.columns == columns, "cannot stack a \(other.columns)-column matrix under \(columns) columns")
        return DenseMatrix(rows: rows + other.rows, columns: columns, values: values + other.values)
    }
}
