// CHOLMOD (SuiteSparse 5.x, Debian 12 libsuitesparse-dev) and the OpenBLAS thread controls.
// Only the Sparse module imports this; every C status is checked there.
#include <suitesparse/cholmod.h>

// OpenBLAS exports these; declared here so the BLAS thread count can be set at run time.
void openblas_set_num_threads(int num_threads);
int openblas_get_num_threads(void);

// GNU OpenMP (libgomp, which Debian's CHOLMOD is built with): CHOLMOD's supernodal numeric
// factorization opens OpenMP regions of CHOLMOD_OMP_NUM_THREADS (4) threads around its copy loops;
// these follow the BLAS thread count (see Sparse/BLASThreads.swift).
void omp_set_max_active_levels(int max_levels);
int omp_get_max_active_levels(void);

// LAPACK (OpenBLAS exports the Fortran symbols; LP64 build: Fortran INTEGER is C int). The trailing
// size_t arguments are the hidden lengths gfortran passes for CHARACTER arguments. Used only by
// Sparse/SymmetricEigen.swift, which checks `info`.
void dsyev_(const char *jobz, const char *uplo, const int *n, double *a, const int *lda, double *w,
            double *work, const int *lwork, int *info, size_t jobz_len, size_t uplo_len);
