#!/usr/bin/env bash
# Set-up, then the whole test suite (debug build, Swift Testing and XCTest).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
swift build --build-tests
swift test --skip-build
