#!/usr/bin/env bash
# Installs what parfold needs to build and test, from Debian's packages.
# Idempotent: installs only what is missing; uses sudo when not root.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config python3 clang-format git
  openmpi-bin libopenmpi-dev libboost-mpi-dev libboost-serialization-dev
  mpich libmpich-dev ccache  # the second MPI (preset mpich: Boost.MPI built for it by build-boost-mpi.sh); ccache keeps unchanged builds
  libcli11-dev libgtest-dev librandom123-dev nlohmann-json3-dev
  libgmp-dev bc libre2-dev
  jargon-text fortunes  # texts for the lines tests and demos
  libisal-dev libzstd-dev liblzma-dev libbz2-dev  # lines -z: gzip (ISA-L igzip), zstd, xz, bzip2
  libhyperscan-dev  # lines grep: the regex scanner (RE2 for what it refuses)
  libpcre2-dev  # lines grep -P, and back-references under -G/-E (PCRE2 with its JIT)
  pigz zstd xz-utils bzip2 tabix  # compressed test inputs and references (tabix: bgzip)
  ripgrep time parallel # benchmark references
  python3-matplotlib    # jobs/plot_timeline.py, jobs/scaling_study.py
  slurmctld slurmd slurm-client munge iproute2 util-linux  # the cluster tests
  help2man man-db groff bash-completion zsh fish  # man pages, completions (tests/package)
  dpkg-dev file lintian  # cpack -G DEB (dpkg-shlibdeps) and its test
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]} == 0)); then
  exit 0
fi

sudo=""
if [[ $(id -u) -ne 0 ]]; then
  sudo="sudo"
fi
echo "install-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -q
$sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
