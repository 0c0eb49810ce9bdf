/// Every failure of the geometry layer: an impossible lattice, inconsistent inputs to the neighbour
/// search, a periodic box too small for the cutoff, or two atoms on top of each other.
///
/// Messages say what is wrong, where (axis, atom, group) and what to do about it. Axes are numbered
/// 0, 1, 2 for x, y, z.
public enum GeometryError: Error, Equatable, CustomStringConvertible {
    /// The lattice constant is zero, negative, NaN or infinite.
    case nonPositiveLatticeConstant(Double)
    /// A lattice was asked for with fewer than one cell along an axis.
    case nonPositiveCellCount(axis: Int, count: Int)
    /// A per-axis array (`cells`, `periodic`, `box`) does not have one entry per spatial axis.
    case wrongAxisCount(what: String, expected: Int, found: Int)
    /// The spatial dimension is not 1, 2 or 3.
    case unsupportedDimension(Int)
    /// The system would have more atoms than 32-bit pair indices can address.
    case tooManyAtoms(Int)
    /// A flat position array does not hold `atomCount × dimension` coordinates.
    case positionCountMismatch(expected: Int, found: Int)
    /// A coordinate is NaN or infinite.
    case nonFinitePosition(atom: Int, axis: Int)
    /// A periodic axis has a box length that is zero, negative, NaN or infinite.
    case nonPositiveBoxLength(axis: Int, length: Double)
    /// The cutoff is zero, negative, NaN or infinite.
    case nonPositiveCutoff(Double)
    /// The skin is negative, NaN or infinite.
    case negativeSkin(Double)
    /// A periodic box length is less than twice the search radius (cutoff + skin), so the
    /// minimum-image convention would miss or double count pairs. `minimumCells` is filled in when the
    /// box comes from a lattice: the smallest number of cells along that axis that would work.
    case boxTooSmall(axis: Int, length: Double, required: Double, minimumCells: Int?)
    /// Two atoms are (numerically) at the same place, which no pair potential survives.
    case coincidentAtoms(first: Int, second: Int, separation: Double)
    /// An atom index outside `0 ..< atomCount`.
    case atomIndexOutOfRange(index: Int, atomCount: Int)
    /// A group of this name exists already; group names are never silently overwritten.
    case groupAlreadyExists(String)

    public var description: String {
        switch self {
        case let .nonPositiveLatticeConstant(a):
            return "the lattice constant is \(a); it must be a positive finite length"
        case let .nonPositiveCellCount(axis, count):
            return "the lattice has \(count) cells along \(Self.axisName(axis)); ask for at least 1 cell per axis"
        case let .wrongAxisCount(what, expected, found):
            return "\(what) has \(found) entries but the geometry has \(expected) spatial axes; "
                + "give one entry per axis (x, y\(expected == 3 ? ", z" : ""))"
        case let .unsupportedDimension(d):
            return "spatial dimension \(d) is not supported; use 1, 2 or 3 axes"
        case let .tooManyAtoms(n):
            return "\(n) atoms exceed the 32-bit index limit (\(Int32.max)) of the pair list; use fewer cells"
        case let .positionCountMismatch(expected, found):
            return "the position array has \(found) coordinates but \(expected) were expected "
                + "(atom count × spatial dimension, stored atom by atom: x0, y0, [z0,] x1, ...)"
        case let .nonFinitePosition(atom, axis):
            return "atom \(atom) has a non-finite \(Self.axisName(axis)) coordinate; "
                + "the configuration has diverged or was not initialised"
        case let .nonPositiveBoxLength(axis, length):
            return "the periodic box length along \(Self.axisName(axis)) is \(length); "
                + "it must be positive and finite (or make that axis non-periodic)"
        case let .nonPositiveCutoff(cutoff):
            return "the cutoff is \(cutoff); it must be positive and finite"
        case let .negativeSkin(skin):
            return "the skin is \(skin); it must be zero or positive and finite"
        case let .boxTooSmall(axis, length, required, minimumCells):
            let fix = minimumCells.map { "use at least \($0) cells along \(Self.axisName(axis))" }
                ?? "make the box longer along \(Self.axisName(axis))"
            return "the periodic box is \(length) long along \(Self.axisName(axis)), less than "
                + "2 × (cutoff + skin) = \(required): the minimum-image convention would miss or double "
                + "count pairs; \(fix), or reduce the cutoff or the skin"
        case let .coincidentAtoms(first, second, separation):
            return "atoms \(first) and \(second) are at the same place (separation \(separation)); "
                + "check for duplicated atoms, a collapsed configuration or a diverged solver"
        case let .atomIndexOutOfRange(index, atomCount):
            return "atom index \(index) is outside 0..<\(atomCount)"
        case let .groupAlreadyExists(name):
            return "a group named \"\(name)\" exists already; choose another name"
        }
    }
}

extension GeometryError {
    /// "x", "y" or "z" for axes 0, 1, 2, so messages read like the physics.
    static func axisName(_ axis: Int) -> String {
        switch axis {
        case 0: return "x"
        case 1: return "y"
        case 2: return "z"
        default: return "axis \(axis)"
        }
    }
}
