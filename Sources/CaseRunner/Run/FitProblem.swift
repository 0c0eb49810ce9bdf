import Bilevel
import Physics
import Sparse

/// The calibration problem of a case with data: one Bilevel `Experiment` per sweep step with data,
/// holding only the observed (non-missing) values, all sharing the case's parameter space. In a
/// distributed run (`LoadedCase.plan`) the experiments of other ranks are `RemoteExperiment`s (their
/// name and residual count, from the data every rank reads), and `assignment` says who owns each.
final class FitProblem {
    let loaded: LoadedCase
    let data: [ExperimentData]
    let problem: CalibrationProblem
    /// Number of data residuals (without prior rows).
    let residualCount: Int
    /// The rank of each experiment of `problem` (from the plan; nil without one).
    let assignment: ExperimentAssignment?
    /// Equilibria per evaluation: one per step with data, every time step of a time-stepped run.
    let equilibria: Int

    init(_ loaded: LoadedCase, data: [ExperimentData]) throws {
        self.loaded = loaded
        self.data = data
        let plan = loaded.plan
        var experiments: [any CalibrationExperiment] = [], owners: [Int] = []
        var equilibria = 0
        for (e, setup) in loaded.setups.enumerated() {
            let variables = data[e].variables
            if let series = setup.series {
                // Time-major: every observable at the first time, then the next.
                var observed: [Double] = [], sigma: [Double] = []
                for i in series.observationTimes.indices {
                    for (j, layout) in setup.layouts.enumerated() {
                        let value = variables[j].values[i]
                        if value.isNaN {
                            throw CaseError("experiment '\(setup.configuration.name)': variable '\(layout.configuration.variable)' has a missing value at "
                                            + "t = \(formatNumber(series.observationTimes[i])) s; time series need every sensor at every time "
                                            + "(drop the time, or give the sensor its own experiment)", file: data[e].file)
                        }
                        observed.append(value)
                        sigma.append(variables[j].sigma[i])
                    }
                }
                owners.append(plan?.owner(experiment: e, step: 0) ?? 0)
                equilibria += series.consolidation.times.count
                if plan?.owns(experiment: e, step: 0) ?? true {
                    experiments.append(try series.experiment(name: setup.configuration.name, observed: observed, sigma: sigma))
                } else {
                    experiments.append(RemoteExperiment(name: setup.configuration.name, observationCount: observed.count, isStatic: false))
                }
                continue
            }
            let built = Dictionary(uniqueKeysWithValues: setup.steps.map { ($0.step, $0) })
            for k in 0 ..< setup.stepCount {
                var components: [Int] = [], observed: [Double] = [], sigma: [Double] = []
                var offset = 0
                for (j, layout) in setup.layouts.enumerated() {
                    let base = setup.configuration.sweep == nil ? 0 : k * layout.perStep
                    for i in 0 ..< layout.perStep {
                        let value = variables[j].values[base + i]
                        if value.isNaN { continue }
                        components.append(offset + i)
                        observed.append(value)
                        sigma.append(variables[j].sigma[base + i])
                    }
                    offset += layout.perStep
                }
                guard !components.isEmpty else { continue }
                let name = setup.configuration.sweep == nil ? setup.configuration.name : "\(setup.configuration.name)[\(k)]"
                owners.append(plan?.owner(experiment: e, step: k) ?? 0)
                equilibria += 1
                guard let step = built[k] else {
                    experiments.append(RemoteExperiment(name: name, observationCount: observed.count, isStatic: true))
                    continue
                }
                let experiment = try Experiment(name: name, model: step.model, newton: step.newton,
                                                observables: try step.makeObservables(components), observed: observed, sigma: sigma,
                                                initial: step.initial, bindings: step.bindings)
                experiment.continuation.loadPath = step.loadPath
                experiment.continuation.enabled = loaded.configuration.optimizer.continuation
                experiment.stateCheck = step.stateCheck  // an unphysical equilibrium is a failed evaluation
                experiments.append(experiment)
            }
        }
        problem = try CalibrationProblem(space: loaded.space, experiments: experiments)
        residualCount = problem.residualCount
        self.equilibria = equilibria
        assignment = plan.map { ExperimentAssignment(owners: owners, costs: owners.map { _ in 1 }, ranks: $0.ranks) }
    }

    var space: ParameterSpace { loaded.space }

    /// The residual function, an evaluation whose equilibrium cannot be linearized (its Hessian is
    /// not positive definite: an unstable equilibrium) counting as failed, like one that did not converge
    /// (on this rank or, in an MPI job, on another: `RemoteEvaluationError.isSolverFailure`).
    var residualFunction: ResidualFunction {
        let f = problem.residualFunction
        return { z, jacobian in
            do { return try f(z, jacobian) } catch is SparseError { return nil } catch let e as RemoteEvaluationError where e.isSolverFailure { return nil }
        }
    }

    /// The objective with its adjoint gradient; unstable equilibria count as failed (see `residualFunction`).
    var objectiveFunction: ObjectiveFunction {
        let f = problem.objectiveFunction
        return { z in
            do { return try f(z) } catch is SparseError { return nil } catch let e as RemoteEvaluationError where e.isSolverFailure { return nil }
        }
    }
}


/// Shortest round-trip text of a number (deterministic, locale-free).
func formatNumber(_ x: Double) -> String {
    if x.isNaN { return "NaN" }
    if x.isInfinite { return x > 0 ? "inf" : "-inf" }
    if x == x.rounded(), abs(x) < 1e15 { return String(Int64(x)) }
    return "\(x)"
}
