import Foundation
import Physics

/// Several experiments sharing one parameter space: the outer problem
///   min_z  ½ Σₑ ‖rₑ(u*ₑ(θ(z)), θ(z))‖² (+ ½‖prior residuals‖²)
/// presented to the outer optimizers as a residual function (for Levenberg–Marquardt) and as an
/// objective with its adjoint gradient (for L-BFGS), both over the free transformed parameters z.
///
/// The experiments are evaluated by `executor` (serially by default; on threads or MPI ranks on
/// request); their results are combined in experiment order whatever the executor, so every executor
/// gives the same numbers bit for bit (see `ExperimentExecutor`).
public final class CalibrationProblem {
    public let space: ParameterSpace
    public let experiments: [any CalibrationExperiment]
    /// Evaluations whose inner solve failed, with the z where it happened (kept for the log).
    public private(set) var failures: [(z: [Double], experiment: String)] = []
    /// How the experiments are evaluated: serially, on threads, or over MPI ranks.
    public var executor: any ExperimentExecutor = SerialExecutor()

    public init(space: ParameterSpace, experiments: [any CalibrationExperiment]) throws {
        for e in experiments {
            for n in e.parameterNames where !space.names.contains(n) {
                throw PhysicsError.invalidModel("experiment '\(e.name)' uses parameter '\(n)', which the parameter list does not define; add it (fixed if it is not calibrated)")
            }
        }
        self.space = space
        self.experiments = experiments
    }

    /// How the equilibria of all experiments were found (continued, along the loading path, rejected)
    /// and the rejected evaluations' reasons, experiment by experiment: one gathering of the experiments'
    /// reports (one round trip under MPI).
    public var continuationReport: (statistics: ContinuationStatistics, events: [String]) {
        let reports = executor.reports(of: experiments)
        var total = ContinuationStatistics()
        for s in reports.map(\.statistics) {
            total.continued += s.continued
            total.loadPathSolves += s.loadPathSolves
            total.branchJumps += s.branchJumps
            total.instabilities += s.instabilities
        }
        let events = zip(experiments, reports).flatMap { e, r in r.events.map { "experiment '\(e.name)': " + $0 } }
        return (total, events)
    }

    /// How the equilibria of all experiments were found (continued, along the loading path, rejected).
    public var continuationStatistics: ContinuationStatistics { continuationReport.statistics }

    /// Rejected evaluations with their reasons (branch jumps, instabilities), experiment by experiment.
    public var events: [String] { continuationReport.events }

    /// The continuation anchors of every experiment, in order (empty for experiments without them): save
    /// them with a checkpoint and restore them to resume a run bit for bit.
    public var anchors: [[ContinuationAnchor]] {
        get { executor.anchors(of: experiments) }
        set { executor.setAnchors(newValue, of: experiments) }
    }

    /// Total number of residuals (without prior rows).
    public var residualCount: Int { experiments.reduce(0) { $0 + $1.observationCount } }

    /// All experiments at z, in order: nil when any inner solve failed. Every experiment is evaluated
    /// even when one fails (so that their states do not depend on the executor).
    public func evaluate(z: [Double], derivatives: Experiment.Derivatives) throws -> [ExperimentResiduals]? {
        let theta = try space.physical(from: z)
        let results = try executor.evaluate(experiments, theta: theta, names: space.names, derivatives: derivatives)
        var out: [ExperimentResiduals] = []
        for (e, r) in zip(experiments, results) {
            guard let r else {
                failures.append((z, e.name))
                continue
            }
            out.append(r)
        }
        return out.count == experiments.count ? out : nil
    }

    /// Weighted residuals and their Jacobian in z, prior rows appended.
    public var residualFunction: ResidualFunction {
        { [self] z, needJacobian in
            guard let results = try evaluate(z: z, derivatives: needJacobian ? .jacobian : .none) else { return nil }
            let residuals = results.flatMap(\.residuals)
            let inner = results.reduce(0) { $0 + $1.innerIterations }
            var jacobian: DenseMatrix?
            if needJacobian {
                let physical = DenseMatrix(rowArrays: results.flatMap { $0.jacobian! })
                jacobian = try space.jacobianInTransformed(physical, at: z)
            }
            let evaluation = ResidualEvaluation(residuals: residuals, jacobian: jacobian, innerIterations: inner)
            return try space.appendingPrior(to: evaluation, at: z)
        }
    }

    /// Largest number of free parameters for which `objectiveFunction` uses sensitivities and carries JᵀJ.
    public static let curvatureParameterLimit = 16

    /// JᵀJ of the weighted residuals in z (prior rows included): the curvature the termination policy
    /// measures optimality with when the optimizer itself works on ½‖r‖² alone (L-BFGS).
    public var curvatureFunction: CurvatureFunction { gaussNewtonCurvature(of: residualFunction) }

    /// ½‖r‖² (prior included) and its gradient in z. With static experiments only and at most
    /// `curvatureParameterLimit` free parameters, the gradient is Jᵀr from the forward sensitivities (p
    /// solves with the factor Newton holds, instead of the adjoint's one: negligible next to the Newton
    /// solve, and the continuation predictor needs them anyway), and the evaluation carries JᵀJ, so that
    /// L-BFGS can apply the termination policy in standard errors at every new best point. Otherwise the
    /// adjoint gradient, without curvature.
    public var objectiveFunction: ObjectiveFunction {
        if space.count <= Self.curvatureParameterLimit, experiments.allSatisfy({ $0 is Experiment || ($0 as? RemoteExperiment)?.isStatic == true }) {
            let residuals = residualFunction
            return { z in
                guard let e = try residuals(z, true), let j = e.jacobian else { return nil }
                return ObjectiveEvaluation(value: e.halfSumOfSquares, gradient: j.transposeMultiply(e.residuals),
                                           innerIterations: e.innerIterations, curvature: j.gram())
            }
        }
        return { [self] z in
            guard let results = try evaluate(z: z, derivatives: .gradient) else { return nil }
            var value = 0.0
            var gradient = [Double](repeating: 0, count: space.count)
            for r in results {
                value += 0.5 * r.residuals.reduce(0) { $0 + $1 * $1 }
                for k in gradient.indices { gradient[k] += r.gradient![k] }
            }
            var gz = try space.gradientInTransformed(gradient, at: z)
            let prior = try space.priorResiduals(at: z)
            value += 0.5 * prior.residuals.reduce(0) { $0 + $1 * $1 }
            let priorGradient = prior.jacobian.transposeMultiply(prior.residuals)
            for k in gz.indices { gz[k] += priorGradient[k] }
            let inner = results.reduce(0) { $0 + $1.innerIterations }
            return ObjectiveEvaluation(value: value, gradient: gz, innerIterations: inner)
        }
    }
}
