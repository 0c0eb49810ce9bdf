import Physics

/// A time-stepped experiment (consolidation under a load history): observables measured at observation
/// times, predicted from a sequence of equilibria and interpolated linearly in time between steps.
///
/// o(τ) = (1 − w) o(uₙ) + w o(uₙ₊₁) for tₙ ≤ τ ≤ tₙ₊₁, w = (τ − tₙ)/(tₙ₊₁ − tₙ). Residuals are
/// (o(τ) − d)/σ, ordered time by time (all components at the first time, then the next). The gradient
/// of ½‖r‖² comes from `TimeSteppedAdjoint.gradient` (one solve per step), the Jacobian from
/// `TimeSteppedAdjoint.sensitivities` (one solve per step and parameter).
public final class TimeSeriesExperiment: CalibrationExperiment {
    public let name: String
    public let sequence: any EquilibriumSequence
    /// Runs the forward sequence at model parameters θ: the converged states (one per step) and the
    /// Newton iterations spent, or nil when a step failed.
    public let forward: ([Double]) throws -> (states: [[Double]], iterations: Int)?
    public let stepTimes: [Double]
    public let observationTimes: [Double]
    public let observables: ObservableSet
    public let layout: DofLayout
    public let observed: [Double]
    public let sigma: [Double]
    public let bindings: [ParameterBinding]
    /// For each observation time: (step, weight) pairs whose weighted sum interpolates it.
    private let stencils: [[(step: Int, weight: Double)]]

    public init(name: String, sequence: any EquilibriumSequence, stepTimes: [Double],
                forward: @escaping ([Double]) throws -> (states: [[Double]], iterations: Int)?,
                observationTimes: [Double], observables: ObservableSet, layout: DofLayout,
                observed: [Double], sigma: [Double], bindings: [ParameterBinding]) throws {
        let m = observationTimes.count * observables.count
        guard stepTimes.count == sequence.stepCount else {
            throw PhysicsError.sizeMismatch(what: "experiment '\(name)' step times", expected: sequence.stepCount, found: stepTimes.count)
        }
        guard observed.count == m, sigma.count == m else {
            throw PhysicsError.sizeMismatch(what: "experiment '\(name)' data (times × observables)", expected: m,
                                            found: observed.count == m ? sigma.count : observed.count)
        }
        if let k = observed.firstIndex(where: { !$0.isFinite }) {
            throw PhysicsError.invalidModel("experiment '\(name)': observation \(k) is not finite")
        }
        if let k = sigma.firstIndex(where: { !($0 > 0 && $0.isFinite) }) {
            throw PhysicsError.invalidModel("experiment '\(name)': standard deviation \(k) is \(sigma[k]); it must be a positive number")
        }
        var stencils: [[(Int, Double)]] = []
        for tau in observationTimes {
            guard let first = stepTimes.first, let last = stepTimes.last, tau >= first, tau <= last else {
                throw PhysicsError.invalidModel("experiment '\(name)': observation time \(tau) lies outside the simulated times \(stepTimes.first ?? 0)…\(stepTimes.last ?? 0); extend the time stepping")
            }
            let n = stepTimes.lastIndex { $0 <= tau }!
            if n == stepTimes.count - 1 || stepTimes[n] == tau {
                stencils.append([(n, 1)])
            } else {
                let w = (tau - stepTimes[n]) / (stepTimes[n + 1] - stepTimes[n])
                stencils.append([(n, 1 - w), (n + 1, w)])
            }
        }
        self.name = name
        self.sequence = sequence
        self.forward = forward
        self.stepTimes = stepTimes
        self.observationTimes = observationTimes
        self.observables = observables
        self.layout = layout
        self.observed = observed
        self.sigma = sigma
        self.bindings = bindings
        self.stencils = stencils
    }

    public var observationCount: Int { observed.count }
    public var costEstimate: Double { Double(layout.unknownCount * stepTimes.count) }
    public var parameterNames: [String] {
        bindings.compactMap { if case let .parameter(n) = $0 { return n } else { return nil } }
    }

    public func residuals(theta: [Double], names: [String], derivatives: Experiment.Derivatives) throws -> ExperimentResiduals? {
        let map = try BindingMap(bindings, theta: theta, names: names, experiment: name)
        let modelTheta = map.modelTheta
        guard let (states, iterations) = try forward(modelTheta), states.count == stepTimes.count else { return nil }
        let c = observables.count, p = modelTheta.count
        let needed = Set(stencils.flatMap { $0.map(\.step) })
        var values: [Int: ObservableValues] = [:]
        for n in needed.sorted() {
            values[n] = try observables.evaluate(layout: layout, displacement: states[n], parameters: modelTheta)
        }
        var predicted = [Double](repeating: 0, count: observed.count)
        for (i, stencil) in stencils.enumerated() {
            for (n, w) in stencil { for k in 0 ..< c { predicted[i * c + k] += w * values[n]!.values[k] } }
        }
        let residuals = predicted.indices.map { (predicted[$0] - observed[$0]) / sigma[$0] }
        var jacobian: [[Double]]?, gradient: [Double]?
        switch derivatives {
        case .none:
            break
        case .gradient:
            // ∂L/∂uₙ and ∂L/∂θ from every observation that reads step n.
            var weights: [Int: [Double]] = [:]
            for (i, stencil) in stencils.enumerated() {
                for (n, w) in stencil {
                    var row = weights[n] ?? [Double](repeating: 0, count: c)
                    for k in 0 ..< c { row[k] += w * residuals[i * c + k] / sigma[i * c + k] }
                    weights[n] = row
                }
            }
            let model = try TimeSteppedAdjoint.gradient(sequence, states: states, parameters: modelTheta) { n, _ in
                guard let v = values[n], let w = weights[n] else {
                    return .init(dLdu: [Double](repeating: 0, count: self.layout.unknownCount), dLdtheta: [Double](repeating: 0, count: p))
                }
                return .init(dLdu: self.layout.gather(v.weightedDofGradient(weights: w, dofCount: self.layout.dofCount)),
                             dLdtheta: v.weightedParameterGradient(weights: w))
            }
            gradient = map.calibrationGradient(model, count: names.count)
        case .jacobian:
            let s = try TimeSteppedAdjoint.sensitivities(sequence, states: states, parameters: modelTheta)
            let dofs = layout.dofCount
            var total: [Int: [Double]] = [:]   // step → dO/dθ (components × model parameters)
            for (n, v) in values {
                var d = v.parameterDerivatives
                for entry in v.dofDerivatives {
                    for q in 0 ..< p { d[Int(entry.component) * p + q] += entry.value * s[n][q * dofs + Int(entry.dof)] }
                }
                total[n] = d
            }
            var rows = [[Double]](repeating: [Double](repeating: 0, count: names.count), count: observed.count)
            for (i, stencil) in stencils.enumerated() {
                for (n, w) in stencil {
                    for k in 0 ..< c {
                        for (q, column) in map.columnOf.enumerated() {
                            if let column { rows[i * c + k][column] += w * total[n]![k * p + q] / sigma[i * c + k] }
                        }
                    }
                }
            }
            jacobian = rows
        }
        return ExperimentResiduals(predicted: predicted, residuals: residuals, jacobian: jacobian, gradient: gradient,
                                   innerIterations: iterations)
    }
}
