/// The neighbour shells of one atom in a perfect lattice: distance (in units of the lattice constant),
/// how many neighbours, and the angular moments the cubic elastic constants need.
///
/// Every kind this project builds is a Bravais lattice with an atom at the origin, so all atoms are
/// equivalent and one atom's shells describe the crystal. Points (m + b) ⊙ shape of the conventional
/// cell are enumerated and grouped by distance.
public struct CoordinationShells: Sendable, Equatable {
    public struct Shell: Sendable, Equatable {
        /// Distance over the lattice constant.
        public let ratio: Double
        /// Number of neighbours at that distance.
        public let count: Int
        /// Σ n̂ₓ⁴ over the shell's neighbours (unit vectors n̂).
        public let xxxx: Double
        /// Σ n̂ₓ² n̂ᵧ² over the shell's neighbours.
        public let xxyy: Double
    }

    public let kind: LatticeKind
    public let shells: [Shell]
    /// Volume (area in 2D) per atom over aᵈ.
    public let volumeCoefficient: Double

    /// All shells with distance ratio ≤ `maximumRatio`.
    public init(kind: LatticeKind, maximumRatio: Double) {
        let shape = kind.conventionalCellShape, basis = kind.fractionalBasis
        let d = kind.spatialDimension
        let reach = Int((maximumRatio / shape.min()!).rounded(.up)) + 1
        var points: [(Double, [Double])] = []
        var m = [Int](repeating: -reach, count: d)
        while true {
            for b in basis {
                let x = (0 ..< d).map { (Double(m[$0]) + b[$0]) * shape[$0] }
                let r = x.reduce(0) { $0 + $1 * $1 }.squareRoot()
                if r > 1e-12 && r <= maximumRatio * (1 + 1e-12) { points.append((r, x)) }
            }
            var axis = 0
            while axis < d && m[axis] == reach { m[axis] = -reach; axis += 1 }
            if axis == d { break }
            m[axis] += 1
        }
        points.sort { $0.0 < $1.0 }
        var shells: [Shell] = []
        var start = 0
        while start < points.count {
            var end = start
            while end < points.count && points[end].0 - points[start].0 < 1e-9 { end += 1 }
            var xxxx = 0.0, xxyy = 0.0
            for (r, x) in points[start ..< end] {
                let nx = x[0] / r, ny = x[1] / r
                xxxx += nx * nx * nx * nx
                xxyy += nx * nx * ny * ny
            }
            shells.append(Shell(ratio: points[start].0, count: end - start, xxxx: xxxx, xxyy: xxyy))
            start = end
        }
        self.kind = kind
        self.shells = shells
        volumeCoefficient = shape.reduce(1, *) / Double(basis.count)
    }
}
