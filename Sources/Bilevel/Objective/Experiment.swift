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
/// deviations) they should reproduce.
///
/// Given the calibration parameters θ, `evaluate` solves the equilibrium and returns the weighted
/// residuals rₖ = (oₖ(u*, θ) − dₖ)/σₖ and, on request, their exact Jacobian (forward sensitivities,
/// one solve per parameter with the Newton factor) or the exact gradient of ½‖r‖² (adjoint, one solve).
/// By default every solve starts from `initial` (cold start), so u*(θ) is a function of θ alone: a
/// loaded structure can have several equilibria, and a warm start from a distant θ may land on another
/// branch, which would make the misfit depend on the optimizer's path (and break resumed runs).
public final class Experiment {
    public let name: String
    public let solver: Equilibrium
    public let observables: ObservableSet
    public let observed: [Double]
    public let sigma: [Double]
    /// Full displacement to start from: prescribed dofs at their imposed values.
    public let initial: [Double]
    /// One binding per model parameter.
    public let bindings: [ParameterBinding]
    /// Start each solve from the previous equilibrium: faster, but path dependent (see above). Default false.
    public var warmStart = false
    /// Physical admissibility of a converged state (for example no atoms pushed through each other):
    /// returns why the state is not a state of the material, or nil. An inadmissible equilibrium is
    /// a failed evaluation (nil), its reason kept in `lastRejection`.
    public var stateCheck: (([Double]) -> String?)?
    /// Why the last evaluation's equilibrium was rejected by `stateCheck` (nil when it was not).
    public private(set) var lastRejection: String?
    private var previous: [Double]?

    public init(name: String, model: Model, newton: NewtonOptions = NewtonOptions(), observables: ObservableSet,
                observed: [Double], sigma: [Double], initial: [Double], bindings: [ParameterBinding]) throws {
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
        guard bindings.count == model.parameterCount else {
            throw PhysicsError.sizeMismatch(what: "experiment '\(name)' parameter bindings", expected: model.parameterCount, found: bindings.count)
        }
        guard initial.count == model.layout.dofCount else {
            throw PhysicsError.sizeMismatch(what: "experiment '\(name)' initial state", expected: model.layout.dofCount, found: initial.count)
        }
        self.name = name
        solver = try Equilibrium(model: model, options: newton)
        self.observables = observables
        self.observed = observed
        self.sigma = sigma
        self.initial = initial
        self.bindings = bindings
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
    /// requested derivatives. Returns nil when the equilibrium did not converge (the outer optimizer then
    /// rejects the step); throws for invalid input.
    public func evaluate(theta: [Double], names: [String], derivatives: Derivatives) throws -> Evaluation? {
        let map = try BindingMap(bindings, theta: theta, names: names, experiment: name)
        let modelTheta = map.modelTheta
        var start = initial
        if warmStart, let previous {
            for d in 0 ..< start.count where !solver.model.layout.isPrescribed(d) { start[d] = previous[d] }
        }
        let result: EquilibriumResult
        do {
            result = try solver.solve(parameters: modelTheta, initial: start)
        } catch let error as PhysicsError {
            if case .nonFinite = error { return nil }
            throw error
        }
        guard result.converged else { return nil }
        lastRejection = stateCheck?(result.displacement)
        if lastRejection != nil { return nil }
        previous = result.displacement
        do {
            return try derivativesAt(result, modelTheta: modelTheta, map: map, names: names, derivatives: derivatives)
        } catch is SparseError {
            // The equilibrium found is not a stable minimum (its Hessian is not positive definite), so
            // the implicit function theorem does not apply there: reject the point like a failed solve.
            return nil
        }
    }

    private func derivativesAt(_ result: EquilibriumResult, modelTheta: [Double], map: BindingMap, names: [String],
                               derivatives: Derivatives) throws -> Evaluation? {
        let columnOf = map.columnOf
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
            let linearization = try Linearization(solver: solver, result: result, parameters: modelTheta)
            let modelGradient = try ImplicitGradient.adjoint(linearization, dLdu: dLdu,
                                                             dLdtheta: values.weightedParameterGradient(weights: weights))
            gradient = map.calibrationGradient(modelGradient, count: names.count)
        case .jacobian:
            let linearization = try Linearization(solver: solver, result: result, parameters: modelTheta)
            let s = try ImplicitGradient.sensitivities(linearization)
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
            var rows = [[Double]](repeating: [Double](repeating: 0, count: names.count), count: m)
            for c in 0 ..< m {
                for (p, k) in columnOf.enumerated() { if let k { rows[c][k] += dOdTheta[c * pCount + p] / sigma[c] } }
            }
            jacobian = rows
        }
        return Evaluation(predicted: values.values, residuals: residuals, jacobian: jacobian, gradient: gradient,
                          equilibrium: result)
    }
}
