import Physics

/// Evaluates the experiments on `jobs` workers of this process (`WorkerPool`).
///
/// Experiments are handed out one at a time, most expensive first (`costEstimate`), so each is
/// evaluated by exactly one worker per call; the results are returned in experiment order, so they are
/// those of `SerialExecutor` bit for bit whatever the timing.
///
/// Threads share the process's BLAS: OpenBLAS's thread count is process-wide, so the caller divides
/// the cores (jobs × BLAS threads ≤ cores; see docs/parallel.md). MUMPS calls are serialized process-wide
/// (`MumpsLDLT`), so threads do not speed up experiments whose solves are MUMPS factorizations (large
/// poroelastic ones); MPI ranks do.
public final class ThreadExecutor: InProcessExecutor {
    public let jobs: Int

    public init(jobs: Int) {
        precondition(jobs >= 1, "at least one worker")
        self.jobs = jobs
    }

    public var distribution: Distribution { Distribution(ranks: 1, jobs: jobs, owners: []) }

    public func evaluate(_ experiments: [any CalibrationExperiment], theta: [Double], names: [String],
                         derivatives: Experiment.Derivatives) throws -> [ExperimentResiduals?] {
        let outcomes = run(experiments) { LocalEvaluation.run($0, theta: theta, names: names, derivatives: derivatives) }
        return try LocalEvaluation.unwrap(outcomes)
    }

    /// `work` applied to every experiment on the workers; the results in experiment order. Most
    /// expensive first; among equal estimates the later experiment first (along a sweep the load, and
    /// with it the work, usually grows), so that the last items handed out are short.
    func run<T: Sendable>(_ experiments: [any CalibrationExperiment], _ work: @escaping (any CalibrationExperiment) -> T) -> [T] {
        let order = experiments.indices.sorted { (experiments[$0].costEstimate, $0) > (experiments[$1].costEstimate, $1) }
        return WorkerPool.map(experiments.count, jobs: jobs, order: order) { work(experiments[$0]) }
    }
}
