import Foundation
import Physics

/// Small deterministic generator so that randomised geometry tests are reproducible.
struct GeometryTestRandom: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// One pair as a hashable value, for comparing lists as sets.
struct GeometryTestPair: Hashable, CustomStringConvertible {
    let first: Int, second: Int, image: [Int]
    var description: String { "(\(first), \(second), \(image))" }
}

enum GeometryTestReference {
    /// The pairs of a list as a set.
    static func pairSet(_ list: NeighbourList) -> Set<GeometryTestPair> {
        let d = list.dimension
        return Set((0 ..< list.pairCount).map { p in
            GeometryTestPair(first: Int(list.first[p]), second: Int(list.second[p]),
                             image: (0 ..< d).map { Int(list.images[p * d + $0]) })
        })
    }

    /// Pairs within `radius` found by trying every image −2…2 along each periodic axis explicitly,
    /// independent of the rounding used by the library. Returns nil if some pair is within `radius` in
    /// more than one image (which a valid box must prevent).
    static func explicitImages(positions: [Double], box: [Double], periodic: [Bool],
                               radius: Double) -> Set<GeometryTestPair>? {
        let d = box.count, n = positions.count / d
        let ranges = (0 ..< d).map { periodic[$0] ? Array(-2 ... 2) : [0] }
        var images: [[Int]] = [[]]
        for r in ranges { images = images.flatMap { prefix in r.map { prefix + [$0] } } }
        var result = Set<GeometryTestPair>()
        for i in 0 ..< n {
            for j in i + 1 ..< max(n, i + 1) {
                var found = 0
                for image in images {
                    var r2 = 0.0
                    for k in 0 ..< d {
                        let s = positions[j * d + k] - positions[i * d + k] + Double(image[k]) * box[k]
                        r2 += s * s
                    }
                    if r2 < radius * radius {
                        found += 1
                        result.insert(GeometryTestPair(first: i, second: j, image: image))
                    }
                }
                if found > 1 { return nil }
            }
        }
        return result
    }

    /// The first pair at which two lists differ (index, first, second, images), nil when identical;
    /// a short message instead of two arrays of thousands of entries when a comparison fails.
    static func firstDifference(_ a: NeighbourList, _ b: NeighbourList) -> String? {
        let d = a.dimension
        func pair(_ l: NeighbourList, _ p: Int) -> String {
            p < l.pairCount ? "(\(l.first[p]), \(l.second[p]), \(Array(l.images[p * d ..< (p + 1) * d])))" : "none"
        }
        for p in 0 ..< max(a.pairCount, b.pairCount) where pair(a, p) != pair(b, p) {
            return "pair \(p): \(pair(a, p)) vs \(pair(b, p)); \(a.pairCount) vs \(b.pairCount) pairs"
        }
        return nil
    }

    /// Neighbour count of every atom.
    static func degrees(_ list: NeighbourList) -> [Int] {
        var degree = [Int](repeating: 0, count: list.atomCount)
        for p in 0 ..< list.pairCount {
            degree[Int(list.first[p])] += 1
            degree[Int(list.second[p])] += 1
        }
        return degree
    }

    /// Length of the minimum-image separation of pair `p`.
    static func distance(_ list: NeighbourList, pair p: Int, positions: [Double]) -> Double {
        list.separation(ofPair: p, positions: positions).reduce(0) { $0 + $1 * $1 }.squareRoot()
    }

    /// A cutoff halfway between the first and second neighbour shells.
    static func midShellCutoff(_ kind: LatticeKind, latticeConstant a: Double) -> Double {
        0.5 * (kind.nearestNeighbourDistance(latticeConstant: a) + kind.secondNeighbourDistance(latticeConstant: a))
    }
}
