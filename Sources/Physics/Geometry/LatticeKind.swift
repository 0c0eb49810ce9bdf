/// The Bravais lattices the project builds, each described by an orthogonal conventional cell and the
/// basis atoms inside it.
///
/// Orthogonal cells are used even for the triangular lattice (a rectangle `a × a√3` holding two atoms)
/// so that every box is a product of intervals: periodic images are then shifts along the axes, and the
/// minimum-image convention reduces to one rounding per axis. The lattice constant `a` is the cube edge
/// for the cubic lattices and the nearest-neighbour distance for the two-dimensional ones.
public enum LatticeKind: String, Sendable, CaseIterable {
    /// 2D square lattice, one atom per `a × a` cell.
    case square
    /// 2D triangular (hexagonal close-packed) lattice, two atoms per `a × a√3` rectangle.
    case triangular
    /// 3D simple cubic lattice, one atom per cube.
    case simpleCubic
    /// 3D body-centred cubic lattice, two atoms per cube.
    case bcc
    /// 3D face-centred cubic lattice, four atoms per cube.
    case fcc

    /// 2 for the planar lattices, 3 for the cubic ones.
    public var spatialDimension: Int {
        switch self {
        case .square, .triangular: return 2
        case .simpleCubic, .bcc, .fcc: return 3
        }
    }

    /// Edges of the conventional cell in units of the lattice constant, one per axis.
    public var conventionalCellShape: [Double] {
        switch self {
        case .square: return [1, 1]
        case .triangular: return [1, 3.0.squareRoot()]
        case .simpleCubic, .bcc, .fcc: return [1, 1, 1]
        }
    }

    /// Edges of the conventional cell, one per axis.
    public func conventionalCellEdges(latticeConstant a: Double) -> [Double] {
        conventionalCellShape.map { $0 * a }
    }

    /// Basis atoms as fractions of the conventional cell edges, in the order they are numbered within a
    /// cell. All fractions lie in [0, 1), so cells never share atoms.
    public var fractionalBasis: [[Double]] {
        switch self {
        case .square: return [[0, 0]]
        case .triangular: return [[0, 0], [0.5, 0.5]]
        case .simpleCubic: return [[0, 0, 0]]
        case .bcc: return [[0, 0, 0], [0.5, 0.5, 0.5]]
        case .fcc: return [[0, 0, 0], [0.5, 0.5, 0], [0.5, 0, 0.5], [0, 0.5, 0.5]]
        }
    }

    /// Atoms per conventional cell.
    public var basisCount: Int {
        switch self {
        case .square, .simpleCubic: return 1
        case .triangular, .bcc: return 2
        case .fcc: return 4
        }
    }

    /// Distance between nearest neighbours in the perfect crystal.
    public func nearestNeighbourDistance(latticeConstant a: Double) -> Double {
        switch self {
        case .square, .triangular, .simpleCubic: return a
        case .bcc: return a * 3.0.squareRoot() / 2
        case .fcc: return a / 2.0.squareRoot()
        }
    }

    /// Distance to the second shell of neighbours; a cutoff strictly between this and the nearest
    /// distance selects exactly the nearest neighbours.
    public func secondNeighbourDistance(latticeConstant a: Double) -> Double {
        switch self {
        case .square, .simpleCubic: return a * 2.0.squareRoot()
        case .triangular: return a * 3.0.squareRoot()
        case .bcc, .fcc: return a
        }
    }

    /// Number of nearest neighbours of an atom in the bulk of the perfect crystal.
    public var coordinationNumber: Int {
        switch self {
        case .square: return 4
        case .triangular, .simpleCubic: return 6
        case .bcc: return 8
        case .fcc: return 12
        }
    }
}
