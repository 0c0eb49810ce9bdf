/// Where each entry of each term's local dense block lands in a `SparsityPattern`'s values array.
///
/// Precomputed once per (pattern, connectivity) pair so that assembly is a pure gather-free scatter: no
/// search, no triplets, no sorting and no allocation per assembly. For term `t` of size `k`, the packed
/// upper local triangle (`a ≤ b`, row by row) starts at `termStarts[t]`. Each position is encoded as:
/// - `p ≥ 0`: add the local entry once at `values[p]`;
/// - `-1`: skip (one of the two unknowns is eliminated);
/// - `p ≤ -2`: add the local entry twice at `values[-p - 2]`, which happens when two different local
///   degrees of freedom map to the same unknown (a bond between an atom and its own periodic image), so
///   that both `(a, b)` and `(b, a)` contributions reach the diagonal.
public struct ScatterMap: Sendable {
    /// Start of each term's packed positions (length `termCount + 1`).
    public let termStarts: [Int]
    /// Encoded positions, see the type's documentation.
    public let positions: [Int32]

    /// Builds the map of `connectivity` into `pattern`, which must contain all its couplings.
    public init(pattern: SparsityPattern, connectivity: Connectivity) {
        var starts = [Int](repeating: 0, count: connectivity.termCount + 1)
        for t in 0 ..< connectivity.termCount {
            let k = connectivity.offsets[t + 1] - connectivity.offsets[t]
            starts[t + 1] = starts[t] + k * (k + 1) / 2
        }
        var positions = [Int32](repeating: -1, count: starts[connectivity.termCount])
        for t in 0 ..< connectivity.termCount {
            let base = connectivity.offsets[t]
            let k = connectivity.offsets[t + 1] - base
            var slot = starts[t]
            for a in 0 ..< k {
                let i = Int(connectivity.indices[base + a])
                for b in a ..< k {
                    let j = Int(connectivity.indices[base + b])
                    defer { slot += 1 }
                    guard i >= 0, j >= 0 else { continue }
                    guard let p = pattern.position(row: min(i, j), column: max(i, j)) else {
                        preconditionFailure("pattern does not contain the coupling (\(i), \(j)) of term \(t)")
                    }
                    positions[slot] = (a != b && i == j) ? Int32(-p - 2) : Int32(p)
                }
            }
        }
        self.termStarts = starts
        self.positions = positions
    }

    /// Adds local entry `v` at encoded position `encoded` of the values at `values` (see the type's
    /// documentation): once, twice, or not at all. Every assembly path scatters through this rule.
    @inlinable @inline(__always)
    public static func add(_ v: Double, at encoded: Int32, to values: UnsafeMutablePointer<Double>) {
        let p = Int(encoded)
        if p >= 0 {
            values[p] += v
        } else if p <= -2 {
            values[-p - 2] += 2 * v
        }
    }
}
