#!/usr/bin/env bash
# Install what is missing, build with warnings as errors, and run the whole test suite
# (unit, MPI conformance at 1-4 ranks, the binary end to end) on Open MPI; then build on
# MPICH (preset mpich) and run there the suites whose behaviour depends on the MPI or its
# launcher (ctest label `launcher`), under MPICH's mpiexec.hydra.
#   bash scripts/test.sh [extra ctest arguments, e.g. -R api]   (narrow both runs; on MPICH
#                                                               within the label launcher)
#   PARFOLD_TEST_MPIS="openmpi" bash scripts/test.sh              (one MPI only: openmpi, mpich)
set -euo pipefail
cd "$(dirname "$0")/.."
mpis=${PARFOLD_TEST_MPIS:-openmpi mpich}
for m in $mpis; do
  [[ $m == openmpi || $m == mpich ]] || { echo "PARFOLD_TEST_MPIS: '$m' is not openmpi or mpich" >&2; exit 2; }
done

bash cmake/install-deps.sh
# ccache, where installed, keeps what did not change between builds and clones.
cache=()
if command -v ccache >/dev/null; then
  export CCACHE_BASEDIR=$PWD CCACHE_NOHASHDIR=1
  cache=(-DCMAKE_C_COMPILER_LAUNCHER=ccache -DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
fi
# The SIMD kernel tests run only where the CPU has the instruction set (else SKIPPED).
isa="sse2"
grep -qw avx2 /proc/cpuinfo && isa="$isa avx2"
grep -qw avx512f /proc/cpuinfo && grep -qw avx512bw /proc/cpuinfo && isa="$isa avx512(f,bw)"

if [[ " $mpis " == *" openmpi "* ]]; then
  cmake --preset dev "${cache[@]}" >/dev/null
  cmake --build --preset dev
  echo "SIMD kernels tested on this CPU: $isa${PARFOLD_ISA:+ (capped by PARFOLD_ISA=$PARFOLD_ISA)}"
  ctest --preset dev "$@"
fi
if [[ " $mpis " == *" mpich "* ]]; then
  cmake --preset mpich "${cache[@]}" >/dev/null
  cmake --build --preset mpich
  if (($#)); then  # extra arguments may select no launcher test: no failure on this run
    ctest --preset mpich -L launcher --no-tests=ignore "$@"
  else
    ctest --preset mpich -L launcher
  fi
fi
