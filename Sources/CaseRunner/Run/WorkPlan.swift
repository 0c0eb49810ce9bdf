import Bilevel

/// Which rank of a distributed run builds and solves each unit of work of a case, decided from the
/// configuration alone, before anything is built: every rank computes the same plan and builds only
/// its own units.
///
/// A unit is one equilibrium (one step of an experiment's sweep, or the single step of an experiment
/// without one) or one time-stepped run (an experiment swept along time). Its cost is the kind's size
/// estimate (unknowns, `BuiltInModel.estimatedSize`) times its equilibria; a kind without an estimate
/// (a user's `CaseModel`, a Gmsh mesh not yet read) counts one per equilibrium. The units are assigned by
/// `ExperimentAssignment` (longest processing time first), so the plan depends only on the
/// configuration and the number of ranks. Units without data have an owner too: it solves them for
/// the final predictions and writes their fields.
struct WorkPlan: Sendable, Equatable {
    struct Unit: Sendable, Equatable, Hashable {
        /// Index of the experiment in case.json (and in `LoadedCase.setups`).
        let experiment: Int
        /// Sweep step (0 for an experiment without a sweep and for a time-stepped run).
        let step: Int
    }

    /// Every unit of the case, experiment by experiment, step by step.
    let units: [Unit]
    /// The rank of each unit and the ranks' loads.
    let assignment: ExperimentAssignment
    /// The rank this plan is for.
    let rank: Int

    /// The plan of rank `rank` among `ranks` for `configuration` (its experiments prepared: a
    /// time-stepped experiment knows its observation times).
    init(_ configuration: CaseConfiguration, ranks: Int, rank: Int) {
        precondition(ranks >= 1 && (0 ..< ranks).contains(rank))
        let unknowns = max(CaseSize.estimate(configuration)?.unknowns ?? 1, 1)
        var units: [Unit] = [], costs: [Double] = []
        for (e, experiment) in configuration.experiments.enumerated() {
            if let sweep = experiment.sweep, sweep.target == .time {
                units.append(Unit(experiment: e, step: 0))
                costs.append(unknowns * Double(max(sweep.values.count, 1)))
                continue
            }
            for k in 0 ..< max(experiment.sweep?.values.count ?? 1, 1) {
                units.append(Unit(experiment: e, step: k))
                costs.append(unknowns)
            }
        }
        self.units = units
        assignment = ExperimentAssignment(costs: costs, ranks: ranks)
        self.rank = rank
        index = Dictionary(uniqueKeysWithValues: units.enumerated().map { ($1, $0) })
    }

    private let index: [Unit: Int]

    var ranks: Int { assignment.loads.count }

    /// The rank that builds and solves step `step` of experiment `experiment`.
    func owner(experiment: Int, step: Int) -> Int {
        index[Unit(experiment: experiment, step: step)].map { assignment.owners[$0] } ?? 0
    }

    /// Whether this rank builds and solves step `step` of experiment `experiment`.
    func owns(experiment: Int, step: Int) -> Bool { owner(experiment: experiment, step: step) == rank }

    /// This rank's units, in order.
    var owned: [Unit] { units.filter { owns(experiment: $0.experiment, step: $0.step) } }
}
