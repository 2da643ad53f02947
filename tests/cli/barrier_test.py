#!/usr/bin/env python3
"""Stages in a task file (issue 26, section 3): a line `#PARFOLD BARRIER` starts no task
after it before every task before it has ended, on every rank, retries included; a halt
in one stage leaves the later stages not run. The tasks record their own start and end
times (their clocks: the truth), and the checks compare those, never a sleep.

  barrier_test.py --parfold BIN --mpiexec MPIEXEC barrier RANKS
"""
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cli_test import check, mpi, suite_main  # noqa: E402


def task(name, seconds, extra=""):
    """Prints `name start end` after `seconds` of sleep (and `extra` before its end)."""
    return f's=$(date +%s.%N); sleep {seconds}; {extra}echo "{name} $s $(date +%s.%N)"'


def run(opts, ranks, args, lines, d):
    path = os.path.join(d, "tasks.txt")
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")
    cmd = [opts.parfold, "--threads", "2", "run"] + args + [path]
    got = subprocess.run(mpi(opts, ranks, cmd) if ranks > 1 else cmd, capture_output=True, text=True, timeout=120,
                         cwd=d)
    return got, {r.split()[0]: (float(r.split()[1]), float(r.split()[2])) for r in got.stdout.splitlines() if r}


def barrier(opts, ranks):
    ranks = int(ranks)
    with tempfile.TemporaryDirectory() as d:
        # Stage 1: one slow task and quick ones; stage 2 would start at once beside the slow
        # one without the barrier; stage 3 after a task that fails once and is retried.
        retry = 'if [ ! -e tried ]; then touch tried; exit 3; fi; '
        lines = [task("a1", 0.6), task("a2", 0.05), task("a3", 0.05), "  #PARFOLD BARRIER  ",
                 task("b1", 0.05), task("b2", 0.05), task("b3", 0.3, retry), "#PARFOLD BARRIER",
                 "# a comment", task("c1", 0.05), task("c2", 0.05)]
        got, t = run(opts, ranks, ["--retries", "1"], lines, d)
        what = f"barriers at {ranks} rank(s) x 2 threads"
        check(got.returncode == 0, f"{what}: status {got.returncode}: {got.stderr[-300:]}")
        check(list(t) == ["a1", "a2", "a3", "b1", "b2", "b3", "c1", "c2"], f"{what}: output order {list(t)}")
        for before, after in (("a", "b"), ("b", "c")):
            last_end = max((e for n, (s, e) in t.items() if n[0] == before), default=0)
            first_start = min((s for n, (s, e) in t.items() if n[0] == after), default=0)
            check(first_start >= last_end,
                  f"{what}: a task of stage {after} started at {first_start:.3f}, before stage {before}'s last "
                  f"ended at {last_end:.3f}")
        dry = subprocess.run([opts.parfold, "run", "--dry-run", os.path.join(d, "tasks.txt")], capture_output=True,
                             text=True, timeout=60)
        check(dry.stdout.count("\n") == 8 and "BARRIER" not in dry.stdout,
              f"--dry-run: the barrier lines are no tasks: {dry.stdout!r}")
        print(f"{what}: each stage started after the one before ended (its retry included)")
        # A halt in stage 1 leaves stages 2 and 3 not run.
        got, t = run(opts, ranks, ["--halt", "soon,fail=1"], [task("a1", 0.05), "exit 4", "#PARFOLD BARRIER",
                                                             task("b1", 0.05), task("b2", 0.05)], d)
        check(got.returncode == 1 and "b1" not in t and "b2" not in t and "2 tasks not run" in got.stderr,
              f"--halt soon,fail=1 in stage 1 at {ranks} rank(s): status {got.returncode}, ran {list(t)}, "
              f"{got.stderr[-300:]!r}")
        print(f"--halt in stage 1 at {ranks} rank(s): the later stage not run")


if __name__ == "__main__":
    sys.exit(suite_main({"barrier": barrier}))
