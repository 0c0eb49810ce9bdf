/// A real symmetric sparse matrix: a shared `SparsityPattern` plus one value per stored upper entry.
///
/// The values live in a manually allocated buffer with a stable address, so CHOLMOD reads them in place
/// and assembly writes them without bounds checks or copy-on-write. Allocate once, then `zero()` and
/// re-assemble as often as needed; nothing is allocated per assembly.
public final class SymmetricMatrix {
    /// The structure, shared with factorizations and other matrices of the same pattern.
    public let pattern: SparsityPattern
    /// One value per entry of `pattern.rowIndices`.
    public let values: UnsafeMutableBufferPointer<Double>

    /// A matrix of zeros on `pattern`.
    public init(pattern: SparsityPattern) {
        self.pattern = pattern
        values = .allocate(capacity: pattern.entryCount)
        values.initialize(repeating: 0)
    }

    deinit { values.deallocate() }

    /// Number of rows and columns.
    public var dimension: Int { pattern.dimension }

    /// Sets every stored value to zero (before a fresh assembly).
    @inlinable
    public func zero() {
        values.update(repeating: 0)
    }

    /// Adds the symmetric local block of term `term` (a `k × k` row-major array; only `a ≤ b` is read)
    /// at the positions `map` precomputed for it.
    @inlinable
    public func add(term: Int, of map: ScatterMap, block: UnsafePointer<Double>, size k: Int) {
        // Without values no entry can land (every position of every term is then −1).
        guard let values = values.baseAddress else { return }
        var slot = map.termStarts[term]
        map.positions.withUnsafeBufferPointer { positions in
            for a in 0 ..< k {
                for b in a ..< k {
                    ScatterMap.add(block[a * k + b], at: positions[slot], to: values)
                    slot += 1
                }
            }
        }
    }

    /// Adds `shift` to every diagonal entry (modified Newton, Tikhonov regularization).
    public func addToDiagonal(_ shift: Double) {
        for j in 0 ..< dimension {
            values[Int(pattern.columnStarts[j + 1]) - 1] += shift
        }
    }

    /// y = A x, using the stored upper triangle for both triangles.
    public func multiply(_ x: UnsafeBufferPointer<Double>, into y: UnsafeMutableBufferPointer<Double>) {
        precondition(x.count == dimension && y.count == dimension)
        y.update(repeating: 0)
        let starts = pattern.columnStarts, rows = pattern.rowIndices
        for j in 0 ..< dimension {
            let xj = x[j]
            var sum = 0.0
            for p in Int(starts[j]) ..< Int(starts[j + 1]) {
                let i = Int(rows[p])
                let v = values[p]
                if i == j {
                    sum += v * xj
                } else {
                    y[i] += v * xj
                    sum += v * x[i]
                }
            }
            y[j] += sum
        }
    }

    /// y = |A| |x| (entrywise absolute values): the scale of each row of A x, for componentwise
    /// backward errors (Oettli–Prager), which unlike norms are not dominated by rows in larger units.
    public func multiplyAbsolute(_ x: UnsafeBufferPointer<Double>, into y: UnsafeMutableBufferPointer<Double>) {
        precondition(x.count == dimension && y.count == dimension)
        y.update(repeating: 0)
        let starts = pattern.columnStarts, rows = pattern.rowIndices
        for j in 0 ..< dimension {
            let xj = abs(x[j])
            var sum = 0.0
            for p in Int(starts[j]) ..< Int(starts[j + 1]) {
                let i = Int(rows[p])
                let v = abs(values[p])
                if i == j {
                    sum += v * xj
                } else {
                    y[i] += v * xj
                    sum += v * abs(x[i])
                }
            }
            y[j] += sum
        }
    }

    /// y = A x for arrays.
    public func multiply(_ x: [Double]) -> [Double] {
        var y = [Double](repeating: 0, count: dimension)
        x.withUnsafeBufferPointer { xb in
            y.withUnsafeMutableBufferPointer { multiply(xb, into: $0) }
        }
        return y
    }

    /// The value at (`row`, `column`) in either triangle, zero outside the pattern.
    public subscript(row: Int, column: Int) -> Double {
        pattern.position(row: min(row, column), column: max(row, column)).map { values[$0] } ?? 0
    }

    /// The full dense matrix, row-major; for tests and small diagnostics only.
    public func dense() -> [Double] {
        let n = dimension
        var a = [Double](repeating: 0, count: n * n)
        for j in 0 ..< n {
            for p in Int(pattern.columnStarts[j]) ..< Int(pattern.columnStarts[j + 1]) {
                let i = Int(pattern.rowIndices[p])
                a[i * n + j] = values[p]
                a[j * n + i] = values[p]
            }
        }
        return a
    }

    /// True when every stored value is finite.
    public var isFinite: Bool { values.allSatisfy { $0.isFinite } }
}
