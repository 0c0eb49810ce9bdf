import Bilevel
import Foundation

/// Watches a running optimization from its progress handler: prints one line per outer iteration,
/// keeps the history with the parameters at each point, writes the checkpoint after every
/// iteration, and asks the optimizer to stop when a signal arrived (or a test's hook says so).
final class RunMonitor: @unchecked Sendable {
    enum StopReason: Equatable {
        case signal(Int32)
        /// The internal test hook `RunOptions.stopAfterIterations`.
        case hook
    }

    let journal: EvaluationJournal
    let space: ParameterSpace
    let console: Console
    let checkpointPath: String
    let fingerprint: UInt64
    let threads: Int
    let previousSeconds: Double
    let stopAfterIterations: Int?
    let signals: SignalWatcher?
    /// A signal another rank of an MPI job was sent (reported with its evaluations): it stops the run
    /// as one sent to this process does.
    var remoteSignal: (() -> Int32?)?
    /// The optimizer's iteration limit, for "k/max" and the time-left estimate.
    let maximumIterations: Int?
    private let clock = ContinuousClock()
    private let started: ContinuousClock.Instant

    private(set) var history: [HistoryRow] = []
    private(set) var stopReason: StopReason?
    private(set) var completedIterations = 0
    private var theta: [Double]
    private var warnedAboutCheckpoint = false
    /// The continuation anchors to save with each checkpoint.
    var anchors: () -> [[ContinuationAnchor]] = { [] }
    /// The evaluations rejected so far (those of interrupted runs included), saved with each checkpoint.
    var rejected: () -> RejectedEvaluations = { RejectedEvaluations() }

    init(journal: EvaluationJournal, space: ParameterSpace, console: Console, checkpointPath: String, fingerprint: UInt64,
         threads: Int, previousSeconds: Double, stopAfterIterations: Int?, signals: SignalWatcher?, maximumIterations: Int? = nil) {
        self.maximumIterations = maximumIterations
        self.journal = journal
        self.space = space
        self.console = console
        self.checkpointPath = checkpointPath
        self.fingerprint = fingerprint
        self.threads = threads
        self.previousSeconds = previousSeconds
        self.stopAfterIterations = stopAfterIterations
        self.signals = signals
        theta = space.initialPhysical
        started = clock.now
    }

    /// Seconds of this run plus those of the interrupted runs it continues.
    var elapsed: Double {
        let d = clock.now - started
        return previousSeconds + Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
    }

    /// The progress handler to give the optimizer.
    var handler: ProgressHandler {
        { [self] record in handle(record) }
    }

    private func handle(_ r: IterationRecord) -> ProgressAction {
        if r.accepted, let z = journal.point(withObjective: r.objective), let t = try? space.physical(from: z) { theta = t }
        history.append(HistoryRow(record: r, theta: theta))
        completedIterations = r.iteration
        if r.iteration == 0 { console.progress(ProgressLine.header) }
        console.progress(ProgressLine.format(r, elapsed: elapsed, maximum: maximumIterations))
        if !journal.isReplaying { saveCheckpoint() }
        if let s = signals?.received ?? remoteSignal?() {
            stopReason = .signal(s)
            return .stop
        }
        if let k = stopAfterIterations, r.iteration >= k {
            stopReason = .hook
            return .stop
        }
        return .proceed
    }

    /// Writes the checkpoint of everything evaluated so far (atomically).
    func saveCheckpoint() {
        let checkpoint = Checkpoint(fingerprint: fingerprint, threads: threads, iterations: completedIterations,
                                    elapsedSeconds: elapsed, records: journal.records, anchors: anchors(), rejected: rejected())
        do {
            try checkpoint.write(to: checkpointPath)
        } catch {
            if !warnedAboutCheckpoint {
                console.report(Diagnostic(.warning, "cannot write the checkpoint '\(checkpointPath)': \(error); the run goes on, "
                                          + "but cannot be resumed if it is interrupted"))
                warnedAboutCheckpoint = true
            }
        }
    }
}
