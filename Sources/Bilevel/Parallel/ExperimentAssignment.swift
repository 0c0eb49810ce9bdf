/// A deterministic assignment of experiments to ranks, balanced by their cost estimates.
///
/// Longest processing time first (Graham 1969, "Bounds on multiprocessing timing anomalies", SIAM J.
/// Appl. Math. 17): experiments by decreasing cost, each to the rank with the least cost so far; the
/// makespan is at most 4/3 − 1/(3·ranks) of the optimum. Ties, which are the rule when experiments have
/// the same size (the steps of a sweep), are broken so that the real costs, which usually grow along a
/// sweep, still balance: among equal costs the later experiment first, and among equally loaded ranks
/// the lowest in even rounds and the highest in odd ones (a serpentine: 0 1 1 0 0 1 …). The assignment
/// depends only on the costs and the number of ranks, so every rank computes the same one.
public struct ExperimentAssignment: Sendable, Equatable {
    /// The rank of each experiment, in experiment order.
    public let owners: [Int]
    /// Total cost per rank.
    public let loads: [Double]

    public init(costs: [Double], ranks: Int) {
        precondition(ranks >= 1, "at least one rank")
        var owners = [Int](repeating: 0, count: costs.count)
        var loads = [Double](repeating: 0, count: ranks)
        let order = costs.indices.sorted { (costs[$0], $0) > (costs[$1], $1) }
        for (placed, e) in order.enumerated() {
            let reversed = (placed / ranks) % 2 == 1
            let r = loads.indices.min { a, b in
                loads[a] != loads[b] ? loads[a] < loads[b] : (reversed ? a > b : a < b)
            }!
            owners[e] = r
            loads[r] += costs[e]
        }
        self.owners = owners
        self.loads = loads
    }

    /// A given assignment (`owners[e]` in 0 ..< ranks), with the loads its `costs` make: the experiments of
    /// work units assigned beforehand (a sweep step without data has no experiment but still an owner).
    public init(owners: [Int], costs: [Double], ranks: Int) {
        precondition(ranks >= 1 && owners.count == costs.count && owners.allSatisfy { (0 ..< ranks).contains($0) })
        var loads = [Double](repeating: 0, count: ranks)
        for (e, r) in owners.enumerated() { loads[r] += costs[e] }
        self.owners = owners
        self.loads = loads
    }

    /// The experiments of rank `r`, in experiment order.
    public func experiments(of r: Int) -> [Int] { owners.indices.filter { owners[$0] == r } }
}
