#!/usr/bin/env python3
"""Peak resident memory of `parfold run` and `parfold lines exec` whose commands print far
more than it (issue 23, item 10): with tasks printing 55 MB on stdout or on stderr (lines
exec: 28 MB per chunk of 8 bytes), every rank's peak resident set (VmHWM, as
wait4(2) reports it for the rank's process) stays under BOUND_KIB, and the output is
byte-identical to the commands run one by one with /bin/sh: stdout and stderr in task order
(lines exec: file order). Before, a task's whole output was held in memory (stderr about
three times over): 77 MB for one 50 MB stdout, 159 MB for one 50 MB stderr.

`waiting` and `exec_waiting` (issue 24, section 6): outputs each under the 1 MiB a stream
keeps in memory, 59 MB of them waiting behind a first task (chunk) that ends only once rank
0 has put outputs waiting their turn past 16 MiB into a spool file (seen in TMPDIR): every
rank's peak under the same job's with short outputs plus docs/run.md's figure, the output
byte-identical to /bin/sh's, no temporary file left.

`ahead` (issue 26, section 4): tasks printing 100 MB each, on every rank, under mpirun:
on every rank but 0, TMPDIR is a folder that does not exist, so a rank that kept a task's
output in a temporary file until it ended (as parfold did before) fails with "cannot create
a temporary file". Their output goes to rank 0 in pieces while they run: every rank's peak
under BOUND_KIB, the output byte-identical to /bin/sh's, and the joblog shows every rank ran
its share (a static schedule).

  memory_test.py --parfold BIN --mpiexec MPIEXEC run|exec|waiting|exec_waiting|ahead RANKS
"""
import hashlib
import os
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cli_test import FAILURES, check, mpi, suite_main  # noqa: E402,F401

# docs/run.md "Memory": about 10-20 MiB of program (more under mpirun), 3 MiB per thread,
# a few MiB of records on their way, on rank 0 those waiting their turn: far from 40 MiB
# with 2 threads and outputs that spill.
BOUND_KIB = 40 * 1024

# Runs the rest of its command line (TMPDIR=$WORKER_TMPDIR on ranks but 0, when set), then
# writes the peak resident set of what it ran (KiB) to PREFIX.RANK.
MEASURE = r"""
import os, resource, subprocess, sys
rank = next((os.environ[v] for v in ("OMPI_COMM_WORLD_RANK", "PMIX_RANK", "PMI_RANK")
             if v in os.environ), "0")
if rank != "0" and "WORKER_TMPDIR" in os.environ:
    os.environ["TMPDIR"] = os.environ["WORKER_TMPDIR"]
rc = subprocess.call(sys.argv[2:], close_fds=False)  # Hydra's PMI_FD goes through
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


def measured(opts, d, ranks, args, truth, what, bounds=None, during=None):
    """parfold `args` at `ranks` ranks (2 threads each), every rank's peak resident set
    measured: exit 0, each under its bound (bounds(rank), KiB; BOUND_KIB), stdout and
    stderr those of `truth`. `during(process)` runs while it does."""
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
        p = subprocess.Popen(mpi(opts, ranks, cmd) if ranks > 1 else cmd, stdout=o, stderr=e)
        try:
            if during:
                during(p)
            p.wait(timeout=120)
        finally:
            p.kill()
            p.wait()
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
        bound = bounds(int(rank)) if bounds else BOUND_KIB
        check(kib < bound, f"{what}: rank {rank} peaked at {kib} KiB, not under {bound} KiB")
    check(digest(out) == truth[0], f"{what}: stdout is not the tasks' stdout in task order")
    check(digest(err) == truth[1], f"{what}: stderr is not the tasks' stderr in task order")
    print(f"{what}: peak KiB per rank {[peaks[r] for r in sorted(peaks)]}")
    return [peaks[r] for r in sorted(peaks, key=int)]


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


# ---- outputs waiting their turn ------------------------------------------------------------
# Each output under the 1 MiB a stream keeps in memory (990,009 bytes), 60 of them (59 MB)
# waiting behind the first task: past rank 0's 16 MiB of outputs waiting their turn in
# memory (ReorderBuffer::kMemory) and, when they come faster than rank 0 takes them, past a
# rank's 4 MiB waiting to leave it (Courier::kOutboxMemory). docs/run.md "Memory": at most
# 3 MiB x threads + 6 MiB per rank, about 20 MiB more on rank 0, beyond the program itself
# (measured here: the same job with outputs of 2-3 bytes). With 2 threads 12 MiB (32 MiB on
# rank 0); the allowance adds 10 MiB of allocator slack and load (freed pieces kept by
# malloc's arenas; measured 13.5 MiB on ranks 1 and 2 at 3 ranks), far under the 59 MB
# that held whole would take.
WAITING = 60
ALLOWANCE_KIB = (3 * 2 + 6 + 10) * 1024
RANK0_KIB = 20 * 1024


def wait_for_go(d, under="PARFOLD_TASK"):
    """A shell line: under parfold (`under` set), wait until `go` exists (60 s guard)."""
    return (f'if [ -n "${under}" ]; then i=0; while [ ! -e {d}/go ] && [ $i -lt 600 ]; '
            f'do sleep 0.1; i=$((i + 1)); done; fi')


def until_spooled(d, tmp):
    """Waits until rank 0's outputs waiting their turn went past 16 MiB (a reorder spool in
    TMPDIR), then lets the first task end. Returns what it saw."""
    def during(p):
        seen = set()
        end = time.monotonic() + 60
        while time.monotonic() < end and p.poll() is None:
            names = {n.split("-")[1] for n in os.listdir(tmp) if n.startswith("parfold-")}
            seen |= names
            if "reorder" in names:
                break
            time.sleep(0.02)
        check("reorder" in seen, f"no outputs spooled on rank 0 (temporary files seen: {sorted(seen)})")
        open(os.path.join(d, "go"), "w").close()
        print(f"temporary files seen: {sorted(seen)}")
    return during


def write_lines(d, name, lines):
    path = os.path.join(d, name)
    with open(path, "w") as f:
        f.write("".join(line + "\n" for line in lines))
    return path


def waiting(opts, ranks):
    """parfold run: 60 outputs of 990,009 bytes (stdout or stderr) behind a first task that
    ends only once rank 0 has spooled outputs waiting their turn."""
    ranks = int(ranks)
    with tempfile.TemporaryDirectory() as d:
        tmp = os.path.join(d, "tmp")
        os.mkdir(tmp)
        tasks = [wait_for_go(d) + "; echo first"]
        for k in range(1, WAITING + 1):
            tasks.append(f"seq {k * 10**7} {k * 10**7 + 110000}" + (" >&2" if k % 3 == 0 else ""))
        small = ["echo %d" % k for k in range(WAITING + 1)]  # the program itself
        base = measured(opts, d, ranks, ["run", write_lines(d, "small.txt", small)],
                        sequential(d, small, [b""] * len(small)), f"run, short outputs, at {ranks} rank(s)",
                        lambda rank: BOUND_KIB)
        if len(base) != ranks:
            return
        path = write_lines(d, "tasks.txt", tasks)
        truth = sequential(d, tasks, [b""] * len(tasks))
        os.environ["TMPDIR"] = tmp
        try:
            measured(opts, d, ranks, ["run", path], truth, f"run, outputs waiting, at {ranks} rank(s)",
                     lambda rank: base[rank] + ALLOWANCE_KIB + (RANK0_KIB if rank == 0 else 0),
                     until_spooled(d, tmp))
        finally:
            del os.environ["TMPDIR"]
        left = os.listdir(tmp)
        check(left == [], f"temporary files left: {left}")



def exec_waiting(opts, ranks):
    """parfold lines exec: 8-byte chunks, the first one's command ends only once rank 0 has
    spooled outputs waiting their turn, each later one prints 990,009 bytes."""
    ranks = int(ranks)
    with tempfile.TemporaryDirectory() as d:
        tmp = os.path.join(d, "tmp")
        os.mkdir(tmp)
        command = (f'read n; if [ "$n" = 0 ]; then {wait_for_go(d, "PARFOLD_OFFSET")}; echo first; '
                   f'else seq $((n * 10000000)) $((n * 10000000 + 110000)); fi')
        lines = ["%7d" % k for k in range(WAITING + 1)]  # 8 bytes each: one chunk each
        path = write_lines(d, "lines.txt", lines)
        inputs = [(line + "\n").encode() for line in lines]
        small = "read n; echo $n"
        base = measured(opts, d, ranks, ["lines", "exec", "--chunk", "8", small, path],
                        sequential(d, [small] * len(lines), inputs), f"lines exec, short outputs, at {ranks} rank(s)",
                        lambda rank: BOUND_KIB)
        if len(base) != ranks:
            return
        truth = sequential(d, [command] * len(lines), inputs)
        os.environ["TMPDIR"] = tmp
        try:
            measured(opts, d, ranks, ["lines", "exec", "--chunk", "8", command, path], truth,
                     f"lines exec, outputs waiting, at {ranks} rank(s)",
                     lambda rank: base[rank] + ALLOWANCE_KIB + (RANK0_KIB if rank == 0 else 0),
                     until_spooled(d, tmp))
        finally:
            del os.environ["TMPDIR"]
        left = os.listdir(tmp)
        check(left == [], f"temporary files left: {left}")


# ---- output sent ahead while a task runs -----------------------------------------------------
AHEAD_BYTES = 100 * 1000 * 1000


def ahead(opts, ranks):
    """parfold run under mpirun, 2 tasks per rank (2 threads, static schedule) printing 100 MB
    each (one on stderr), no temporary file possible on ranks but 0."""
    ranks = int(ranks)
    with tempfile.TemporaryDirectory() as d:
        tasks = [f"yes {k} | head -c {AHEAD_BYTES}" + (" >&2" if k % 4 == 3 else "")
                 for k in range(2 * ranks)]
        truth = sequential(d, tasks, [b""] * len(tasks))
        joblog = os.path.join(d, "joblog")
        os.environ["WORKER_TMPDIR"] = os.path.join(d, "missing")
        try:
            measured(opts, d, ranks, ["--schedule", "static", "run", "--joblog", joblog,
                                      write_lines(d, "tasks.txt", tasks)],
                     truth, f"run, {len(tasks)} x 100 MB sent ahead, at {ranks} rank(s)")
        finally:
            del os.environ["WORKER_TMPDIR"]
        with open(joblog) as f:
            rows = [line.rstrip("\n").split("\t") for line in f]
        rank_column = rows[0].index("Rank")
        ran = sorted(int(row[rank_column]) for row in rows[1:])
        check(ran == sorted(list(range(ranks)) * 2), f"joblog: tasks ran on ranks {ran}, not 2 on each")


if __name__ == "__main__":
    sys.exit(suite_main({"run": run, "exec": exec_, "waiting": waiting, "exec_waiting": exec_waiting,
                         "ahead": ahead}))
