#!/usr/bin/env python3
"""GNU parallel as the reference for `parfold run` (issue 24, section 6), where docs/run.md
says the semantics match; where they differ by design, the documented difference:

  joblog RANKS   the same task list under `parallel -k --joblog` and `parfold run --joblog`:
                 stdout and stderr byte for byte, joblog rows by Seq with the same Send,
                 Receive, Exitval, Signal and Command, the same header's first 9 columns;
                 status: parfold 1 (docs/run.md), parallel the number of failed tasks
  halt RANKS     --halt now|soon with fail=N, success=N, done=N, P%: at one worker the tasks
                 parallel -j1 ran, plus the one the worker had already started (docs/run.md
                 "Retries, halts and timeouts"), the "N tasks not run" line, status 1 after a
                 halt on failure or done=N, 0 on success; under mpirun the same statuses and counts
  resume RANKS   a job halted at its first failure, then rerun with its checkpoint at RANKS
                 ranks: the tasks `parallel --resume` runs; then --retry-failed: those of
                 `parallel --resume-failed`; stdout byte for byte, statuses exact

  parallel_ref_test.py --parfold BIN --mpiexec MPIEXEC SUITE RANKS
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cli_test import FAILURES, check, mpi, suite_main  # noqa: E402,F401

# Both run each task with /bin/sh (parallel: $PARALLEL_SHELL, else its parent's shell).
ENV = dict(os.environ, PARALLEL_SHELL="/bin/sh", LC_ALL="C")
PARALLEL = ["parallel", "--will-cite", "-k"]

# Outcomes a joblog tells apart: success, exit N, each signal, no newline, stderr, no output,
# 100 KB, a missing command.
JOBLOG_TASKS = [
    "echo a",
    "exit 3",
    "echo b; echo err b >&2",
    "kill -TERM $$",
    "printf 'no newline'",
    "echo c; kill -KILL $$",
    "seq 1 20000",
    "kill -INT $$",
    "true",
    "echo to stderr only >&2; exit 7",
    "no_such_command_i24",
    "printf '%s\\n' 'it'\\''s' \"two  spaces\"",
]


def require_parallel():
    """GNU parallel is the truth here: its absence fails the suite, it is never skipped."""
    path = shutil.which("parallel")
    check(path is not None, "GNU parallel is not installed (apt-get install parallel)")
    if path is None:
        return False
    version = subprocess.run(["parallel", "--version"], capture_output=True, text=True).stdout
    check(version.startswith("GNU parallel"), f"`parallel` is not GNU parallel: {version[:80]!r}")
    return version.startswith("GNU parallel")


def write_tasks(d, name, tasks):
    path = os.path.join(d, name)
    with open(path, "w") as f:
        f.write("".join(t + "\n" for t in tasks))
    return path


def parallel(args, tasks_path, cwd):
    with open(tasks_path, "rb") as f:
        return subprocess.run(PARALLEL + args, stdin=f, capture_output=True, env=ENV, cwd=cwd, timeout=120)


def parfold(opts, ranks, args, cwd):
    cmd = [opts.parfold] + args
    return subprocess.run(mpi(opts, ranks, cmd) if ranks > 1 else cmd, capture_output=True, env=ENV, cwd=cwd,
                          timeout=120)


def joblog_rows(path):
    """Header and {Seq: row} of a joblog, each row a list of its columns."""
    with open(path) as f:
        lines = f.read().splitlines()
    rows = [l.split("\t") for l in lines[1:]]
    return lines[0].split("\t"), {int(r[0]): r for r in rows}, len(rows)


def parfold_stderr(err):
    """parfold's stderr: the tasks' stderr, then its own lines (`parfold: ...`), then under
    mpirun the launcher's banner about a non-zero exit. Returns (tasks' part, own lines)."""
    lines = err.splitlines(keepends=True)
    first = next((i for i, l in enumerate(lines) if l.startswith(b"parfold: ")), len(lines))
    return b"".join(lines[:first]), [l.decode().rstrip("\n") for l in lines[first:] if l.startswith(b"parfold: ")]


def joblog(opts, ranks):
    ranks = int(ranks)
    if not require_parallel():
        return
    with tempfile.TemporaryDirectory() as d:
        tasks = write_tasks(d, "tasks.txt", JOBLOG_TASKS)
        ref = parallel(["-j", "2", "--joblog", "ref.log"], tasks, d)
        got = parfold(opts, ranks, ["--threads", "2", "run", "--joblog", "got.log", tasks], d)
        what = f"joblog at {ranks} rank(s)"
        failed = [3, 4, 6, 8, 10, 11]  # 1-based, as Seq
        check(ref.returncode == len(failed), f"{what}: parallel exit {ref.returncode}, its man page says {len(failed)}")
        check(got.returncode == 1, f"{what}: parfold exit {got.returncode}, expected 1: {got.stderr[-300:]!r}")
        check(got.stdout == ref.stdout, f"{what}: stdout differs from parallel -k's:\n{got.stdout[:300]!r}\n"
              f"{ref.stdout[:300]!r}")
        tasks_err, own = parfold_stderr(got.stderr)
        # sh names itself by its argv[0] in a message: parfold starts it as `sh`, parallel as
        # `/bin/sh`.
        check(tasks_err == ref.stderr.replace(b"/bin/sh: ", b"sh: "), f"{what}: stderr differs from parallel -k's:\n{tasks_err!r}\n{ref.stderr!r}")
        check(own[-1:] == [f"parfold: {len(failed)} of {len(JOBLOG_TASKS)} tasks failed: line 2 (exit 3), line 4 "
                           "(signal SIGTERM), line 6 (signal SIGKILL), line 8 (signal SIGINT), line 10 (exit 7), ..."], f"{what}: parfold's own lines {own}")
        ref_head, ref_rows, _ = joblog_rows(os.path.join(d, "ref.log"))
        got_head, got_rows, count = joblog_rows(os.path.join(d, "got.log"))
        check(got_head[:9] == ref_head, f"{what}: header {got_head} vs parallel's {ref_head}")
        check(got_head[9:] == ["Rank", "Thread", "Attempt", "Cpus", "Gpus"], f"{what}: extra columns {got_head[9:]}")
        check(count == len(JOBLOG_TASKS) and sorted(got_rows) == sorted(ref_rows),
              f"{what}: {count} rows, Seq {sorted(got_rows)} vs {sorted(ref_rows)}")
        same = [4, 5, 6, 7, 8]  # Send Receive Exitval Signal Command
        for seq in sorted(ref_rows):
            g, r = got_rows.get(seq, [""] * 12), ref_rows[seq]
            check([g[i] for i in same] == [r[i] for i in same],
                  f"{what}: row {seq}: {[g[i] for i in same]} vs parallel's {[r[i] for i in same]}")
            check(g[9:] and int(g[9]) in range(ranks) and g[11] == "1", f"{what}: row {seq}: rank/attempt {g[9:]}")
        print(f"{what}: {len(JOBLOG_TASKS)} tasks as parallel -k --joblog runs them")


# ---- halts ---------------------------------------------------------------------------------
def halt_tasks(codes):
    """Task i prints its number, then exits codes[i]."""
    return [f"echo {i + 1}; exit {c}" if c else f"echo {i + 1}" for i, c in enumerate(codes)]


# --halt, the tasks' exit statuses, parfold's status.
HALTS = [
    ("now,fail=1", [0, 0, 4, 0, 0, 0, 0, 0], 1),
    ("soon,fail=1", [0, 0, 4, 0, 0, 0, 0, 0], 1),
    ("soon,fail=2", [0, 5, 0, 0, 6, 0, 0, 0], 1),
    ("now,fail=25%", [0, 5, 0, 6, 0, 0, 0, 0], 1),
    ("now,success=1", [0, 0, 0, 0, 0, 0, 0, 0], 0),
    ("soon,success=3", [3, 0, 0, 3, 0, 0, 0, 0], 1),
    ("soon,done=3", [0, 9, 0, 0, 0, 0, 0, 0], 1),
    ("now,done=50%", [0, 0, 0, 0, 0, 0, 0, 0], 1),  # done=: tasks left unrun, 1
    ("2", [0, 0, 8, 0, 0, 0, 0, 0], 1),  # the old form of now,fail=1
]


def printed(out):
    return [int(l) for l in out.split()]


def halt(opts, ranks):
    """One worker (1 rank, 1 thread; parallel -j1): parfold runs the tasks parallel runs,
    plus the next one, which the worker had started when the halt was decided; `now` ends
    it (it prints nothing: each task sleeps first). Under mpirun: the statuses and counts."""
    ranks = int(ranks)
    if not require_parallel():
        return
    with tempfile.TemporaryDirectory() as d:
        for when, codes, status in HALTS:
            # Each sleeps first: the halt is decided before the next task ends (parallel -j1
            # runs the same tasks without the sleep: one at a time, it decides before the next).
            plain = write_tasks(d, "plain.txt", halt_tasks(codes))
            tasks = ["sleep 0.5; " + t for t in halt_tasks(codes)]
            path = write_tasks(d, "tasks.txt", tasks)
            what = f"--halt {when} at {ranks} rank(s)"
            got = parfold(opts, ranks, ["--threads", "1", "run", "--halt", when, path], d)
            _, own = parfold_stderr(got.stderr)
            ran = printed(got.stdout)
            check(got.returncode == status, f"{what}: exit {got.returncode}, expected {status}: {own}")
            check(ran == sorted(ran) and len(set(ran)) == len(ran), f"{what}: stdout not in task order: {ran}")
            note = [l for l in own if "reached" in l]
            named = "now,fail=1" if when == "2" else when
            m = re.match(rf"parfold: --halt {re.escape(named)} reached: (\d+) tasks? not run", note[0] if note else "")
            check(m is not None, f"{what}: no line saying the halt was reached: {own}")
            if ranks == 1:
                ref = parallel(["-j1", "--halt", when], plain, d)
                expected = printed(ref.stdout)
                if not when.startswith("now") and when != "2" and len(expected) < len(tasks):
                    expected.append(len(expected) + 1)  # the task the worker had started
                check(ran == expected, f"{what}: ran {ran}, parallel -j1 ran {printed(ref.stdout)}")
                check(m is None or int(m.group(1)) == len(tasks) - len(ran),
                      f"{what}: '{note}' with {len(ran)} of {len(tasks)} run")
            else:
                check(m is None or int(m.group(1)) <= len(tasks) - len(ran), f"{what}: '{note}' with {ran} printed")
    print(f"{len(HALTS)} --halt forms at {ranks} rank(s)")


# ---- resume --------------------------------------------------------------------------------
# Tasks 3 and 5 fail until the file `ok` exists; each sleeps first, so that --halt now ends
# the task after the first failure before it prints.
RESUME_TASKS = [f"sleep 0.5; echo {i}" + (f"; [ -e ok ] || exit {i}" if i in (3, 5) else "") for i in range(1, 7)]


def resume(opts, ranks):
    """First run: --halt now,fail=1 at one worker, as parallel -j1 (tasks 1-3, 3 failed).
    Rerun at RANKS ranks with the checkpoint: the tasks `parallel --resume` runs (4, 5, 6;
    3 counts as done), status 1 (tasks 3 and 5 failed). Then `ok` makes 3 and 5 succeed
    and --retry-failed runs those `parallel --resume-failed` runs (3 and 5), status 0."""
    ranks = int(ranks)
    if not require_parallel():
        return
    with tempfile.TemporaryDirectory() as d:
        path = write_tasks(d, "tasks.txt", RESUME_TASKS)
        steps = [
            ("first", ["-j1", "--halt", "now,fail=1"], ["--halt", "now,fail=1"], 1, 3, 1),
            ("--resume", ["--resume"], [], ranks, 1, 1),
            ("--resume-failed", ["--resume-failed"], ["--retry-failed"], ranks, 0, 0),
        ]
        for name, ref_args, our_args, at, ref_status, status in steps:
            if name == "--resume-failed":
                open(os.path.join(d, "ok"), "w").close()
            ref = parallel(ref_args + ["--joblog", "ref.log"], path, d)
            got = parfold(opts, at, ["--threads", "1", "run", "--checkpoint", "ck"] + our_args + [path], d)
            what = f"{name} ({'--retry-failed' if our_args == ['--retry-failed'] else 'rerun'}) at {at} rank(s)"
            check(ref.returncode == ref_status, f"{what}: parallel exit {ref.returncode}, expected {ref_status}")
            check(got.returncode == status, f"{what}: exit {got.returncode}, expected {status}: {got.stderr[-300:]!r}")
            check(got.stdout == ref.stdout, f"{what}: ran {printed(got.stdout)}, parallel {printed(ref.stdout)}")
        print(f"--resume and --resume-failed selection at {ranks} rank(s) as parallel's")


if __name__ == "__main__":
    sys.exit(suite_main({"joblog": joblog, "halt": halt, "resume": resume}))
