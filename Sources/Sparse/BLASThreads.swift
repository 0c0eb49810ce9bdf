internal import CSuiteSparse
import Foundation

/// Control of the number of threads OpenBLAS uses inside CHOLMOD's supernodal factorization.
///
/// Precedence: an explicit `set(_:)` (the command line's `--threads`), else the environment variable
/// `CALIBRATE_THREADS`, else OpenBLAS's own `OPENBLAS_NUM_THREADS`, else all cores. Results are bit for
/// bit reproducible only for a fixed thread count.
///
/// CHOLMOD's own OpenMP loops are not BLAS threads: they run serially on every thread (`OpenMPRuntime`).
public enum BLASThreads {
    /// The environment variable read by `configureFromEnvironment()`.
    public static let environmentVariable = "CALIBRATE_THREADS"

    /// Threads OpenBLAS will use.
    public static var current: Int { Int(openblas_get_num_threads()) }

    /// Sets the BLAS thread count (at least 1).
    public static func set(_ count: Int) {
        openblas_set_num_threads(Int32(max(1, count)))
    }

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
