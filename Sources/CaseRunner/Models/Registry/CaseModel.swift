import Bilevel
import Physics

/// A kind of model that `calibrate` can run: the decoded `model` section of case.json, which builds
/// each experiment's equilibria and says what they can observe.
///
/// A new kind is one type conforming to this protocol, registered in a `ModelRegistry` handed to
/// `CalibrateTool.main(_:registry:)`; every command of the tool (run, check, forward, synth, gradcheck,
/// regress) then works for it, and nothing in CaseRunner names it. The built-in lattice, crystal and
/// poroelastic kinds are registered the same way (`ModelRegistry.standard`). docs/extending.md walks
/// through one (examples/bead-spring).
///
/// What a conforming type guarantees: `decode` and `build` report every problem they find through the
/// reader's or the context's diagnostics, in case.json's terms and at the field's position, and return
/// nil only after reporting one; `build` allocates in proportion to what the configuration asks for.
public protocol CaseModel: Sendable {
    /// `model.kind` in case.json, e.g. "lattice".
    static var kind: String { get }
    /// The fields of the `model` section besides "kind" (others are reported as unknown, with suggestions).
    static var fields: [String] { get }
    /// Decodes the `model` section; the registry gives the pair potentials and other tables.
    static func decode(_ section: ObjectReader, registry: ModelRegistry) -> Self?

    /// Units of the model's lengths and energies when stated: the units data must have are derived from them.
    var units: ModelUnits? { get }
    /// Space dimension: the axes "x", "y"(, "z") of vector observables.
    var dimension: Int { get }

    /// Names accepted in an observable's "quantity".
    var quantityNames: [String] { get }
    /// Fields of an observable entry besides the common ones (`ObservableConfiguration.commonFields`).
    var observableFields: [String] { get }
    /// Decodes the quantity `name` (one of `quantityNames`) of an observable entry of `experiment`.
    func decodeQuantity(_ name: String, _ entry: ObjectReader, experiment: ExperimentConfiguration) -> (any ObservedQuantity)?

    /// Fields of an experiment besides the common ones (name, data, constants, sweep, observables).
    var experimentFields: [String] { get }
    /// Reads the kind's own fields of one experiment into `experiment.settings` (and may set its sweep);
    /// called after the common fields and before the observables.
    func decodeExperiment(_ entry: ObjectReader, into experiment: inout ExperimentConfiguration)

    /// The model parameters of one experiment, to check that each has a value; nil when they are known
    /// only once the model is built (the kind checks them in `build`).
    func parameterNames(experiment: ExperimentConfiguration) -> [String]?

    /// Completes the experiments with what needs files (a poroelastic experiment's observation times
    /// from its data), before anything is built.
    func prepare(_ experiments: inout [ExperimentConfiguration], context: ModelBuildContext)

    /// Builds one experiment: its equilibria and the layout of each observable in the data; nil after
    /// reporting why in `context.diagnostics`.
    func build(_ experiment: ExperimentConfiguration, index: Int, context: ModelBuildContext) throws -> ExperimentSetup?

    /// One line on the model for report.md (the built experiments give sizes).
    func summary(of setups: [ExperimentSetup]) -> String

    /// Files the model reads besides case.json and the data (a mesh), relative to the case folder.
    var inputFiles: [String] { get }
}

extension CaseModel {
    public var observableFields: [String] { [] }
    public var experimentFields: [String] { [] }
    public func decodeExperiment(_ entry: ObjectReader, into experiment: inout ExperimentConfiguration) {}
    public func prepare(_ experiments: inout [ExperimentConfiguration], context: ModelBuildContext) {}
    public func summary(of setups: [ExperimentSetup]) -> String { "\(Self.kind) model" }
    public var inputFiles: [String] { [] }
    /// `model.kind` of this value.
    public var kind: String { Self.kind }
}

/// What an observable measures, as decoded from its entry in case.json by its model kind.
///
/// Guarantees: `name` is the entry's "quantity"; `defaultDimensions` are the data's dimensions per
/// step, slowest first (the sweep or time dimension is put in front by the decoder).
public protocol ObservedQuantity: Sendable {
    /// As written in "quantity".
    var name: String { get }
    /// Words for reports and long names: "reaction force".
    var label: String { get }
    /// The axes of a vector quantity (a component dimension in the data); nil for a scalar.
    var axes: [Int]? { get }
    /// Dimensions of the data per step, slowest first: ["atom", "component"], or [] for one value.
    var defaultDimensions: [String] { get }
    /// The kind of unit, from which the data's unit is derived in the model's units; nil when not derived.
    func unitKind(dimension: Int) -> UnitKind?
    /// Whether it is a force (a force datum fixes the energy scale of a potential).
    var isForce: Bool { get }
}

extension ObservedQuantity {
    public var axes: [Int]? { nil }
    public var defaultDimensions: [String] { [] }
    public func unitKind(dimension: Int) -> UnitKind? { nil }
    public var isForce: Bool { false }
}

/// What a model kind gets while it builds an experiment: the case folder, the calibration parameters
/// when known, and where problems go.
public struct ModelBuildContext {
    /// The case folder: files named in case.json are relative to it.
    public let directory: String
    /// The calibration parameters (nil while only the configuration is checked).
    public let space: ParameterSpace?
    public let diagnostics: DiagnosticList
    /// The configuration file, for messages located in it.
    public let configurationFile: String?

    /// Which steps this process builds (a rank of a distributed run builds only its own); nil: all.
    private let ownedSteps: (@Sendable (_ experiment: Int, _ step: Int) -> Bool)?

    public init(directory: String, space: ParameterSpace?, diagnostics: DiagnosticList, configurationFile: String? = nil) {
        self.init(directory: directory, space: space, diagnostics: diagnostics, configurationFile: configurationFile, builds: nil)
    }

    init(directory: String, space: ParameterSpace?, diagnostics: DiagnosticList, configurationFile: String? = nil,
         builds: (@Sendable (Int, Int) -> Bool)?) {
        self.directory = directory
        self.space = space
        self.diagnostics = diagnostics
        self.configurationFile = configurationFile
        ownedSteps = builds
    }

    /// Whether `build` should build the model of sweep step `step` of experiment `experiment` (its index):
    /// in a distributed run each rank builds only its own steps; a step not built is left out of the
    /// returned `ExperimentSetup.steps` (the layouts are still needed: every rank reads all the data).
    /// A kind that builds every step anyway still works: the other ranks' steps are dropped.
    public func builds(experiment: Int, step: Int) -> Bool { ownedSteps?(experiment, step) ?? true }

    /// `relative` (a path written in case.json) inside the case folder.
    public func path(_ relative: String) -> String { CaseLocation.join(directory, relative) }

    /// The unit data of `observable` must have: configured, else derived from the model's `units`; an
    /// error when the configured unit does not fit the model's.
    public func expectedUnits(_ observable: ObservableConfiguration, units: ModelUnits?, dimension: Int) -> String? {
        guard let units, let kind = observable.quantity.unitKind(dimension: dimension) else { return observable.units }
        let derived = UnitCheck.derived(kind, length: units.length, energy: units.energy)
        if let given = observable.units, let message = UnitCheck.mismatchMessage(expected: derived, found: given,
                                                                                comparison: UnitCheck.compare(expected: derived, found: given)) {
            diagnostics.error("the units of observable '\(observable.variable)' in the configuration do not fit the model: "
                              + message.replacingOccurrences(of: "its units are", with: "they are")
                              + " (the model's units are \(units.length) and \(units.energy))", at: observable.position)
        }
        return observable.units ?? derived
    }
}

/// Capabilities the built-in kinds add (they need CaseRunner's internal types): a size estimate before
/// anything is built, and identifiability explanations for the report.
protocol BuiltInModel: CaseModel {
    /// The case's size from the configuration alone; nil when small or unknown before building.
    func estimatedSize() -> CaseSize?
    /// Why the data cannot determine a combination of parameters, in the model's terms; nil when not known.
    func explanation(for combination: ParameterCombination, _ summary: RunSummary) -> String?
}

extension BuiltInModel {
    func estimatedSize() -> CaseSize? { nil }
    func explanation(for combination: ParameterCombination, _ summary: RunSummary) -> String? { nil }
}
