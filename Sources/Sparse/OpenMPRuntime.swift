import Foundation

/// Keeps CHOLMOD's own OpenMP loops serial.
///
/// Debian's CHOLMOD 3.0 is built with OpenMP and `CHOLMOD_OMP_NUM_THREADS 4`: inside the supernodal
/// factorization it opens a parallel region of four threads for every supernode's clearing, copying and
/// assembly, however many cores there are and whatever the BLAS thread count. Those loops move memory;
/// the arithmetic is in BLAS, which has its own threads (`BLASThreads`). On two cores the regions
/// oversubscribe the machine and their threads wait on futexes: measured on the 10⁵-atom lattice
/// (`calibrate-bench lattice --sizes 1e5 --threads 2`), a numeric factorization took 6.7 s with 23 s of
/// system time in the run, and 3.2 s with 2.8 s of system time with the loops serial (docs/performance.md).
///
/// The `num_threads(4)` clause overrides `omp_set_num_threads`, so the runtime's maximum of active
/// parallel levels is set to 0 instead, which makes every OpenMP region of the process run on the calling
/// thread (OpenMP 4.5, §2.3.2 max-active-levels-var). Nothing else in the project uses OpenMP (OpenBLAS
/// is the pthreads build, MUMPS the sequential one). The runtime is found in the process with `dlopen`'s
/// no-load mode, so nothing links against it and a CHOLMOD built without OpenMP is left as it is.
public enum OpenMPRuntime {
    /// Whether the OpenMP runtime was found and its parallel regions made serial (done once).
    public static let serialized: Bool = {
        guard let runtime = dlopen("libgomp.so.1", RTLD_NOW | RTLD_NOLOAD),
              let symbol = dlsym(runtime, "omp_set_max_active_levels") else { return false }
        let setMaximumActiveLevels = unsafeBitCast(symbol, to: (@convention(c) (Int32) -> Void).self)
        setMaximumActiveLevels(0)
        return true
    }()
}
