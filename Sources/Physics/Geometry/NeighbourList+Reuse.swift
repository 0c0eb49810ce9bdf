// Using a built list: the geometry of a pair, and deciding when atoms have moved far enough that the
// list may miss a pair within the cutoff (the relative skin rule of RelativeMotion.swift).

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

    /// True when atoms have moved so far relative to each other since `referencePositions` that a pair
    /// now within the cutoff may be missing: the bound of RelativeMotion.swift (motion measured against
    /// a fitted translation and homogeneous deformation, two largest residuals) leaves less than the
    /// cutoff; also when the atom count differs or a position is not finite. A rigid translation or a
    /// homogeneous strain small enough for the skin never triggers it. An atom wrapped back into the box
    /// by a whole period has moved by that period as far as the stored images are concerned, so
    /// wrapping demands a rebuild. O(N·d²), no allocation proportional to N.
    public func needsRebuild(currentPositions: [Double]) -> Bool {
        guard currentPositions.count == referencePositions.count else { return true }
        return currentPositions.withUnsafeBufferPointer { needsRebuild(reference: nil, displacement: $0) }
    }

    /// `needsRebuild(currentPositions:)` at positions `reference + displacement` (or `displacement`
    /// alone when `reference` is nil), without forming them.
    public func needsRebuild(reference: UnsafeBufferPointer<Double>?, displacement: UnsafeBufferPointer<Double>) -> Bool {
        guard displacement.count == referencePositions.count, reference.map({ $0.count == displacement.count }) ?? true else {
            return true
        }
        let closest = referencePositions.withUnsafeBufferPointer { anchor in
            RelativeMotion.closestApproach(anchor: anchor, reference: reference, displacement: displacement,
                                           dimension: dimension, periodic: periodic, separation: cutoff + allowance)
        }
        return !(closest >= cutoff)
    }

    /// A list with the same box, cutoff and skin, built afresh at `positions`.
    public func rebuilt(positions: [Double]) throws(GeometryError) -> NeighbourList {
        let setup = try PairSearchSetup(positions: positions, box: box, periodic: periodic, cutoff: cutoff,
                                        skin: skin, cellEdges: cellEdges)
        return try NeighbourList(cellListsFor: setup, positions: positions)
    }

    /// What the list is at new positions (see `refreshed(positions:)`).
    public enum Refresh: Sendable {
        /// Still valid as it is.
        case valid
        /// The same pairs, valid at the new positions: re-anchored there with a new allowance.
        case reanchored(NeighbourList)
        /// Pairs within the cutoff were missing: a new list, built at the new positions.
        case rebuilt(NeighbourList)
    }

    /// The list for `positions`. Itself while `needsRebuild` is false. Otherwise the pairs within the
    /// search radius at `positions` are found by cell lists (O(N)); when every pair within the cutoff
    /// among them is already listed (with the same image), the list keeps its pairs — the energy's
    /// terms, hence the Hessian's pattern, do not change — and is re-anchored at `positions`, allowed
    /// to move until the closest unlisted pair could reach the cutoff. Only when a pair within the cutoff
    /// is missing is the list rebuilt there (new terms: the caller re-analyses the Hessian's pattern).
    public func refreshed(positions: [Double]) throws(GeometryError) -> Refresh {
        guard needsRebuild(currentPositions: positions) else { return .valid }
        let fresh = try rebuilt(positions: positions)
        if positions.count == referencePositions.count, let margin = unlistedMargin(fresh, positions: positions) {
            var kept = self
            kept.referencePositions = positions
            kept.allowance = margin
            return .reanchored(kept)
        }
        return .rebuilt(fresh)
    }

    /// The smallest (separation − cutoff) at `positions` over the pairs of `fresh` (every pair within the
    /// search radius there) that this list lacks, capped at the skin; nil when one of them is within
    /// the cutoff. Both lists are sorted by (first, second), so one merge pass finds them.
    private func unlistedMargin(_ fresh: NeighbourList, positions: [Double]) -> Double? {
        let d = dimension
        var margin = skin, p = 0
        for q in 0 ..< fresh.pairCount {
            let i = fresh.first[q], j = fresh.second[q]
            while p < pairCount && (first[p] < i || (first[p] == i && second[p] < j)) { p += 1 }
            if p < pairCount && first[p] == i && second[p] == j
                && (0 ..< d).allSatisfy({ images[p * d + $0] == fresh.images[q * d + $0] }) { continue }
            var r2 = 0.0
            for k in 0 ..< d {
                let x = positions[Int(j) * d + k] - positions[Int(i) * d + k] + fresh.shift(ofPair: q, axis: k)
                r2 += x * x
            }
            let distance = r2.squareRoot()
            if distance < cutoff { return nil }
            margin = min(margin, distance - cutoff)
        }
        return margin
    }

    /// Brings the list up to date for `positions` (`refreshed(positions:)`); returns whether its pairs
    /// changed (a rebuild), false when it was valid or only re-anchored.
    @discardableResult
    public mutating func update(positions: [Double]) throws(GeometryError) -> Bool {
        switch try refreshed(positions: positions) {
        case .valid: return false
        case let .reanchored(list):
            self = list
            return false
        case let .rebuilt(list):
            self = list
            return true
        }
    }
}
