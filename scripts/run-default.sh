#!/usr/bin/env bash
# Set-up, release build, then the main job on the bundled default case.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
swift build -c release
.build/release/calibrate-bench sparse --sizes 1e4,1e5
