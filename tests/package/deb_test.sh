#!/usr/bin/env bash
# cpack -G DEB from the build tree makes parfold (the program) and parfold-dev (the
# library): lintian finds no error; parfold's Depends names the package of every shared
# library the binary needs (readelf, dpkg -S); unpacked into a temporary root, the
# program runs and its man pages and completions are where man and the shells look.
#   deb_test.sh BUILD_DIR
set -euo pipefail
build=$(realpath "$1")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
cpack -G DEB --config "$build/CPackConfig.cmake" -B "$tmp/out" >cpack.log 2>&1 || { cat cpack.log; exit 1; }
arch=$(dpkg --print-architecture)
deb=$(echo "$tmp"/out/parfold_*_"$arch".deb) dev=$(echo "$tmp"/out/parfold-dev_*_"$arch".deb)
[[ -f $deb && -f $dev ]] || { echo "cpack made: $(ls "$tmp/out")"; exit 1; }
fail=0

lintian "$deb" "$dev" >lintian.txt 2>/dev/null &  # the slow part: meanwhile, the rest
lintian_pid=$!

dpkg-deb -x "$deb" root
depends=$(dpkg-deb -f "$deb" Depends)
owner() {  # the package of a library file, with /lib and /usr/lib one (merged /usr)
  local p
  for p in "$1" "/usr${1#/usr}" "${1#/usr}"; do
    dpkg -S "$p" 2>/dev/null | head -n1 | cut -d: -f1 && return
  done
  true
}
ldd root/usr/bin/parfold >ldd.txt
for lib in $(readelf -d root/usr/bin/parfold | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
  path=$(awk -v lib="$lib" '{ n = split($1, a, "/") } a[n] == lib { print ($2 == "=>" ? $3 : $1) }' ldd.txt)
  [[ $path == /* ]] || { echo "ldd does not find $lib"; fail=1; continue; }
  pkg=$(owner "$path")
  [[ -n $pkg ]] || { echo "no package owns $lib"; fail=1; continue; }
  [[ ", $depends," == *", $pkg "* || ", $depends," == *", $pkg,"* ]] ||
    { echo "Depends lacks $pkg (for $lib): $depends"; fail=1; }
done

# The packaged (stripped) program is the built one.
want=$("$build/src/parfold" --version)
got=$(root/usr/bin/parfold --version)
[[ $got == "$want" ]] || { echo "--version: '$got', expected '$want'"; fail=1; }
root/usr/bin/parfold pi --samples 1000 --json >pi.json
"$build/src/parfold" pi --samples 1000 --json >pi_built.json
python3 - pi.json pi_built.json <<'PY' || fail=1
import json, sys
got, want = (json.load(open(p))["result"] for p in sys.argv[1:])
assert got["samples"] == 1000, got
assert got["estimate"] == 4 * got["hits"] / 1000, got
assert got["hits"] == want["hits"], (got, want)
PY

# Man pages: one per command of --help (man_test.sh checks what they say); completions.
for f in usr/share/man/man1/parfold.1.gz usr/share/man/man1/parfold-lines-grep.1.gz \
         usr/share/bash-completion/completions/parfold usr/share/zsh/vendor-completions/_parfold \
         usr/share/fish/vendor_completions.d/parfold.fish usr/share/doc/parfold/copyright; do
  [[ -s root/$f ]] || { echo "not in $(basename "$deb"): /$f"; fail=1; }
done
pages=$(ls root/usr/share/man/man1 | wc -l) built=$(ls "$build/packaging/man1" | wc -l)
((pages == built)) || { echo "$pages man pages in the .deb, $built built"; fail=1; }
cmp <(root/usr/bin/parfold completion bash) root/usr/share/bash-completion/completions/parfold || fail=1
dpkg-deb -c "$dev" >dev.txt
grep -q '/usr/lib/cmake/parfold/parfoldConfig.cmake$' dev.txt ||
  { echo "parfold-dev has no parfoldConfig.cmake"; fail=1; }
wait "$lintian_pid" || true  # lintian's status counts warnings too: its E: lines decide
cat lintian.txt
if grep -q '^E:' lintian.txt; then echo "lintian: errors"; fail=1; fi
((fail == 0)) && echo "deb: $(basename "$deb") and $(basename "$dev") made, lintian clean of errors, runs"
exit "$fail"
