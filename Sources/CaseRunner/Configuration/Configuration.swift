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
    /// The decoded `model` section, of whichever registered kind (`CaseModel`).
    public var model: any CaseModel
    public var parameters: [ParameterConfiguration]
    public var experiments: [ExperimentConfiguration]
    public var optimizer: OptimizerConfiguration
    public var uncertainty: UncertaintyOptions
    public var output: OutputConfiguration
}

/// The units a model's numbers are in, when stated; observables' units are derived from them.
public struct ModelUnits: Sendable, Equatable {
    public var length: String
    public var energy: String

    public init(length: String, energy: String) {
        self.length = length
        self.energy = energy
    }
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
    /// What the model kind reads from the experiment besides the common fields (a lattice's loading).
    public var settings: (any Sendable)?
    /// Model parameters held at a constant in this experiment (a load, such as an indentation depth).
    public var constants: [(name: String, value: Double, position: TextPosition)]
    public var sweep: SweepConfiguration?
    public var observables: [ObservableConfiguration]
    public var position: TextPosition
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
    /// Fields every observable entry has; a model kind adds its own (`CaseModel.observableFields`).
    public static let commonFields = ["quantity", "variable", "dimensions", "units", "sigma"]
    public var quantity: any ObservedQuantity
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

