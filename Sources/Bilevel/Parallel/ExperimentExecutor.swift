import Physics

/// How a `CalibrationProblem` evaluates its experiments at one θ: one after another (`SerialExecutor`),
/// on N threads of this process (`ThreadExecutor`), or over the ranks of an MPI job
/// (`DistributedExecutor`).
///
/// Every executor gives the same results bit for bit: each experiment is evaluated exactly once per
/// call, by one worker at a time (an experiment holds state: continuation anchors, its solver), from
/// the same inputs; the results are returned in experiment order and combined by the caller in that
/// order, never in order of completion. Every experiment is evaluated even when one fails, so the
/// state of each experiment after a call does not depend on which worker finished first. When
/// evaluations throw, the error of the first such experiment (in experiment order) is rethrown.
public protocol ExperimentExecutor: AnyObject {
    /// How the work is spread: ranks, workers per rank, the rank owning each experiment.
    var distribution: Distribution { get }
    /// Each experiment's residuals at θ in experiment order, nil where its inner solve failed.
    func evaluate(_ experiments: [any CalibrationExperiment], theta: [Double], names: [String],
                  derivatives: Experiment.Derivatives) throws -> [ExperimentResiduals?]
    /// The continuation anchors of every experiment, in order (empty for experiments without them).
    func anchors(of experiments: [any CalibrationExperiment]) -> [[ContinuationAnchor]]
    /// Restores the anchors of every experiment (as returned by `anchors(of:)`).
    func setAnchors(_ anchors: [[ContinuationAnchor]], of experiments: [any CalibrationExperiment])
    /// How each experiment's equilibria were found, and its rejected evaluations, in order.
    func reports(of experiments: [any CalibrationExperiment]) -> [ExperimentReport]
}

/// An executor whose experiments all live in this process (serial, threads): their anchors and
/// reports are read from the experiments themselves.
public protocol InProcessExecutor: ExperimentExecutor {}

extension InProcessExecutor {
    public func anchors(of experiments: [any CalibrationExperiment]) -> [[ContinuationAnchor]] {
        experiments.map(LocalEvaluation.anchors)
    }

    public func setAnchors(_ anchors: [[ContinuationAnchor]], of experiments: [any CalibrationExperiment]) {
        for (e, a) in zip(experiments, anchors) { (e as? Experiment)?.anchors = a }
    }

    public func reports(of experiments: [any CalibrationExperiment]) -> [ExperimentReport] {
        experiments.map(LocalEvaluation.report)
    }
}

/// How the experiments of a problem are spread over processes and threads.
public struct Distribution: Sendable, Equatable {
    /// MPI ranks (1 without MPI).
    public var ranks: Int
    /// Workers (threads) per rank.
    public var jobs: Int
    /// The rank that evaluates each experiment, in experiment order.
    public var owners: [Int]

    public init(ranks: Int, jobs: Int, owners: [Int]) {
        self.ranks = ranks
        self.jobs = jobs
        self.owners = owners
    }

    /// The experiments (indices) of each rank, in order.
    public var experimentsByRank: [[Int]] {
        (0 ..< ranks).map { r in owners.indices.filter { owners[$0] == r } }
    }
}

/// What an experiment recorded about its equilibria: the continuation statistics and the rejected evaluations.
public struct ExperimentReport: Sendable, Equatable {
    public var statistics: ContinuationStatistics
    public var events: [String]

    public init(statistics: ContinuationStatistics = ContinuationStatistics(), events: [String] = []) {
        self.statistics = statistics
        self.events = events
    }
}

/// Evaluates the experiments one after another on the calling thread.
public final class SerialExecutor: InProcessExecutor {
    public init() {}

    public var distribution: Distribution { Distribution(ranks: 1, jobs: 1, owners: []) }

    public func evaluate(_ experiments: [any CalibrationExperiment], theta: [Double], names: [String],
                         derivatives: Experiment.Derivatives) throws -> [ExperimentResiduals?] {
        let outcomes = experiments.map { LocalEvaluation.run($0, theta: theta, names: names, derivatives: derivatives) }
        return try LocalEvaluation.unwrap(outcomes)
    }
}

/// The evaluation of one experiment on this thread, and the bookkeeping every executor shares.
enum LocalEvaluation {
    typealias Outcome = Result<ExperimentResiduals?, any Error>

    static func run(_ e: any CalibrationExperiment, theta: [Double], names: [String],
                    derivatives: Experiment.Derivatives) -> Outcome {
        Result { try e.residuals(theta: theta, names: names, derivatives: derivatives) }
    }

    /// The results in order, or the first error in experiment order.
    static func unwrap(_ outcomes: [Outcome]) throws -> [ExperimentResiduals?] {
        try outcomes.map { try $0.get() }
    }

    static func anchors(_ e: any CalibrationExperiment) -> [ContinuationAnchor] {
        (e as? Experiment)?.anchors ?? []
    }

    static func report(_ e: any CalibrationExperiment) -> ExperimentReport {
        guard let e = e as? Experiment else { return ExperimentReport() }
        return ExperimentReport(statistics: e.statistics, events: e.events)
    }
}
