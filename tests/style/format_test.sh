#!/usr/bin/env bash
# The C++ of the tree is as clang-format (.clang-format: Google style, 100 columns) writes
# it: every tracked .cpp/.hpp under src/, tests/, bench/ and examples/. Prints the first
# differences and exits 1 otherwise. Fix with:
#   git ls-files 'src/*.[ch]pp' 'tests/*.[ch]pp' 'bench/*.[ch]pp' 'examples/*.[ch]pp' | xargs clang-format -i
set -euo pipefail
cd "${1:-$(dirname "$0")/../..}"
if ! command -v clang-format >/dev/null; then
  # Not a skip: CI installs it (cmake/install-deps.sh), so its absence is a broken setup.
  echo "format_test: clang-format is not installed (bash cmake/install-deps.sh installs it)" >&2
  exit 1
fi
mapfile -t files < <(git ls-files 'src/*.[ch]pp' 'tests/*.[ch]pp' 'bench/*.[ch]pp' 'examples/*.[ch]pp')
if ((${#files[@]} == 0)); then
  echo "format_test: no C++ files found (not a git checkout?)" >&2
  exit 1
fi
report=$(mktemp)
trap 'rm -f "$report"' EXIT
if ! clang-format --dry-run -Werror "${files[@]}" 2>"$report"; then
  head -40 "$report" >&2
  echo "format_test: $(grep -c 'error:' "$report") place(s) not as clang-format writes them" >&2
  exit 1
fi
echo "format_test: ${#files[@]} files as clang-format $(clang-format --version | grep -o '[0-9][0-9.]*' | head -1) writes them"
