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
/// Every rank must hold the same experiments in the same order: its own ones built, the others' may be
/// `RemoteExperiment` placeholders (what a rank that builds only its own experiments holds).
///
/// Besides evaluations, rank 0 can ask every rank for work on its own experiments that the executor
/// does not know about (final predictions, field files): `collect` broadcasts a request, runs the
/// `task` given to `serve` on every rank (rank 0 runs its own) and gathers the replies in rank order.
public final class DistributedExecutor<C: Communicator>: ExperimentExecutor, DistributedLeader {
    public let communicator: C
    public let assignment: ExperimentAssignment
    /// This rank's workers.
    private let local: ThreadExecutor
    /// This rank's experiments (indices), in order.
    public let owned: [Int]
    /// On a rank other than 0: the signal this rank was sent (SIGINT, SIGTERM), if any. It travels to
    /// rank 0 with every evaluation's reply, so that a signal to any one rank stops the whole run at
    /// the end of the current iteration, as one to rank 0 does.
    public var signalReceived: (@Sendable () -> Int32?)?
    /// On rank 0: the first signal another rank reported, and that rank.
    public private(set) var signalOnAnotherRank: (rank: Int, signal: Int32)?

    private enum Command: Int {
        case evaluate = 1, anchors, setAnchors, reports, stop, collect
    }

    /// The executor of this rank for `experiments`, assigned by their `costEstimate`.
    public convenience init(communicator: C, experiments: [any CalibrationExperiment], jobs: Int) {
        self.init(communicator: communicator,
                  assignment: ExperimentAssignment(costs: experiments.map(\.costEstimate), ranks: communicator.size), jobs: jobs)
    }

    /// The executor of this rank for an assignment made beforehand (from the configuration, before the
    /// experiments were built: every rank computes the same one and builds only its own experiments).
    public init(communicator: C, assignment: ExperimentAssignment, jobs: Int) {
        precondition(assignment.loads.count == communicator.size, "an assignment for \(assignment.loads.count) ranks in a job of \(communicator.size)")
        self.communicator = communicator
        self.assignment = assignment
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
        // Every reply starts with the signal its rank was sent (0: none).
        let replies = communicator.gather([0] + encode(mine, of: experiments), root: 0)
        for (rank, reply) in replies.enumerated() where signalOnAnotherRank == nil {
            if let s = reply.first, s != 0, let signal = Int32(exactly: s) { signalOnAnotherRank = (rank, signal) }
        }
        var outcomes = [LocalEvaluation.Outcome?](repeating: nil, count: experiments.count)
        try decode(replies.map { Array($0.dropFirst()) }) { r, e, rank in outcomes[e] = try ExperimentMessages.readOutcome(&r, experiment: experiments[e].name, rank: rank) }
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

    /// Runs `task` with `request` on every rank (here with this `task`, elsewhere with the one given to
    /// `serve`) and returns every rank's reply, in rank order. A rank that serves without a task replies [].
    public func collect(_ request: [Double], task: ([Double]) -> [Double]) -> [[Double]] {
        precondition(isLeader)
        _ = communicator.broadcast([Double(Command.collect.rawValue)] + request, root: 0)
        return communicator.gather(task(request), root: 0)
    }

    // MARK: Other ranks

    /// Answers rank 0's commands for this rank's experiments until rank 0 calls `finish`; returns the
    /// exit code it sent. `names` are the calibration parameters (the same on every rank); `task`
    /// answers rank 0's `collect` requests for this rank's experiments.
    public func serve(_ experiments: [any CalibrationExperiment], names: [String],
                      task: (([Double]) -> [Double])? = nil) throws -> Int32 {
        precondition(!isLeader, "rank 0 drives; the other ranks serve")
        while true {
            var r = MessageReader(communicator.broadcast([], root: 0))
            switch Command(rawValue: try r.int()) {
            case .evaluate:
                let derivatives = try Self.derivatives(r.int())
                let theta = try r.doubles()
                let mine = evaluateOwned(experiments, theta: theta, names: names, derivatives: derivatives)
                _ = communicator.gather([Double(signalReceived?() ?? 0)] + encode(mine, of: experiments), root: 0)
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
            case .collect:
                var request: [Double] = []
                while !r.isAtEnd { request.append(try r.double()) }
                _ = communicator.gather(task?(request) ?? [], root: 0)
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

/// What rank 0 of a distributed run calls besides evaluations, whatever the communicator: end the other
/// ranks, and collect work done by every rank on its own experiments.
public protocol DistributedLeader: ExperimentExecutor {
    /// The rank owning each experiment, and the ranks' loads.
    var assignment: ExperimentAssignment { get }
    /// The first signal (SIGINT, SIGTERM) another rank reported with its evaluations, and that rank.
    var signalOnAnotherRank: (rank: Int, signal: Int32)? { get }
    func finish(exitCode: Int32)
    func collect(_ request: [Double], task: ([Double]) -> [Double]) -> [[Double]]
}

/// An experiment another rank builds and evaluates: what this rank must know of it (its name and number
/// of residuals) without its model. Evaluating it here is a programming error.
public final class RemoteExperiment: CalibrationExperiment {
    public let name: String
    public let observationCount: Int
    /// Whether the owner's experiment is a static equilibrium (`Experiment`), which decides how the
    /// problem computes its gradient (sensitivities or adjoint): the same choice on every rank.
    public let isStatic: Bool
    public let costEstimate: Double

    public init(name: String, observationCount: Int, isStatic: Bool, costEstimate: Double = 1) {
        self.name = name
        self.observationCount = observationCount
        self.isStatic = isStatic
        self.costEstimate = costEstimate
    }

    /// Checked by the owner.
    public var parameterNames: [String] { [] }

    public func residuals(theta: [Double], names: [String], derivatives: Experiment.Derivatives) throws -> ExperimentResiduals? {
        preconditionFailure("experiment '\(name)' is evaluated by the rank that owns it, not here")
    }
}
