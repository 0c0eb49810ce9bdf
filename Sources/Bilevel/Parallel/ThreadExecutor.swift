import Foundation
import Physics
import Synchronization

/// Evaluates the experiments on `jobs` workers of this process: the calling thread and `jobs` − 1
/// threads started for each call.
///
/// Experiments are handed out one at a time, most expensive first (`costEstimate`), from a shared
/// counter, so each is evaluated by exactly one worker per call; its result goes into its own slot and
/// the slots are returned in experiment order, so the results are those of `SerialExecutor` bit for
/// bit whatever the timing. The call returns only when every worker has finished.
///
/// Threads share the process's BLAS: OpenBLAS's thread count is process-wide, so the caller divides
/// the cores (jobs × BLAS threads ≤ cores; see docs/parallel.md). MUMPS calls are serialized process-wide
/// (`MumpsLDLT`), so threads do not speed up experiments whose solves are MUMPS factorizations (large
/// poroelastic ones); MPI ranks do.
public final class ThreadExecutor: ExperimentExecutor {
    public let jobs: Int
    /// Stack of each worker thread: as large as a main thread's, for the Fortran solvers' automatic arrays.
    static let stackSize = 16 << 20

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

    public func anchors(of experiments: [any CalibrationExperiment]) -> [[ContinuationAnchor]] {
        experiments.map(LocalEvaluation.anchors)
    }

    public func setAnchors(_ anchors: [[ContinuationAnchor]], of experiments: [any CalibrationExperiment]) {
        for (e, a) in zip(experiments, anchors) { (e as? Experiment)?.anchors = a }
    }

    public func reports(of experiments: [any CalibrationExperiment]) -> [ExperimentReport] {
        experiments.map(LocalEvaluation.report)
    }

    /// `work` applied to every experiment on the workers; the results in experiment order.
    func run<T: Sendable>(_ experiments: [any CalibrationExperiment],
                          _ work: @escaping (any CalibrationExperiment) -> T) -> [T] {
        let workers = min(jobs, experiments.count)
        guard workers > 1 else { return experiments.map(work) }
        let order = experiments.indices.sorted { (experiments[$0].costEstimate, $1) > (experiments[$1].costEstimate, $0) }
        let shared = SharedWork(experiments: experiments, order: order, work: work)
        let done = DispatchGroup()
        for _ in 1 ..< workers {
            done.enter()
            let thread = Thread { shared.drain(); done.leave() }
            thread.stackSize = Self.stackSize
            thread.start()
        }
        shared.drain()
        done.wait()
        return shared.results
    }
}

/// The experiments of one call, the next one to hand out, and the result slots.
private final class SharedWork<T: Sendable>: @unchecked Sendable {
    // @unchecked: `next` hands out each index once (atomically), so each experiment object is touched by
    // one thread; the slots are written under `slots`' lock and read after every worker has finished.
    private let experiments: [any CalibrationExperiment]
    private let order: [Int]
    private let work: (any CalibrationExperiment) -> T
    private let next = Atomic<Int>(0)
    private let slots: Mutex<[T?]>

    init(experiments: [any CalibrationExperiment], order: [Int], work: @escaping (any CalibrationExperiment) -> T) {
        self.experiments = experiments
        self.order = order
        self.work = work
        slots = Mutex([T?](repeating: nil, count: experiments.count))
    }

    func drain() {
        while true {
            let k = next.wrappingAdd(1, ordering: .relaxed).oldValue
            guard k < order.count else { return }
            let index = order[k]
            let value = work(experiments[index])
            slots.withLock { $0[index] = value }
        }
    }

    var results: [T] { slots.withLock { $0.map { $0! } } }
}
