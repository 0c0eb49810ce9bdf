// CHOLMOD (SuiteSparse 5.x, Debian 12 libsuitesparse-dev) and the OpenBLAS thread controls.
// Only the Sparse module imports this; every C status is checked there.
#include <suitesparse/cholmod.h>

// OpenBLAS exports these; declared here so the BLAS thread count can be set at run time.
void openblas_set_num_threads(int num_threads);
int openblas_get_num_threads(void);
