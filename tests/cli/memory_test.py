#!/usr/bin/env python3
"""Peak resident memory of `parfold run` and `parfold lines exec` whose commands print far
more than it (issue 23, item 10): with tasks printing 55 MB on stdout or on stderr (lines
exec: 28 MB per chunk of 8 bytes), every rank's peak resident set (VmHWM, as
wait4(2) reports it for the rank's process) stays under BOUND_KIB, and the output is
byte-identical to the commands run one by one with /bin/sh: stdout and stderr in task order
(lines exec: file order). Before, a task's whole output was held in memory (stderr about
three times over): 77 MB for one 50 MB stdout, 159 MB for one 50 MB stderr.

  memory_test.py --parfold BIN --mpiexec MPIEXEC run RANKS | exec RANKS
"""
import hashlib
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cli_test import FAILURES, check, mpi, suite_main  # noqa: E402,F401

# docs/run.md "Memory": about 10-20 MiB of program (more under mpirun), 3 MiB per thread,
# a few MiB of records on their way, on rank 0 those waiting their turn: far from 40 MiB
# with 2 threads and outputs that spill.
BOUND_KIB = 40 * 1024

# Runs the rest of its command line, then writes the peak resident set of what it ran
# (KiB) to PREFIX.RANK.
MEASURE = r"""
import os, resource, subprocess, sys
rc = subprocess.call(sys.argv[2:])
rank = next((os.environ[v] for v in ("OMPI_COMM_WORLD_RANK", "PMIX_RANK", "PMI_RANK")
             if v in os.environ), "0")
with open(sys.argv[1] + "." + rank, "w") as f:
    f.write(str(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss))
sys.exit(rc)
"""

# The first task is the longest: the others end before it and wait for their turn.
TASKS = [
    "seq 1 7000000",                                  # 55 MB on stdout
    "echo small one",
    "seq 10000000 16000000 >&2",                      # 54 MB on stderr
    "seq 1 1000000; seq 2 1000000 >&2",               # 7 MB on each
    "printf 'no newline'; printf 'err, no newline' >&2",
]
# lines exec: one chunk per line (8 bytes), each printing 28 MB that depend on it.
LINES = ["1000000", "3000000", "2000000"]
EXEC_COMMAND = "read n; seq $n $((n + 3500000))"


def digest(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def sequential(d, commands, inputs):
    """The truth: each command run in turn by /bin/sh (stdin: its input, or /dev/null),
    stdout and stderr each appended to a file. Returns their digests."""
    out, err = os.path.join(d, "truth.out"), os.path.join(d, "truth.err")
    with open(out, "wb") as o, open(err, "wb") as e:
        for command, given in zip(commands, inputs):
            p = subprocess.run(["/bin/sh", "-c", command], input=given, stdout=o, stderr=e, timeout=60)
            check(p.returncode == 0, f"truth: {command!r}: exit {p.returncode}")
    return digest(out), digest(err)


def measured(opts, d, ranks, args, truth, what):
    """parfold `args` at `ranks` ranks (2 threads each), every rank's peak resident set
    measured: exit 0, each under BOUND_KIB, stdout and stderr those of `truth`."""
    script = os.path.join(d, "measure.py")
    with open(script, "w") as f:
        f.write(MEASURE)
    prefix = os.path.join(d, "peak")
    for old in os.listdir(d):
        if old.startswith("peak."):
            os.unlink(os.path.join(d, old))
    cmd = [sys.executable, script, prefix, opts.parfold, "--threads", "2"] + args
    out, err = os.path.join(d, "parfold.out"), os.path.join(d, "parfold.err")
    with open(out, "wb") as o, open(err, "wb") as e:
        p = subprocess.run(mpi(opts, ranks, cmd) if ranks > 1 else cmd, stdout=o, stderr=e, timeout=120)
    with open(err, "rb") as e:
        tail = e.read()[-300:]
    check(p.returncode == 0, f"{what}: exit {p.returncode}, expected 0: ...{tail!r}")
    peaks = {}
    for name in os.listdir(d):
        if name.startswith("peak."):
            with open(os.path.join(d, name)) as f:
                peaks[name[5:]] = int(f.read())
    check(sorted(peaks) == [str(r) for r in range(ranks)], f"{what}: peaks of ranks {sorted(peaks)}, not 0-{ranks - 1}")
    for rank, kib in sorted(peaks.items()):
        check(kib < BOUND_KIB, f"{what}: rank {rank} peaked at {kib} KiB, not under {BOUND_KIB} KiB")
    check(digest(out) == truth[0], f"{what}: stdout is not the tasks' stdout in task order")
    check(digest(err) == truth[1], f"{what}: stderr is not the tasks' stderr in task order")
    print(f"{what}: peak KiB per rank {[peaks[r] for r in sorted(peaks)]}")


def run(opts, ranks):
    """parfold run: stdout and stderr of up to 55 MB per task, in task order."""
    ranks = int(ranks)
    with tempfile.TemporaryDirectory() as d:
        tasks = os.path.join(d, "tasks.txt")
        with open(tasks, "w") as f:
            f.write("\n".join(TASKS) + "\n")
        truth = sequential(d, TASKS, [b""] * len(TASKS))
        measured(opts, d, ranks, ["run", tasks], truth, f"run at {ranks} rank(s)")


def exec_(opts, ranks):
    """parfold lines exec: chunks of 8 bytes that print 28 MB each, in file order."""
    ranks = int(ranks)
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "lines.txt")
        with open(path, "w") as f:
            f.write("".join(line + "\n" for line in LINES))
        truth = sequential(d, [EXEC_COMMAND] * len(LINES), [(line + "\n").encode() for line in LINES])
        measured(opts, d, ranks, ["lines", "exec", "--chunk", "8", EXEC_COMMAND, path], truth,
                 f"lines exec at {ranks} rank(s)")


if __name__ == "__main__":
    sys.exit(suite_main({"run": run, "exec": exec_}))
