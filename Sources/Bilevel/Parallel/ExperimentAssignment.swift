/// A deterministic assignment of experiments to ranks, balanced by their cost estimates.
///
/// Longest processing time first (Graham 1969, "Bounds on multiprocessing timing anomalies", SIAM J.
/// Appl. Math. 17): experiments by decreasing cost (ties: lower index first), each to the rank with the
/// least cost so far (ties: lower rank). The makespan is at most 4/3 − 1/(3·ranks) of the optimum.
/// The assignment depends only on the costs and the number of ranks, so every rank computes the same one.
public struct ExperimentAssignment: Sendable, Equatable {
    /// The rank of each experiment, in experiment order.
    public let owners: [Int]
    /// Total cost per rank.
    public let loads: [Double]

    public init(costs: [Double], ranks: Int) {
        precondition(ranks >= 1, "at least one rank")
        var owners = [Int](repeating: 0, count: costs.count)
        var loads = [Double](repeating: 0, count: ranks)
        let order = costs.indices.sorted { (costs[$0], $1) > (costs[$1], $0) }
        for e in order {
            let r = loads.indices.min { (loads[$0], $0) < (loads[$1], $1) }!
            owners[e] = r
            loads[r] += costs[e]
        }
        self.owners = owners
        self.loads = loads
    }

    /// The experiments of rank `r`, in experiment order.
    public func experiments(of r: Int) -> [Int] { owners.indices.filter { owners[$0] == r } }
}
