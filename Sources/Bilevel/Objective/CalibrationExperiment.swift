import Physics

/// What the outer problem needs from one experiment, static or time-stepped: weighted residuals at the
/// calibration parameters θ and, on request, their Jacobian or the gradient of ½‖r‖².
public protocol CalibrationExperiment: AnyObject {
    var name: String { get }
    /// Number of residuals.
    var observationCount: Int { get }
    /// Names of the calibration parameters this experiment reads.
    var parameterNames: [String] { get }
    /// nil when an inner solve failed at θ (the outer optimizer rejects the step); throws for invalid input.
    func residuals(theta: [Double], names: [String], derivatives: Experiment.Derivatives) throws -> ExperimentResiduals?
    /// The relative cost of one evaluation (unknowns × equilibria), for balancing experiments over workers.
    var costEstimate: Double { get }
}

extension CalibrationExperiment {
    public var costEstimate: Double { Double(observationCount) }
}

/// Residuals of one experiment at one θ, with the derivatives requested.
public struct ExperimentResiduals: Sendable {
    public let predicted: [Double]
    /// (predicted − observed)/σ.
    public let residuals: [Double]
    /// ∂r/∂θ, rows by residual, columns by calibration parameter (all of them, in `names` order).
    public let jacobian: [[Double]]?
    /// ∇θ ½‖r‖² over all calibration parameters.
    public let gradient: [Double]?
    /// Newton iterations spent.
    public let innerIterations: Int

    public init(predicted: [Double], residuals: [Double], jacobian: [[Double]]?, gradient: [Double]?, innerIterations: Int) {
        self.predicted = predicted
        self.residuals = residuals
        self.jacobian = jacobian
        self.gradient = gradient
        self.innerIterations = innerIterations
    }
}

extension Experiment: CalibrationExperiment {
    public var observationCount: Int { observables.count }
    public var costEstimate: Double { Double(solver.model.layout.unknownCount) }

    public func residuals(theta: [Double], names: [String], derivatives: Derivatives) throws -> ExperimentResiduals? {
        guard let e = try evaluate(theta: theta, names: names, derivatives: derivatives) else { return nil }
        return ExperimentResiduals(predicted: e.predicted, residuals: e.residuals, jacobian: e.jacobian,
                                   gradient: e.gradient, innerIterations: e.equilibrium.iterations)
    }
}

/// Maps model parameters to calibration parameters, resolved from names to indices: the model's θ
/// for given calibration values, and which calibration column each model parameter feeds. The one
/// chain rule of every experiment kind: model-parameter gradients and Jacobians scattered onto the
/// calibration parameters.
struct BindingMap {
    /// The calibration parameter names this map was resolved against.
    let names: [String]
    /// For each model parameter, its calibration column (nil for a constant).
    let columnOf: [Int?]
    /// For each model parameter, its constant value (unused where `columnOf` is set).
    private let constants: [Double]

    init(_ bindings: [ParameterBinding], names: [String], experiment: String) throws {
        var columns = [Int?](repeating: nil, count: bindings.count)
        var constants = [Double](repeating: 0, count: bindings.count)
        for (p, binding) in bindings.enumerated() {
            switch binding {
            case let .constant(v): constants[p] = v
            case let .parameter(n):
                guard let k = names.firstIndex(of: n) else {
                    throw PhysicsError.invalidModel("experiment '\(experiment)' needs parameter '\(n)', which is not among \(names)")
                }
                columns[p] = k
            }
        }
        self.names = names
        columnOf = columns
        self.constants = constants
    }

    /// The model's parameters at calibration values `theta` (ordered as `names`).
    func modelTheta(_ theta: [Double]) -> [Double] {
        columnOf.indices.map { p in columnOf[p].map { theta[$0] } ?? constants[p] }
    }

    /// A model-parameter gradient scattered onto the calibration parameters.
    func calibrationGradient(_ model: [Double], count: Int) -> [Double] {
        var g = [Double](repeating: 0, count: count)
        for (p, k) in columnOf.enumerated() { if let k { g[k] += model[p] } }
        return g
    }

    /// Jacobian rows of the weighted residuals (dO/dθ_model, m × p row-major, divided by σ), mapped onto
    /// the calibration parameters.
    func calibrationJacobian(_ dOdTheta: [Double], sigma: [Double]) -> [[Double]] {
        let p = columnOf.count
        var rows = [[Double]](repeating: [Double](repeating: 0, count: names.count), count: sigma.count)
        for c in sigma.indices {
            for (q, k) in columnOf.enumerated() { if let k { rows[c][k] += dOdTheta[c * p + q] / sigma[c] } }
        }
        return rows
    }
}

/// The bindings of one experiment resolved once for the calibration names it is evaluated with (the
/// same names at every evaluation of a calibration), not at every evaluation.
final class ResolvedBindings {
    let bindings: [ParameterBinding]
    let experiment: String
    private var map: BindingMap?

    init(_ bindings: [ParameterBinding], experiment: String) {
        self.bindings = bindings
        self.experiment = experiment
    }

    func map(for names: [String]) throws -> BindingMap {
        if let map, map.names == names { return map }
        let m = try BindingMap(bindings, names: names, experiment: experiment)
        map = m
        return m
    }
}
