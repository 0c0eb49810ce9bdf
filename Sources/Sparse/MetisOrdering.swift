internal import CSuiteSparse
import Synchronization

/// METIS nested-dissection ordering of a symmetric pattern, computed by CHOLMOD (`cholmod_metis`, with
/// its elimination-tree postorder), for factorizations whose own library lacks METIS: Debian's
/// sequential MUMPS is built with AMD, AMF, PORD and SCOTCH only, and on the project's Biot matrices
/// METIS's ordering gives less fill in less analysis time than SCOTCH (figures in docs/sparse.md).
enum MetisOrdering {
    /// `position[j]` (1-based, MUMPS's PERM_IN convention) is where column j is eliminated; from
    /// `SharedOrderings` when an equal pattern was ordered before and still lives.
    static func positions(of pattern: SparsityPattern) throws -> UnsafeMutableBufferPointer<Int32> {
        let position = UnsafeMutableBufferPointer<Int32>.allocate(capacity: pattern.dimension)
        if SharedOrderings.lookUp(pattern, into: position) { return position }
        do { try compute(pattern, into: position) } catch {
            position.deallocate()
            throw error
        }
        SharedOrderings.remember(pattern, position)
        return position
    }

    private static func compute(_ pattern: SparsityPattern, into position: UnsafeMutableBufferPointer<Int32>) throws {
        let n = pattern.dimension
        let workspace = try CholmodWorkspace(options: FactorizationOptions(kind: .ldlt, ordering: .metis))
        var header = cholmod_sparse(
            nrow: n, ncol: n, nzmax: pattern.entryCount,
            p: UnsafeMutableRawPointer(pattern.columnStarts.baseAddress),
            i: UnsafeMutableRawPointer(pattern.rowIndices.baseAddress),
            nz: nil, x: nil, z: nil, stype: 1, itype: CHOLMOD_INT, xtype: CHOLMOD_PATTERN,
            dtype: CHOLMOD_DOUBLE, sorted: 1, packed: 1)
        let order = UnsafeMutableBufferPointer<Int32>.allocate(capacity: n)
        defer { order.deallocate() }
        let ok = cholmod_metis(&header, nil, 0, 1, order.baseAddress, workspace.common)
        try workspace.check("METIS ordering (cholmod_metis)", succeeded: ok != 0)
        position.initialize(repeating: 0)
        for k in 0 ..< n {
            let j = Int(order[k])
            guard j >= 0, j < n, position[j] == 0 else {
                throw SparseError.cholmod(status: -4, operation: "METIS ordering (not a permutation)")
            }
            position[j] = Int32(k + 1)
        }
    }
}

/// METIS orderings shared between factorizations of equal patterns: an ordering depends on the pattern
/// only, and a consolidation's undrained and stepping solvers (or an experiment's repeated set-ups)
/// factor matrices of one structure. An ordering is kept while a pattern it was computed for lives
/// (held weakly), at most eight at a time (4 bytes per unknown each); patterns are compared by content. Thread-safe.
public enum SharedOrderings {
    private struct Entry {
        weak var pattern: SparsityPattern?
        let positions: [Int32]
    }
    private static let state = Mutex<(entries: [Entry], computed: Int)>(([], 0))

    /// Orderings computed (not found here) since the process started.
    public static var computedCount: Int { state.withLock { $0.computed } }

    /// Forgets every kept ordering (benchmarks timing a cold analysis).
    public static func removeAll() { state.withLock { $0.entries.removeAll() } }

    static func lookUp(_ pattern: SparsityPattern, into position: UnsafeMutableBufferPointer<Int32>) -> Bool {
        state.withLock { s in
            s.entries.removeAll { $0.pattern == nil }
            guard let hit = s.entries.first(where: { $0.pattern.map { equal($0, pattern) } ?? false }) else { return false }
            _ = position.update(fromContentsOf: hit.positions)
            return true
        }
    }

    static func remember(_ pattern: SparsityPattern, _ position: UnsafeMutableBufferPointer<Int32>) {
        state.withLock { s in
            s.computed += 1
            s.entries.removeAll { $0.pattern == nil }
            if s.entries.count >= 8 { s.entries.removeFirst() }
            s.entries.append(Entry(pattern: pattern, positions: Array(position)))
        }
    }

    private static func equal(_ a: SparsityPattern, _ b: SparsityPattern) -> Bool {
        a === b || (a.dimension == b.dimension && a.entryCount == b.entryCount
            && a.columnStarts.elementsEqual(b.columnStarts) && a.rowIndices.elementsEqual(b.rowIndices))
    }
}
