internal import CSuiteSparse
import Foundation

/// Control of the number of threads OpenBLAS uses inside CHOLMOD's supernodal factorization.
///
/// Precedence: an explicit `set(_:)` (the command line's `--threads`), else the environment variable
/// `CALIBRATE_THREADS`, else OpenBLAS's own `OPENBLAS_NUM_THREADS`, else all cores. Results are bit for
/// bit reproducible only for a fixed thread count.
///
/// CHOLMOD's own OpenMP loops (Debian's CHOLMOD opens regions of 4 threads around the copies of its
/// supernodal factorization) follow: with one BLAS thread they run on the calling thread alone. Their
/// threads otherwise outnumber the cores as soon as several workers factorize at once (`--jobs`), and
/// even alone they cost a wake-up per region; the copies are the same whatever the thread count.
public enum BLASThreads {
    /// The environment variable read by `configureFromEnvironment()`.
    public static let environmentVariable = "CALIBRATE_THREADS"

    /// Threads OpenBLAS will use.
    public static var current: Int { Int(openblas_get_num_threads()) }

    /// Sets the BLAS thread count (at least 1), and CHOLMOD's OpenMP loops on this thread to match.
    public static func set(_ count: Int) {
        _ = defaultOpenMPLevels  // read before the first change
        openblas_set_num_threads(Int32(max(1, count)))
        adoptOnThisThread()
    }

    /// Applies the OpenMP side of the setting in force to the calling thread: libgomp keeps it per
    /// thread, so every worker thread that factorizes calls this first (`WorkerPool` does).
    public static func adoptOnThisThread() {
        // Nesting levels 0: every OpenMP region runs on the thread that opens it.
        omp_set_max_active_levels(current <= 1 ? 0 : defaultOpenMPLevels)
    }

    /// libgomp's setting before the first `set` (from OMP_MAX_ACTIVE_LEVELS or its default).
    private static let defaultOpenMPLevels = omp_get_max_active_levels()

    /// Applies `CALIBRATE_THREADS` when it is set to a positive integer; returns the count in force.
    /// Throws when the variable is set to something else, so a typo does not go unnoticed.
    @discardableResult
    public static func configureFromEnvironment() throws -> Int {
        if let text = ProcessInfo.processInfo.environment[environmentVariable] {
            guard let n = Int(text.trimmingCharacters(in: .whitespaces)), n > 0 else {
                throw SparseError.invalidOption("\(environmentVariable)=\(text) is not a positive integer")
            }
            set(n)
        }
        return current
    }
}
