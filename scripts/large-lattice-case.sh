#!/usr/bin/env bash
# Makes a large lattice case for performance work: the bundled indentation case (cases/indentation)
# scaled up to about ATOMS atoms, with one tip pressed to one depth, and its data made by `synth`.
# Nothing large is bundled: the case is written to DIR (outside the repository, or under the
# git-ignored .build/), reproducibly (same ATOMS, same build: same case, same data bit for bit).
#
#   bash scripts/large-lattice-case.sh 1e5 .build/large-1e5     # 99,856 atoms (316 × 158 cells)
#   bash scripts/large-lattice-case.sh 1e6 .build/large-1e6     # 1,000,000 atoms (1000 × 500 cells)
#   .build/release/calibrate forward .build/large-1e5 --threads 2
#
# Options (environment): CALIBRATE (the executable, default .build/release/calibrate),
# DEPTHS (JSON list of indentation depths in angstrom, default [1.5]), RADIUS (tip radius, default 3).
set -euo pipefail
if [ $# -ne 2 ]; then
    echo "usage: bash scripts/large-lattice-case.sh ATOMS DIR   (ATOMS like 1e5 or 100000)" >&2
    exit 2
fi
root="$(cd "$(dirname "$0")/.." && pwd)"
calibrate="${CALIBRATE:-$root/.build/release/calibrate}"
depths="${DEPTHS:-[1.5]}"
radius="${RADIUS:-3.0}"
atoms=$(python3 -c "import sys; print(int(float(sys.argv[1])))" "$1")
# A triangular lattice has 2 atoms per cell; nx × nx/2 cells keep the slab twice as wide as tall.
nx=$(python3 -c "import math, sys; print(max(8, round(math.sqrt(int(sys.argv[1])))))" "$atoms")
ny=$((nx / 2))
[ -x "$calibrate" ] || { echo "large-lattice-case: build calibrate first (swift build -c release --product calibrate)" >&2; exit 1; }
mkdir -p "$2"
jq --argjson cells "[$nx, $ny]" --argjson depths "$depths" --argjson radius "$radius" '
  .title = "Indentation of a large triangular Morse lattice (performance case)"
  | .description = "cases/indentation scaled up by scripts/large-lattice-case.sh: one tip, \($depths | length) depth(s)"
  | .data = "force_depth.nc"
  | .model.cells = $cells
  | .experiments = [.experiments[0]
      | .loading.indenter.radius = $radius
      | .sweep.values = $depths]
' "$root/cases/indentation/case.json" > "$2/case.json"
rm -f "$2/force_depth.nc"
"$calibrate" synth "$2" --truth D=0.35 --truth alpha=1.4 --noise 0.005 --seed 7
echo "large-lattice-case: $2 holds $((2 * nx * ny)) atoms ($nx × $ny cells)" >&2
