import Bilevel
import Foundation
import NetCDF
import Physics

/// One equilibrium of one experiment (one step of its sweep), built from the configuration alone:
/// the model, its loading, the parameter bindings and every observable the data file holds. What a
/// model kind's `build` returns, step by step.
public final class StepSetup {
    let experiment: Int
    let step: Int
    let model: Model
    let newton: NewtonOptions
    let initial: [Double]
    let bindings: [ParameterBinding]
    /// Number of observed components at this step (all observables, all entries).
    let componentCount: Int
    /// The observable set of the listed components (indices into the step's components).
    let makeObservables: ([Int]) throws -> ObservableSet
    /// Atom positions for field output (nil for models without a spatial field).
    let field: FieldGeometry?
    /// Why an equilibrium state is not physical (atoms pushed through each other), or nil; see `Experiment.stateCheck`.
    public var stateCheck: (([Double]) -> String?)?

    /// - Parameters:
    ///   - initial: Newton's starting point, with the prescribed dofs at their values.
    ///   - componentCount: the observed components of this step, all observables in the order of the experiment's entries.
    ///   - makeObservables: the observable set of the listed components (indices into the step's components).
    ///   - field: reference positions for VTK output, or nil.
    public init(experiment: Int, step: Int, model: Model, newton: NewtonOptions, initial: [Double], bindings: [ParameterBinding],
                componentCount: Int, makeObservables: @escaping ([Int]) throws -> ObservableSet, field: FieldGeometry?) {
        self.experiment = experiment
        self.step = step
        self.model = model
        self.newton = newton
        self.initial = initial
        self.bindings = bindings
        self.componentCount = componentCount
        self.makeObservables = makeObservables
        self.field = field
    }

    private var predictor: Experiment?

    /// Model parameters that are loads (an indentation depth): they grow with the prescribed
    /// displacements along the loading path that defines the equilibrium (docs/gradients.md).
    public var loadParameters: [String] = []

    /// The loading path that defines this step's equilibrium: the prescribed displacements and the
    /// load parameters grow together from zero.
    var loadPath: LoadPathOptions {
        LoadPathOptions(loadParameters: model.parameterNames.indices.filter { loadParameters.contains(model.parameterNames[$0]) })
    }

    /// Solves at model-independent calibration parameters θ (ordered as `names`) and returns every
    /// component's prediction and the equilibrium; nil when the equilibrium was not found.
    func predict(theta: [Double], names: [String]) throws -> Experiment.Prediction? {
        if predictor == nil {
            predictor = try Experiment(name: "prediction", model: model, newton: newton, observables: try makeObservables(Array(0 ..< componentCount)),
                                       initial: initial, bindings: bindings)
            predictor!.continuation.loadPath = loadPath
            predictor!.stateCheck = stateCheck
        }
        return try predictor!.predict(theta: theta, names: names)
    }

    /// Why the last prediction's equilibrium was rejected as unphysical, if it was.
    var lastRejection: String? { predictor?.lastRejection }
}

/// Reference positions of the points of a model (atoms, beads), for VTK output.
public struct FieldGeometry {
    let dimension: Int
    /// Flat reference coordinates, point by point.
    let reference: [Double]
    /// Each point's index as the user knows it.
    let atomIDs: [Int]

    public init(dimension: Int, reference: [Double], atomIDs: [Int]) {
        self.dimension = dimension
        self.reference = reference
        self.atomIDs = atomIDs
    }
}

/// How one observable's values are laid out in its netCDF variable.
public struct ObservableLayout {
    let configuration: ObservableConfiguration
    /// Dimension names, slowest first (the sweep dimension first when there is one).
    var dimensions: [String] { configuration.dimensions }
    /// Lengths of the dimensions.
    let shape: [Int]
    /// Values per sweep step (all of them without a sweep).
    let perStep: Int
    /// Original atom indices along the atom dimension (displacements only).
    let atoms: [Int]?
    /// The unit the data must be in, when known (configured, or derived from the model's units).
    let expectedUnits: String?
    /// Values over all steps.
    var count: Int { shape.reduce(1, *) }

    /// - Parameters:
    ///   - shape: lengths of the variable's dimensions (the sweep's first when there is one).
    ///   - perStep: values per sweep step.
    ///   - atoms: original point indices along the point dimension, or nil.
    ///   - expectedUnits: the unit the data must be in, when known (`ModelBuildContext.expectedUnits`).
    public init(configuration: ObservableConfiguration, shape: [Int], perStep: Int, atoms: [Int]?, expectedUnits: String?) {
        self.configuration = configuration
        self.shape = shape
        self.perStep = perStep
        self.atoms = atoms
        self.expectedUnits = expectedUnits
    }
}

/// One experiment of the case with its steps and observable layouts: what a model kind builds.
public final class ExperimentSetup {
    let configuration: ExperimentConfiguration
    let steps: [StepSetup]
    let layouts: [ObservableLayout]
    /// A time-stepped (poroelastic) experiment: one sequence of equilibria observed at the sweep's times.
    let series: PoroSeries?

    public convenience init(configuration: ExperimentConfiguration, steps: [StepSetup], layouts: [ObservableLayout]) {
        self.init(configuration: configuration, steps: steps, layouts: layouts, series: nil)
    }

    /// - Parameter field: the reference geometry of field output when the steps share one (so that a rank
    ///   that builds none of the steps still knows it); by default the first step's.
    init(configuration: ExperimentConfiguration, steps: [StepSetup], layouts: [ObservableLayout], series: PoroSeries?,
         field: FieldGeometry? = nil, builtStepCount: Int? = nil) {
        self.builtStepCount = builtStepCount ?? steps.count
        self.configuration = configuration
        self.steps = steps
        self.layouts = layouts
        self.series = series
        sharedField = field ?? steps.first?.field
    }

    private let sharedField: FieldGeometry?
    /// How many steps the model kind built (more than `steps` when it built other ranks' steps too).
    let builtStepCount: Int

    /// The reference geometry of the experiment's field output (nil for models without a spatial field
    /// and for time-stepped runs, whose mesh is in `series`).
    var field: FieldGeometry? { sharedField }

    /// This experiment with only the steps `keep` accepts (the ones this rank of a distributed run owns).
    func keepingSteps(_ keep: (StepSetup) -> Bool) -> ExperimentSetup {
        ExperimentSetup(configuration: configuration, steps: steps.filter(keep), layouts: layouts, series: series, field: sharedField,
                        builtStepCount: steps.count)
    }

    /// Equilibria of the experiment: its time steps, or its sweep steps (built here or not).
    var stepCount: Int { series?.consolidation.times.count ?? max(configuration.sweep?.values.count ?? 1, 1) }
    /// The sweep coordinate of each step (nil without a sweep).
    var sweepValues: [Double]? { configuration.sweep?.values }
}

/// Builds the models of every experiment of a configuration, through its model kind.
enum ModelAssembly {
    /// The experiments, or nil with the problems in `diagnostics`.
    /// With a `plan`, the kind is asked to build only this rank's steps (`ModelBuildContext.builds`), and
    /// the steps of other ranks it built anyway (a kind that does not ask) are dropped
    /// (`ExperimentSetup.builtStepCount` keeps how many the kind built).
    static func build(_ configuration: CaseConfiguration, directory: String = ".", space: ParameterSpace? = nil,
                      diagnostics: DiagnosticList, plan: WorkPlan? = nil) -> [ExperimentSetup]? {
        var builds: (@Sendable (Int, Int) -> Bool)?
        if let plan { builds = { e, k in plan.owns(experiment: e, step: k) } }
        let context = ModelBuildContext(directory: directory, space: space, diagnostics: diagnostics, builds: builds)
        var setups: [ExperimentSetup] = []
        for (index, experiment) in configuration.experiments.enumerated() {
            do {
                if let setup = try configuration.model.build(experiment, index: index, context: context) {
                    setups.append(plan.map { plan in setup.keepingSteps { plan.owns(experiment: index, step: $0.step) } } ?? setup)
                }
            } catch {
                diagnostics.error("experiment '\(experiment.name)': \(error)", at: experiment.position)
            }
        }
        return diagnostics.hasErrors ? nil : setups
    }
}

extension ExperimentConfiguration {
    /// Model parameter bindings of sweep step `step` for a model whose parameters are `names`: the
    /// swept parameter and the experiment's constants are constants, the others calibration parameters.
    public func bindings(_ names: [String], step: Int) -> [ParameterBinding] {
        names.map { name in
            if case .parameter(name)? = sweep?.target { return .constant(sweep!.values[step]) }
            if let c = constants.first(where: { $0.name == name }) { return .constant(c.value) }
            return .parameter(name)
        }
    }
}
