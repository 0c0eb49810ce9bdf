import Foundation

/// A group of `size` communicators inside one process, one per thread: the same collective semantics
/// as `MPIWorld` (fixed rank order, exact copies), for tests and for running distributed code without
/// a launcher. Each rank must be driven by its own thread.
public final class InProcessGroup: @unchecked Sendable {
    // @unchecked: every mutable field is read and written under `condition`.
    public let size: Int
    private let condition = NSCondition()
    private var contributions: [[Double]]
    private var completed: [[Double]] = []
    private var arrived = 0
    private var generation = 0
    /// The exit code of the first rank that called `abort`.
    public private(set) var abortCode: Int32?

    public init(size: Int) {
        precondition(size > 0, "a group has at least one rank")
        self.size = size
        contributions = [[Double]](repeating: [], count: size)
    }

    /// The communicator of rank `rank`.
    public func communicator(rank: Int) -> InProcessCommunicator {
        precondition((0 ..< size).contains(rank))
        return InProcessCommunicator(group: self, rank: rank)
    }

    /// Runs `body` on every rank, each on its own thread, and returns their results in rank order.
    public static func run<T: Sendable>(size: Int, _ body: @escaping @Sendable (InProcessCommunicator) -> T) -> [T] {
        let group = InProcessGroup(size: size)
        let results = ResultSlots<T>(count: size)
        let done = DispatchGroup()
        for r in 0 ..< size {
            done.enter()
            let thread = Thread {
                results.set(r, body(group.communicator(rank: r)))
                done.leave()
            }
            thread.stackSize = 16 << 20
            thread.start()
        }
        done.wait()
        return results.values
    }

    /// Every rank's contribution, in rank order, once all have arrived.
    func exchange(_ values: [Double], rank: Int) -> [[Double]] {
        condition.lock()
        defer { condition.unlock() }
        let mine = generation
        contributions[rank] = values
        arrived += 1
        if arrived == size {
            completed = contributions
            arrived = 0
            generation += 1
            condition.broadcast()
        } else {
            while generation == mine { condition.wait() }
        }
        return completed
    }

    func recordAbort(_ code: Int32) {
        condition.lock()
        if abortCode == nil { abortCode = code }
        condition.unlock()
    }
}

/// One rank of an `InProcessGroup`.
public final class InProcessCommunicator: Communicator, @unchecked Sendable {
    // @unchecked: immutable; the shared state lives in the group, under its lock.
    public let rank: Int
    public var size: Int { group.size }
    private let group: InProcessGroup

    init(group: InProcessGroup, rank: Int) {
        self.group = group
        self.rank = rank
    }

    public func barrier() { _ = group.exchange([], rank: rank) }

    public func broadcast(_ values: [Double], root: Int) -> [Double] {
        group.exchange(rank == root ? values : [], rank: rank)[root]
    }

    public func gather(_ values: [Double], root: Int) -> [[Double]] {
        let all = group.exchange(values, rank: rank)
        return rank == root ? all : []
    }

    /// In one process no rank can end the others: the code is recorded and the calling thread stops.
    public func abort(exitCode: Int32) -> Never {
        group.recordAbort(exitCode)
        fatalError("rank \(rank) of an in-process group aborted with exit code \(exitCode)")
    }
}

/// Results written by several threads, one slot each.
final class ResultSlots<T: Sendable>: @unchecked Sendable {
    // @unchecked: each slot is written by one thread, read after all have finished (under the lock).
    private let lock = NSLock()
    private var slots: [T?]

    init(count: Int) { slots = [T?](repeating: nil, count: count) }

    func set(_ index: Int, _ value: T) { lock.withLock { slots[index] = value } }

    var values: [T] { lock.withLock { slots.map { $0! } } }
}
