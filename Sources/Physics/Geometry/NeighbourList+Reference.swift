// The O(N²) reference search: every pair tested directly. Too slow for production, simple enough to
// trust, and bound to the same output convention as the cell-list builder so tests can compare them
// array for array.

extension NeighbourList {
    /// Builds the same list as `init(positions:box:periodic:cutoff:skin:)` by testing all N(N−1)/2
    /// pairs: same validation, same errors, same pair order and images. For tests and tiny systems.
    public static func allPairs(positions: [Double], box: [Double], periodic: [Bool], cutoff: Double,
                                skin: Double) throws(GeometryError) -> NeighbourList {
        let setup = try PairSearchSetup(positions: positions, box: box, periodic: periodic,
                                        cutoff: cutoff, skin: skin)
        let d = setup.dimension, n = setup.atomCount
        let r2 = setup.radius * setup.radius
        let coincident2 = setup.coincidenceDistance * setup.coincidenceDistance
        var period = [0.0, 0.0, 0.0], inverse = [0.0, 0.0, 0.0]
        for k in 0 ..< d where periodic[k] {
            period[k] = box[k]
            inverse[k] = 1 / box[k]
        }
        var first = [Int32](), second = [Int32](), images = [Int32]()
        var image = [Int32](repeating: 0, count: d)
        for i in 0 ..< n {
            for j in i + 1 ..< max(n, i + 1) {
                var dist2 = 0.0
                for k in 0 ..< d {
                    let w = MinimumImage.wrap(positions[j * d + k] - positions[i * d + k],
                                              period: period[k], inversePeriod: inverse[k])
                    dist2 += w.dx * w.dx
                    image[k] = Int32(w.image)
                }
                guard dist2 < r2 else { continue }
                guard dist2 > coincident2 else {
                    throw .coincidentAtoms(first: i, second: j, separation: dist2.squareRoot())
                }
                first.append(Int32(i))
                second.append(Int32(j))
                images.append(contentsOf: image)
            }
        }
        return NeighbourList(setup: setup, positions: positions, first: first, second: second, images: images)
    }
}
