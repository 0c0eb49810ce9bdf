import Bilevel
import Foundation

/// The predictions at the fitted parameters and the field files of every step, made by the process
/// that built the step: in one process all of them; in a distributed run each rank solves its own
/// steps (`WorkPlan`) on its jobs, writes their field frames into the fields folder of the staging
/// directory rank 0 created (its path travels with the request), and sends the predictions back.
///
/// Rank 0 combines the replies in unit order, so the predictions, and the files, are those of one
/// process bit for bit. A step that cannot be solved, or a rank that cannot write its files, makes
/// the whole request fail with that message on rank 0 (the first failing step in order), which then
/// publishes nothing: the staging folder, with whatever the ranks wrote into it, is discarded.
enum FinalPredictions {
    /// The predictions at `theta`, with the frames written into `fieldsFolder` when given. `leader` is the
    /// distributed executor of rank 0 in a distributed run, nil in one process.
    static func compute(_ loaded: LoadedCase, theta: [Double], jobs: Int, fieldsFolder: String?,
                        leader: (any DistributedLeader)?) throws -> Prediction {
        guard let leader, let plan = loaded.plan else {
            let prediction = try Prediction.compute(loaded, theta: theta, jobs: jobs)
            if let fieldsFolder { try FieldOutput.writeFrames(loaded, units: prediction.units, folder: fieldsFolder) }
            return prediction
        }
        var request = MessageWriter()
        request.doubles(theta)
        request.string(fieldsFolder ?? "")
        let replies = leader.collect(request.values) { reply(loaded, request: $0, jobs: jobs) }
        return try merge(loaded, plan: plan, replies: replies)
    }

    /// Every rank's part: solves its units at the request's θ, writes their frames, encodes the outcome.
    static func reply(_ loaded: LoadedCase, request: [Double], jobs: Int) -> [Double] {
        var w = MessageWriter()
        var r = MessageReader(request)
        guard let theta = try? r.doubles(), let folder = try? r.string() else {
            w.int(0)
            w.string("the request of rank 0 for the final predictions does not decode")
            return w.values
        }
        let outcomes = Prediction.solveLocal(loaded, theta: theta, jobs: jobs)
        var solved: [UnitPrediction] = []
        w.int(1)
        w.int(outcomes.count)
        for outcome in outcomes {
            switch outcome {
            case let .success(unit):
                solved.append(unit)
                w.int(1)
                w.int(unit.experiment)
                w.int(unit.step)
                w.doubles(unit.values)
                w.int(unit.iterations)
                w.int(unit.everyStep?.count ?? -1)
                for row in unit.everyStep ?? [] { w.doubles(row) }
            case let .failure(error):
                w.int(0)
                w.string((error as? CaseError)?.description ?? "\(error)")
            }
        }
        var problem = ""
        if !folder.isEmpty, solved.count == outcomes.count {
            do { try FieldOutput.writeFrames(loaded, units: solved, folder: folder) } catch { problem = "cannot write its field files into '\(folder)': \(error)" }
        }
        w.string(problem)
        return w.values
    }

    /// Rank 0: the predictions of every unit from the replies (in rank order), or the first failure.
    static func merge(_ loaded: LoadedCase, plan: WorkPlan, replies: [[Double]]) throws -> Prediction {
        var units = [WorkPlan.Unit: UnitPrediction]()
        var failures: [(unit: Int, message: String)] = []
        var fileProblems: [String] = []
        for (rank, reply) in replies.enumerated() {
            var r = MessageReader(reply)
            do {
                let mine = plan.units.indices.filter { plan.assignment.owners[$0] == rank }
                if try r.int() == 0 { throw MessageError(description: try r.string()) }
                let count = try r.int()
                for k in 0 ..< count {
                    if try r.int() == 1 {
                        let e = try r.int(), s = try r.int(), values = try r.doubles(), iterations = try r.int()
                        let rows = try r.int()
                        let every = rows < 0 ? nil : try (0 ..< rows).map { _ in try r.doubles() }
                        guard plan.owner(experiment: e, step: s) == rank, loaded.setups.indices.contains(e) else {
                            throw MessageError(description: "rank \(rank) sent the prediction of a step it does not own")
                        }
                        units[WorkPlan.Unit(experiment: e, step: s)] = UnitPrediction(experiment: e, step: s, values: values, states: [],
                                                                                       iterations: iterations, everyStep: every)
                    } else {
                        failures.append((k < mine.count ? mine[k] : Int.max, try r.string()))
                    }
                }
                let problem = try r.string()
                if !problem.isEmpty { fileProblems.append("rank \(rank) \(problem)") }
            } catch {
                throw CaseError("rank \(rank) of the MPI job did not deliver its final predictions: \(error)")
            }
        }
        if let first = failures.min(by: { $0.unit < $1.unit }) { throw CaseError(first.message) }
        if let problem = fileProblems.first { throw CaseError(problem) }
        let ordered = try plan.units.compactMap { unit -> UnitPrediction? in
            if let p = units[unit] { return p }
            let setup = loaded.setups[unit.experiment]
            throw CaseError("rank \(plan.owner(experiment: unit.experiment, step: unit.step)) of the MPI job did not solve step \(unit.step) "
                            + "of experiment '\(setup.configuration.name)'")
        }
        return Prediction.assemble(loaded, units: ordered)
    }
}
