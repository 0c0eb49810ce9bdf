#!/usr/bin/env bash
# Builds and runs one libFuzzer harness of fuzz/ for a number of seconds:
#   bash scripts/fuzz.sh HARNESS SECONDS [extra libFuzzer flags…]
# HARNESS: configuration, case, gmsh, netcdf, checkpoint (or "all" to run each in turn).
# The harnesses are a separate package (fuzz/Package.swift) built with -sanitize=fuzzer,address, so a
# plain `swift build` / `swift test` of the repository never needs the fuzzer runtime. Seeds come from
# the bundled cases; the growing corpus lives in fuzz/.work/HARNESS (not committed), and any crash is
# written to fuzz/crashes/ (turn each into a regression test, then delete it). The process is limited
# to 1.5 GB (-rss_limit_mb, -malloc_limit_mb) and 10 s per input.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
harnesses=(configuration case gmsh netcdf checkpoint)
if [[ $# -lt 2 ]]; then
    echo "usage: bash scripts/fuzz.sh HARNESS|all SECONDS [libFuzzer flags…]; harnesses: ${harnesses[*]}" >&2
    exit 2
fi
name=$1 seconds=$2
shift 2
if [[ $name == all ]]; then
    for h in "${harnesses[@]}"; do bash "$0" "$h" "$seconds" "$@"; done
    exit 0
fi
if [[ ! " ${harnesses[*]} " == *" $name "* ]]; then
    echo "error: unknown harness '$name'; harnesses: ${harnesses[*]}" >&2
    exit 2
fi

echo "building fuzz-$name (-sanitize=fuzzer,address)…" >&2
(cd fuzz && swift build --product "fuzz-$name" -Xswiftc -sanitize=fuzzer,address >&2)
binary=$(cd fuzz && swift build --product "fuzz-$name" -Xswiftc -sanitize=fuzzer,address --show-bin-path)/fuzz-$name

# Seed corpus from the bundled cases.
seeds=fuzz/.work/seeds-$name corpus=fuzz/.work/$name
mkdir -p "$seeds" "$corpus" fuzz/crashes
case $name in
    configuration|case) for c in cases/*/case.json; do cp "$c" "$seeds/$(basename "$(dirname "$c")").json"; done ;;
    gmsh) cp cases/*/*.msh "$seeds/"; cp Tests/PhysicsTests/Poroelastic/*.msh "$seeds/" 2>/dev/null || true ;;
    netcdf) for f in cases/*/*.nc Tests/NetCDFTests/Fixtures/*.nc; do
                # classic files only: netCDF-4/HDF5 input reaches bugs inside HDF5 (docs/netcdf.md)
                [[ $(head -c 3 "$f") == CDF ]] && cp "$f" "$seeds/$(basename "$(dirname "$f")")-$(basename "$f")"
            done ;;
    checkpoint) CALIBRATE_FUZZ_WRITE_SEED="$seeds/checkpoint.bin" "$binary" ;;
esac

export CALIBRATE_FUZZ_CASES=$root/cases
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0:allocator_may_return_null=1}
echo "fuzzing $name for $seconds s (corpus $corpus, crashes in fuzz/crashes/)" >&2
"$binary" "$corpus" "$seeds" -max_total_time="$seconds" -rss_limit_mb=1500 -malloc_limit_mb=1500 -timeout=10 \
    -artifact_prefix="fuzz/crashes/$name-" -print_final_stats=1 "$@"
