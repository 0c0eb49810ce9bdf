// NLopt (Debian 12 libnlopt-dev): bounded quasi-Newton (L-BFGS) for the outer problem.
#include <nlopt.h>
