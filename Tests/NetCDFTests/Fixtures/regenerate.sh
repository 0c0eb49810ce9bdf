#!/bin/sh
# Rebuilds the committed .nc fixtures from their CDL text (needs ncgen, Debian package netcdf-bin).
# Tests read the committed .nc files, so ncgen is only needed after editing a .cdl.
set -eu
cd "$(dirname "$0")"
ncgen -k classic -o classic.nc classic.cdl
ncgen -k nc4 -o netcdf4.nc netcdf4.cdl
