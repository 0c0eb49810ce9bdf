#!/usr/bin/env bash
# Installs the Debian 12 packages Calibrate builds against, when any is missing. Sourced by the other
# scripts; safe to run again (it does nothing when everything is present).
set -euo pipefail
packages=(libsuitesparse-dev libopenblas-dev libmumps-seq-dev libnetcdf-dev netcdf-bin libnlopt-dev libopenmpi-dev openmpi-bin pkg-config)
missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
    echo "calibrate setup: installing ${missing[*]}" >&2
    sudo=""
    if [ "$(id -u)" != 0 ]; then sudo="sudo"; fi
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi
command -v swift >/dev/null || { echo "calibrate setup: the Swift toolchain (swift) is not on PATH" >&2; exit 1; }
