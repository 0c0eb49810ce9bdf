// MUMPS 5.x, sequential build (Debian 12 libmumps-seq-dev: libdmumps_seq with the fake MPI of
// libmpiseq_seq; no MPI_Init needed). Only Sparse/MumpsLDLT.swift imports this; every INFOG(1) is
// checked there. The accessors below index the control and information arrays as the MUMPS user's
// guide numbers them (1-based), so the Swift code reads like the manual: ICNTL(7), INFOG(12), ...
#include <dmumps_c.h>

// The communicator value MUMPS's documentation prescribes for the sequential library.
#define CMUMPS_USE_COMM_WORLD (-987654)

static inline void cmumps_set_icntl(DMUMPS_STRUC_C *s, int i, int value) { s->icntl[i - 1] = value; }
static inline int cmumps_icntl(const DMUMPS_STRUC_C *s, int i) { return s->icntl[i - 1]; }
static inline void cmumps_set_cntl(DMUMPS_STRUC_C *s, int i, double value) { s->cntl[i - 1] = value; }
static inline int cmumps_info(const DMUMPS_STRUC_C *s, int i) { return s->info[i - 1]; }
static inline int cmumps_infog(const DMUMPS_STRUC_C *s, int i) { return s->infog[i - 1]; }
static inline double cmumps_rinfog(const DMUMPS_STRUC_C *s, int i) { return s->rinfog[i - 1]; }
