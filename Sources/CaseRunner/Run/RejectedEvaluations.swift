import Bilevel

/// The evaluations a run rejected because the continuation checks found the equilibrium off its branch
/// (a branch jump) or the branch unstable under the loading, with the first of each kind.
///
/// Guarantees: kept in the checkpoint, so the report of a resumed run counts the rejections made
/// before the interruption too (the journal's replay does not evaluate again, so the problem's own
/// counts start over at a resume); `adding` keeps the earlier run's first events.
struct RejectedEvaluations: Equatable {
    var branchJumps = 0
    var instabilities = 0
    /// The first branch jump and the first instability, as logged ("experiment 'x': …"); empty if none.
    var firstBranchJump = ""
    var firstInstability = ""

    /// What `problem` rejected since it was built.
    static func of(_ problem: CalibrationProblem) -> RejectedEvaluations {
        let (c, events) = problem.continuationReport
        return RejectedEvaluations(branchJumps: c.branchJumps, instabilities: c.instabilities,
                                   firstBranchJump: events.first { $0.contains("branch jump") } ?? "",
                                   firstInstability: events.first { $0.contains("unstable") } ?? "")
    }

    /// These rejections (made first) followed by `later`.
    func adding(_ later: RejectedEvaluations) -> RejectedEvaluations {
        RejectedEvaluations(branchJumps: branchJumps + later.branchJumps, instabilities: instabilities + later.instabilities,
                            firstBranchJump: firstBranchJump.isEmpty ? later.firstBranchJump : firstBranchJump,
                            firstInstability: firstInstability.isEmpty ? later.firstInstability : firstInstability)
    }

    /// The report's notes on them (none when nothing was rejected).
    var notes: [String] {
        var notes: [String] = []
        if branchJumps > 0 {
            notes.append("\(branchJumps) evaluation(s) were rejected as branch jumps: the equilibrium on the loading path there is not "
                         + "the continuation of the one at a nearby point already computed, so the misfit jumps; the optimizer stepped "
                         + "around them (first: \(firstBranchJump))")
        }
        if instabilities > 0 {
            notes.append("\(instabilities) evaluation(s) were rejected because the equilibrium branch turned unstable under the "
                         + "loading (first: \(firstInstability))")
        }
        return notes
    }
}
