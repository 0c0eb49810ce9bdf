import Foundation
import Physics
import Sparse

/// How a model parameter gets its value in an experiment: from a named calibration parameter (shared
/// by every experiment that names it) or as a constant of this experiment (a load, such as an
/// indentation depth).
public enum ParameterBinding: Sendable, Equatable {
    case parameter(String)
    case constant(Double)
}

/// One experiment: a model under one loading, the observables it predicts, and the data (with standard
/// deviations) they should reproduce. Without data (`init(name:model:newton:observables:initial:bindings:)`)
/// it predicts only (`predict`).
///
/// Given the calibration parameters θ, `evaluate` solves the equilibrium and returns the weighted
/// residuals rₖ = (oₖ(u*, θ) − dₖ)/σₖ and, on request, their exact Jacobian (forward sensitivities,
/// one solve per parameter with the Newton factor) or the exact gradient of ½‖r‖² (adjoint, one solve).
/// The equilibrium meant is the one on the loading path from the reference state
/// (`Equilibrium.solveAlongLoadPath`), so u*(θ) is a function of θ, continuous along a stable branch.
/// Solves are continued from the nearest equilibrium already computed (see `ContinuationOptions`);
/// an evaluation whose equilibrium is not the continuation of that one (a branch jump) or whose branch
/// turns unstable is rejected like a failed solve, and logged in `events`. The result is a deterministic
/// function of the sequence of evaluations; `anchors` can be saved and restored to resume one exactly.
public final class Experiment {
    public let name: String
    public let solver: Equilibrium
    public let observables: ObservableSet
    /// The data and their standard deviations (empty for an experiment without data).
    public let observed: [Double]
    public let sigma: [Double]
    /// Whether the experiment has data (else it only predicts).
    public let hasData: Bool
    /// Full displacement to start from: prescribed dofs at their imposed values.
    public let initial: [Double]
    /// One binding per model parameter.
    public let bindings: [ParameterBinding]
    /// How equilibria are continued from earlier ones (validated by `evaluate`).
    public var continuation = ContinuationOptions()
    /// How this experiment's equilibria were found so far.
    public private(set) var statistics = ContinuationStatistics()
    /// Rejected evaluations and their reasons (branch jumps, instabilities), oldest first; at most 100 kept.
    public private(set) var events: [String] = []
    private var cache = ContinuationCache()
    /// Physical admissibility of a converged state (for example no atoms pushed through each other):
    /// returns why the state is not a state of the material, or nil. An inadmissible equilibrium is
    /// a failed evaluation (nil), its reason kept in `lastRejection`.
    public var stateCheck: (([Double]) -> String?)?
    /// Why the last evaluation's equilibrium was rejected (inadmissible state, branch jump, unstable
    /// branch); nil when it was not.
    public private(set) var lastRejection: String?

    /// The equilibria kept for continuation, most recent first: save them with a checkpoint and restore
    /// them to resume a run bit for bit.
    public var anchors: [ContinuationAnchor] {
        get { cache.anchors }
        set { cache.anchors = newValue }
    }

    private let resolved: ResolvedBindings

    public convenience init(name: String, model: Model, newton: NewtonOptions = NewtonOptions(), observables: ObservableSet,
                            observed: [Double], sigma: [Double], initial: [Double], bindings: [ParameterBinding]) throws {
        try self.init(name: name, model: model, newton: newton, observables: observables, data: (observed, sigma),
                      initial: initial, bindings: bindings)
    }

    /// An experiment without data, for predictions (`predict`).
    public convenience init(name: String, model: Model, newton: NewtonOptions = NewtonOptions(), observables: ObservableSet,
                            initial: [Double], bindings: [ParameterBinding]) throws {
        try self.init(name: name, model: model, newton: newton, observables: observables, data: nil, initial: initial, bindings: bindings)
    }

    private init(name: String, model: Model, newton: NewtonOptions, observables: ObservableSet,
                 data: (observed: [Double], sigma: [Double])?, initial: [Double], bindings: [ParameterBinding]) throws {
        if let (observed, sigma) = data {
            guard observed.count == observables.count, sigma.count == observables.count else {
                throw PhysicsError.sizeMismatch(what: "experiment '\(name)' data", expected: observables.count,
                                                found: observed.count == observables.count ? sigma.count : observed.count)
            }
            if let k = observed.firstIndex(where: { !$0.isFinite }) {
                throw PhysicsError.invalidModel("experiment '\(name)': observation \(observables.componentNames[k]) is not finite")
            }
            if let k = sigma.firstIndex(where: { !($0 > 0 && $0.isFinite) }) {
                throw PhysicsError.invalidModel("experiment '\(name)': the standard deviation of \(observables.componentNames[k]) is \(sigma[k]); it must be a positive number")
            }
        }
        guard bindings.count == model.parameterCount else {
            throw PhysicsError.sizeMismatch(what: "experiment '\(name)' parameter bindings", expected: model.parameterCount, found: bindings.count)
        }
        guard initial.count == model.layout.dofCount else {
            throw PhysicsError.sizeMismatch(what: "experiment '\(name)' initial state", expected: model.layout.dofCount, found: initial.count)
        }
        self.name = name
        solver = try Equilibrium(model: model, options: newton)
        self.observables = observables
        self.observed = data?.observed ?? []
        self.sigma = data?.sigma ?? []
        hasData = data != nil
        self.initial = initial
        self.bindings = bindings
        resolved = ResolvedBindings(bindings, experiment: name)
    }

    /// Names of the calibration parameters this experiment reads.
    public var parameterNames: [String] {
        bindings.compactMap { if case let .parameter(n) = $0 { return n } else { return nil } }
    }

    /// What `evaluate` computes besides residuals.
    public enum Derivatives: Sendable { case none, jacobian, gradient }

    /// The result of one evaluation.
    public struct Evaluation: Sendable {
        public let predicted: [Double]
        /// (predicted − observed)/σ.
        public let residuals: [Double]
        /// ∂r/∂θ, rows by residual, columns by calibration parameter (all of them, in `names` order).
        public let jacobian: [[Double]]?
        /// ∇θ ½‖r‖² over all calibration parameters.
        public let gradient: [Double]?
        public let equilibrium: EquilibriumResult
    }

    /// Solves at calibration parameters `theta` (physical values, ordered as `names`) and computes the
    /// requested derivatives. Returns nil when the equilibrium was not found or was rejected (the outer
    /// optimizer then rejects the step); throws for invalid input.
    public func evaluate(theta: [Double], names: [String], derivatives: Derivatives) throws -> Evaluation? {
        guard hasData else {
            throw PhysicsError.invalidModel("experiment '\(name)' has no data to compare with; use predict(theta:names:)")
        }
        let map = try resolved.map(for: names)
        let modelTheta = map.modelTheta(theta)
        guard let result = try admissibleEquilibrium(at: modelTheta) else { return nil }
        do {
            // Sensitivities serve the Jacobian and the next evaluation's predictor (p solves with one factor).
            let needsSensitivities = derivatives == .jacobian || continuation.enabled
            let linearization = needsSensitivities || derivatives == .gradient
                ? try Linearization(solver: solver, result: result, parameters: modelTheta) : nil
            let s = needsSensitivities ? try ImplicitGradient.sensitivities(linearization!) : nil
            let evaluation = try derivativesAt(result, linearization: linearization, sensitivities: s, modelTheta: modelTheta,
                                               map: map, names: names, derivatives: derivatives)
            if continuation.enabled, let s {
                cache.insert(ContinuationAnchor(theta: modelTheta, displacement: result.displacement, sensitivities: s),
                             keeping: continuation.anchors)
            }
            return evaluation
        } catch is SparseError {
            // The equilibrium found is not a stable minimum (its Hessian is not positive definite), so
            // the implicit function theorem does not apply there: reject the point like a failed solve.
            return nil
        }
    }

    /// What `predict` returns: every observable's value at the equilibrium, and the equilibrium.
    public struct Prediction: Sendable {
        public let values: [Double]
        public let equilibrium: EquilibriumResult
    }

    /// The observables at calibration parameters `theta` (ordered as `names`), with or without data;
    /// nil when the equilibrium was not found or was rejected (`lastRejection` says why).
    public func predict(theta: [Double], names: [String]) throws -> Prediction? {
        let modelTheta = try resolved.map(for: names).modelTheta(theta)
        guard let result = try admissibleEquilibrium(at: modelTheta) else { return nil }
        let values = try observables.evaluate(layout: solver.model.layout, displacement: result.displacement, parameters: modelTheta)
        return Prediction(values: values.values, equilibrium: result)
    }

    /// The equilibrium at model parameters θ if it was found and is admissible (`stateCheck`).
    private func admissibleEquilibrium(at modelTheta: [Double]) throws -> EquilibriumResult? {
        lastRejection = nil
        let result: EquilibriumResult
        do {
            guard let r = try equilibrium(at: modelTheta) else { return nil }
            result = r
        } catch let error as PhysicsError {
            if case .nonFinite = error { return nil }
            throw error
        }
        lastRejection = stateCheck?(result.displacement)
        return lastRejection == nil ? result : nil
    }

    /// The equilibrium at model parameters θ: continued from the nearest anchor where that can be
    /// trusted, else along the loading path; nil when it was not found, or is not on the anchor's branch.
    private func equilibrium(at theta: [Double]) throws -> EquilibriumResult? {
        try continuation.validate(parameterCount: solver.model.parameterCount)
        var anchor: ContinuationAnchor?, prediction: (u: [Double], move: Double)?, continued: EquilibriumResult?
        if continuation.enabled, let a = cache.nearest(to: theta) {
            anchor = a
            prediction = ContinuationCache.predict(from: a, theta: theta, initial: initial, layout: solver.model.layout)
            let c = try solver.solve(parameters: theta, initial: prediction!.u)
            if isTrusted(c, predicted: prediction!.u, move: prediction!.move) {
                statistics.continued += 1
                return c
            }
            continued = c
        }
        statistics.loadPathSolves += 1
        switch try solver.solveAlongLoadPath(parameters: theta, final: initial, options: continuation.loadPath) {
        case let .solved(result, _, _):
            guard let anchor, let prediction else { return result }
            // The definition's equilibrium is the continuation of the anchor's when it is where the
            // predictor says, or where Newton from the predictor went.
            if isNear(result.displacement, prediction.u, move: prediction.move) { return result }
            if let c = continued, c.converged, isNear(c.displacement, result.displacement, move: 0) { return result }
            statistics.branchJumps += 1
            record("branch jump at \(describe(theta)): the equilibrium on the loading path is not the continuation of the "
                   + "nearest one computed (at \(describe(anchor.theta))); the point is rejected")
            return nil
        case let .unstable(fraction, _):
            statistics.instabilities += 1
            record("at \(describe(theta)): " + LoadPathOutcome.instability(at: fraction))
            return nil
        case .failedAtStart:
            return nil
        }
    }

    /// A continued solve that can be trusted: converged, positive definite at every iterate, and near the predictor.
    private func isTrusted(_ r: EquilibriumResult, predicted: [Double], move: Double) -> Bool {
        r.converged && r.shifts.allSatisfy { $0 == 0 } && isNear(r.displacement, predicted, move: move)
    }

    /// Whether a solution lies within the corrector bound of the predictor: κ·(predictor move) plus the
    /// absolute allowance (with `move` 0: two solutions of the same equilibrium).
    private func isNear(_ solution: [Double], _ predicted: [Double], move: Double) -> Bool {
        let (distance, scale) = ContinuationCache.distance(solution, predicted, layout: solver.model.layout)
        return distance <= continuation.branchTolerance * move + continuation.absoluteTolerance * scale
    }

    private func record(_ event: String) {
        lastRejection = event
        if events.count < 100 { events.append(event) }
    }

    private func describe(_ theta: [Double]) -> String {
        zip(solver.model.parameterNames, theta).map { "\($0) = \($1)" }.joined(separator: ", ")
    }

    private func derivativesAt(_ result: EquilibriumResult, linearization: Linearization?, sensitivities: [Double]?,
                               modelTheta: [Double], map: BindingMap, names: [String], derivatives: Derivatives) throws -> Evaluation? {
        let values = try observables.evaluate(layout: solver.model.layout, displacement: result.displacement, parameters: modelTheta)
        let residuals = values.values.indices.map { (values.values[$0] - observed[$0]) / sigma[$0] }
        var jacobian: [[Double]]?, gradient: [Double]?
        let layout = solver.model.layout
        switch derivatives {
        case .none:
            break
        case .gradient:
            let weights = residuals.indices.map { residuals[$0] / sigma[$0] }
            let dLdu = layout.gather(values.weightedDofGradient(weights: weights, dofCount: layout.dofCount))
            let modelGradient = try ImplicitGradient.adjoint(linearization!, dLdu: dLdu,
                                                             dLdtheta: values.weightedParameterGradient(weights: weights))
            gradient = map.calibrationGradient(modelGradient, count: names.count)
        case .jacobian:
            let s = try sensitivities ?? ImplicitGradient.sensitivities(linearization!)
            let n = layout.unknownCount, m = residuals.count, pCount = bindings.count
            // dO/dθ = ∂O/∂θ + ∂O/∂u · S, then divide by σ and map model parameters to columns.
            var dOdTheta = values.parameterDerivatives
            for entry in values.dofDerivatives {
                let unknown = layout.unknownIndex[Int(entry.dof)]
                guard unknown >= 0 else { continue }
                for p in 0 ..< pCount {
                    dOdTheta[Int(entry.component) * pCount + p] += entry.value * s[p * n + Int(unknown)]
                }
            }
            precondition(dOdTheta.count == m * pCount)
            jacobian = map.calibrationJacobian(dOdTheta, sigma: sigma)
        }
        return Evaluation(predicted: values.values, residuals: residuals, jacobian: jacobian, gradient: gradient,
                          equilibrium: result)
    }
}
