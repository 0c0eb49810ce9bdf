import Bilevel

/// Every evaluation an optimizer asked for, in order, with its exact result — the heart of
/// `calibrate run --resume`.
///
/// Without continuation an evaluation is a pure function of z, and the optimizers are deterministic;
/// with it, the continuation anchors saved with the journal are restored when the replay ends. A
/// resumed run therefore re-runs the optimizer from the start and serves each
/// request from the journal of the interrupted run (after checking that z is the same, bit for
/// bit) until the journal is used up, then evaluates for real. No optimizer state is serialised,
/// and the resumed run reaches the same result, bit for bit, as one that was never interrupted.
final class EvaluationJournal {
    enum Record: Equatable {
        case residual(z: [Double], jacobian: Bool, result: ResidualRecord?)
        case objective(z: [Double], result: ObjectiveRecord?)
    }

    /// A `ResidualEvaluation` as stored.
    struct ResidualRecord: Equatable {
        var residuals: [Double]
        var jacobian: DenseMatrix?
        var innerIterations: Int
    }

    /// An `ObjectiveEvaluation` as stored.
    struct ObjectiveRecord: Equatable {
        var value: Double
        var gradient: [Double]
        var innerIterations: Int
        /// JᵀJ when the evaluation carried it (it steers L-BFGS's scaling and stop, so it is replayed too).
        var curvature: DenseMatrix?
    }

    /// What was evaluated so far in this run (replayed records included).
    private(set) var records: [Record] = []
    private let replay: [Record]
    private var cursor = 0

    init(replaying records: [Record] = []) {
        replay = records
    }

    /// True while requests are still served from the interrupted run's records.
    var isReplaying: Bool { cursor < replay.count }
    var replayCount: Int { replay.count }

    /// The most recent evaluated z whose objective (½‖r‖² with prior rows, or f) has exactly these bits.
    func point(withObjective objective: Double) -> [Double]? {
        for record in records.reversed() {
            switch record {
            case let .residual(z, _, result?):
                if 0.5 * result.residuals.reduce(0, { $0 + $1 * $1 }) == objective { return z }
            case let .objective(z, result?):
                if result.value == objective { return z }
            default: continue
            }
        }
        return nil
    }

    /// Called once, right after the last record of the replay has been served: the moment the interrupted
    /// run's other state (continuation anchors) is to be restored.
    var onReplayFinished: (() -> Void)?

    private func nextReplayed() -> Record? {
        guard cursor < replay.count else { return nil }
        let record = replay[cursor]
        cursor += 1
        if cursor == replay.count { onReplayFinished?() }
        return record
    }

    private static func sameBits(_ a: [Double], _ b: [Double]) -> Bool {
        a.count == b.count && zip(a, b).allSatisfy { $0.bitPattern == $1.bitPattern }
    }

    /// The residual function with every call journaled (and served from the replay while it lasts).
    func wrap(_ f: @escaping ResidualFunction) -> ResidualFunction {
        { [self] z, needJacobian in
            if let replayed = nextReplayed() {
                guard case let .residual(rz, rj, result) = replayed, Self.sameBits(rz, z), rj == needJacobian else {
                    throw CaseError("the checkpoint does not match this run (evaluation \(cursor) differs); the case, its data or the "
                                    + "build changed since it was written; run again without --resume")
                }
                records.append(replayed)
                return result.map { ResidualEvaluation(residuals: $0.residuals, jacobian: $0.jacobian, innerIterations: $0.innerIterations) }
            }
            let e = try f(z, needJacobian)
            records.append(.residual(z: z, jacobian: needJacobian, result: e.map {
                ResidualRecord(residuals: $0.residuals, jacobian: $0.jacobian, innerIterations: $0.innerIterations)
            }))
            return e
        }
    }

    /// The objective function with every call journaled (and served from the replay while it lasts).
    func wrap(_ f: @escaping ObjectiveFunction) -> ObjectiveFunction {
        { [self] z in
            if let replayed = nextReplayed() {
                guard case let .objective(rz, result) = replayed, Self.sameBits(rz, z) else {
                    throw CaseError("the checkpoint does not match this run (evaluation \(cursor) differs); the case, its data or the "
                                    + "build changed since it was written; run again without --resume")
                }
                records.append(replayed)
                return result.map { ObjectiveEvaluation(value: $0.value, gradient: $0.gradient, innerIterations: $0.innerIterations,
                                                        curvature: $0.curvature) }
            }
            let e = try f(z)
            records.append(.objective(z: z, result: e.map { ObjectiveRecord(value: $0.value, gradient: $0.gradient, innerIterations: $0.innerIterations,
                                                                            curvature: $0.curvature) }))
            return e
        }
    }
}
