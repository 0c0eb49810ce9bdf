// Neighbour lists by cell lists (linked-cell method; Allen & Tildesley, Computer Simulation of Liquids,
// 2nd ed., OUP 2017, §5.3; Verlet skin: §5.2).
//
// Algorithm. The region holding the atoms is cut into a grid of bins whose edges are at least the
// search radius r = cutoff + skin, so every partner within r of an atom lies in the atom's own bin or
// one of its 3^d − 1 adjacent bins (wrapping around along periodic axes). Atoms are placed in bins by a
// counting sort (two passes over the atoms, no per-bin allocation). Then, for each atom i in index
// order, the atoms j > i of the adjacent bins are tested with the minimum-image separation and the
// survivors, sorted by j, are appended. Each unordered pair is found exactly once, from its lower index.
//
// Complexity. With bins of edge ~ r and bounded density each bin holds O(1) atoms, so the search is
// O(N) time and O(N + pairs) memory, against O(N²) for testing all pairs. The number of bins is capped
// at about 2N so that a sparse or far-flung configuration (atoms drifting apart along an open axis)
// cannot make the grid, rather than the atoms, dominate memory: bigger bins stay correct, only slower.
//
// Reuse. Pairs are collected out to cutoff + skin, so the list remains a superset of the pairs within
// the cutoff until two atoms not listed together have approached each other by the skin. The classic
// rule (rebuild once any atom has moved skin/2) flags a rigid translation or a homogeneous strain of a
// whole slab; `needsRebuild(currentPositions:)` bounds the approach from the motion relative to a
// fitted translation and homogeneous deformation instead (RelativeMotion.swift), and
// `refreshed(positions:)` re-anchors a list whose pairs are still complete rather than rebuilding it.

/// The pairs of atoms closer than `cutoff + skin`, with the periodic image that makes each pair close.
///
/// Guarantees:
/// - Every unordered pair whose minimum-image separation is strictly less than `radius` appears once,
///   as `first[p] < second[p]`, and no other pair appears.
/// - Pairs are sorted by `first`, then `second`: identical inputs give bitwise identical lists, and the
///   cell-list builder and `allPairs` agree exactly.
/// - `x_second − x_first + images[p·d + k] × box[k]` is the minimum-image separation along axis `k`
///   (images are 0 along open axes), valid for positions that need not be wrapped into the box.
/// - No two atoms are closer than `coincidenceTolerance × cutoff`; building throws `coincidentAtoms`
///   otherwise, naming the first such pair in (first, second) order.
/// Storage is struct-of-arrays with 32-bit indices so that millions of pairs cost a few flat arrays.
public struct NeighbourList: Sendable, Equatable {
    /// Spatial dimension `d`.
    public let dimension: Int
    /// Number of atoms the list was built for.
    public let atomCount: Int
    /// Box length per axis (the period along periodic axes; unused along open ones).
    public let box: [Double]
    /// Whether each axis is periodic.
    public let periodic: [Bool]
    /// Interaction cutoff; the energy code decides which listed pairs are within it.
    public let cutoff: Double
    /// Extra search distance that lets the list be reused while atoms move.
    public let skin: Double
    /// Lower atom index of each pair.
    public let first: [Int32]
    /// Higher atom index of each pair.
    public let second: [Int32]
    /// Periodic image of each pair, `d` entries per pair (see the type's guarantees).
    public let images: [Int32]
    /// The positions the list is known valid at (where it was built, or re-anchored by
    /// `refreshed(positions:)`): the reference for `needsRebuild(currentPositions:)`.
    public internal(set) var referencePositions: [Double]
    /// How much closer than `cutoff + allowance` no unlisted pair was at `referencePositions`: the skin
    /// for a freshly built list, the margin left by the closest unlisted pair after a re-anchoring.
    public internal(set) var allowance: Double
    /// Cell edges of the lattice the list was built for, kept to suggest cell counts when rebuilding.
    let cellEdges: [Double]?

    /// Separations at or below `coincidenceTolerance × cutoff` are treated as coincident atoms.
    public static let coincidenceTolerance = 1e-8

    /// Search radius: `cutoff + skin`.
    public var radius: Double { cutoff + skin }

    /// Number of pairs.
    public var pairCount: Int { first.count }

    /// Builds the list with cell lists in O(N).
    ///
    /// - Parameters:
    ///   - positions: flat coordinates, atom by atom (`atomCount × box.count` entries); need not lie in
    ///     the box along periodic axes.
    ///   - box: length per axis; only periodic axes use it, and each must be at least 2 × (cutoff + skin).
    ///   - periodic: one flag per axis.
    ///   - cutoff: positive interaction cutoff.
    ///   - skin: non-negative extra distance (0 gives a list valid only for these positions).
    public init(positions: [Double], box: [Double], periodic: [Bool], cutoff: Double,
                skin: Double) throws(GeometryError) {
        let setup = try PairSearchSetup(positions: positions, box: box, periodic: periodic,
                                        cutoff: cutoff, skin: skin)
        try self.init(cellListsFor: setup, positions: positions)
    }

    /// Builds the list for a lattice, at its own positions or at `positions` (a displaced configuration
    /// of the same atoms). A too-small periodic box is reported with the number of cells needed.
    public init(lattice: Lattice, positions: [Double]? = nil, cutoff: Double,
                skin: Double) throws(GeometryError) {
        let positions = positions ?? lattice.positions
        guard positions.count == lattice.atomCount * lattice.dimension else {
            throw .positionCountMismatch(expected: lattice.atomCount * lattice.dimension, found: positions.count)
        }
        let setup = try PairSearchSetup(
            positions: positions, box: lattice.box, periodic: lattice.periodic, cutoff: cutoff, skin: skin,
            cellEdges: lattice.kind.conventionalCellEdges(latticeConstant: lattice.latticeConstant))
        try self.init(cellListsFor: setup, positions: positions)
    }

    init(setup: PairSearchSetup, positions: [Double], first: [Int32], second: [Int32], images: [Int32]) {
        dimension = setup.dimension
        atomCount = setup.atomCount
        box = setup.box
        periodic = setup.periodic
        cutoff = setup.cutoff
        skin = setup.skin
        cellEdges = setup.cellEdges
        referencePositions = positions
        allowance = setup.skin
        self.first = first
        self.second = second
        self.images = images
    }

    init(cellListsFor setup: PairSearchSetup, positions: [Double]) throws(GeometryError) {
        let grid = BinGrid(setup: setup, positions: positions)
        let found = grid.pairs(positions: positions, setup: setup)
        if let c = found.coincident { throw .coincidentAtoms(first: c.0, second: c.1, separation: c.2) }
        self.init(setup: setup, positions: positions, first: found.first, second: found.second,
                  images: found.images)
    }
}

/// The bins of a cell-list search in compressed form: `atoms[start[b] ..< start[b + 1]]` are the atoms
/// of bin `b`, ascending. Always three axes; missing ones have a single bin.
private struct BinGrid {
    var counts = [1, 1, 1]
    var lower = [0.0, 0.0, 0.0]
    /// Bins per unit length: bin = ⌊(x − lower) × binsPerLength⌋ after wrapping along periodic axes.
    var binsPerLength = [0.0, 0.0, 0.0]
    var start: [Int32] = []
    var atoms: [Int32] = []
    /// Bin coordinates of each atom, 3 per atom.
    var binOf: [Int32] = []

    init(setup: PairSearchSetup, positions: [Double]) {
        let d = setup.dimension, n = setup.atomCount, r = setup.radius
        var extents = [0.0, 0.0, 0.0]
        for k in 0 ..< d {
            extents[k] = setup.box[k]
            if !setup.periodic[k] {
                var low = Double.infinity, high = -Double.infinity
                for i in 0 ..< n {
                    low = min(low, positions[i * d + k])
                    high = max(high, positions[i * d + k])
                }
                lower[k] = n > 0 ? low : 0
                extents[k] = n > 0 ? high - low : 0
            }
            // ⌊extent / r⌋ bins keep every bin edge ≥ r; clamp before converting to Int.
            counts[k] = Int(max(1, min((extents[k] / r).rounded(.down), Double(max(n, 1)))))
        }
        // Coarsen the finest axis until the grid is O(N); bins only grow, so edges stay ≥ r.
        // (Products in Double: three axes of up to N bins each would overflow Int.)
        while Double(counts[0]) * Double(counts[1]) * Double(counts[2]) > Double(2 * n + 8) {
            let k = counts.indices.max { counts[$0] < counts[$1] }!
            counts[k] = max(1, counts[k] / 2)
        }
        for k in 0 ..< 3 where extents[k] > 0 { binsPerLength[k] = Double(counts[k]) / extents[k] }
        fill(setup: setup, positions: positions)
    }

    private mutating func fill(setup: PairSearchSetup, positions: [Double]) {
        let d = setup.dimension, n = setup.atomCount
        let binCount = counts[0] * counts[1] * counts[2]
        binOf = [Int32](repeating: 0, count: 3 * n)
        var perBin = [Int32](repeating: 0, count: binCount + 1)
        for i in 0 ..< n {
            var linear = 0
            for k in stride(from: 2, through: 0, by: -1) {
                var b = 0
                if k < d && counts[k] > 1 {
                    var x = positions[i * d + k] - lower[k]
                    if setup.periodic[k] { x -= setup.box[k] * (x / setup.box[k]).rounded(.down) }
                    b = min(max(Int(x * binsPerLength[k]), 0), counts[k] - 1)
                }
                binOf[3 * i + k] = Int32(b)
                linear = linear * counts[k] + b
            }
            perBin[linear + 1] += 1
        }
        for b in 0 ..< binCount { perBin[b + 1] += perBin[b] }
        start = perBin
        // Filling in atom order leaves each bin's members ascending, which the search relies on.
        atoms = [Int32](repeating: 0, count: n)
        var cursor = perBin
        for i in 0 ..< n {
            let linear = (Int(binOf[3 * i + 2]) * counts[1] + Int(binOf[3 * i + 1])) * counts[0]
                + Int(binOf[3 * i])
            atoms[Int(cursor[linear])] = Int32(i)
            cursor[linear] += 1
        }
    }

    /// Distinct bins adjacent to `b` (including `b`) on an axis of `n` bins, wrapping if periodic.
    @inline(__always)
    private static func adjacent(_ b: Int, bins n: Int, periodic: Bool) -> Adjacent {
        if n == 1 { return Adjacent(bins: (0, 0, 0), count: 1) }
        if periodic {
            // With two bins, b − 1 and b + 1 are the same bin: list it once or pairs double.
            if n == 2 { return Adjacent(bins: (b, 1 - b, 0), count: 2) }
            return Adjacent(bins: ((b + n - 1) % n, b, (b + 1) % n), count: 3)
        }
        if b == 0 { return Adjacent(bins: (0, 1, 0), count: 2) }
        if b == n - 1 { return Adjacent(bins: (b - 1, b, 0), count: 2) }
        return Adjacent(bins: (b - 1, b, b + 1), count: 3)
    }

    func pairs(positions: [Double], setup: PairSearchSetup)
        -> (first: [Int32], second: [Int32], images: [Int32], coincident: (Int, Int, Double)?) {
        let d = setup.dimension, n = setup.atomCount
        let r2 = setup.radius * setup.radius
        let coincident2 = setup.coincidenceDistance * setup.coincidenceDistance
        let mi = MinimumImage(setup)
        // Plain locals: reading arrays of `self` inside the loops costs a retain/release per access.
        let (nx, ny, nz) = (counts[0], counts[1], counts[2])
        let px = setup.periodic[0], py = d > 1 && setup.periodic[1], pz = d > 2 && setup.periodic[2]
        var first = [Int32](), second = [Int32](), images = [Int32]()
        first.reserveCapacity(4 * n)
        second.reserveCapacity(4 * n)
        images.reserveCapacity(4 * n * d)
        var coincident: (Int, Int, Double)? = nil

        positions.withUnsafeBufferPointer { x in
            atoms.withUnsafeBufferPointer { binAtoms in
                start.withUnsafeBufferPointer { binStart in
                    binOf.withUnsafeBufferPointer { binOf in
                        atomLoop: for i in 0 ..< n {
                            // Partners of i are appended straight to the output, then sorted in place.
                            let base = second.count
                            let ax = Self.adjacent(Int(binOf[3 * i]), bins: nx, periodic: px)
                            let ay = Self.adjacent(Int(binOf[3 * i + 1]), bins: ny, periodic: py)
                            let az = Self.adjacent(Int(binOf[3 * i + 2]), bins: nz, periodic: pz)
                            let xi = x[i * d], yi = d > 1 ? x[i * d + 1] : 0, zi = d > 2 ? x[i * d + 2] : 0
                            for cz in 0 ..< az.count {
                                for cy in 0 ..< ay.count {
                                    let row = (az[cz] * ny + ay[cy]) * nx
                                    for cx in 0 ..< ax.count {
                                        let bin = row + ax[cx]
                                        // Bin members ascend, so scanning down stops at the first j ≤ i.
                                        var s = Int(binStart[bin + 1]) - 1
                                        let end = Int(binStart[bin])
                                        while s >= end {
                                            let j = Int(binAtoms[s])
                                            if j <= i { break }
                                            s -= 1
                                            let wx = MinimumImage.wrap(x[j * d] - xi, period: mi.period.0,
                                                                       inversePeriod: mi.inversePeriod.0)
                                            var dist2 = wx.dx * wx.dx
                                            var wy = (image: 0.0, dx: 0.0), wz = (image: 0.0, dx: 0.0)
                                            if d > 1 {
                                                wy = MinimumImage.wrap(x[j * d + 1] - yi, period: mi.period.1,
                                                                       inversePeriod: mi.inversePeriod.1)
                                                dist2 += wy.dx * wy.dx
                                            }
                                            if d > 2 {
                                                wz = MinimumImage.wrap(x[j * d + 2] - zi, period: mi.period.2,
                                                                       inversePeriod: mi.inversePeriod.2)
                                                dist2 += wz.dx * wz.dx
                                            }
                                            guard dist2 < r2 else { continue }
                                            if dist2 <= coincident2 {
                                                // Report the smallest such j, as the all-pairs reference does.
                                                if coincident.map({ j < $0.1 }) ?? true {
                                                    coincident = (i, j, dist2.squareRoot())
                                                }
                                                continue
                                            }
                                            second.append(Int32(j))
                                            images.append(Int32(wx.image))
                                            if d > 1 { images.append(Int32(wy.image)) }
                                            if d > 2 { images.append(Int32(wz.image)) }
                                        }
                                    }
                                }
                            }
                            if coincident != nil { break atomLoop }
                            if second.count - base > 1 {
                                Self.sortByPartner(&second, &images, from: base, dimension: d)
                            }
                            for _ in base ..< second.count { first.append(Int32(i)) }
                        }
                    }
                }
            }
        }
        return (first, second, images, coincident)
    }

    /// Insertion sort of `partners[base...]` by index, carrying the image vectors along: neighbour
    /// counts are small and nearly sorted bin by bin, where insertion sort beats a general sort.
    private static func sortByPartner(_ partners: inout [Int32], _ images: inout [Int32], from base: Int,
                                      dimension d: Int) {
        partners.withUnsafeMutableBufferPointer { p in
            images.withUnsafeMutableBufferPointer { img in
                for a in base + 1 ..< p.count {
                    let key = p[a]
                    let saved = (img[a * d], d > 1 ? img[a * d + 1] : 0, d > 2 ? img[a * d + 2] : 0)
                    var b = a - 1
                    while b >= base && p[b] > key {
                        p[b + 1] = p[b]
                        for k in 0 ..< d { img[(b + 1) * d + k] = img[b * d + k] }
                        b -= 1
                    }
                    p[b + 1] = key
                    img[(b + 1) * d] = saved.0
                    if d > 1 { img[(b + 1) * d + 1] = saved.1 }
                    if d > 2 { img[(b + 1) * d + 2] = saved.2 }
                }
            }
        }
    }
}

/// Up to three distinct adjacent bin coordinates along one axis.
private struct Adjacent {
    let bins: (Int, Int, Int)
    let count: Int

    subscript(_ index: Int) -> Int { index == 0 ? bins.0 : (index == 1 ? bins.1 : bins.2) }
}
