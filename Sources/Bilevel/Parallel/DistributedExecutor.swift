import MessagePassing
import Physics

/// Evaluates the experiments over the ranks of a `Communicator` (an MPI job): rank 0 drives (runs the
/// optimizer and calls `evaluate`), every other rank `serve`s until rank 0 calls `finish`.
///
/// Each rank evaluates only the experiments `assignment` gives it (on `jobs` threads of its own), and
/// no other rank ever touches them. An evaluation is one broadcast (the command and θ) and one gather
/// of the encoded outcomes in rank order; rank 0 puts them back in experiment order, so a problem
/// combines them exactly as `SerialExecutor`'s, bit for bit. A failed solve travels as a failed
/// solve; an error thrown on another rank comes back as a `RemoteEvaluationError` with its message.
/// Every rank must hold the same experiments in the same order (they build the same case).
public final class DistributedExecutor<C: Communicator>: ExperimentExecutor {
    public let communicator: C
    public let assignment: ExperimentAssignment
    /// This rank's workers.
    private let local: ThreadExecutor
    /// This rank's experiments (indices), in order.
    public let owned: [Int]

    private enum Command: Int {
        case evaluate = 1, anchors, setAnchors, reports, stop
    }

    /// The executor of this rank for `experiments`, assigned by their `costEstimate`.
    public init(communicator: C, experiments: [any CalibrationExperiment], jobs: Int) {
        self.communicator = communicator
        assignment = ExperimentAssignment(costs: experiments.map(\.costEstimate), ranks: communicator.size)
        local = ThreadExecutor(jobs: jobs)
        owned = assignment.experiments(of: communicator.rank)
    }

    public var distribution: Distribution {
        Distribution(ranks: communicator.size, jobs: local.jobs, owners: assignment.owners)
    }

    private var isLeader: Bool { communicator.rank == 0 }

    // MARK: Rank 0

    public func evaluate(_ experiments: [any CalibrationExperiment], theta: [Double], names: [String],
                         derivatives: Experiment.Derivatives) throws -> [ExperimentResiduals?] {
        precondition(isLeader, "only rank 0 drives the evaluations; the other ranks serve")
        var message = MessageWriter()
        message.int(Command.evaluate.rawValue)
        message.int(Self.code(derivatives))
        message.doubles(theta)
        _ = communicator.broadcast(message.values, root: 0)
        let mine = evaluateOwned(experiments, theta: theta, names: names, derivatives: derivatives)
        let replies = communicator.gather(encode(mine, of: experiments), root: 0)
        var outcomes = [LocalEvaluation.Outcome?](repeating: nil, count: experiments.count)
        try decode(replies) { r, e, rank in outcomes[e] = try ExperimentMessages.readOutcome(&r, experiment: experiments[e].name, rank: rank) }
        // Rank 0's own outcomes as they are (the same numbers; its errors keep their type).
        for (k, e) in owned.enumerated() { outcomes[e] = mine[k] }
        return try LocalEvaluation.unwrap(outcomes.map { $0! })
    }

    public func anchors(of experiments: [any CalibrationExperiment]) -> [[ContinuationAnchor]] {
        precondition(isLeader)
        _ = communicator.broadcast([Double(Command.anchors.rawValue)], root: 0)
        let replies = communicator.gather(encodeAnchors(experiments), root: 0)
        var all = [[ContinuationAnchor]](repeating: [], count: experiments.count)
        mustDecode { try decode(replies) { r, e, _ in all[e] = try ExperimentMessages.readAnchors(&r) } }
        return all
    }

    public func setAnchors(_ anchors: [[ContinuationAnchor]], of experiments: [any CalibrationExperiment]) {
        precondition(isLeader)
        var message = MessageWriter()
        message.int(Command.setAnchors.rawValue)
        for a in anchors { ExperimentMessages.write(a, to: &message) }
        _ = communicator.broadcast(message.values, root: 0)
        restoreOwnedAnchors(anchors, of: experiments)
    }

    public func reports(of experiments: [any CalibrationExperiment]) -> [ExperimentReport] {
        precondition(isLeader)
        _ = communicator.broadcast([Double(Command.reports.rawValue)], root: 0)
        var mine = MessageWriter()
        for e in owned { ExperimentMessages.write(LocalEvaluation.report(experiments[e]), to: &mine) }
        let replies = communicator.gather(mine.values, root: 0)
        var all = [ExperimentReport](repeating: ExperimentReport(), count: experiments.count)
        mustDecode { try decode(replies) { r, e, _ in all[e] = try ExperimentMessages.readReport(&r) } }
        return all
    }

    /// Ends the other ranks' `serve`, which returns `exitCode` there. Call once, at the end of the run.
    public func finish(exitCode: Int32 = 0) {
        precondition(isLeader)
        _ = communicator.broadcast([Double(Command.stop.rawValue), Double(exitCode)], root: 0)
    }

    // MARK: Other ranks

    /// Answers rank 0's commands for this rank's experiments until rank 0 calls `finish`; returns the
    /// exit code it sent. `names` are the calibration parameters (the same on every rank).
    public func serve(_ experiments: [any CalibrationExperiment], names: [String]) throws -> Int32 {
        precondition(!isLeader, "rank 0 drives; the other ranks serve")
        while true {
            var r = MessageReader(communicator.broadcast([], root: 0))
            switch Command(rawValue: try r.int()) {
            case .evaluate:
                let derivatives = try Self.derivatives(r.int())
                let theta = try r.doubles()
                let mine = evaluateOwned(experiments, theta: theta, names: names, derivatives: derivatives)
                _ = communicator.gather(encode(mine, of: experiments), root: 0)
            case .anchors:
                _ = communicator.gather(encodeAnchors(experiments), root: 0)
            case .setAnchors:
                let all = try experiments.indices.map { _ in try ExperimentMessages.readAnchors(&r) }
                restoreOwnedAnchors(all, of: experiments)
            case .reports:
                var mine = MessageWriter()
                for e in owned { ExperimentMessages.write(LocalEvaluation.report(experiments[e]), to: &mine) }
                _ = communicator.gather(mine.values, root: 0)
            case .stop:
                return Int32(try r.int())
            case nil:
                throw MessageError(description: "rank \(communicator.rank) received an unknown command from rank 0")
            }
        }
    }

    // MARK: Shared

    /// This rank's outcomes, in owned order.
    private func evaluateOwned(_ experiments: [any CalibrationExperiment], theta: [Double], names: [String],
                               derivatives: Experiment.Derivatives) -> [LocalEvaluation.Outcome] {
        local.run(owned.map { experiments[$0] }) { LocalEvaluation.run($0, theta: theta, names: names, derivatives: derivatives) }
    }

    private func encode(_ outcomes: [LocalEvaluation.Outcome], of experiments: [any CalibrationExperiment]) -> [Double] {
        var w = MessageWriter()
        for (k, outcome) in outcomes.enumerated() { ExperimentMessages.write(outcome, experiment: experiments[owned[k]].name, to: &w) }
        return w.values
    }

    private func encodeAnchors(_ experiments: [any CalibrationExperiment]) -> [Double] {
        var w = MessageWriter()
        for e in owned { ExperimentMessages.write(LocalEvaluation.anchors(experiments[e]), to: &w) }
        return w.values
    }

    private func restoreOwnedAnchors(_ anchors: [[ContinuationAnchor]], of experiments: [any CalibrationExperiment]) {
        for e in owned where anchors.indices.contains(e) { (experiments[e] as? Experiment)?.anchors = anchors[e] }
    }

    /// Walks the replies of every rank: each holds one entry per experiment the rank owns, in order.
    private func decode(_ replies: [[Double]], _ read: (inout MessageReader, _ experiment: Int, _ rank: Int) throws -> Void) throws {
        for (rank, reply) in replies.enumerated() {
            var r = MessageReader(reply)
            for e in assignment.experiments(of: rank) { try read(&r, e, rank) }
            guard r.isAtEnd else { throw MessageError(description: "the reply of rank \(rank) is longer than its experiments' results") }
        }
    }

    /// A reply that does not decode breaks the protocol between ranks: nothing sensible can continue.
    private func mustDecode(_ body: () throws -> Void) {
        do { try body() } catch {
            print("calibrate: \(error); ending every rank")
            communicator.abort(exitCode: 70)
        }
    }

    private static func code(_ d: Experiment.Derivatives) -> Int {
        switch d {
        case .none: 0
        case .jacobian: 1
        case .gradient: 2
        }
    }

    private static func derivatives(_ code: Int) throws -> Experiment.Derivatives {
        switch code {
        case 0: .none
        case 1: .jacobian
        case 2: .gradient
        default: throw MessageError(description: "unknown derivative request \(code) from rank 0")
        }
    }
}
