#!/usr/bin/env python3
"""Cores and GPUs per task (issue 26, section 2): `parfold run --cpus-per-task N` and
`--gpus-per-task G --gpus LIST`, checked from inside the tasks. Each task records when it
started and ended (its own clock readings), the cores the kernel lets it run on
(/proc/self/status Cpus_allowed_list, the independent truth) and the GPUs it was given;
then no two tasks that ran at the same time may share a core or a GPU, each has exactly N
cores / G GPUs, and the joblog's Cpus and Gpus columns say the same, as does the trace's
name of the thread that ran each task.

  slots_test.py --parfold BIN --mpiexec MPIEXEC cpus RANKS
  slots_test.py --parfold BIN --mpiexec MPIEXEC gpus RANKS
  slots_test.py --parfold BIN refusals
"""
import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cli_test import check, mpi, suite_main  # noqa: E402

ENV = dict(os.environ, LC_ALL="C")
ENV.pop("OMP_NUM_THREADS", None)
ENV.pop("MKL_NUM_THREADS", None)
# A task: its number, start, the cores it may use, its variables, end (after 0.3 s).
TASK = ('s=$(date +%s.%N); c=$(sed -n "s/^Cpus_allowed_list:[[:space:]]*//p" /proc/self/status); '
        'sleep 0.3; echo {} "$s $(date +%s.%N) $c ${PARFOLD_GPUS:--} ${CUDA_VISIBLE_DEVICES:--} '
        '${ZE_AFFINITY_MASK:--} ${OMP_NUM_THREADS:--}"')


def expand(cpu_list):
    """0-2,5 -> {0, 1, 2, 5}"""
    out = set()
    for part in cpu_list.split(","):
        a, _, b = part.partition("-")
        out.update(range(int(a), int(b or a) + 1))
    return out


def run_tasks(opts, ranks, args, n, d):
    cmd = [opts.parfold, "--threads", "4", "--trace", os.path.join(d, "trace.json"), "run",
           "--joblog", os.path.join(d, "log")] + args + [
        TASK, ":::"] + [str(i) for i in range(1, n + 1)]
    got = subprocess.run(mpi(opts, ranks, cmd) if ranks > 1 else cmd, capture_output=True, env=ENV,
                         timeout=120, text=True)
    rows = [l.split(" ") for l in got.stdout.splitlines()]
    log = []
    if os.path.exists(os.path.join(d, "log")):  # none when the run was refused
        with open(os.path.join(d, "log")) as f:
            log = [l.rstrip("\n").split("\t") for l in f][1:]
    return got, rows, {int(r[0]): r for r in log}


def trace_agrees(d, log, what):
    """The trace names each thread by its slot: the joblog's Cpus and Gpus of its tasks."""
    with open(os.path.join(d, "trace.json")) as f:
        names = {(e["pid"], e["tid"]): e["args"]["name"] for e in json.load(f)["traceEvents"]
                 if e.get("name") == "thread_name"}
    wrong = []
    for row in log.values():
        rank, thread = int(row[9]), int(row[10])
        want = f"thread {thread} (cores {row[12] or 'any'}, GPUs {row[13] or 'none'})"
        if names.get((rank, thread)) != want:
            wrong.append((names.get((rank, thread)), want))
    check(log and not wrong, f"{what}: trace thread names vs joblog: {wrong[:3]}")


def refused(got, message, what):
    """One message from rank 0, status 2, no task run."""
    check(got.returncode == 2 and got.stderr.startswith(message) and got.stderr.count("parfold: error") == 1
          and got.stdout == "", f"{what}: status {got.returncode}, {got.stderr[:300]!r}, expected {message!r}")
    print(f"{what}: refused: {message}")


def no_two_at_once_share(rows, key, what):
    """Tasks whose [start, end] intervals overlap hold disjoint sets key(row)."""
    clashes = [(a[0], b[0]) for i, a in enumerate(rows) for b in rows[i + 1:]
               if float(a[1]) < float(b[2]) and float(b[1]) < float(a[2]) and key(a) & key(b)]
    check(not clashes, f"{what}: tasks running at once shared {clashes[:5]}")


def cpus(opts, ranks):
    ranks = int(ranks)
    cores = len(os.sched_getaffinity(0))
    with tempfile.TemporaryDirectory() as d:
        got, rows, log = run_tasks(opts, ranks, ["--cpus-per-task", "1"], 8, d)
        what = f"--cpus-per-task 1 at {ranks} rank(s)"
        if ranks > cores:  # the node's cores divided among more ranks than cores
            refused(got, f"parfold: error: rank {cores} has 0 core(s), fewer than --cpus-per-task 1", what)
            return
        check(got.returncode == 0, f"{what}: status {got.returncode}: {got.stderr[-300:]}")
        check([r[0] for r in rows] == [str(i) for i in range(1, 9)], f"{what}: tasks {[r[0] for r in rows]}")
        check(all(len(expand(r[3])) == 1 for r in rows), f"{what}: cores per task {[r[3] for r in rows]}")
        check(all(r[7] == "1" for r in rows), f"{what}: OMP_NUM_THREADS {[r[7] for r in rows]}")
        no_two_at_once_share(rows, lambda r: expand(r[3]), what)
        used = set().union(*(expand(r[3]) for r in rows)) if rows else set()
        check(len(used) <= cores, f"{what}: cores used {used} of {cores}")
        check(all(log.get(int(r[0]), [""] * 14)[12] == r[3] for r in rows),
              f"{what}: joblog Cpus {[log[k][12:] for k in sorted(log)]} vs the tasks' {[r[3] for r in rows]}")
        trace_agrees(d, log, what)
        print(f"{what}: 8 tasks, none sharing a core while running, cores used {sorted(used)}")
    if ranks == 1 and cores >= 2:
        with tempfile.TemporaryDirectory() as d:
            got, rows, _ = run_tasks(opts, 1, ["--cpus-per-task", str(cores)], 3, d)
            what = f"--cpus-per-task {cores} (all cores)"
            check(got.returncode == 0 and all(len(expand(r[3])) == cores and r[7] == str(cores) for r in rows),
                  f"{what}: {rows} {got.stderr[-200:]}")
            no_two_at_once_share(rows, lambda r: expand(r[3]), what)  # one task at a time
            print(f"{what}: one task at a time, OMP_NUM_THREADS={cores}")


def gpus(opts, ranks):
    ranks = int(ranks)
    with tempfile.TemporaryDirectory() as d:
        got, rows, log = run_tasks(opts, ranks, ["--gpus", "0,1,2,3", "--gpus-per-task", "1"], 12, d)
        what = f"--gpus 0,1,2,3 --gpus-per-task 1 at {ranks} rank(s) x 4 threads"
        check(got.returncode == 0, f"{what}: status {got.returncode}: {got.stderr[-300:]}")
        check(len(rows) == 12, f"{what}: {len(rows)} tasks printed")
        check(all(r[4] == r[5] == r[6] and r[4] in "0123" and len(r[4]) == 1 for r in rows),
              f"{what}: PARFOLD_GPUS, CUDA_VISIBLE_DEVICES, ZE_AFFINITY_MASK {[r[4:7] for r in rows]}")
        no_two_at_once_share(rows, lambda r: {r[4]}, what)
        check({r[4] for r in rows} == {"0", "1", "2", "3"}, f"{what}: GPUs used {sorted({r[4] for r in rows})}")
        check(all(log.get(int(r[0]), [""] * 14)[13] == r[4] for r in rows), f"{what}: joblog Gpus column")
        trace_agrees(d, log, what)
        print(f"{what}: 12 tasks, each on one GPU, none shared while running, all 4 used")
        got, rows, _ = run_tasks(opts, ranks, ["--gpus", "a,b,c,d", "--gpus-per-task", "2"], 4, d)
        what = f"--gpus a,b,c,d --gpus-per-task 2 at {ranks} rank(s)"
        if ranks == 3:  # shares of 1, 1 and 2 GPUs: rank 0's is too small
            return refused(got, "parfold: error: rank 0 has 1 GPU(s), fewer than --gpus-per-task 2", what)
        pairs = {r[4] for r in rows}
        check(got.returncode == 0 and pairs <= {"a,b", "c,d"} and len(rows) == 4, f"{what}: {rows} {got.stderr[-200:]}")
        no_two_at_once_share(rows, lambda r: set(r[4].split(",")), what)
    if ranks == 1:  # AMD: GPUs from ROCR_VISIBLE_DEVICES go back there only (HIP counts within it)
        e = dict(ENV, ROCR_VISIBLE_DEVICES="4,5")
        e.pop("CUDA_VISIBLE_DEVICES", None)
        got = subprocess.run([opts.parfold, "--threads", "2", "run", "--gpus-per-task", "1",
                              "echo {} $ROCR_VISIBLE_DEVICES ${HIP_VISIBLE_DEVICES:--} ${CUDA_VISIBLE_DEVICES:--}",
                              ":::", "a", "b", "c"], capture_output=True, text=True, env=e, timeout=60)
        rows = [l.split() for l in got.stdout.splitlines()]
        check(got.returncode == 0 and [r[0] for r in rows] == ["a", "b", "c"]
              and all(r[1] in ("4", "5") and r[2:] == ["-", "-"] for r in rows),
              f"ROCR_VISIBLE_DEVICES=4,5: {rows} {got.stderr[-200:]}")


# (arguments after `parfold run`, environment, the start of the one message)
REFUSALS = [
    (["--cpus-per-task", "100000", "echo", ":::", "a"], {}, "parfold: error: rank 0 has "),
    (["--cpus-per-task", "0", "echo", ":::", "a"], {}, "parfold: error: --cpus-per-task: Value 0 not in range"),
    (["--gpus-per-task", "1", "echo", ":::", "a"], {"CUDA_VISIBLE_DEVICES": ""},
     "parfold: error: rank 0 has 0 GPU(s), fewer than --gpus-per-task 1 (none in --gpus"),
    (["--gpus", "0", "--gpus-per-task", "2", "echo", ":::", "a"], {},
     "parfold: error: rank 0 has 1 GPU(s), fewer than --gpus-per-task 2"),
]


def refusals(opts):
    for args, env, message in REFUSALS:
        e = dict(ENV)
        for k in ("CUDA_VISIBLE_DEVICES", "ROCR_VISIBLE_DEVICES", "SLURM_STEP_GPUS", "SLURM_JOB_GPUS"):
            e.pop(k, None)
        e.update(env)
        got = subprocess.run([opts.parfold, "run"] + args, capture_output=True, env=e, timeout=60, text=True)
        refused(got, message, f"run {args}")
    print(f"{len(REFUSALS)} refusals, each one message and status 2")


if __name__ == "__main__":
    sys.exit(suite_main({"cpus": cpus, "gpus": gpus, "refusals": refusals}))
