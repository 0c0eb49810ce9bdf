import Bilevel
import Physics

/// `model` with `"kind": "lattice"`: atoms of a Bravais lattice with a pair potential, held and loaded
/// per experiment (constraints, forces, an indenter). The registered kind; decoding, building and
/// reporting are in the files beside this one.
public struct LatticeConfiguration: Sendable {
    public var lattice: LatticeKind
    public var cells: [Int]
    public var latticeConstant: Double
    public var periodic: [Bool]
    public var potential: PairPotentialTable.Entry
    public var cutoffInner: Double
    public var cutoffOuter: Double
    public var skin: Double
    public var groups: [GroupDefinition]
    public var units: ModelUnits?
    public var newton: NewtonOptions
    /// Atoms closer than this fraction of the nearest-neighbour distance make a state unphysical.
    public var minimumSeparation: Double = 0.5
}

/// A named group of atoms defined in the configuration.
public struct GroupDefinition: Sendable {
    public enum Selection: Sendable {
        /// Atoms whose position lies in the box [lower, upper] (inclusive, with a small tolerance).
        case region(lower: [Double], upper: [Double])
        /// Atoms by index.
        case atoms([Int])
    }
    public var name: String
    public var selection: Selection
    public var position: TextPosition
}

/// How a lattice is held and loaded in one experiment.
public struct LoadingConfiguration: Sendable {
    public struct Constraint: Sendable {
        public var group: String
        /// Prescribed displacement per axis; nil leaves that axis free (a roller).
        public var displacement: [Double?]
        public var position: TextPosition
    }
    public struct Force: Sendable {
        public var group: String
        public var force: [Double]
        public var position: TextPosition
    }
    public struct IndenterGeometry: Sendable {
        public var radius: Double
        /// Centre across the surface; nil for the middle of the box.
        public var lateral: [Double]?
        /// Deepest indentation (decides which atoms can touch); nil for the largest depth the experiment sets.
        public var maximumDepth: Double?
        public var position: TextPosition
    }
    public var constraints: [Constraint] = []
    public var forces: [Force] = []
    public var indenter: IndenterGeometry?
}

extension ExperimentConfiguration {
    /// The lattice loading of the experiment (none for other kinds).
    public var loading: LoadingConfiguration { settings as? LoadingConfiguration ?? LoadingConfiguration() }
}

/// What a lattice experiment observes.
public enum LatticeQuantity: ObservedQuantity, Equatable {
    public enum AtomSelection: Sendable, Equatable {
        case group(String)
        case atoms([Int])
        /// Every atom with no prescribed displacement component in this experiment.
        case unconstrained
    }
    case displacement(atoms: AtomSelection, axes: [Int])
    case meanDisplacement(group: String, axes: [Int])
    case reactionForce(group: String, axes: [Int])
    case indenterForce

    static let names = ["displacement", "mean_displacement", "reaction_force", "indenter_force"]

    public var name: String {
        switch self {
        case .displacement: return "displacement"
        case .meanDisplacement: return "mean_displacement"
        case .reactionForce: return "reaction_force"
        case .indenterForce: return "indenter_force"
        }
    }

    public var label: String { name.replacingOccurrences(of: "_", with: " ") }

    public var axes: [Int]? {
        switch self {
        case let .displacement(_, axes), let .meanDisplacement(_, axes), let .reactionForce(_, axes): return axes
        case .indenterForce: return nil
        }
    }

    public var defaultDimensions: [String] {
        switch self {
        case .displacement: return ["atom", "component"]
        case .meanDisplacement, .reactionForce: return ["component"]
        case .indenterForce: return []
        }
    }

    public func unitKind(dimension: Int) -> UnitKind? { isForce ? .force : .length }

    public var isForce: Bool {
        switch self {
        case .reactionForce, .indenterForce: return true
        default: return false
        }
    }
}
