/// The connectivity of a sum of local terms: for each term (a bond, an element, an on-site term), the
/// global unknowns it touches, in the term's own local order.
///
/// Stored flat (`offsets`, `indices`) so that millions of terms cost two arrays, not millions. A negative
/// index marks a local degree of freedom that is not an unknown of the system (fixed or prescribed and
/// eliminated by condensation): assembly skips it, which is how boundary conditions stay outside kernels.
public struct Connectivity: Sendable, Equatable {
    /// `indices[offsets[t] ..< offsets[t + 1]]` are the global unknowns of term `t`.
    public private(set) var offsets: [Int]
    /// Global unknown per local degree of freedom, or a negative value for an eliminated one.
    public private(set) var indices: [Int32]

    /// An empty connectivity, to be filled with `append(_:)`.
    public init() {
        offsets = [0]
        indices = []
    }

    /// Terms that all touch the same number of unknowns, given as one flat row-major array.
    public init(uniformTermSize size: Int, indices: [Int32]) {
        precondition(size > 0 && indices.count % size == 0, "indices must hold whole terms of \(size) entries")
        self.indices = indices
        offsets = Array(stride(from: 0, through: indices.count, by: size))
    }

    /// Number of terms.
    public var termCount: Int { offsets.count - 1 }

    /// Adds one term touching `unknowns` (negative entries are eliminated degrees of freedom).
    public mutating func append<C: Collection>(_ unknowns: C) where C.Element == Int32 {
        indices.append(contentsOf: unknowns)
        offsets.append(indices.count)
    }

    /// The unknowns of term `t`.
    public func term(_ t: Int) -> ArraySlice<Int32> { indices[offsets[t] ..< offsets[t + 1]] }

    /// The largest term size (local dense blocks are at most this square).
    public var maximumTermSize: Int {
        var m = 0
        for t in 0 ..< termCount { m = max(m, offsets[t + 1] - offsets[t]) }
        return m
    }
}
