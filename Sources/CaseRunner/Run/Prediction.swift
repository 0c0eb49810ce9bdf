import Bilevel

/// The prediction of one unit of work (`WorkPlan.Unit`): one sweep step, or one time-stepped run.
struct UnitPrediction {
    let experiment: Int
    let step: Int
    /// Every observed component of the step (all observables, in order), or a run's values time-major.
    let values: [Double]
    /// The equilibrium states, for field output: one for a step, every time step's for a run (empty
    /// when the prediction came from another rank, which wrote the fields itself).
    var states: [[Double]]
    let iterations: Int
    /// A time-stepped run's sensors at every time step, [step][sensor]; nil for a step.
    let everyStep: [[Double]]?
}

/// Predictions of every observable of every experiment at one θ, on the layout of the data.
struct Prediction {
    /// [experiment][observable] → values, row-major like the data variable.
    let values: [[[Double]]]
    /// Every unit's prediction, in unit order (with the states where solved in this process).
    let units: [UnitPrediction]
    /// Newton iterations over all steps.
    let newtonIterations: Int

    /// Solves every step at full physical θ; throws the error of the first step that failed, in order.
    /// The steps (and time-stepped runs) are independent: with `jobs` > 1 they are solved on that many
    /// threads, each by one, with the same results. Every step must be built here (one process).
    static func compute(_ loaded: LoadedCase, theta: [Double], jobs: Int = 1) throws -> Prediction {
        try assemble(loaded, units: solveLocal(loaded, theta: theta, jobs: jobs).map { try $0.get() })
    }

    /// The units built in this process (in a distributed run, this rank's), solved at θ, in unit order.
    static func solveLocal(_ loaded: LoadedCase, theta: [Double], jobs: Int) -> [Result<UnitPrediction, any Error>] {
        let items = loaded.setups.enumerated().flatMap { e, setup in
            setup.series != nil ? (loaded.plan?.owns(experiment: e, step: 0) ?? true ? [(e, -1)] : []) : setup.steps.indices.map { (e, $0) }
        }
        return WorkerPool.map(items.count, jobs: jobs, order: Array(items.indices.reversed())) { k in
            let (e, s) = items[k]
            return Result { try solve(loaded.setups[e], experiment: e, step: s, theta: theta, names: loaded.space.names) }
        }
    }

    /// The predictions of every unit of the case (in unit order) on the layout of the data.
    static func assemble(_ loaded: LoadedCase, units: [UnitPrediction]) -> Prediction {
        var values = loaded.setups.map { setup in setup.layouts.map { [Double](repeating: .nan, count: $0.count) } }
        for unit in units {
            let setup = loaded.setups[unit.experiment]
            if let series = setup.series {
                let c = series.componentCount
                for i in series.observationTimes.indices { for j in 0 ..< c { values[unit.experiment][j][i] = unit.values[i * c + j] } }
                continue
            }
            var offset = 0
            for (j, layout) in setup.layouts.enumerated() {
                let base = setup.configuration.sweep == nil ? 0 : unit.step * layout.perStep
                for i in 0 ..< layout.perStep { values[unit.experiment][j][base + i] = unit.values[offset + i] }
                offset += layout.perStep
            }
        }
        return Prediction(values: values, units: units, newtonIterations: units.reduce(0) { $0 + $1.iterations })
    }

    /// A time-stepped experiment's sensors at every time step, [step][sensor]; nil for other experiments.
    func everyStep(experiment e: Int) -> [[Double]]? {
        units.first { $0.experiment == e && $0.everyStep != nil }?.everyStep
    }

    /// One step's (or one time-stepped run's, `step` −1) prediction.
    private static func solve(_ setup: ExperimentSetup, experiment e: Int, step index: Int, theta: [Double], names: [String]) throws
        -> UnitPrediction {
        if let series = setup.series {
            guard let result = try series.predict(theta: theta, names: names) else {
                if let reason = series.lastRejection {
                    throw CaseError("experiment '\(setup.configuration.name)': the consolidation run at " + describe(theta, names)
                                    + " is not a state of the material: \(reason); reduce the load, or check E and the mesh")
                }
                throw CaseError("experiment '\(setup.configuration.name)': the consolidation run failed at " + describe(theta, names)
                                + "; the parameters may be unphysical (E > 0, 0 ≤ ν < ½, α ∈ (0, 1], M > 0, k > 0) or a Newton step did not converge")
            }
            let every = try series.valuesAtEveryStep(result.states, theta: theta, names: names)
            return UnitPrediction(experiment: e, step: 0, values: result.values, states: result.states, iterations: result.iterations,
                                  everyStep: every)
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
        return UnitPrediction(experiment: e, step: step.step, values: result.values, states: [result.equilibrium.displacement],
                              iterations: result.equilibrium.iterations, everyStep: nil)
    }

    static func describe(_ theta: [Double], _ names: [String]) -> String {
        zip(names, theta).map { "\($0) = \(formatNumber($1))" }.joined(separator: ", ")
    }
}
