// netCDF-C (Debian 12 libnetcdf-dev). Only the NetCDF module imports this.
#include <netcdf.h>
