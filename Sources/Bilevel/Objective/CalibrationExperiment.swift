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

/// Maps model parameters to calibration parameters: the model's θ for given calibration values, and
/// which calibration column each model parameter feeds.
struct BindingMap {
    let modelTheta: [Double]
    let columnOf: [Int?]

    init(_ bindings: [ParameterBinding], theta: [Double], names: [String], experiment: String) throws {
        var columns = [Int?](repeating: nil, count: bindings.count)
        var values = [Double](repeating: 0, count: bindings.count)
        for (p, binding) in bindings.enumerated() {
            switch binding {
            case let .constant(v): values[p] = v
            case let .parameter(n):
                guard let k = names.firstIndex(of: n) else {
                    throw PhysicsError.invalidModel("experiment '\(experiment)' needs parameter '\(n)', which is not among \(names)")
                }
                columns[p] = k
                values[p] = theta[k]
            }
        }
        modelTheta = values
        columnOf = columns
    }

    /// A model-parameter gradient scattered onto the calibration parameters.
    func calibrationGradient(_ model: [Double], count: Int) -> [Double] {
        var g = [Double](repeating: 0, count: count)
        for (p, k) in columnOf.enumerated() { if let k { g[k] += model[p] } }
        return g
    }
}
