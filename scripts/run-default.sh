#!/usr/bin/env bash
# Set-up, release build, then the main job: calibrating the bundled Morse-lattice case.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
swift build -c release --product calibrate
.build/release/calibrate run cases/morse-lattice
