#!/usr/bin/env bash
# The installed package as an outside project uses it: install parfold into a
# temporary prefix, configure examples/ against it with find_package(parfold), build,
# and run both programs alone and under mpirun -n 2, checking their answers against
# closed forms (pi(10^5) = 9592 primes; every histogram bucket 10^5).
#   package_test.sh BUILD_DIR SOURCE_DIR MPIEXEC
set -euo pipefail
build=$1 src=$2 mpiexec=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cmake --install "$build" --prefix "$tmp/prefix" >/dev/null
for f in bin/parfold include/parfold/parfold.hpp lib/cmake/parfold/parfoldConfig.cmake \
         lib/cmake/parfold/parfoldConfigVersion.cmake lib/cmake/parfold/parfoldTargets.cmake; do
  [[ -e $tmp/prefix/$f || -e $tmp/prefix/${f/lib\//lib64/} ]] || { echo "not installed: $f"; exit 1; }
done
# The library pushes no CLI11, nlohmann_json, RE2 or -march=native onto its users.
if grep -rE "CLI11|nlohmann|re2|march=native" "$tmp"/prefix/lib*/cmake/parfold/; then
  echo "the exported targets name a private dependency"; exit 1
fi
cmake -S "$src/examples" -B "$tmp/build" -G Ninja -DCMAKE_PREFIX_PATH="$tmp/prefix" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$tmp/build" >/dev/null
expect='primes below 100000: 9592 '
for run in "" "$mpiexec -n 2 --oversubscribe --bind-to none"; do
  out=$($run "$tmp/build/user_kernel" 100000 dynamic 100)
  echo "$out"
  [[ $out == *"$expect"* ]] || { echo "user_kernel ($run): wrong answer"; exit 1; }
  out=$($run "$tmp/build/own_mpi")
  echo "$out"
  [[ $(grep -c "histogram ok, own message ok" <<<"$out") -eq $([[ -z $run ]] && echo 1 || echo 2) ]] ||
    { echo "own_mpi ($run): wrong answer"; exit 1; }
done
echo "package: installed, found, built and run alone and under mpirun -n 2"
