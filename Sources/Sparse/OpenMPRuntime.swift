internal import CSuiteSparse

/// Keeps CHOLMOD's own OpenMP loops serial, on every thread that factorizes.
///
/// Debian's CHOLMOD 3.0 is built with OpenMP and `CHOLMOD_OMP_NUM_THREADS 4`: inside the supernodal
/// factorization it opens a parallel region of four threads for every supernode's clearing, copying and
/// assembly, however many cores there are and whatever the BLAS thread count. Those loops move memory;
/// the arithmetic is in BLAS, which has its own threads (`BLASThreads`). On two cores the regions
/// oversubscribe the machine and their threads wait on futexes: measured on the 10⁵-atom lattice
/// (`calibrate-bench lattice --sizes 1e5 --threads 2`), a numeric factorization took 6.7 s with 23 s of
/// system time in the run, and 3.2 s with 2.8 s of system time with the loops serial (docs/performance.md);
/// with several workers factorizing at once (`--jobs`) they would outnumber the cores further.
///
/// The `num_threads(4)` clause overrides `omp_set_num_threads`, so the runtime's maximum of active
/// parallel levels is set to 0 instead, which makes an OpenMP region run on the thread that opens it
/// (OpenMP 4.5, §2.3.2 max-active-levels-var). libgomp keeps that setting per thread, so it is applied
/// before every numeric factorization, on the thread that makes it (a thread-local store). Nothing else
/// in the project uses OpenMP (OpenBLAS is the pthreads build, MUMPS the sequential one). The factors
/// are bit for bit the same.
public enum OpenMPRuntime {
    /// Makes OpenMP regions opened by the calling thread run on it alone.
    public static func serializeOnThisThread() {
        omp_set_max_active_levels(0)
    }
}
