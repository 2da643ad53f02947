#!/usr/bin/env bash
# Builds Boost.MPI for the MPI behind a compiler wrapper, into a cache, without touching the
# system: Debian ships libboost_mpi for Open MPI only, and a Boost.MPI built for another MPI
# is what a Spack (`boost+mpi ^mpich`) or EasyBuild module gives on a cluster.
#   cmake/build-boost-mpi.sh MPICXX [BOOST_SOURCE_TREE]
# MPICXX: the MPI's C++ wrapper (mpicxx.mpich, Cray's CC, mpiicpc...). BOOST_SOURCE_TREE: a
# Boost source tree of the installed Boost's version; without it, Debian's boost1.74 source
# package is fetched through a private apt sources list (the machine's apt setup is left alone).
# Prints the path of libboost_mpi.so on stdout. The cache (PARFOLD_CACHE, default
# ~/.cache/parfold) holds one build per wrapper, MPI and Boost version; a second call reuses it.
set -euo pipefail
shopt -s inherit_errexit
mpicxx=${1:?usage: build-boost-mpi.sh MPICXX [BOOST_SOURCE_TREE]}
tree=${2:-}
cache=${PARFOLD_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/parfold}
die() { echo "build-boost-mpi: $*" >&2; exit 2; }
command -v "$mpicxx" >/dev/null || die "no MPI C++ wrapper '$mpicxx'"
mkdir -p "$cache" 2>/dev/null && [[ -w $cache ]] || die "cannot write the cache $cache (set PARFOLD_CACHE)"

version_of() { sed -n 's/^#define BOOST_LIB_VERSION "\(.*\)"/\1/p' "$1/boost/version.hpp"; }
[[ -f /usr/include/boost/version.hpp ]] || die "no Boost headers in /usr/include (install libboost-dev)"
installed=$(version_of /usr/include)
if [[ -n $tree ]]; then
  [[ -f $tree/boost/version.hpp ]] && compgen -G "$tree/libs/mpi/src/*.cpp" >/dev/null ||
    die "$tree is not a Boost source tree (no boost/version.hpp, libs/mpi/src/*.cpp)"
  [[ $(version_of "$tree") == "$installed" ]] || die "$tree is Boost $(version_of "$tree"), the installed Boost is $installed"
fi

# One build per wrapper (its full command line names the MPI), Boost version and this script.
key=$( { "$mpicxx" -show 2>/dev/null || "$mpicxx" --showme 2>/dev/null || echo "$mpicxx"; echo "$installed $tree";
         cat "$0"; } | sha256sum | cut -c1-16)
out=$cache/boost-mpi-$key
lib=$out/lib/libboost_mpi.so
if [[ -f $lib ]]; then
  echo "$lib"
  exit 0
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# A C wrapper (mpicc) would build a library that lacks the C++ runtime.
printf '#include <string>\nint main() { return static_cast<int>(std::string("x").size()) - 1; }\n' >"$work/cxx.cpp"
"$mpicxx" "$work/cxx.cpp" -o "$work/cxx" 2>/dev/null || die "$mpicxx does not build and link C++: give the MPI's C++ wrapper"

fetch_debian_source() {  # Debian's boost source package, libs/mpi/src only, into $work/src
  local apt=$work/apt
  mkdir -p "$apt/parts" "$apt/lists/partial" "$apt/cache/archives/partial"
  echo "deb-src http://deb.debian.org/debian bookworm main" >"$apt/sources.list"
  local opts=(-q -o "Dir::Etc::SourceList=$apt/sources.list" -o "Dir::Etc::SourceParts=$apt/parts"
              -o "Dir::State::Lists=$apt/lists" -o "Dir::Cache=$apt/cache" -o APT::Sandbox::User=root)
  apt-get "${opts[@]}" update >&2
  local pkg="boost${installed/_/.}"
  (cd "$work" && apt-get "${opts[@]}" source --download-only "$pkg" >&2)
  mkdir -p "$work/src"
  tar -xJf "$work"/"${pkg}"_*.orig.tar.xz -C "$work/src" --strip-components=1 --wildcards '*/libs/mpi/src/*.cpp'
  echo "$work/src"
}

if [[ -z $tree ]]; then
  tree=$(fetch_debian_source)
  include=()
else
  include=(-I "$tree")
fi
mkdir -p "$work/obj"
# The library's own sources, as Boost.Build compiles them for a shared libboost_mpi.
export mpicxx work
printf '%s\0' "$tree"/libs/mpi/src/*.cpp | xargs -0 -P "$(nproc)" -I{} sh -c \
  '"$mpicxx" -std=c++17 -O2 -fPIC -DNDEBUG -DBOOST_MPI_DYN_LINK -DBOOST_MPI_SOURCE -DBOOST_ALL_NO_LIB "$@" \
     -c "$0" -o "$work/obj/$(basename "$0" .cpp).o"' {} "${include[@]}"
"$mpicxx" -shared -Wl,-soname,libboost_mpi.so -o "$work/libboost_mpi.so" "$work"/obj/*.o -lboost_serialization
# Into place by a rename within the cache's folder: a concurrent build never reads half a file.
mkdir -p "$out/lib"
cp "$work/libboost_mpi.so" "$out/lib/.libboost_mpi.so.$$"
mv -f "$out/lib/.libboost_mpi.so.$$" "$lib"
echo "build-boost-mpi: built $lib with $mpicxx (Boost $installed)" >&2
echo "$lib"
