#!/bin/bash
# The batch templates of slurm/ on a private single-node Slurm (munged, slurmctld, slurmd
# from Debian's packages; the node declares 4 CPUs): srun (PMIx) and mpirun inside the
# allocation, the scaling sweep, the task farm and the long job stopped with USR1,
# requeued, resumed.
#   slurm_test.sh PARFOLD REPO
set -euo pipefail
PARFOLD=$(realpath "$1")
REPO=$(realpath "$2")
source "$REPO/tests/cluster/cluster-lib.sh"
require_cluster_tools
trap teardown EXIT
slurm_up 4
export PARFOLD PARFOLD_HOME=$REPO
work=$CL_BASE/work
mkdir -p "$work"
cd "$work"

result() { "$PARFOLD" --json "$@" | python3 -c 'import json,sys; print(json.dumps(json.load(sys.stdin)["result"], sort_keys=True))'; }
config() { python3 -c 'import json,sys; t=open(sys.argv[1]).read(); i=t.rfind("\n{\n"); c=json.loads(t[i+1:t.index("\n}\n", i)+2])["config"]; print(c["launcher"], c["ranks"], c["threads_per_rank"])' "$1"; }

job=(pi --samples 3e7 --seed 5)
expect=$(result "${job[@]}")

if [[ -n ${ONLY_LONG:-}${ONLY_FARM:-} ]]; then :; else
# 1. single node, srun and mpirun inside the allocation.
for launcher in srun mpirun; do
  jid=$(PARFOLD_LAUNCHER=$launcher sbatch --parsable --output="single-$launcher-%j.out" \
    "$REPO/slurm/single-node.sbatch" "${job[@]}")
  job_wait "$jid" || { cat "single-$launcher-$jid.out"; fail "single-node ($launcher) failed"; }
  out=single-$launcher-$jid.out
  grep -q "=== .* job $jid" "$out" || fail "no environment log in $out"
  [[ $(last_json "$out") == "$expect" ]] || { cat "$out"; fail "single-node ($launcher): result differs from a local run"; }
  [[ $(config "$out") == "$launcher 2 2" ]] || fail "single-node ($launcher): config $(config "$out")"
  echo "single-node.sbatch with $launcher: identical to a local run"
done

# 2. the scaling sweep (one node here; the netns test sweeps 1..3 nodes).
jid=$(REPEAT=1 sbatch --parsable -N 1 --output="sweep-%j.out" "$REPO/slurm/scaling-sweep.sbatch" \
  -- tasks --count 40 --ms 2)
job_wait "$jid" || { cat "sweep-$jid.out"; fail "scaling-sweep failed"; }
rows=$(($(wc -l <"study-out/sweep-$jid/points.csv") - 1))
((rows == 4)) || { cat "study-out/sweep-$jid/points.csv"; fail "scaling-sweep: $rows points, expected 4"; }
grep -q "launcher: srun" "sweep-$jid.out" || fail "scaling-sweep did not use srun"
[[ -s study-out/sweep-$jid/scaling.png ]] || fail "scaling-sweep drew no plot"
echo "scaling-sweep.sbatch: $rows points with srun"

fi
# Requeued: pending until its begin time (Slurm holds a requeued job ~2 min); start it
# once the node has cleaned up the first run: a rerun of the same job id on the same node
# within seconds finds the first run's PMIx socket still there.
restart_requeued() {
  local jid=$1 out=$2 what=$3
  requeued() { scontrol show job "$jid" -o | grep -q 'JobState=PENDING.*Reason=BeginTime'; }
  for _ in $(seq 1 300); do requeued && break; sleep 0.1; done
  requeued || { scontrol show job "$jid"; cat "$out"; fail "$what was not requeued"; }
  for _ in $(seq 1 300); do [[ $(sinfo -h -o %T) == idle ]] && break; sleep 0.1; done
  sleep 10
  scontrol update JobId="$jid" StartTime=now
}

# 3. the task farm: 2 ranks x 2 threads, USR1 mid-way, requeue, the rest of the tasks.
if [[ -z ${ONLY_LONG:-} ]]; then
marks=$work/farm-marks
mkdir -p "$marks"
for i in $(seq 1 60); do echo "touch $marks/\$PARFOLD_TASK.\$\$; sleep 0.$((i * 7 % 5)); echo task $i on \$PARFOLD_TASK"; done >farm.txt
jid=$(sbatch --parsable -N 1 --ntasks-per-node=2 --cpus-per-task=2 --output="farm-%j.log" \
  "$REPO/slurm/task-farm.sbatch" farm.txt)
out=farm-$jid.log
# The stop comes once 4 tasks have ended (their joblog rows, written as they end), however
# loaded the node: a stop before any task ended would leave nothing to resume.
ended() { [[ -s farm-$jid.joblog ]] && (($(grep -c $'\t' "farm-$jid.joblog") >= 5)); }
for _ in $(seq 1 1200); do ended && break; sleep 0.05; done
ended || { cat "$out"; fail "task farm: no 4 tasks ended within 60 s"; }
scancel --signal=USR1 --batch "$jid" || { cat "$out"; fail "task farm: cannot signal it"; }
restart_requeued "$jid" "$out" "task farm"
job_wait "$jid" || { scontrol show job "$jid"; cat "$out"; fail "task farm failed after the requeue"; }
grep -q "parfold exited with status 75" "$out" || { cat "$out"; fail "task farm: no stop with status 75"; }
grep -q "restart 1" "$out" || { cat "$out"; fail "task farm: no second run"; }
cmp -s "farm-$jid.out" <(for i in $(seq 1 60); do echo "task $i on $((i - 1))"; done) ||
  { cat "$out"; fail "task farm: farm-$jid.out is not every task's output in task order"; }
twice=$(ls "$marks" | cut -d. -f1 | sort | uniq -d | wc -l)
(($(ls "$marks" | cut -d. -f1 | sort -u | wc -l) == 60 && twice <= 4)) ||
  fail "task farm: $twice tasks ran twice (at most the 4 running at the stop may)"
(($(grep -c '^Seq' "farm-$jid.joblog") == 1 && $(grep -c $'\t' "farm-$jid.joblog") >= 61)) ||
  fail "task farm: the joblog does not hold both runs"
echo "task-farm.sbatch: stopped by USR1, requeued, the other tasks run, output in task order ($twice ran twice)"
fi

# 4. the long job: USR1 to the batch script, checkpoint, requeue, resume.
long=(tasks --count 800 --ms 40)  # ~8 s on 2 ranks x 2 threads, whatever the build
expect_long=$(result "${long[@]}")
[[ $(python3 -c 'import json,sys; r=json.loads(sys.argv[1]); print(r["tasks"], r["index_sum"])' "$expect_long") == "800 $((800 * 799 / 2))" ]] ||
  fail "long job: the local run's result $expect_long is not 800 tasks summing to 800*799/2"
for launcher in ${ONLY_FARM:+none} ${ONLY_FARM:-srun mpirun}; do
  [[ $launcher == none ]] && break
  jid=$(PARFOLD_LAUNCHER=$launcher sbatch --parsable --output="long-$launcher-%j.out" \
    "$REPO/slurm/long-checkpoint.sbatch" --checkpoint-every 0.2s "${long[@]}")
  out=long-$launcher-$jid.out
  # The stop comes once the first checkpoint is written (saved every 0.2 s here).
  for _ in $(seq 1 1200); do [[ -s parfold-$jid.ckpt ]] && break; sleep 0.05; done
  [[ -s parfold-$jid.ckpt ]] || { cat "$out"; fail "long job ($launcher): no checkpoint within 60 s"; }
  scancel --signal=USR1 --batch "$jid" || { scontrol show job "$jid"; cat "$out"; fail "long job ($launcher): cannot signal it"; }
  restart_requeued "$jid" "$out" "long job ($launcher)"
  job_wait "$jid" || { scontrol show job "$jid"; cat "$out"; fail "long job ($launcher) failed after the requeue"; }
  grep -q "parfold exited with status 75" "$out" || { cat "$out"; fail "long job ($launcher): no stop with status 75"; }
  grep -q "restart 1" "$out" || { cat "$out"; fail "long job ($launcher): no second run"; }
  grep -q '"resumed_items"' "$out" || { cat "$out"; fail "long job ($launcher): the second run did not resume"; }
  [[ $(last_json "$out") == "$expect_long" ]] || { cat "$out"; fail "long job ($launcher): result differs"; }
  echo "long-checkpoint.sbatch with $launcher: stopped by USR1, requeued, resumed, identical"
done
echo "slurm templates pass on a private Slurm"
