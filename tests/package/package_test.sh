#!/usr/bin/env bash
# The installed package as an outside project uses it: install parfold into a
# temporary prefix, configure projects against it with find_package(parfold), build,
# and run both programs alone and under the MPI launcher with 2 ranks, checking their
# answers against closed forms (pi(10^5) = 9592 primes; every histogram bucket 10^5).
# The projects: examples/ (LANGUAGES C CXX) and two made here from its sources, one
# `project(app CXX)` (C not enabled: parfoldConfig.cmake must not ask for MPI's C
# component) and one `project(app C CXX)`.
#   package_test.sh BUILD_DIR SOURCE_DIR MPIEXEC [LAUNCHER_FLAGS...]
# LAUNCHER_FLAGS go between MPIEXEC and "-n 2"; without any, PARFOLD_MPIEXEC_FLAGS, or
# Open MPI's "--oversubscribe --bind-to none" when that is unset (MPICH's mpiexec.hydra
# takes neither: pass PARFOLD_MPIEXEC_FLAGS= or a flag it knows).
set -euo pipefail
build=$1 src=$(realpath "$2") mpiexec=$3
shift 3
if (($#)); then
  flags=("$@")
else
  read -ra flags <<<"${PARFOLD_MPIEXEC_FLAGS-"--oversubscribe --bind-to none"}"
fi
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

# An outside project from examples/ sources, declaring LANGUAGES $1.
outside_project() {
  local dir=$tmp/project-${1// /-}
  mkdir -p "$dir"
  cat >"$dir/CMakeLists.txt" <<CMAKE
cmake_minimum_required(VERSION 3.25)
project(app LANGUAGES $1)
find_package(parfold 0.1 REQUIRED)
add_executable(user_kernel $src/examples/user_kernel.cpp)
target_link_libraries(user_kernel PRIVATE parfold::parfold)
add_executable(own_mpi $src/examples/own_mpi.cpp)
target_link_libraries(own_mpi PRIVATE parfold::parfold)
CMAKE
  echo "$dir"
}

# The same sources thrice: ccache, where there is one, compiles them once.
launcher=()
if command -v ccache >/dev/null; then launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache); fi

mpi_lib=$(ldd "$tmp/prefix/bin/parfold" | grep -oE '^\s*libmpi(ch)?\.so\.[0-9]+' | tr -d '[:space:]')
echo "parfold runs on $mpi_lib"

# Configures, builds and runs one project alone and under the launcher.
build_and_run() {
  local name=$1 dir=$2 bin=$tmp/build-$1 out run
  cmake -S "$dir" -B "$bin" -G Ninja -DCMAKE_PREFIX_PATH="$tmp/prefix" -DCMAKE_BUILD_TYPE=Release \
    "${launcher[@]}" >"$tmp/configure.log" 2>&1 || { cat "$tmp/configure.log"; echo "$name: configure failed"; exit 1; }
  cmake --build "$bin" >"$tmp/build.log" 2>&1 || { cat "$tmp/build.log"; echo "$name: build failed"; exit 1; }
  # The project runs on parfold's MPI (Open MPI's libmpi.so.40, MPICH's libmpich.so.12), once.
  local mpis
  mpis=$(ldd "$bin/user_kernel" | grep -oE '^\s*libmpi(ch)?\.so\.[0-9]+' | tr -d '[:space:]')
  [[ $mpis == "$mpi_lib" ]] || { echo "$name: links '$mpis', parfold links '$mpi_lib'"; exit 1; }
  for run in "" "$mpiexec ${flags[*]} -n 2"; do
    out=$($run "$bin/user_kernel" 100000 dynamic 100)
    echo "$name: $out"
    [[ $out == *'primes below 100000: 9592 '* ]] || { echo "$name user_kernel ($run): wrong answer"; exit 1; }
    out=$($run "$bin/own_mpi")
    echo "$name: $out"
    [[ $(grep -c "histogram ok, own message ok" <<<"$out") -eq $([[ -z $run ]] && echo 1 || echo 2) ]] ||
      { echo "$name own_mpi ($run): wrong answer"; exit 1; }
  done
}

# A project that names another MPI's wrapper is refused at find_package(parfold), by name.
other=$([[ $mpi_lib == libmpich.* ]] && echo mpicxx.openmpi || echo mpicxx.mpich)
if command -v "$other" >/dev/null; then
  if cmake -S "$(outside_project CXX)" -B "$tmp/build-other" -G Ninja -DCMAKE_PREFIX_PATH="$tmp/prefix" \
       -DMPI_CXX_COMPILER="$other" >"$tmp/other.log" 2>&1 || ! grep -q "parfold is built for $mpi_lib" "$tmp/other.log"; then
    cat "$tmp/other.log"; echo "a project on $other was not refused by name"; exit 1
  fi
  echo "a project on $other: refused by name"
else
  echo "no $other here: the refusal of another MPI is not tried"
fi

build_and_run examples "$src/examples"
build_and_run cxx-only "$(outside_project CXX)"
build_and_run c-and-cxx "$(outside_project "C CXX")"
echo "package: installed, found, built and run alone and with 2 ranks from examples/ (C CXX)," \
     "a CXX-only and a C CXX project"
