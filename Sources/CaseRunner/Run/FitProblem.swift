import Bilevel
import Physics
import Sparse

/// The calibration problem of a case with data: one Bilevel `Experiment` per sweep step with data,
/// holding only the observed (non-missing) values, all sharing the case's parameter space.
final class FitProblem {
    let loaded: LoadedCase
    let data: [ExperimentData]
    let problem: CalibrationProblem
    /// Number of data residuals (without prior rows).
    let residualCount: Int

    init(_ loaded: LoadedCase, data: [ExperimentData]) throws {
        self.loaded = loaded
        self.data = data
        var experiments: [any CalibrationExperiment] = []
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
                experiments.append(try series.experiment(name: setup.configuration.name, observed: observed, sigma: sigma))
                continue
            }
            for step in setup.steps {
                var components: [Int] = [], observed: [Double] = [], sigma: [Double] = []
                var offset = 0
                for (j, layout) in setup.layouts.enumerated() {
                    let base = setup.configuration.sweep == nil ? 0 : step.step * layout.perStep
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
                let name = setup.configuration.sweep == nil ? setup.configuration.name : "\(setup.configuration.name)[\(step.step)]"
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

/// Predictions of every observable of every experiment at one θ, on the layout of the data, and
/// the equilibrium displacements of every step (for field output).
struct Prediction {
    /// [experiment][observable] → values, row-major like the data variable.
    let values: [[[Double]]]
    /// [experiment][step] → full displacement vector.
    let displacements: [[[Double]]]
    /// Newton iterations over all steps.
    let newtonIterations: Int

    /// Solves every step at full physical θ; throws a `CaseError` naming the step that failed (the
    /// first in order). The steps (and time-stepped runs) are independent: with `jobs` > 1 they are
    /// solved on that many threads, each by one, with the same results.
    static func compute(_ loaded: LoadedCase, theta: [Double], jobs: Int = 1) throws -> Prediction {
        let items = loaded.setups.enumerated().flatMap { e, setup in
            setup.series != nil ? [(e, -1)] : setup.steps.indices.map { (e, $0) }
        }
        let solved = WorkerPool.map(items.count, jobs: jobs, order: Array(items.indices.reversed())) { k in
            let (e, s) = items[k]
            return Result { try solve(loaded.setups[e], step: s, theta: theta, names: loaded.space.names) }
        }
        var values: [[[Double]]] = [], displacements: [[[Double]]] = []
        var newton = 0, next = 0
        for setup in loaded.setups {
            var perObservable = setup.layouts.map { [Double](repeating: .nan, count: $0.count) }
            var states: [[Double]] = []
            if let series = setup.series {
                let result = try solved[next].get()
                next += 1
                newton += result.iterations
                let c = series.componentCount
                for i in series.observationTimes.indices { for j in 0 ..< c { perObservable[j][i] = result.values[i * c + j] } }
                values.append(perObservable)
                displacements.append(result.states)
                continue
            }
            for step in setup.steps {
                let result = try solved[next].get()
                next += 1
                newton += result.iterations
                states.append(result.states[0])
                var offset = 0
                for (j, layout) in setup.layouts.enumerated() {
                    let base = setup.configuration.sweep == nil ? 0 : step.step * layout.perStep
                    for i in 0 ..< layout.perStep { perObservable[j][base + i] = result.values[offset + i] }
                    offset += layout.perStep
                }
            }
            values.append(perObservable)
            displacements.append(states)
        }
        return Prediction(values: values, displacements: displacements, newtonIterations: newton)
    }

    /// One step's (or one time-stepped run's, `step` −1) predictions, states and Newton iterations.
    private static func solve(_ setup: ExperimentSetup, step index: Int, theta: [Double], names: [String]) throws
        -> (values: [Double], states: [[Double]], iterations: Int) {
        if let series = setup.series {
            guard let result = try series.predict(theta: theta, names: names) else {
                if let reason = series.lastRejection {
                    throw CaseError("experiment '\(setup.configuration.name)': the consolidation run at " + describe(theta, names)
                                    + " is not a state of the material: \(reason); reduce the load, or check E and the mesh")
                }
                throw CaseError("experiment '\(setup.configuration.name)': the consolidation run failed at " + describe(theta, names)
                                + "; the parameters may be unphysical (E > 0, 0 ≤ ν < ½, α ∈ (0, 1], M > 0, k > 0) or a Newton step did not converge")
            }
            return (result.values, result.states, result.iterations)
        }
        let step = setup.steps[index]
        guard let result = try step.predict(theta: theta, names: names) else {
            let at = setup.configuration.sweep.map { " at sweep value \($0.values[step.step])" } ?? ""
            if let reason = step.lastRejection {
                throw CaseError("experiment '\(setup.configuration.name)'\(at): the equilibrium at " + describe(theta, names)
                                + " was rejected: \(reason); reduce the loading, or check the potential's parameters "
                                + "(model.minimum_separation sets the closest admissible approach of atoms, default 0.5)")
            }
            throw CaseError("experiment '\(setup.configuration.name)'\(at): the equilibrium was not found at "
                            + describe(theta, names) + "; the parameters may be unphysical, or the loading too large")
        }
        return (result.values, [result.equilibrium.displacement], result.equilibrium.iterations)
    }

    static func describe(_ theta: [Double], _ names: [String]) -> String {
        zip(names, theta).map { "\($0) = \(formatNumber($1))" }.joined(separator: ", ")
    }
}

/// Shortest round-trip text of a number (deterministic, locale-free).
func formatNumber(_ x: Double) -> String {
    if x.isNaN { return "NaN" }
    if x.isInfinite { return x > 0 ? "inf" : "-inf" }
    if x == x.rounded(), abs(x) < 1e15 { return String(Int64(x)) }
    return "\(x)"
}
