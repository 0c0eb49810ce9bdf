// Validation and the minimum-image convention shared by the cell-list builder and the all-pairs
// reference, so that both search the same space and agree on which image of a pair is "the" one.

/// Checked inputs of a pair search. Constructing one is the only validation either builder does.
struct PairSearchSetup: Sendable {
    let dimension: Int
    let atomCount: Int
    let box: [Double]
    let periodic: [Bool]
    let cutoff: Double
    let skin: Double
    /// Conventional cell edges when the box comes from a lattice, to suggest a cell count in errors.
    let cellEdges: [Double]?

    /// Pairs are kept when their minimum-image separation is strictly below this.
    var radius: Double { cutoff + skin }

    /// Separations at or below this are coincident atoms.
    var coincidenceDistance: Double { NeighbourList.coincidenceTolerance * cutoff }

    init(positions: [Double], box: [Double], periodic: [Bool], cutoff: Double, skin: Double,
         cellEdges: [Double]? = nil) throws(GeometryError) {
        let d = box.count
        guard (1 ... 3).contains(d) else { throw .unsupportedDimension(d) }
        guard periodic.count == d else { throw .wrongAxisCount(what: "periodic", expected: d, found: periodic.count) }
        guard cutoff.isFinite, cutoff > 0 else { throw .nonPositiveCutoff(cutoff) }
        guard skin.isFinite, skin >= 0 else { throw .negativeSkin(skin) }
        guard positions.count % d == 0 else {
            throw .positionCountMismatch(expected: (positions.count / d + 1) * d, found: positions.count)
        }
        let n = positions.count / d
        guard n <= Int(Int32.max) else { throw .tooManyAtoms(n) }
        if let bad = positions.firstIndex(where: { !$0.isFinite }) {
            throw .nonFinitePosition(atom: bad / d, axis: bad % d)
        }
        let radius = cutoff + skin
        for axis in 0 ..< d where periodic[axis] {
            let length = box[axis]
            guard length.isFinite, length > 0 else { throw .nonPositiveBoxLength(axis: axis, length: length) }
            // With L ≥ 2r and a strict `< r` test, at most one image of a pair is within r: two images
            // are L apart, so both within r would need L < 2r.
            guard length >= 2 * radius else {
                throw .boxTooSmall(axis: axis, length: length, required: 2 * radius,
                                   minimumCells: Self.cellsNeeded(2 * radius, edges: cellEdges, axis: axis))
            }
        }
        dimension = d
        atomCount = n
        self.box = box
        self.periodic = periodic
        self.cutoff = cutoff
        self.skin = skin
        self.cellEdges = cellEdges
    }
}

extension PairSearchSetup {
    /// The fewest cells of the given edge whose total length reaches `length`; nil without a lattice.
    static func cellsNeeded(_ length: Double, edges: [Double]?, axis: Int) -> Int? {
        guard let edges, axis < edges.count, edges[axis] > 0 else { return nil }
        var cells = Int((length / edges[axis]).rounded(.up))
        // The division can round down across an integer; the product is what the box will be.
        while Double(cells) * edges[axis] < length { cells += 1 }
        return cells
    }
}

/// The per-axis constants of the minimum-image convention, in a form cheap to use in inner loops.
struct MinimumImage {
    /// Box length along each axis, 0 along open axes (so the rounding below yields no shift there).
    let period: (Double, Double, Double)
    /// 1 / period, 0 along open axes.
    let inversePeriod: (Double, Double, Double)

    init(_ setup: PairSearchSetup) {
        var p = [0.0, 0.0, 0.0], q = [0.0, 0.0, 0.0]
        for k in 0 ..< setup.dimension where setup.periodic[k] {
            p[k] = setup.box[k]
            q[k] = 1 / setup.box[k]
        }
        period = (p[0], p[1], p[2])
        inversePeriod = (q[0], q[1], q[2])
    }

    /// For a raw difference `dx = x_second − x_first` along one axis: the image count `n` and the
    /// minimum-image difference `dx + n × period`. Along an open axis `n` is 0 and `dx` is unchanged.
    @inline(__always)
    static func wrap(_ dx: Double, period: Double, inversePeriod: Double) -> (image: Double, dx: Double) {
        let n = -roundedToNearestEven(dx * inversePeriod)
        return (n, dx + n * period)
    }

    /// `v.rounded(.toNearestOrEven)` without a call: on baseline x86-64 (no SSE4.1) `rounded` calls
    /// libm's `rint`, a large share of the pair search. Adding and subtracting 1.5 × 2^52 rounds any
    /// |v| < 2^51 to an integer under the default rounding mode; larger values fall back.
    @inline(__always)
    static func roundedToNearestEven(_ v: Double) -> Double {
        let magic = 6_755_399_441_055_744.0
        return abs(v) < 2_251_799_813_685_248.0 ? (v + magic) - magic : v.rounded(.toNearestOrEven)
    }
}
