#!/usr/bin/env bash
# The man pages the build wrote from --help (packaging/make-man-pages.sh): one for parfold
# and one for every command its --help lists, each rendering without a warning from man
# or groff, each naming every option its command's --help names.
#   man_test.sh PARFOLD_BINARY MAN_DIR
set -euo pipefail
bin=$1 dir=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0

subcommands() {
  "$bin" "$@" --help | sed -n '/^Subcommands:$/,/^$/p' | sed -n 's/^  \([a-z][a-z0-9-]*\) .*/\1/p'
}

# check WORDS...: the page of `parfold WORDS...`, then those of its subcommands.
check() {
  local name=parfold sub opt
  (($#)) && name=parfold-$(IFS=-; echo "$*")
  local page=$dir/$name.1.gz
  [[ -f $page ]] || { echo "no man page $page"; fail=1; return; }
  MANWIDTH=80 man --warnings -l "$page" >"$tmp/text" 2>"$tmp/man.err"
  zcat "$page" | groff -man -ww -z 2>>"$tmp/man.err"
  [[ ! -s $tmp/man.err ]] || { echo "$name.1 warns:"; cat "$tmp/man.err"; fail=1; }
  head -n1 "$tmp/text" | grep -q "^${name^^}(1)" || { echo "$name.1: wrong title"; fail=1; }
  # Every --long option of --help is on the page (man breaks lines with U+2010 hyphens).
  local flat
  flat=$(tr -d '\n' <"$tmp/text" | sed 's/‐ *//g; s/  */ /g')
  for opt in $("$bin" "$@" --help | grep -oE -- '--[a-z][a-z0-9-]+' | sort -u); do
    [[ $flat == *"$opt"* ]] || { echo "$name.1: $opt of --help is missing"; fail=1; }
  done
  for sub in $(subcommands "$@"); do
    check "$@" "$sub"
  done
}
check
pages=$(find "$dir" -name '*.1.gz' | wc -l)
((fail == 0)) && echo "man pages: $pages pages, every command's, render without warnings"
exit "$fail"
