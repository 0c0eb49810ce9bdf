// Using a built list: the geometry of a pair, and deciding when atoms have moved far enough that the
// list may miss a pair within the cutoff.

extension NeighbourList {
    /// The shift `images[p·d + axis] × box[axis]` to add to `x_second − x_first` along `axis`.
    @inline(__always)
    public func shift(ofPair p: Int, axis: Int) -> Double {
        Double(images[p * dimension + axis]) * box[axis]
    }

    /// All shifts as one flat array (`pairCount × dimension`), for kernels that prefer a Double per axis.
    public func shiftVectors() -> [Double] {
        var shifts = [Double](repeating: 0, count: images.count)
        for p in 0 ..< pairCount {
            for k in 0 ..< dimension { shifts[p * dimension + k] = shift(ofPair: p, axis: k) }
        }
        return shifts
    }

    /// The minimum-image separation `x_second − x_first` of pair `p` at `positions`, one entry per axis.
    /// Valid while `needsRebuild(currentPositions: positions)` is false.
    public func separation(ofPair p: Int, positions: [Double]) -> [Double] {
        let d = dimension, i = Int(first[p]), j = Int(second[p])
        return (0 ..< d).map { k in positions[j * d + k] - positions[i * d + k] + shift(ofPair: p, axis: k) }
    }

    /// True when some atom is more than skin/2 from where it was when the list was built, or when the
    /// atom count differs. Then a pair now within the cutoff may be missing and the list must be
    /// rebuilt. Displacements are raw differences, not minimum images: an atom wrapped back into the
    /// box by a whole period has moved as far as the stored images are concerned (they would be off by
    /// that period), so wrapping also demands a rebuild. Costs O(N), no allocation.
    public func needsRebuild(currentPositions: [Double]) -> Bool {
        guard currentPositions.count == referencePositions.count else { return true }
        let limit2 = 0.25 * skin * skin
        let d = dimension
        return currentPositions.withUnsafeBufferPointer { now in
            referencePositions.withUnsafeBufferPointer { then in
                for i in 0 ..< atomCount {
                    var moved2 = 0.0
                    for k in 0 ..< d {
                        let dx = now[i * d + k] - then[i * d + k]
                        moved2 += dx * dx
                    }
                    // `!(≤)` so that NaN positions also demand a rebuild (which then reports them).
                    if !(moved2 <= limit2) { return true }
                }
                return false
            }
        }
    }

    /// A list with the same box, cutoff and skin, built afresh at `positions`.
    public func rebuilt(positions: [Double]) throws(GeometryError) -> NeighbourList {
        let setup = try PairSearchSetup(positions: positions, box: box, periodic: periodic, cutoff: cutoff,
                                        skin: skin, cellEdges: cellEdges)
        return try NeighbourList(cellListsFor: setup, positions: positions)
    }

    /// Rebuilds the list if `needsRebuild(currentPositions:)`; returns whether it did.
    @discardableResult
    public mutating func update(positions: [Double]) throws(GeometryError) -> Bool {
        guard needsRebuild(currentPositions: positions) else { return false }
        self = try rebuilt(positions: positions)
        return true
    }
}
