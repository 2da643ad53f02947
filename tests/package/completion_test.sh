#!/usr/bin/env bash
# The shell completions 'parfold completion bash|zsh|fish' prints (the files the build
# installs): bash, zsh and fish complete subcommands, options, file and directory
# arguments and the values of options with a fixed set as a user's TAB would.
#   completion_test.sh PARFOLD_BINARY
set -euo pipefail
bin=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for shell in bash zsh fish; do
  "$bin" completion "$shell" >"$tmp/parfold.$shell"
done
mkdir "$tmp/files" "$tmp/files/outdir"
touch "$tmp/files/big.log" "$tmp/files/tasks.txt" "$tmp/files/my file.txt"
kinds=$'cyclic\ndynamic\nguided\nstatic'  # parfold --help's --schedule KIND:{...}, sorted
fail=0

# bash: set COMP_WORDS/COMP_CWORD as readline does and call the function `complete` names.
cat >"$tmp/complete.bash" <<'BASH'
source /usr/share/bash-completion/bash_completion
source "$1"
func=$(complete -p parfold | sed -n 's/.*-F \([^ ]*\) parfold$/\1/p')
shift
COMP_WORDS=("$@") COMP_CWORD=$(($# - 1)) COMP_LINE="$*" COMP_POINT=${#COMP_LINE}
COMPREPLY=()
"$func" parfold "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
printf '%s\n' "${COMPREPLY[@]}" | sort
BASH
bash_expect() {  # bash_expect "EXPECTED LINES" WORDS...
  local want=$1 got
  shift
  got=$(cd "$tmp/files" && bash "$tmp/complete.bash" "$tmp/parfold.bash" "$@")
  [[ $got == "$want" ]] || { echo "bash: '$*' completes to [$got], expected [$want]"; fail=1; }
}
bash_expect grep parfold lines gr
bash_expect --schedule parfold --sched
bash_expect $'count\nexec\ngrep\ntop' parfold lines ''
bash_expect --samples parfold --threads 2 pi --sam
bash_expect big.log parfold lines grep -e x b
bash_expect tasks.txt parfold --trace t
bash_expect "my file.txt" parfold lines grep -f my  # one name, spaces and all
bash_expect '' parfold --threads ''
bash_expect --no-filename parfold lines grep --no-f
bash_expect "$kinds" parfold --schedule ''
bash_expect dynamic parfold -s dy
bash_expect dynamic parfold --threads 2 tasks --schedule dy
bash_expect $'linear\nrandom\nuniform' parfold tasks --cost ''
bash_expect $'atomic\nlocked\nnone\nracy\nreduce' parfold tasks --counter ''
bash_expect $'bash\nfish\nzsh' parfold completion ''
bash_expect outdir parfold run --results ''  # the directory, not big.log & co.

# fish: `complete -C` lists what TAB would offer, one "candidate<TAB>description" a line.
fish_expect() {  # fish_expect CANDIDATE COMMAND_LINE
  local got
  got=$(cd "$tmp/files" && fish --no-config -c "source $tmp/parfold.fish; complete -C '$2'" | cut -f1)
  grep -qxF -- "$1" <<<"$got" || { echo "fish: '$2' does not offer $1 (got: ${got//$'\n'/ })"; fail=1; }
}
fish_expect grep 'parfold lines gr'
fish_expect --schedule 'parfold --sched'
fish_expect --samples 'parfold pi --sam'
fish_expect big.log 'parfold lines count b'
fish_exact() {  # fish_exact "EXPECTED LINES" COMMAND_LINE: all TAB offers, sorted
  local got
  got=$(cd "$tmp/files" && fish --no-config -c "source $tmp/parfold.fish; complete -C '$2'" | cut -f1 | sort)
  [[ $got == "$1" ]] || { echo "fish: '$2' completes to [$got], expected [$1]"; fail=1; }
}
fish_exact "$kinds" 'parfold --schedule '
fish_exact dynamic 'parfold --schedule dy'
fish_exact $'linear\nrandom\nuniform' 'parfold tasks --cost '
fish_exact $'bash\nfish\nzsh' 'parfold completion '
fish_exact outdir/ 'parfold run --results '
# zsh: the completion function with zsh's _describe and _files stubbed to print what they
# were given (the candidates before zsh filters them by the typed prefix).
zsh_stubs='_describe() { local a=${@[-1]}; (( ${#${(P)a}} )) && print -l -- ${(P)a}; true }
  _files() { print _files $* }'
zsh_expect() {  # zsh_expect CANDIDATE WORDS...
  local want=$1 got
  shift
  got=$(cd "$tmp/files" && zsh -f -c "$zsh_stubs"'; words=("${@:2}"); CURRENT=$#words; source "$1"; true' \
    zsh "$tmp/parfold.zsh" "$@" | cut -d: -f1)
  grep -qxF -- "$want" <<<"$got" || { echo "zsh: '$*' does not offer $want"; fail=1; }
}
zsh_expect grep parfold lines gr
zsh_expect --schedule parfold --sched
zsh_expect --samples parfold --threads 2 pi --sam
zsh_expect _files parfold --trace ''
zsh_exact() {  # zsh_exact "EXPECTED LINES" WORDS...: every candidate given, sorted
  local want=$1 got
  shift
  got=$(cd "$tmp/files" && zsh -f -c "$zsh_stubs"'; words=("${@:2}"); CURRENT=$#words; source "$1"; true' \
    zsh "$tmp/parfold.zsh" "$@" | cut -d: -f1 | sort)
  [[ $got == "$want" ]] || { echo "zsh: '$*' completes to [$got], expected [$want]"; fail=1; }
}
zsh_exact "$kinds" parfold --schedule ''
zsh_expect dynamic parfold --schedule dy  # zsh itself keeps those starting with dy
zsh_exact $'linear\nrandom\nuniform' parfold tasks --cost ''
zsh_exact $'bash\nfish\nzsh' parfold completion ''
zsh_exact '_files -/' parfold run --results ''  # directories only
fish -n "$tmp/parfold.fish" || fail=1
zsh -n "$tmp/parfold.zsh" || fail=1
head -n1 "$tmp/parfold.zsh" | grep -qx '#compdef parfold' || { echo "zsh: no #compdef line"; fail=1; }
((fail == 0)) && echo "completions: bash, zsh and fish complete as expected"
exit "$fail"
