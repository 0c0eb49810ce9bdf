import Physics

/// A time-stepped experiment (consolidation under a load history): observables measured at observation
/// times, predicted from a sequence of equilibria and interpolated linearly in time between steps.
///
/// o(τ) = (1 − w) o(uₙ) + w o(uₙ₊₁) for tₙ ≤ τ ≤ tₙ₊₁, w = (τ − tₙ)/(tₙ₊₁ − tₙ). Residuals are
/// (o(τ) − d)/σ, ordered time by time (all components at the first time, then the next). The gradient
/// of ½‖r‖² comes from `TimeSteppedAdjoint.gradient` (one solve per step), the Jacobian from
/// `TimeSteppedAdjoint.sensitivities` (one solve per step and parameter). Without data it predicts only
/// (`predict`).
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
    /// The data and their standard deviations, time-major (empty for an experiment without data).
    public let observed: [Double]
    public let sigma: [Double]
    /// Whether the experiment has data (else it only predicts).
    public let hasData: Bool
    public let bindings: [ParameterBinding]
    /// For each observation time: (step, weight) pairs whose weighted sum interpolates it.
    private let stencils: [[(step: Int, weight: Double)]]
    private let resolved: ResolvedBindings

    /// - Parameters:
    ///   - observed, sigma: the data, time-major (every observable at the first time, then the next);
    ///     nil for an experiment that only predicts.
    public init(name: String, sequence: any EquilibriumSequence, stepTimes: [Double],
                forward: @escaping ([Double]) throws -> (states: [[Double]], iterations: Int)?,
                observationTimes: [Double], observables: ObservableSet, layout: DofLayout,
                observed: [Double]?, sigma: [Double]?, bindings: [ParameterBinding]) throws {
        let m = observationTimes.count * observables.count
        guard stepTimes.count == sequence.stepCount else {
            throw PhysicsError.sizeMismatch(what: "experiment '\(name)' step times", expected: sequence.stepCount, found: stepTimes.count)
        }
        let hasData = observed != nil || sigma != nil
        let observed = observed ?? [], sigma = sigma ?? []
        guard !hasData || (observed.count == m && sigma.count == m) else {
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
        self.hasData = hasData
        self.bindings = bindings
        self.stencils = stencils
        resolved = ResolvedBindings(bindings, experiment: name)
    }

    public var observationCount: Int { observed.count }
    public var costEstimate: Double { Double(layout.unknownCount * stepTimes.count) }
    public var parameterNames: [String] {
        bindings.compactMap { if case let .parameter(n) = $0 { return n } else { return nil } }
    }

    /// What `predict` returns: the observables at the observation times (time-major), the state of every
    /// step, and the Newton iterations spent.
    public struct Prediction: Sendable {
        public let values: [Double]
        public let states: [[Double]]
        public let iterations: Int
    }

    /// The observables at calibration parameters `theta` (ordered as `names`), with or without data; nil
    /// when the forward run failed.
    public func predict(theta: [Double], names: [String]) throws -> Prediction? {
        let modelTheta = try resolved.map(for: names).modelTheta(theta)
        guard let run = try run(modelTheta) else { return nil }
        return Prediction(values: run.predicted, states: run.states, iterations: run.iterations)
    }

    /// The observables at every step of a forward run (not only at the observation times), [step][component].
    public func valuesAtEveryStep(_ states: [[Double]], theta: [Double], names: [String]) throws -> [[Double]] {
        let modelTheta = try resolved.map(for: names).modelTheta(theta)
        return try states.map { try observables.evaluate(layout: layout, displacement: $0, parameters: modelTheta).values }
    }

    /// The forward run and the observables at the steps the observation times read, interpolated.
    private func run(_ modelTheta: [Double]) throws
        -> (states: [[Double]], iterations: Int, values: [Int: ObservableValues], predicted: [Double])? {
        guard let (states, iterations) = try forward(modelTheta), states.count == stepTimes.count else { return nil }
        let c = observables.count
        let needed = Set(stencils.flatMap { $0.map(\.step) })
        var values: [Int: ObservableValues] = [:]
        for n in needed.sorted() {
            values[n] = try observables.evaluate(layout: layout, displacement: states[n], parameters: modelTheta)
        }
        var predicted = [Double](repeating: 0, count: observationTimes.count * c)
        for (i, stencil) in stencils.enumerated() {
            for (n, w) in stencil {
                let v = values[n]!.values
                for k in 0 ..< c { predicted[i * c + k] += w * v[k] }
            }
        }
        return (states, iterations, values, predicted)
    }

    public func residuals(theta: [Double], names: [String], derivatives: Experiment.Derivatives) throws -> ExperimentResiduals? {
        guard hasData else {
            throw PhysicsError.invalidModel("experiment '\(name)' has no data to compare with; use predict(theta:names:)")
        }
        let map = try resolved.map(for: names)
        let modelTheta = map.modelTheta(theta)
        guard let (states, iterations, values, predicted) = try run(modelTheta) else { return nil }
        let c = observables.count, p = modelTheta.count
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
            // dO/dθ of each observation (model parameters), interpolated like the values.
            var dOdTheta = [Double](repeating: 0, count: observed.count * p)
            for (i, stencil) in stencils.enumerated() {
                for (n, w) in stencil {
                    let d = total[n]!
                    for k in 0 ..< c * p { dOdTheta[i * c * p + k] += w * d[k] }
                }
            }
            jacobian = map.calibrationJacobian(dOdTheta, sigma: sigma)
        }
        return ExperimentResiduals(predicted: predicted, residuals: residuals, jacobian: jacobian, gradient: gradient,
                                   innerIterations: iterations)
    }
}
