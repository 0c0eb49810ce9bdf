import Foundation
import Sparse
import Synchronization

/// Runs independent work items on `jobs` workers: the calling thread and `jobs` − 1 threads started
/// for the call, each taking the next item from a shared counter until none is left.
///
/// Guarantees: `work(i)` runs exactly once for every item, on one thread; the results come back in item
/// order whatever the timing; the call returns when every worker has finished. The caller guarantees
/// that different items touch disjoint mutable state (each experiment, each step, is its own item).
public enum WorkerPool {
    /// Stack of each worker thread: as large as a main thread's, for the Fortran solvers' automatic arrays.
    static let stackSize = 16 << 20

    /// `work` applied to items 0 ..< count, handed out in `order` (a permutation; default ascending),
    /// results in item order.
    public static func map<T: Sendable>(_ count: Int, jobs: Int, order: [Int]? = nil, _ work: @escaping (Int) -> T) -> [T] {
        let workers = min(jobs, count)
        guard workers > 1 else { return (0 ..< count).map(work) }
        let shared = SharedItems(order: order ?? Array(0 ..< count), work: work)
        let done = DispatchGroup()
        for _ in 1 ..< workers {
            done.enter()
            let thread = Thread {
                shared.drain()
                done.leave()
            }
            thread.stackSize = stackSize
            thread.start()
        }
        shared.drain()
        done.wait()
        return shared.results
    }
}

/// The items of one call, the next one to hand out, and the result slots.
private final class SharedItems<T: Sendable>: @unchecked Sendable {
    // @unchecked: `next` hands out each item once (atomically), so `work` runs on one thread per item,
    // on state the caller keeps disjoint; the slots are written under their lock and read after every
    // worker has finished; `WorkerPool.map` waits for the workers, so nothing runs `work` after it returns.
    private let order: [Int]
    private let work: (Int) -> T
    private let next = Atomic<Int>(0)
    private let slots: Mutex<[T?]>

    init(order: [Int], work: @escaping (Int) -> T) {
        self.order = order
        self.work = work
        slots = Mutex([T?](repeating: nil, count: order.count))
    }

    func drain() {
        while true {
            let k = next.wrappingAdd(1, ordering: .relaxed).oldValue
            guard k < order.count else { return }
            let item = order[k]
            let value = work(item)
            slots.withLock { $0[item] = value }
        }
    }

    var results: [T] { slots.withLock { $0.map { $0! } } }
}
