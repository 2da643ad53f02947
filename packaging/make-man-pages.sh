#!/usr/bin/env bash
# Writes parfold's man pages from the built binary's own --help: parfold(1), and one page
# per command (parfold-pi(1), parfold-lines(1), parfold-lines-grep(1), ...), found from
# the "Subcommands:" list of each --help. help2man formats them; parfold.h2m adds what
# --help does not say. Nothing here repeats an option: the pages cannot drift from --help.
#   make-man-pages.sh PARFOLD_BINARY OUT_DIR     (writes OUT_DIR/*.1.gz)
set -euo pipefail
bin=$(realpath "$1") out=$2
here=$(dirname "$(realpath "$0")")
# Whole outputs are read before they are cut: parfold checks its writes, so a reader that
# stops early (head) would make it fail, and pipefail this script, now and then.
version=$("$bin" --version)
version=$(printf '%s\n' "$version" | head -n1 | cut -d' ' -f2)
rm -rf "$out" && mkdir -p "$out/names"

# The subcommands listed in `parfold WORDS... --help`, one a line.
subcommands() {
  "$bin" "$@" --help | sed -n '/^Subcommands:$/,/^$/p' | sed -n 's/^  \([a-z][a-z0-9-]*\) .*/\1/p'
}

# page WORDS...: the page of `parfold WORDS...`, then those of its subcommands.
page() {
  local name=parfold words=("$@") sub see
  (($#)) && name=parfold-$(IFS=-; echo "$*")
  # help2man names the page after the program it runs: a link with the page's name.
  ln -sf "$bin" "$out/names/$name"
  local args=(--no-info --no-discard-stderr --section=1 --version-string="$name $version"
              --source="parfold $version"
              --help-option="${words[*]} --help" --output="$out/$name.1")
  if (($#)); then
    local help
    help=$("$bin" "${words[@]}" --help)
    args+=(--name="${help%%$'\n'*}")
    see=".BR parfold (1)"
  else
    cat "$here/parfold.h2m" >"$out/$name.h2m"
    see=".BR mpirun (1)"
  fi
  for sub in $(subcommands "${words[@]}"); do
    see+=$',\n.BR '"$name-$sub"' (1)'
  done
  printf '[SEE ALSO]\n%s\n' "$see" >>"$out/$name.h2m"
  help2man "${args[@]}" --include="$out/$name.h2m" "$out/names/$name"
  # --help's examples keep their lines; its "Exit status:" paragraph is the EXIT STATUS section.
  sed -i -e '/^\.SH EXAMPLES/,/^\.PP/{s/^\.IP$/.IP\n.nf/;s/^\.PP$/.fi/}' \
      -e 's/^Exit status: /.SH "EXIT STATUS"\n/' "$out/$name.1"
  for sub in $(subcommands "${words[@]}"); do
    page "${words[@]}" "$sub"
  done
}

page
rm -rf "$out/names" "$out"/*.h2m
gzip -9n "$out"/*.1  # as Debian installs man pages
