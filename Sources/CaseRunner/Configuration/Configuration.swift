import Bilevel
import Physics

/// A decoded, validated case configuration (`case.json`, schema version 1). Field by field in
/// docs/configuration.md. Positions are kept so that later checks (against the data) can point at
/// the line of the configuration concerned.
public struct CaseConfiguration: Sendable {
    public static let schemaVersion = 1
    public static let fileName = "case.json"

    public var title: String
    public var description: String?
    public var model: ModelConfiguration
    public var parameters: [ParameterConfiguration]
    public var experiments: [ExperimentConfiguration]
    public var optimizer: OptimizerConfiguration
    public var uncertainty: UncertaintyOptions
    public var output: OutputConfiguration
}

/// The physical model of a case. New kinds (a "poroelastic" mesh model) are added as a case here,
/// a decoder in `ConfigurationDecoder+Model.swift` and a builder in `ModelAssembly.swift`.
public enum ModelConfiguration: Sendable {
    case lattice(LatticeConfiguration)
    case crystal(CrystalConfiguration)
    case poroelastic(PoroelasticConfiguration)

    /// The names accepted for `model.kind`.
    static let kinds = ["lattice", "crystal", "poroelastic"]
    /// Kinds announced but not available in this version, with a note for the message.
    static let plannedKinds: [String: String] = [:]

    var units: ModelUnits? {
        switch self {
        case let .lattice(l): return l.units
        case let .crystal(c): return c.units
        case .poroelastic: return ModelUnits(length: "m", energy: "J")
        }
    }
}

/// Pair potentials a model can use.
public enum PotentialName: String, Sendable, CaseIterable {
    case morse
    case lennardJones = "lennard-jones"
    case harmonic

    /// The potential's parameters in its own order.
    var parameterNames: [String] {
        switch self {
        case .morse: return Morse.parameterNames
        case .lennardJones: return LennardJones.parameterNames
        case .harmonic: return HarmonicSpring.parameterNames
        }
    }

    /// The parameter that scales the whole energy (φ → cφ).
    var energyScale: String {
        switch self {
        case .morse: return "D"
        case .lennardJones: return "epsilon"
        case .harmonic: return "k"
        }
    }
}

/// The units a model's numbers are in, when stated; observables' units are derived from them.
public struct ModelUnits: Sendable, Equatable {
    public var length: String
    public var energy: String
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

/// `model` with `"kind": "lattice"`.
public struct LatticeConfiguration: Sendable {
    public var lattice: LatticeKind
    public var cells: [Int]
    public var latticeConstant: Double
    public var periodic: [Bool]
    public var potential: PotentialName
    public var cutoffInner: Double
    public var cutoffOuter: Double
    public var skin: Double
    public var groups: [GroupDefinition]
    public var units: ModelUnits?
    public var newton: NewtonOptions
    /// Atoms closer than this fraction of the nearest-neighbour distance make a state unphysical.
    public var minimumSeparation: Double = 0.5
}

/// `model` with `"kind": "crystal"`: a perfect crystal relaxed to zero pressure.
public struct CrystalConfiguration: Sendable {
    public var lattice: LatticeKind
    public var potential: PotentialName
    public var cutoffInner: Double
    public var cutoffOuter: Double
    public var initialLatticeConstant: Double
    public var units: ModelUnits?
    public var newton: NewtonOptions
}

/// One entry of `parameters`.
public struct ParameterConfiguration: Sendable {
    public var parameter: Parameter
    public var units: String?
    public var description: String?
    public var position: TextPosition
}

/// One entry of `experiments`.
public struct ExperimentConfiguration: Sendable {
    public var name: String
    /// Path of the netCDF data file, relative to the case folder.
    public var data: String
    public var dataPosition: TextPosition
    public var loading: LoadingConfiguration
    /// Model parameters held at a constant in this experiment (a load, such as an indentation depth).
    public var constants: [(name: String, value: Double, position: TextPosition)]
    public var sweep: SweepConfiguration?
    public var observables: [ObservableConfiguration]
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

/// A series of equilibria of one experiment along one dimension of its data (indentation depths,
/// load steps): step k sets `target` to `values[k]`.
public struct SweepConfiguration: Sendable {
    public enum Target: Sendable, Equatable {
        /// A model parameter set to the value (e.g. "indenter_depth").
        case parameter(String)
        /// Prescribed displacements and forces of the loading are multiplied by the value.
        case loadFactor
        /// Observation times of a time-stepped (poroelastic) experiment.
        case time
    }
    public var dimension: String
    public var target: Target
    public var values: [Double]
    public var units: String?
    public var position: TextPosition
}

/// What is measured.
public enum Quantity: Sendable, Equatable {
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
    case crystal(CrystalProperty<Morse>.Kind)
    /// A sensor of a poroelastic model (pressure or displacement component at a point, settlement).
    case poro(PoroQuantity)

    static let names = ["displacement", "mean_displacement", "reaction_force", "indenter_force"]
        + CrystalProperty<Morse>.Kind.allCases.map(\.rawValue) + PoroQuantity.names

    /// The kind of unit the quantity has in a model of `dimension` (2 or 3) space dimensions.
    func unitKind(dimension: Int) -> UnitKind {
        switch self {
        case .displacement, .meanDisplacement: return .length
        case .reactionForce, .indenterForce: return .force
        case let .crystal(kind):
            switch kind {
            case .latticeConstant: return .length
            case .cohesiveEnergy: return .energy
            case .bulkModulus, .c11, .c12, .c44: return .stress(dimension: dimension)
            }
        case let .poro(q): return q.isPressure ? .stress(dimension: 3) : .length
        }
    }

    /// Whether the quantity has one value per axis (a component dimension in the data).
    var axes: [Int]? {
        switch self {
        case let .displacement(_, axes), let .meanDisplacement(_, axes), let .reactionForce(_, axes): return axes
        default: return nil
        }
    }

    /// Words for reports and long names: "displacement", "reaction force", "bulk modulus".
    var label: String {
        switch self {
        case .displacement: return "displacement"
        case .meanDisplacement: return "mean displacement"
        case .reactionForce: return "reaction force"
        case .indenterForce: return "indenter force"
        case let .crystal(kind): return kind.rawValue.replacingOccurrences(of: "_", with: " ")
        case let .poro(q): return q.label
        }
    }

    /// A sensor of a poroelastic model (observed along time, not along a sweep).
    var isPoro: Bool {
        if case .poro = self { return true }
        return false
    }

    var isForce: Bool {
        switch self {
        case .reactionForce, .indenterForce: return true
        default: return false
        }
    }
}

/// How the standard deviations of an observable are given.
public enum SigmaConfiguration: Sendable, Equatable {
    /// The same σ for every value, in the observable's units.
    case absolute(Double)
    /// σᵢ = fraction × |observedᵢ|, or fraction × max |observed| of the variable (`ofMaximum`).
    case relative(Double, ofMaximum: Bool)
    /// σ read from a variable of the data file with the same dimensions.
    case variable(String)
}

/// One entry of an experiment's `observables`: a quantity and the netCDF variable holding its data.
public struct ObservableConfiguration: Sendable {
    public var quantity: Quantity
    public var variable: String
    /// The variable's dimensions, slowest first; defaults are documented per quantity.
    public var dimensions: [String]
    public var units: String?
    public var sigma: SigmaConfiguration
    public var position: TextPosition
}

/// `optimizer`.
public struct OptimizerConfiguration: Sendable, Equatable {
    public enum Method: String, Sendable, CaseIterable {
        case levenbergMarquardt = "levenberg-marquardt"
        case lbfgs
    }
    public var method: Method = .levenbergMarquardt
    public var levenbergMarquardt = LevenbergMarquardtOptions()
    public var lbfgs = LBFGSOptions()
    /// Optimizer runs: from the initial values, then from Latin-hypercube points within the bounds. Default 1.
    public var starts = 1
    /// Continue each evaluation from the nearest equilibrium computed (`Experiment.continuation`). Default false.
    public var continuation = false
    /// Workers evaluating experiments in one process (threads); `--jobs` overrides it. Default 1.
    public var jobs = 1

    /// Accepted spellings on the command line and in the file.
    static func method(named name: String) -> Method? {
        switch name.lowercased() {
        case "levenberg-marquardt", "lm", "levenberg_marquardt": return .levenbergMarquardt
        case "lbfgs", "l-bfgs", "l-bfgs-b", "lbfgsb": return .lbfgs
        default: return nil
        }
    }
}

/// `output`: which optional outputs to write.
public struct OutputConfiguration: Sendable, Equatable {
    public var plots = true
    public var fields = true
}

/// What a poroelastic sensor measures.
public enum PoroQuantity: Sendable, Equatable {
    case pressure(point: [Double])
    case pointDisplacement(point: [Double], axis: Int)
    case settlement(boundary: String)

    static let names = ["pressure", "point_displacement", "settlement"]

    var isPressure: Bool { if case .pressure = self { return true } else { return false } }

    var label: String {
        switch self {
        case .pressure: return "pore pressure"
        case let .pointDisplacement(_, axis): return "displacement \(["x", "y"][axis])"
        case .settlement: return "settlement"
        }
    }

    /// The model's unit of the quantity (the poroelastic model works in Pa, m and s).
    var unit: String { isPressure ? "Pa" : "m" }

    func sensor(name: String) -> PoroSensor {
        switch self {
        case let .pressure(p): return .pressure(name: name, at: SIMD2(p[0], p[1]))
        case let .pointDisplacement(p, axis): return .displacement(name: name, at: SIMD2(p[0], p[1]), component: axis)
        case let .settlement(b): return .settlement(name: name, boundary: b)
        }
    }
}

/// `model` with `"kind": "poroelastic"`: a Taylor–Hood plane-strain Biot model on a triangle mesh, in
/// Pa, m and s, stepped in time (docs/poroelasticity.md).
public struct PoroelasticConfiguration: Sendable {
    public enum Mesh: Sendable {
        case rectangle(width: Double, height: Double, columns: Int, rows: Int, gradingX: Double, gradingY: Double)
        /// A Gmsh MSH 4.1 file, relative to the case folder.
        case gmsh(String)
    }
    public struct Condition: Sendable {
        public var condition: PoroBoundaryCondition
        public var position: TextPosition
    }
    public var mesh: Mesh
    public var meshPosition: TextPosition
    /// Region name → permeability law (regions not listed: constant permeability).
    public var permeabilityLaws: [String: PermeabilityLaw]
    public var conditions: [Condition]
    /// t₀ (the undrained response), t₁, …, t_N.
    public var times: [Double]
    public var newton: NewtonOptions?
}
