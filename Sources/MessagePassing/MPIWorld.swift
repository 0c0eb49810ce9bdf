internal import CMPI
import Foundation

/// MPI_COMM_WORLD of Open MPI, initialised once per process.
///
/// Only a process started by `mpirun`/`mpiexec` (Open MPI sets `OMPI_COMM_WORLD_SIZE`) or by Slurm's
/// `srun` with PMIx (`PMIX_RANK`) initialises MPI; a plain `calibrate` never touches it. Collectives
/// use MPI's default error handler, so a lost rank or a failed transfer ends every rank of the job.
public final class MPIWorld: Communicator, @unchecked Sendable {
    // @unchecked: immutable after init; the MPI calls themselves are made from one thread per rank
    // (the MPI_THREAD_SINGLE/FUNNELED contract of MPI_Init), which the callers guarantee.
    public let rank: Int
    public let size: Int
    /// Ranks of this job on this node (for dividing the node's cores), 1 when unknown.
    public let localSize: Int

    private init() {
        _ = cmpi_init()
        rank = Int(cmpi_rank())
        size = Int(cmpi_size())
        let environment = ProcessInfo.processInfo.environment
        localSize = max(1, Int(environment["OMPI_COMM_WORLD_LOCAL_SIZE"] ?? environment["SLURM_NTASKS_PER_NODE"] ?? "") ?? 1)
    }

    /// Whether this process was started by an MPI launcher (and so must join its job).
    public static func launchedByMPIRun(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> Bool {
        environment["OMPI_COMM_WORLD_SIZE"] != nil || environment["PMIX_RANK"] != nil
    }

    /// The world of this process: initialised on first use when launched by an MPI launcher, else nil.
    public static let shared: MPIWorld? = launchedByMPIRun() ? MPIWorld() : nil

    /// Leaves MPI (collective: every rank calls it once, at the end); harmless when already done.
    public func finish() {
        if cmpi_finalized() == 0 { _ = cmpi_finalize() }
    }

    public func barrier() { _ = cmpi_barrier() }

    public func broadcast(_ values: [Double], root: Int) -> [Double] {
        var count = Int64(rank == root ? values.count : 0)
        _ = cmpi_broadcast_long(&count, Int32(root))
        precondition(count >= 0 && count <= Int64(Int32.max), "MPI broadcast of \(count) numbers exceeds one message")
        var buffer = rank == root ? values : [Double](repeating: 0, count: Int(count))
        buffer.withUnsafeMutableBufferPointer { p in _ = cmpi_broadcast_doubles(p.baseAddress, Int32(count), Int32(root)) }
        return buffer
    }

    public func gather(_ values: [Double], root: Int) -> [[Double]] {
        precondition(values.count <= Int(Int32.max), "MPI gather of \(values.count) numbers exceeds one message")
        var counts = [Int32](repeating: 0, count: rank == root ? size : 1)
        counts.withUnsafeMutableBufferPointer { p in _ = cmpi_gather_int(Int32(values.count), p.baseAddress, Int32(root)) }
        var offsets = [Int32](repeating: 0, count: counts.count), total = 0
        if rank == root {
            for r in counts.indices {
                offsets[r] = Int32(total)
                total += Int(counts[r])
            }
            precondition(total <= Int(Int32.max), "MPI gather of \(total) numbers exceeds one message")
        }
        var all = [Double](repeating: 0, count: max(total, 1))
        values.withUnsafeBufferPointer { v in
            all.withUnsafeMutableBufferPointer { a in
                _ = cmpi_gatherv_doubles(v.baseAddress, Int32(values.count), a.baseAddress, counts, offsets, Int32(root))
            }
        }
        guard rank == root else { return [] }
        return counts.indices.map { r in Array(all[Int(offsets[r]) ..< Int(offsets[r]) + Int(counts[r])]) }
    }

    public func abort(exitCode: Int32) -> Never {
        cmpi_abort(exitCode)
        exit(exitCode)  // MPI_Abort does not return; this satisfies the type checker
    }
}
