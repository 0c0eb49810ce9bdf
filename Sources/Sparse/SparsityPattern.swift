/// The nonzero structure of a symmetric sparse matrix, stored as CHOLMOD's compressed-column upper
/// triangle (`stype = 1`): for each column `j`, sorted row indices `i ≤ j`, the diagonal always present.
///
/// Built once from the connectivity of the local terms; never changes afterwards. The index arrays live
/// in manually allocated buffers so CHOLMOD can read them in place (no copy per factorization); they are
/// freed exactly once, when the pattern is released. Immutable, hence safe to share across threads.
public final class SparsityPattern: @unchecked Sendable {
    /// Number of rows and columns.
    public let dimension: Int
    /// `columnStarts[j] ..< columnStarts[j + 1]` index the entries of column `j` (length `dimension + 1`).
    public let columnStarts: UnsafeMutableBufferPointer<Int32>
    /// Row index of each stored entry, sorted within each column.
    public let rowIndices: UnsafeMutableBufferPointer<Int32>

    /// Number of stored entries of the upper triangle, diagonal included.
    public var entryCount: Int { rowIndices.count }

    /// The union of the couplings of every term of every connectivity, plus the full diagonal.
    ///
    /// Cost is linear in the number of term-incidences times the term size (no global sort): each column
    /// is gathered from the terms that touch it, de-duplicated with a marker array and sorted locally.
    public init(dimension: Int, connectivities: [Connectivity]) throws {
        precondition(dimension >= 0)
        self.dimension = dimension
        // dof → (connectivity, term) incidence lists, in compressed form.
        var incidenceCount = [Int32](repeating: 0, count: dimension + 1)
        for conn in connectivities {
            for t in 0 ..< conn.termCount {
                for i in conn.term(t) where i >= 0 {
                    guard Int(i) < dimension else {
                        throw SparseError.indexOutOfRange(term: t, index: Int(i), dimension: dimension)
                    }
                    incidenceCount[Int(i) + 1] += 1
                }
            }
        }
        var incidenceStart = [Int](repeating: 0, count: dimension + 1)
        for j in 0 ..< dimension { incidenceStart[j + 1] = incidenceStart[j] + Int(incidenceCount[j + 1]) }
        var termBase = [Int](repeating: 0, count: connectivities.count + 1)
        for (c, conn) in connectivities.enumerated() { termBase[c + 1] = termBase[c] + conn.termCount }
        var incidences = [Int](repeating: 0, count: incidenceStart[dimension])
        var fill = incidenceStart
        for (c, conn) in connectivities.enumerated() {
            for t in 0 ..< conn.termCount {
                for i in conn.term(t) where i >= 0 {
                    incidences[fill[Int(i)]] = termBase[c] + t
                    fill[Int(i)] += 1
                }
            }
        }
        func locate(_ global: Int) -> (Int, Int) {
            var c = 0
            while termBase[c + 1] <= global { c += 1 }
            return (c, global - termBase[c])
        }

        var starts = [Int32](repeating: 0, count: dimension + 1)
        var rows: [Int32] = []
        rows.reserveCapacity(incidences.count * 2 + dimension)
        var marker = [Int](repeating: -1, count: dimension)
        var column: [Int32] = []
        for j in 0 ..< dimension {
            column.removeAll(keepingCapacity: true)
            marker[j] = j
            column.append(Int32(j))
            for k in incidenceStart[j] ..< incidenceStart[j + 1] {
                let (c, t) = locate(incidences[k])
                for i in connectivities[c].term(t) where i >= 0 && Int(i) < j && marker[Int(i)] != j {
                    marker[Int(i)] = j
                    column.append(i)
                }
            }
            column.sort()
            rows.append(contentsOf: column)
            guard rows.count < Int(Int32.max) else { throw SparseError.tooLarge(entries: rows.count) }
            starts[j + 1] = Int32(rows.count)
        }
        columnStarts = .allocate(capacity: dimension + 1)
        _ = columnStarts.initialize(from: starts)
        rowIndices = .allocate(capacity: rows.count)
        _ = rowIndices.initialize(from: rows)
    }

    deinit {
        columnStarts.deallocate()
        rowIndices.deallocate()
    }

    /// Position of entry (`row`, `column`) of the upper triangle (`row ≤ column`) in the values array,
    /// or nil when the entry is not in the pattern.
    public func position(row: Int, column: Int) -> Int? {
        precondition(row <= column)
        var lo = Int(columnStarts[column]), hi = Int(columnStarts[column + 1])
        let r = Int32(row)
        while lo < hi {
            let mid = (lo + hi) / 2
            if rowIndices[mid] < r { lo = mid + 1 } else { hi = mid }
        }
        return lo < Int(columnStarts[column + 1]) && rowIndices[lo] == r ? lo : nil
    }
}
