#!/usr/bin/env bash
# Quick start: install what is missing, build (release), then run the main job twice,
# on this machine's cores and under `mpirun -n 2`, and show that the results agree.
#   bash scripts/demo.sh [SAMPLES]        (default 2e9 samples)
set -euo pipefail
cd "$(dirname "$0")/.."
samples=${1:-2e9}

bash cmake/install-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release

# mpirun refuses to run as root without these; --oversubscribe allows more ranks than cores.
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
parfold=build/release/src/parfold

echo
echo "== parfold pi --samples $samples   (all local cores, no MPI)"
$parfold pi --samples "$samples" | tee /tmp/parfold-demo-local.txt
echo
echo "== mpirun -n 2 --oversubscribe parfold pi --samples $samples"
mpirun -n 2 --oversubscribe $parfold pi --samples "$samples" | tee /tmp/parfold-demo-mpi.txt
echo
if diff <(grep -E '^(estimate|hits)' /tmp/parfold-demo-local.txt) \
        <(grep -E '^(estimate|hits)' /tmp/parfold-demo-mpi.txt) >/dev/null; then
  echo "Identical results: $(grep '^hits' /tmp/parfold-demo-local.txt | tr -s ' ') with and without MPI."
else
  echo "ERROR: the two runs disagree" >&2
  exit 1
fi
echo "The binary is $parfold; try '$parfold --help'."
