/// A fixed group of processes (ranks 0 ..< size) that exchange arrays of numbers collectively: every
/// rank calls the same operations in the same order.
///
/// Guarantees: `broadcast` returns the root's array on every rank; `gather` returns on the root every
/// rank's array in rank order (its own included), bit for bit, and an empty list elsewhere. Nothing is
/// reordered by arrival time, so whatever is combined from a gather is combined in a fixed order.
/// Failures of the transport are not recoverable: an implementation ends the whole group (MPI's
/// default error handler), so these calls do not throw.
public protocol Communicator: AnyObject, Sendable {
    /// This process's rank, 0 ..< size.
    var rank: Int { get }
    /// Number of ranks.
    var size: Int { get }
    /// Returns when every rank has called it.
    func barrier()
    /// The root's `values` on every rank (the arrays of the other ranks are ignored).
    func broadcast(_ values: [Double], root: Int) -> [Double]
    /// On `root`: each rank's `values`, in rank order. Elsewhere: [].
    func gather(_ values: [Double], root: Int) -> [[Double]]
    /// Ends every rank of the group with `exitCode`; the caller has printed why.
    func abort(exitCode: Int32) -> Never
}
