// Open MPI (Debian 12 libopenmpi-dev): the few collective operations Calibrate needs, on
// MPI_COMM_WORLD. MPI_COMM_WORLD and the datatypes are macros over global objects that Swift cannot
// import, so each call is wrapped here once. Errors keep MPI's default handler (MPI_ERRORS_ARE_FATAL):
// a failed collective ends the whole job, which is what a lost rank must do.
#include <mpi.h>

static inline int cmpi_initialized(void) { int flag = 0; MPI_Initialized(&flag); return flag; }
static inline int cmpi_finalized(void) { int flag = 0; MPI_Finalized(&flag); return flag; }
static inline int cmpi_init(void) { return MPI_Init(NULL, NULL); }
static inline int cmpi_finalize(void) { return MPI_Finalize(); }
static inline int cmpi_rank(void) { int r = 0; MPI_Comm_rank(MPI_COMM_WORLD, &r); return r; }
static inline int cmpi_size(void) { int s = 1; MPI_Comm_size(MPI_COMM_WORLD, &s); return s; }
static inline int cmpi_barrier(void) { return MPI_Barrier(MPI_COMM_WORLD); }
static inline int cmpi_broadcast_long(long long *value, int root) {
    return MPI_Bcast(value, 1, MPI_LONG_LONG, root, MPI_COMM_WORLD);
}
static inline int cmpi_broadcast_doubles(double *values, int count, int root) {
    return MPI_Bcast(values, count, MPI_DOUBLE, root, MPI_COMM_WORLD);
}
static inline int cmpi_gather_int(int value, int *all, int root) {
    return MPI_Gather(&value, 1, MPI_INT, all, 1, MPI_INT, root, MPI_COMM_WORLD);
}
static inline int cmpi_gatherv_doubles(const double *values, int count, double *all, const int *counts,
                                       const int *offsets, int root) {
    return MPI_Gatherv(values, count, MPI_DOUBLE, all, counts, offsets, MPI_DOUBLE, root, MPI_COMM_WORLD);
}
static inline void cmpi_abort(int code) { MPI_Abort(MPI_COMM_WORLD, code); }
