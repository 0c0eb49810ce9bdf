import Bilevel
import Foundation
import MessagePassing
import Physics
import Sparse

/// Small lattice experiments for the executor tests: a triangular Morse lattice of 4 × 3 cells, bottom
/// held, top pulled by a load that differs per experiment, so that every experiment has its own numbers.
enum ExecutorTestProblems {
    static let names = ["D", "alpha", "r0"]
    static let truth = [1.0, 3.0, 1.0]

    static func space() throws -> ParameterSpace {
        try ParameterSpace([
            Parameter(name: "D", initial: 0.8, lower: 0.05, upper: 20, transform: .log),
            Parameter(name: "alpha", initial: 3.3, lower: 1, upper: 8),
            Parameter(name: "r0", initial: 0.97, lower: 0.8, upper: 1.2),
        ])
    }

    /// `count` experiments, the k-th pulled by (0.01 + 0.005 k, 0.02 + 0.003 k), data from `truth`
    /// with a deterministic perturbation; `continuation` on or off.
    static func lattices(_ count: Int, continuation: Bool = false) throws -> [any CalibrationExperiment] {
        try (0 ..< count).map { k in
            let l = try Lattice(kind: .triangular, cells: [4, 3], latticeConstant: 1, periodic: [false, false])
            let model = try LatticeModel(lattice: l, potential: Morse(), cutoff: try SmoothCutoff(inner: 1.5, outer: 1.9),
                                         constraints: [.fixed("bottom", dimension: 2),
                                                       GroupConstraint(group: "top", components: [0: 0.01 + 0.005 * Double(k), 1: 0.02 + 0.003 * Double(k)])])
            let held = Set(l.groups["bottom"]! + l.groups["top"]!)
            var list: [LatticeObservable] = []
            for a in 0 ..< l.atomCount where !held.contains(a) { list += [.displacement(atom: a, axis: 0), .displacement(atom: a, axis: 1)] }
            list += [.reactionForce(group: "top", axis: 1)]
            let set = try model.observables(list)
            let probe = try Experiment(name: "probe", model: try model.makeModel(), observables: set,
                                       observed: [Double](repeating: 0, count: list.count), sigma: [Double](repeating: 1, count: list.count),
                                       initial: model.initialDisplacement(), bindings: names.map { .parameter($0) })
            let predicted = try probe.evaluate(theta: truth, names: names, derivatives: .none)!.predicted
            let observed = predicted.enumerated().map { i, v in v * (1 + 0.01 * sin(Double(3 * i + k))) }
            let sigma = predicted.map { max(0.01 * abs($0), 1e-4) }
            let e = try Experiment(name: "pull[\(k)]", model: try model.makeModel(), observables: set, observed: observed,
                                   sigma: sigma, initial: model.initialDisplacement(), bindings: names.map { .parameter($0) })
            e.continuation.enabled = continuation
            return e
        }
    }
}

/// An experiment without physics: r = (θ₀ − target)/1, which fails (nil) or throws when θ₀ exceeds a
/// threshold, for the failure tests. `evaluations` counts its calls.
final class ScriptedExperiment: CalibrationExperiment {
    enum Failure { case none, failedSolve, physicsError, solverError }

    let name: String
    let target: Double
    let failure: Failure
    let threshold: Double
    private(set) var evaluations = 0

    init(name: String, target: Double, failure: Failure = .none, above threshold: Double = .infinity) {
        self.name = name
        self.target = target
        self.failure = failure
        self.threshold = threshold
    }

    var observationCount: Int { 1 }
    var parameterNames: [String] { ["a"] }

    func residuals(theta: [Double], names: [String], derivatives: Experiment.Derivatives) throws -> ExperimentResiduals? {
        evaluations += 1
        if theta[0] > threshold {
            switch failure {
            case .none: break
            case .failedSolve: return nil
            case .physicsError: throw PhysicsError.invalidModel("experiment '\(name)': scripted error at a = \(theta[0])")
            case .solverError: throw SparseError.notPositiveDefinite(column: 3)
            }
        }
        let r = theta[0] - target
        return ExperimentResiduals(predicted: [theta[0]], residuals: [r], jacobian: [[1]], gradient: [r], innerIterations: 1)
    }
}
