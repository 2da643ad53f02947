#!/bin/bash
# Three hosts in network namespaces (veth + bridge on 10.78.0.0/24, made and removed
# here), so that ranks on different hosts talk over TCP: parfold under
# `mpirun --hostfile` with a launch agent instead of ssh, then under a Slurm with one
# slurmd per namespace (`sbatch -N 3`), with results identical to a single-host run.
#   netns_test.sh PARFOLD REPO
set -euo pipefail
PARFOLD=$(realpath "$1")
REPO=$(realpath "$2")
source "$REPO/tests/cluster/cluster-lib.sh"
require_cluster_tools
require_netns
trap teardown EXIT
netns_up 3
mkdir -p "$CL_BASE/work"
cd "$CL_BASE/work"

result() { python3 -c 'import json,sys; print(json.dumps(json.load(sys.stdin)["result"], sort_keys=True))'; }
text=$CL_BASE/work/text.txt
python3 "$REPO/jobs/corpus.py" 20M "$text" >/dev/null
jobs=("pi --samples 2e7 --seed 11" "sum --from -1e6 --to 3e7 --power 3" "lines count $text" "lines top -k 10 $text")
declare -A expect
for j in "${jobs[@]}"; do
  read -ra args <<<"$j"
  expect[$j]=$("$PARFOLD" --json "${args[@]}" | result)
done

# 1. mpirun --hostfile: 6 ranks, 2 per host, TCP between the hosts only.
printf '%s slots=2\n' $CL_NET.11 $CL_NET.12 $CL_NET.13 >hosts
mpi=(mpirun --hostfile hosts --mca plm_rsh_agent "$REPO/tests/cluster/nsrsh" --mca btl tcp,self
  --mca btl_tcp_if_include $CL_NET.0/24 --mca oob_tcp_if_include $CL_NET.0/24 -n 6)
info=$("${mpi[@]}" "$PARFOLD" --json info)
hosts=$(python3 -c 'import json,sys; j=json.load(sys.stdin); print(j["totals"]["hosts"], " ".join(sorted({r["host"] for r in j["ranks"]})))' <<<"$info")
[[ $hosts == "3 pfns1 pfns2 pfns3" ]] || fail "mpirun --hostfile: ranks landed on '$hosts'"
rx_before=$(ip -s -j link show pfv2h | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["stats64"]["tx"]["bytes"])')
for j in "${jobs[@]}"; do
  read -ra args <<<"$j"
  for schedule in static dynamic; do
    got=$("${mpi[@]}" "$PARFOLD" --json --threads 1 --schedule "$schedule" "${args[@]}" | result)
    [[ $got == "${expect[$j]}" ]] || fail "mpirun across 3 hosts, $schedule, $j: $got != ${expect[$j]}"
  done
done
rx_after=$(ip -s -j link show pfv2h | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["stats64"]["tx"]["bytes"])')
((rx_after > rx_before)) || fail "no traffic crossed the veth of host 2"
echo "mpirun --hostfile across 3 namespaces: identical results ($((rx_after - rx_before)) bytes into host 2)"

# 2. Slurm with one slurmd per namespace: the hybrid template and the scaling sweep.
slurm_ns_up 3 2
export PARFOLD PARFOLD_HOME=$REPO
for launcher in srun mpirun; do
  read -ra args <<<"${jobs[0]}"
  jid=$(PARFOLD_LAUNCHER=$launcher sbatch --parsable -N 3 --output="hybrid-$launcher-%j.out" \
    "$REPO/slurm/hybrid.sbatch" "${args[@]}")
  job_wait "$jid" || { cat "hybrid-$launcher-$jid.out"; fail "hybrid.sbatch ($launcher) failed"; }
  out=hybrid-$launcher-$jid.out
  [[ $(last_json "$out") == "${expect[${jobs[0]}]}" ]] || { cat "$out"; fail "hybrid ($launcher): result differs"; }
  grep -q "total: 3 hosts, 3 ranks, 6 threads" "$out" || { cat "$out"; fail "hybrid ($launcher): info"; }
  echo "hybrid.sbatch -N 3 with $launcher: identical to a single-host run"
done
jid=$(REPEAT=1 sbatch --parsable -N 3 --output="sweep-%j.out" "$REPO/slurm/scaling-sweep.sbatch" \
  -- tasks --count 60 --ms 2)
job_wait "$jid" || { cat "sweep-$jid.out"; fail "scaling-sweep -N 3 failed"; }
nodes=$(python3 -c 'import csv,sys; print(",".join(sorted({r["nodes"] for r in csv.DictReader(open(sys.argv[1]))})))' "study-out/sweep-$jid/points.csv")
[[ $nodes == "1,2,3" ]] || fail "scaling-sweep: nodes $nodes"
echo "scaling-sweep.sbatch -N 3: swept 1, 2 and 3 nodes"
echo "multi-host runs pass"
