import Bilevel

/// Everything a finished `run` (or `forward`) knows, for the writers of results.nc, report.md,
/// history.csv, the plots and the fields.
struct RunSummary {
    /// "run" or "forward".
    let command: String
    let loaded: LoadedCase
    /// The observations, when the data files were read.
    let data: [ExperimentData]?
    /// θ (all parameters) at the start and at the end.
    let initialTheta: [Double]
    let theta: [Double]
    let optimization: OptimizationResult?
    let method: String?
    let history: [HistoryRow]
    let uncertainty: UncertaintyReport?
    /// Why there is no uncertainty report, when there is none.
    let uncertaintyProblem: String?
    let prediction: Prediction
    /// Identifiability and other notes for the report.
    var notes: [String]
    /// Wall-clock seconds (not written to results.nc, so that it stays reproducible).
    let seconds: Double
    /// Newton iterations over all evaluations of the optimizer.
    let newtonIterations: Int
    /// The distinct minima reached from the starts (empty with a single start).
    var minima: [LocalMinimum] = []
    /// How `run` spread the experiments over MPI ranks and jobs, with their names (nil for `forward`).
    var distribution: (Distribution, experiments: [String])?

    var space: ParameterSpace { loaded.space }
    var configuration: CaseConfiguration { loaded.configuration }

    /// Prefix of the output names of experiment `e`: "" for a single experiment, else "name_".
    func prefix(_ e: Int) -> String {
        loaded.setups.count == 1 ? "" : loaded.setups[e].configuration.name + "_"
    }

    /// Data residual count and degrees of freedom, from the uncertainty report or the data.
    var observationCount: Int {
        data?.reduce(0) { $0 + $1.variables.reduce(0) { $0 + $1.values.count - $1.missingCount } } ?? 0
    }

    /// -1, 0 or 1 for each parameter: at its lower bound, inside, at its upper bound (free ones only).
    var boundsHit: [Int] {
        space.parameters.indices.map { i in
            let p = space.parameters[i]
            guard !p.isFixed else { return 0 }
            let t = theta[i], scale = max(abs(p.lower), abs(p.upper), abs(t), 1e-300)
            if p.lower.isFinite, t <= p.lower + 1e-10 * scale { return -1 }
            if p.upper.isFinite, t >= p.upper - 1e-10 * scale { return 1 }
            return 0
        }
    }

    /// Standard error, interval and correlation row position of parameter i (nil when fixed or not analysed).
    func freeIndex(of i: Int) -> Int? { space.freeIndices.firstIndex(of: i) }
}

/// One outer iteration and the parameters at its (accepted) point.
struct HistoryRow {
    let record: IterationRecord
    /// Full θ at the current point after this iteration.
    let theta: [Double]
}

extension RunSummary {
    /// The prediction of observable `j` of a time-stepped experiment `e` at every time step
    /// (`consolidation.times`), as its owner computed it with the prediction; nil for other experiments.
    func everyStep(experiment e: Int, observable j: Int) throws -> (times: [Double], values: [Double])? {
        guard let series = loaded.setups[e].series, let every = prediction.everyStep(experiment: e) else { return nil }
        return (series.consolidation.times, every.map { $0[j] })
    }
}
