/// A finite block of crystal: `cells[0] × cells[1] (× cells[2])` conventional cells of one
/// `LatticeKind`, periodic along any subset of the axes, with named groups of atoms.
///
/// Guarantees:
/// - `positions` is flat, atom by atom (`x0, y0, [z0,] x1, ...`), length `atomCount × dimension`, so it
///   can serve directly as the degree-of-freedom vector of a model.
/// - Atoms are numbered deterministically: cell by cell with x varying fastest, then y, then z, and
///   within a cell in the order of `LatticeKind.fractionalBasis`. Atom
///   `((cz · ny + cy) · nx + cx) · basisCount + b` sits at `(cell + fractionalBasis[b]) × cell edges`.
/// - The crystal occupies `[0, box)` along every axis; `box[k] = cells[k] × conventional cell edge`.
///   Along a periodic axis the box is the period; along an open axis it is only the cells' extent.
/// - Every group lists atom indices sorted ascending without repeats. Built-in groups are "all" and,
///   for each open axis, its two boundary layers (see `boundaryGroupNames(axis:)`).
/// - `originalIndex[i]` is the index atom `i` had when the lattice was built, through any number of
///   `removingAtoms(_:)` calls, so data keyed by the perfect crystal can be mapped back.
public struct Lattice: Sendable, Equatable {
    /// The Bravais lattice and basis.
    public let kind: LatticeKind
    /// Cube edge for cubic lattices, nearest-neighbour distance for 2D lattices.
    public let latticeConstant: Double
    /// Number of conventional cells along each axis.
    public let cells: [Int]
    /// Whether each axis is periodic.
    public let periodic: [Bool]
    /// Box length along each axis: cells × conventional cell edge.
    public let box: [Double]
    /// Flat coordinates, atom by atom.
    public internal(set) var positions: [Double]
    /// Named groups of atoms for boundary conditions and observations, each sorted ascending.
    public internal(set) var groups: [String: [Int]]
    /// For each atom, its index in the lattice as first built (before any vacancies were made).
    public internal(set) var originalIndex: [Int]

    /// Boundary layers are the atoms within `boundaryTolerance × latticeConstant` of the lowest or
    /// highest coordinate along an open axis. Far below every interplanar spacing (the smallest, a/2
    /// in BCC and FCC) and far above rounding error, so it picks exactly one atomic plane.
    public static let boundaryTolerance = 1e-6

    /// Builds the perfect crystal with groups "all" and the boundary layers of every open axis.
    ///
    /// - Parameters:
    ///   - cells: number of conventional cells per axis (`kind.spatialDimension` entries, each ≥ 1).
    ///   - latticeConstant: positive length (see `latticeConstant`).
    ///   - periodic: one flag per axis.
    public init(kind: LatticeKind, cells: [Int], latticeConstant: Double,
                periodic: [Bool]) throws(GeometryError) {
        let d = kind.spatialDimension
        guard latticeConstant.isFinite, latticeConstant > 0 else {
            throw .nonPositiveLatticeConstant(latticeConstant)
        }
        guard cells.count == d else { throw .wrongAxisCount(what: "cells", expected: d, found: cells.count) }
        guard periodic.count == d else {
            throw .wrongAxisCount(what: "periodic", expected: d, found: periodic.count)
        }
        var atomCount = kind.basisCount, overflow = false
        for (axis, n) in cells.enumerated() {
            guard n >= 1 else { throw .nonPositiveCellCount(axis: axis, count: n) }
            let product = atomCount.multipliedReportingOverflow(by: n)
            atomCount = product.partialValue
            overflow = overflow || product.overflow
        }
        // Pair lists index atoms with Int32 to halve their memory; refuse what they cannot address.
        guard !overflow, atomCount <= Int(Int32.max) else { throw .tooManyAtoms(overflow ? Int.max : atomCount) }

        let edges = kind.conventionalCellEdges(latticeConstant: latticeConstant)
        self.kind = kind
        self.latticeConstant = latticeConstant
        self.cells = cells
        self.periodic = periodic
        self.box = zip(cells, edges).map { Double($0) * $1 }
        self.positions = Self.perfectPositions(kind: kind, cells: cells, edges: edges, atomCount: atomCount)
        self.originalIndex = Array(0 ..< atomCount)
        self.groups = ["all": Array(0 ..< atomCount)]
        for axis in 0 ..< d where !periodic[axis] {
            let (lower, upper) = boundaryLayers(axis: axis)
            let names = Self.boundaryGroupNames(axis: axis)
            groups[names.lower] = lower
            groups[names.upper] = upper
        }
    }

    /// Spatial dimension (2 or 3).
    public var dimension: Int { kind.spatialDimension }

    /// Number of atoms (fewer than `cells × basisCount` once vacancies are made).
    public var atomCount: Int { originalIndex.count }

    /// Names of the two boundary layers of an open axis: "left"/"right" for x, "bottom"/"top" for y,
    /// "back"/"front" for z (lower coordinate first).
    public static func boundaryGroupNames(axis: Int) -> (lower: String, upper: String) {
        switch axis {
        case 0: return ("left", "right")
        case 1: return ("bottom", "top")
        default: return ("back", "front")
        }
    }

    /// The coordinates of one atom.
    public func position(of atom: Int) -> [Double] {
        Array(positions[atom * dimension ..< (atom + 1) * dimension])
    }

    /// Replaces the coordinates (for example with a relaxed configuration). Groups are not recomputed:
    /// they name atoms, not places.
    public mutating func setPositions(_ newPositions: [Double]) throws(GeometryError) {
        guard newPositions.count == atomCount * dimension else {
            throw .positionCountMismatch(expected: atomCount * dimension, found: newPositions.count)
        }
        if let bad = newPositions.firstIndex(where: { !$0.isFinite }) {
            throw .nonFinitePosition(atom: bad / dimension, axis: bad % dimension)
        }
        positions = newPositions
    }

    /// Positions in the documented order: cells with x fastest, basis atoms innermost.
    private static func perfectPositions(kind: LatticeKind, cells: [Int], edges: [Double],
                                         atomCount: Int) -> [Double] {
        let d = kind.spatialDimension
        let basis = kind.fractionalBasis
        var positions = [Double]()
        positions.reserveCapacity(atomCount * d)
        var cell = [Int](repeating: 0, count: d)
        for _ in 0 ..< atomCount / basis.count {
            for fraction in basis {
                for k in 0 ..< d { positions.append((Double(cell[k]) + fraction[k]) * edges[k]) }
            }
            // Odometer increment, x fastest.
            for k in 0 ..< d {
                cell[k] += 1
                if cell[k] < cells[k] { break }
                cell[k] = 0
            }
        }
        return positions
    }

    /// Atoms within the boundary tolerance of the lowest and of the highest coordinate along `axis`.
    private func boundaryLayers(axis: Int) -> (lower: [Int], upper: [Int]) {
        let d = dimension
        var low = Double.infinity, high = -Double.infinity
        for i in 0 ..< atomCount {
            low = min(low, positions[i * d + axis])
            high = max(high, positions[i * d + axis])
        }
        let tolerance = Self.boundaryTolerance * latticeConstant
        var lower = [Int](), upper = [Int]()
        for i in 0 ..< atomCount {
            let x = positions[i * d + axis]
            if x <= low + tolerance { lower.append(i) }
            if x >= high - tolerance { upper.append(i) }
        }
        return (lower, upper)
    }
}
