#!/usr/bin/env bash
# Set-up, then the whole test suite (debug build, Swift Testing and XCTest), then the example package
# (examples/bead-spring, a separate package on the public API: it must keep building and calibrating).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
swift build --build-tests
swift test --skip-build
(cd examples/bead-spring && swift build --build-tests && swift test --skip-build && .build/debug/calibrate-beads regress cases/shear)
