#!/usr/bin/env bash
# Install what is missing, build with warnings as errors, and run the whole test suite
# (unit, MPI conformance at 1-4 ranks, the binary end to end).
#   bash scripts/test.sh [extra ctest arguments, e.g. -L unit]
set -euo pipefail
cd "$(dirname "$0")/.."

bash cmake/install-deps.sh
cmake --preset dev >/dev/null
cmake --build --preset dev
# The SIMD kernel tests run only where the CPU has the instruction set (else SKIPPED).
isa="sse2"
grep -qw avx2 /proc/cpuinfo && isa="$isa avx2"
grep -qw avx512f /proc/cpuinfo && grep -qw avx512bw /proc/cpuinfo && isa="$isa avx512(f,bw)"
echo "SIMD kernels tested on this CPU: $isa${PARFOLD_ISA:+ (capped by PARFOLD_ISA=$PARFOLD_ISA)}"
ctest --preset dev "$@"
