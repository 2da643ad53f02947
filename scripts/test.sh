#!/usr/bin/env bash
# Install what is missing, build with warnings as errors, and run the whole test suite
# (unit, MPI conformance at 1-4 ranks, the binary end to end).
#   bash scripts/test.sh [extra ctest arguments, e.g. -L unit]
set -euo pipefail
cd "$(dirname "$0")/.."

bash cmake/install-deps.sh
cmake --preset dev >/dev/null
cmake --build --preset dev
ctest --preset dev "$@"
