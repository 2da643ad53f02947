#!/usr/bin/env python3
"""End-to-end tests of `parfold run`: task output in task order, byte-identical to the
tasks run one by one with /bin/sh; every task exactly once; the joblog; exit statuses;
the environment a task sees; stops leave no process behind; bad input.

  run_test.py --parfold BIN --mpiexec MPIEXEC identical RANKS | environment RANKS
                                              | retries_and_halt RANKS | unordered RANKS
                                              | checkpoint RANKS | stop_resume RANKS
                                              | trace_and_progress | stop | timeout_and_results
                                              | bad_input
"""
import collections
import json
import os
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cli_test import FAILURES, SCHEDULES, check, check_refused, mpi, suite_main  # noqa: E402,F401

STATUSES = [0, 0, 0, 1, 0, 2, 0, 0, 127]


def task_lines(marker_dir, n):
    """Deterministic tasks: outputs of many sizes (none, a line, a partial line, 100 KB),
    stderr, failures and a missing command; each leaves a marker named by PARFOLD_TASK."""
    lines = ["# a comment, then an empty line", ""]
    for i in range(n):
        mark = f'touch "{marker_dir}/$PARFOLD_TASK.$$"'
        kind = i % 7
        if kind == 0:
            body = f"echo task {i}"
        elif kind == 1:
            body = f"printf 'no newline {i}'"
        elif kind == 2:
            body = f"seq 1 {20000 + i}"  # about 100 KB
        elif kind == 3:
            body = f"echo to stderr {i} >&2; echo out {i}"
        elif kind == 4:
            body = "true"
        elif kind == 5:
            body = f"echo failing {i}; exit {STATUSES[i % len(STATUSES)]}"
        else:
            body = f"no-such-command-{i % 3} 2>/dev/null; echo after {i}"
        lines.append(f"{mark}; {body}")
    return lines


def sequential(lines):
    """The truth: every task run one by one, in order, by /bin/sh."""
    out, err, failed = b"", b"", 0
    for line in lines:
        if not line or line.startswith("#"):
            continue
        p = subprocess.run(["/bin/sh", "-c", line], capture_output=True)
        out += p.stdout
        err += p.stderr
        failed += p.returncode != 0
    return out, err, failed


def launch(opts, ranks, args):
    cmd = [opts.parfold] + args
    return subprocess.run(mpi(opts, ranks, cmd) if ranks > 1 else cmd, capture_output=True, timeout=300)


def identical(opts, ranks):
    ranks = int(ranks)
    with tempfile.TemporaryDirectory() as d:
        truth_marks = os.path.join(d, "truth")
        os.mkdir(truth_marks)
        lines = task_lines(truth_marks, 60)
        want_out, want_err, want_failed = sequential(lines)
        marks = os.path.join(d, "marks")
        lines = task_lines(marks, 60)
        tasks = os.path.join(d, "tasks.txt")
        with open(tasks, "w") as f:
            f.write("\n".join(lines) + "\n")
        runs = 0
        for threads in (1, 3):
            for schedule in SCHEDULES:
                for chunk in ([], ["--chunk", "4"]):
                    os.makedirs(marks, exist_ok=True)
                    log = os.path.join(d, "joblog")
                    p = launch(opts, ranks, ["--threads", str(threads), "--schedule", schedule] + chunk +
                               ["run", "--joblog", log, tasks])
                    what = f"ranks={ranks} threads={threads} {schedule} {chunk}"
                    check(p.returncode == (1 if want_failed else 0), f"{what}: exit {p.returncode}")
                    check(p.stdout == want_out, f"{what}: stdout differs ({len(p.stdout)} vs {len(want_out)} bytes)")
                    err = b"".join(l for l in p.stderr.splitlines(True) if not l.startswith(b"parfold: ")
                                   and b"mpirun" not in l and not l.startswith(b"-----"))
                    check(err.startswith(want_err), f"{what}: stderr differs: {err[:200]!r}")
                    check(f"{want_failed} of 60 tasks failed".encode() in p.stderr, f"{what}: summary: {p.stderr[-300:]!r}")
                    done = sorted(int(n.split(".")[0]) for n in os.listdir(marks))
                    check(done == list(range(60)), f"{what}: tasks run: {done[:10]}... ({len(done)})")
                    check_joblog(what, log, lines)
                    for n in os.listdir(marks):
                        os.remove(os.path.join(marks, n))
                    runs += 1
        # --output FILE: the same bytes in FILE, nothing on stdout.
        out = os.path.join(d, "out.txt")
        p = launch(opts, ranks, ["--threads", "2", "run", "--output", out, tasks])
        with open(out, "rb") as f:
            check(f.read() == want_out and p.stdout == b"", f"--output at {ranks} rank(s)")
        print(f"{runs} runs at {ranks} rank(s): output identical to the tasks run one by one")


def check_joblog(what, path, lines):
    with open(path) as f:
        rows = [r.rstrip("\n").split("\t") for r in f]
    check(rows[0] == ["Seq", "Host", "Starttime", "JobRuntime", "Send", "Receive", "Exitval", "Signal", "Command",
                      "Rank", "Thread", "Attempt", "Cpus", "Gpus"], f"{what}: joblog header {rows[0]}")
    commands = [l for l in lines if l and not l.startswith("#")]
    rows = rows[:1] + sorted(rows[1:], key=lambda r: int(r[0]))  # rows come as tasks end, as GNU parallel's
    check([int(r[0]) for r in rows[1:]] == list(range(1, len(commands) + 1)), f"{what}: joblog Seq")
    check([r[8] for r in rows[1:]] == commands, f"{what}: joblog commands")
    for r in rows[1:]:
        status = subprocess.run(["/bin/sh", "-c", r[8].replace('touch "', 'true "')], capture_output=True).returncode
        check(int(r[6]) == status, f"{what}: joblog Exitval {r[6]} for {r[8]!r}, /bin/sh says {status}")
        check(float(r[2]) > 1.6e9 and float(r[3]) >= 0 and r[11] == "1" and r[12:] == ["", ""],
              f"{what}: joblog row {r}")  # no cores or GPUs asked for: those columns are empty


def environment(opts, ranks):
    """A task sees its index, line, rank and thread, and no launcher: parfold info inside
    a task of a job under mpirun reports no launcher and 1 rank."""
    ranks = int(ranks)
    with tempfile.TemporaryDirectory() as d:
        tasks = os.path.join(d, "tasks.txt")
        with open(tasks, "w") as f:
            f.write("# env\n")
            for i in range(8):
                f.write('echo "$PARFOLD_TASK $PARFOLD_TASK_LINE $PARFOLD_RANK $PARFOLD_THREAD '
                        '${OMPI_COMM_WORLD_SIZE:-none} ${PMIX_RANK:-none}"\n')
            f.write(f"{opts.parfold} --json info\n")
        p = launch(opts, ranks, ["--threads", "2", "run", tasks])
        check(p.returncode == 0, f"environment: exit {p.returncode} {p.stderr[-300:]!r}")
        out = p.stdout.decode()
        rows = [l.split() for l in out.splitlines()[:8]]
        for i, r in enumerate(rows):
            check(r[0] == str(i) and r[1] == str(i + 2) and 0 <= int(r[2]) < ranks and 0 <= int(r[3]) < 2
                  and r[4:] == ["none", "none"], f"environment row {i}: {r}")
        info = json.loads("\n".join(out.splitlines()[8:]))
        check(info["launcher"] == "none" and info["totals"]["ranks"] == 1, f"a task's parfold info: {info['launcher']}")
    print(f"tasks see their own variables and no launcher ({ranks} rank(s))")


def alive_with(tag):
    """Processes whose command line holds `tag`."""
    found = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                if tag.encode() in f.read():
                    with open(f"/proc/{pid}/stat") as s:
                        if s.read().split(") ")[1].split()[0] != "Z":
                            found.append(int(pid))
        except OSError:
            pass
    return found


def retries_and_halt(opts, ranks):
    """--retries: a task that fails only on its first attempt succeeds on its second, on
    another rank when there is one; the output is the second attempt's, in task order.
    --halt now,fail=1 ends the running tasks (and their children) and starts no new one;
    --halt soon,success=N waits for the running ones and exits 0."""
    ranks = int(ranks)
    with tempfile.TemporaryDirectory() as d:
        marks = os.path.join(d, "marks")
        os.mkdir(marks)
        lines = [f'if [ -e "{marks}/{i}" ]; then echo ok {i}; else touch "{marks}/{i}"; echo first {i}; exit 3; fi'
                 if i % 3 == 0 else f"echo plain {i}" for i in range(12)]
        tasks = os.path.join(d, "tasks.txt")
        with open(tasks, "w") as f:
            f.write("\n".join(lines) + "\n")
        log = os.path.join(d, "log")
        p = launch(opts, ranks, ["--threads", "2", "run", "--retries", "1", "--joblog", log, tasks])
        want = "".join(f"ok {i}\n" if i % 3 == 0 else f"plain {i}\n" for i in range(12)).encode()
        check(p.returncode == 0 and p.stdout == want, f"--retries 1 at {ranks} rank(s): {p.returncode} {p.stdout!r}")
        with open(log) as f:
            rows = [r.rstrip("\n").split("\t") for r in f][1:]
        for i in range(0, 12, 3):
            mine = sorted((r for r in rows if r[0] == str(i + 1)), key=lambda r: r[11])
            check([r[11] for r in mine] == ["1", "2"] and mine[0][6] == "3" and mine[1][6] == "0",
                  f"--retries: joblog rows of task {i + 1}: {mine}")
            if ranks > 1 and len(mine) == 2:
                check(mine[0][9] != mine[1][9], f"--retries: task {i + 1} ran again on the same rank {mine[0][9]}")
        check(len(rows) == 16, f"--retries: {len(rows)} joblog rows, want 16")
        # --retries 0 on the same flaky tasks (their marks are gone): they fail.
        for name in os.listdir(marks):
            os.remove(os.path.join(marks, name))
        p = launch(opts, ranks, ["--threads", "2", "run", tasks])
        check(p.returncode == 1 and b"4 of 12 tasks failed: line 1 (exit 3)" in p.stderr, f"no retries: {p.stderr!r}")

        tag = f"{os.getpid() % 100000:05d}"
        slow = [f"sleep 0.{i}" for i in range(1, 4)] + ["exit 9"] + [f"sleep 3{tag}{i} & sleep 4{tag}{i}" for i in range(20)]
        with open(tasks, "w") as f:
            f.write("\n".join(slow) + "\n")
        # The tasks left running would sleep for days: launch's 300 s timeout is the hang guard.
        p = launch(opts, ranks, ["--threads", "2", "run", "--halt", "now,fail=1", tasks])
        check(p.returncode == 1 and b"--halt now,fail=1 reached" in p.stderr and b"1 of 24 tasks failed: line 4 (exit 9)"
              in p.stderr, f"--halt now,fail=1: {p.returncode} {p.stderr!r}")
        check(not alive_with(f"3{tag}") and not alive_with(f"4{tag}"), "--halt now: a task process is left")
        with open(tasks, "w") as f:
            f.write("\n".join(f"sleep 0.{i % 3}; echo {i}" for i in range(40)) + "\n")
        p = launch(opts, ranks, ["--threads", "2", "run", "--halt", "soon,success=3", tasks])
        done = [int(x) for x in p.stdout.split()]
        check(p.returncode == 0 and 3 <= len(done) < 40 and b"--halt soon,success=3 reached" in p.stderr,
              f"--halt soon,success=3: {p.returncode} {done} {p.stderr!r}")
    print(f"--retries and --halt at {ranks} rank(s)")


def unordered(opts, ranks):
    """--unordered: each task's 1 MB of output comes out whole, never interleaved with
    another's, and every task's exactly once."""
    ranks = int(ranks)
    with tempfile.TemporaryDirectory() as d:
        tasks = os.path.join(d, "tasks.txt")
        letters = "ABCDEFGHIJKL"
        with open(tasks, "w") as f:
            for i, c in enumerate(letters):
                f.write(f"sleep 0.0{(i * 7) % 10}; head -c 1000000 /dev/zero | tr '\\0' {c}; "
                        f"head -c 100000 /dev/zero | tr '\\0' {c.lower()} >&2\n")
        p = launch(opts, ranks, ["--threads", "3", "run", "--unordered", tasks])
        runs = [p.stdout[i:i + 1000000] for i in range(0, len(p.stdout), 1000000)]
        whole = all(len(set(r)) == 1 for r in runs)
        check(p.returncode == 0 and len(p.stdout) == 12_000_000 and whole
              and sorted(r[:1].decode() for r in runs) == list(letters), f"--unordered stdout at {ranks} rank(s)")
        err = [p.stderr[i:i + 100000] for i in range(0, len(p.stderr), 100000)]
        check(len(p.stderr) == 1_200_000 and all(len(set(r)) == 1 for r in err), f"--unordered stderr at {ranks} rank(s)")
    print(f"--unordered: whole outputs at {ranks} rank(s)")


def trace_and_progress(opts):
    """--trace: one span per task (chunk 1), its index and exit status, on the worker
    that ran it; --progress counts tasks."""
    with tempfile.TemporaryDirectory() as d:
        tasks, trace = os.path.join(d, "tasks.txt"), os.path.join(d, "trace.json")
        statuses = [0, 3, 0, 0, 5, 0, 1, 0]
        with open(tasks, "w") as f:
            f.write("".join(f"sleep 0.0{i}; exit {s}\n" for i, s in enumerate(statuses)))
        p = subprocess.run([opts.parfold, "--threads", "3", "--trace", trace, "--progress", "run", tasks],
                           capture_output=True, timeout=60)
        with open(trace) as f:
            spans = [e for e in json.load(f)["traceEvents"] if e.get("ph") == "X"]
        got = sorted((e["args"]["chunk"], e["args"]["status"]) for e in spans)
        check(got == list(enumerate(statuses)), f"trace spans (task, status): {got}")
        check(len({e["tid"] for e in spans}) >= 2, "trace: the tasks ran on one worker only")
        check(b"8 / 8 tasks" in p.stderr, f"--progress counts tasks: {p.stderr[-200:]!r}")
    print("--trace: a span per task with its exit status; --progress counts tasks")


def checkpoint(opts, ranks):
    """--checkpoint: a stop (SIGTERM; under mpirun SIGUSR1 to mpirun) saves the tasks whose
    results are out; rerunning, at another rank count, runs only the others (those that
    were running at the stop run again: at most one per worker); stdout of both runs, and
    --output, equal the tasks run one by one. A changed task list is refused naming the
    line; --retry-failed reruns the failed tasks only."""
    ranks = int(ranks)
    with tempfile.TemporaryDirectory() as d:
        marks = os.path.join(d, "marks")
        os.mkdir(marks)
        lines = [f'touch "{marks}/$PARFOLD_TASK.$$"; sleep 0.{(i * 7) % 5}; echo task {i}' for i in range(40)]
        tasks, ckpt, out = os.path.join(d, "tasks.txt"), os.path.join(d, "ckpt"), os.path.join(d, "out.txt")
        with open(tasks, "w") as f:
            f.write("\n".join(lines) + "\n")
        want = "".join(f"task {i}\n" for i in range(40)).encode()
        first = [opts.parfold, "--threads", "2", "--checkpoint", ckpt, "--checkpoint-every", "0.1s", "run"]
        p = subprocess.Popen(mpi(opts, ranks, first + [tasks]) if ranks > 1 else first + [tasks],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        printed = p.stdout.readline()  # the stop comes once a task's output is out, however loaded the machine
        p.send_signal(signal.SIGUSR1 if ranks > 1 else signal.SIGTERM)
        out1, err1 = p.communicate(timeout=60)
        out1 = printed + out1
        check(b"run the same command again to go on" in err1 and p.returncode == 75, f"stop: {p.returncode} {err1!r}")
        again = 3 if ranks == 1 else 1
        p = launch(opts, again, ["--threads", "2", "--checkpoint", ckpt, "run", tasks])
        check(p.returncode == 0 and out1 + p.stdout == want, f"resumed at {again} rank(s): {p.returncode} "
              f"{len(out1)} + {len(p.stdout)} bytes {p.stderr!r}")
        runs = collections.Counter(name.split(".")[0] for name in os.listdir(marks))
        twice = [t for t, n in runs.items() if n > 1]
        check(len(runs) == 40 and max(runs.values()) <= 2 and len(twice) <= 2 * ranks and 0 < len(out1),
              f"tasks run twice: {twice} (at most the one per worker running at the stop)")
        with open(tasks, "w") as f:
            f.write("\n".join(lines[:7] + ["echo changed"] + lines[8:]) + "\n")
        p = launch(opts, 1, ["--checkpoint", ckpt, "run", tasks])
        check(p.returncode == 2 and b"the task list changed: task 8 (line 8 of" in p.stderr, f"changed: {p.stderr!r}")

        flaky = [f'if [ -e "{marks}/f{i}" ]; then echo ok {i}; else touch "{marks}/f{i}"; exit 3; fi'
                 if i % 4 == 1 else f"echo plain {i}" for i in range(8)]
        with open(tasks, "w") as f:
            f.write("\n".join(flaky) + "\n")
        os.remove(ckpt)
        p = launch(opts, ranks, ["--threads", "2", "--checkpoint", ckpt, "run", "--output", out, tasks])
        with open(out, "rb") as f:
            check(p.returncode == 1 and f.read() == b"plain 0\nplain 2\nplain 3\nplain 4\nplain 6\nplain 7\n",
                  f"flaky first run: {p.returncode}")
        p = launch(opts, ranks, ["--checkpoint", ckpt, "run", "--retry-failed", "--output", out, tasks])
        check(p.returncode == 2 and b"--retry-failed with --output" in p.stderr, f"--retry-failed --output: {p.stderr!r}")
        p = launch(opts, ranks, ["--checkpoint", ckpt, "run", "--output", out, tasks])
        check(p.returncode == 1 and b"2 of 8 tasks failed" in p.stderr, "rerun without --retry-failed: the failures stand")
        for name in os.listdir(marks):
            os.remove(os.path.join(marks, name))
        ckpt2 = ckpt + "2"
        p = launch(opts, ranks, ["--threads", "2", "--checkpoint", ckpt2, "run", tasks])
        check(p.returncode == 1 and p.stdout == b"plain 0\nplain 2\nplain 3\nplain 4\nplain 6\nplain 7\n", "stdout run")
        p = launch(opts, ranks, ["--threads", "2", "--checkpoint", ckpt2, "run", "--retry-failed", tasks])
        check(p.returncode == 0 and p.stdout == b"ok 1\nok 5\n", f"--retry-failed: {p.returncode} {p.stdout!r}")
    print(f"--checkpoint: stop at {ranks} rank(s), resume elsewhere, nothing finished runs again")


def resumable_tasks(done, first, n):
    """Tasks `first`..`first + n - 1`: output on both streams, some failing; each appends
    its index to `done` as its last act, so that a task ended by a stop leaves no mark. It
    ignores SIGTERM from just before its mark: a stop between the mark and the exit would
    otherwise end a task that has left one (and its rerun would count twice)."""
    return [f'sleep 0.{i % 3}; echo task {i}; echo err {i} >&2; trap "" TERM; echo {i} >> "{done}"; '
            f'exit {3 if i % 7 == 3 else 0}' for i in range(first, first + n)]


def stop_resume(opts, ranks):
    """run --checkpoint --output --results stopped by SIGTERM (under mpirun SIGUSR1) once 5
    tasks ended: 75; then tasks are appended to the list and the rerun (other threads)
    runs only the unfinished and the new ones: every task ended exactly once across both
    runs (only a SIGKILL reruns tasks that ended), --output holds the bytes of the tasks
    run one by one by /bin/sh, --results each task's streams and status as /bin/sh's."""
    ranks = int(ranks)
    with tempfile.TemporaryDirectory() as d:
        done, truth_done = os.path.join(d, "done"), os.path.join(d, "truth-done")
        tasks, ckpt, out, res = (os.path.join(d, n) for n in ("tasks.txt", "ckpt", "out.txt", "res"))
        with open(tasks, "w") as f:
            f.write("\n".join(resumable_tasks(done, 0, 30)) + "\n")
        cmd = [opts.parfold, "--threads", "2", "--checkpoint", ckpt, "run", "--output", out, "--results", res, tasks]
        p = subprocess.Popen(mpi(opts, ranks, cmd) if ranks > 1 else cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 60  # a hang guard
        while p.poll() is None and time.monotonic() < deadline and \
                (not os.path.exists(done) or len(open(done).read().split()) < 5):
            time.sleep(0.01)
        p.send_signal(signal.SIGUSR1 if ranks > 1 else signal.SIGTERM)
        _, err = p.communicate(timeout=60)
        ended = len(open(done).read().split())
        check(p.returncode == 75 and 5 <= ended < 30, f"stop at {ranks} rank(s): exit {p.returncode}, "
              f"{ended} tasks ended {err[-300:]!r}")
        with open(tasks, "a") as f:  # appending tasks is fine
            f.write("\n".join(resumable_tasks(done, 30, 5)) + "\n")
        p = launch(opts, ranks, ["--threads", "3", "--checkpoint", ckpt, "run", "--output", out, "--results", res,
                                 tasks])
        check(p.returncode == 1 and b"5 of 35 tasks failed" in p.stderr, f"resumed: {p.returncode} {p.stderr[-300:]!r}")
        runs = collections.Counter(open(done).read().split())
        check(runs == collections.Counter(str(i) for i in range(35)),
              f"tasks that did not end exactly once: {sorted(t for t in runs if runs[t] != 1)} "
              f"missing: {sorted(set(map(str, range(35))) - set(runs))}")
        # The truth: each task run by /bin/sh in order (without its sleep, which prints nothing).
        truth = [subprocess.run(["/bin/sh", "-c", line.split("; ", 1)[1]], capture_output=True)
                 for line in resumable_tasks(truth_done, 0, 35)]
        with open(out, "rb") as f:
            check(f.read() == b"".join(sh.stdout for sh in truth),
                  f"--output after a stop and an append differs from /bin/sh's at {ranks} rank(s)")
        for i, sh in enumerate(truth):
            for suffix, data in ((".out", sh.stdout), (".err", sh.stderr), (".status", f"{sh.returncode}\n".encode())):
                with open(os.path.join(res, f"{i}{suffix}"), "rb") as f:
                    check(f.read() == data, f"--results {i}{suffix} after a stop")
    print(f"run stopped with --output and --results, tasks appended, resumed at {ranks} rank(s): each task once")


# Statuses of `run` stopped without a checkpoint: alone, 128 + N; under Open MPI's mpirun,
# SIGTERM and SIGINT to mpirun are its own teardown (it sends SIGTERM to the ranks and exits
# 1 whatever they return), SIGUSR1 is forwarded and the ranks' 128 + N passed on; --timeout
# is parfold's own, 124 everywhere (docs/exit-status.md#under-a-launcher).
STOP_STATUS = {1: {"SIGTERM": 143, "SIGINT": 130, "SIGUSR1": 138, "timeout": 124},
               2: {"SIGTERM": 1, "SIGINT": 1, "SIGUSR1": 138, "timeout": 124}}


def stop(opts):
    """SIGTERM, SIGINT, SIGUSR1 or --timeout while tasks (and their background children)
    run, at 1, 2 and 3 ranks: the job ends with the status above (the launch's 60 s timeout
    is the hang guard) and no task process is left. The signal comes once the tasks have
    started (their marker files)."""
    with tempfile.TemporaryDirectory() as d:
        tasks, marks = os.path.join(d, "tasks.txt"), os.path.join(d, "marks")
        tag = f"parfold-stop-test-{os.getpid()}"
        digits = f"{os.getpid():05d}"[-5:]  # sleep's fraction: digits only, whatever the pid's length
        with open(tasks, "w") as f:
            for i in range(6):
                f.write(f'touch "{marks}/$PARFOLD_TASK"; sleep 3{i}.{digits}1 & exec sleep 4{i}.{digits}2 # {tag}\n')
        for ranks, hows in ((1, ("SIGTERM", "SIGINT", "SIGUSR1", "timeout")),
                            (2, ("SIGTERM", "SIGINT", "SIGUSR1", "timeout")), (3, ("SIGTERM", "SIGUSR1"))):
            for how in hows:
                stop_once(opts, ranks, how, tasks, marks, tag)
    print("stops end run with 128+N (alone), mpirun's 1 or 138 (under it), 124; no task process left")


def stop_once(opts, ranks, how, tasks, marks, tag):
    os.makedirs(marks, exist_ok=True)
    extra = ["--timeout", "1s"] if how == "timeout" else []
    cmd = [opts.parfold, "--threads", "3"] + extra + ["run", tasks]
    p = subprocess.Popen(mpi(opts, ranks, cmd) if ranks > 1 else cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    started = 3 if ranks == 1 else 6  # every worker busy, or every task running
    deadline = time.monotonic() + 60
    while p.poll() is None and len(os.listdir(marks)) < started and time.monotonic() < deadline:
        time.sleep(0.01)
    what = f"ranks={ranks} {how}"
    if how != "timeout":  # --timeout counts from the start, however slowly tasks start under load
        check(len(os.listdir(marks)) >= started, f"{what}: only {len(os.listdir(marks))} task(s) started")
        p.send_signal(getattr(signal, how))
    _, err = p.communicate(timeout=60)
    want = STOP_STATUS[min(ranks, 2)][how]
    check(p.returncode == want, f"{what}: exit {p.returncode}, want {want}: {err[-400:]!r}")
    left = []
    for _ in range(50):
        left = alive_with(tag[-5:] + "1") + alive_with(tag[-5:] + "2")
        if not left:
            break
        time.sleep(0.1)
    check(not left, f"{what}: task processes left: {left} " + subprocess.run(
        ["ps", "-o", "pid,ppid,pgid,stat,cmd", "-p", ",".join(map(str, left)) or "1"], capture_output=True,
        text=True).stdout)
    for n in os.listdir(marks):
        os.remove(os.path.join(marks, n))


def timeout_and_results(opts):
    """--task-timeout ends a task and its background children (counted failed, Signal
    column set); --results keeps each task's streams and status, equal to /bin/sh's."""
    with tempfile.TemporaryDirectory() as d:
        tag = f"{os.getpid() % 100000:05d}"
        lines = ["echo out; echo err >&2", f"sleep 4{tag}1 & sleep 5{tag}2", "printf partial; exit 4", "true"]
        tasks = os.path.join(d, "tasks.txt")
        with open(tasks, "w") as f:
            f.write("\n".join(lines) + "\n")
        res, log = os.path.join(d, "res"), os.path.join(d, "log")
        # The timed-out task would sleep for days: the 60 s timeout is the hang guard.
        p = subprocess.run([opts.parfold, "--threads", "2", "run", "--task-timeout", "0.5s", "--results", res,
                            "--joblog", log, tasks], capture_output=True, timeout=60)
        check(p.returncode == 1 and b"2 of 4 tasks failed" in p.stderr and b"timed out" in p.stderr,
              f"task-timeout: exit {p.returncode} {p.stderr!r}")
        check(not alive_with(tag + "1") and not alive_with(tag + "2"), "task-timeout: a task process is left")
        for i, line in enumerate(lines):
            if i == 1:
                continue
            want = subprocess.run(["/bin/sh", "-c", line], capture_output=True)
            for suffix, data in ((".out", want.stdout), (".err", want.stderr),
                                 (".status", f"{want.returncode}\n".encode())):
                with open(os.path.join(res, f"{i}{suffix}"), "rb") as f:
                    check(f.read() == data, f"--results {i}{suffix}")
        check(sorted(os.listdir(res)) == sorted(f"{i}{s}" for i in range(4) for s in (".out", ".err", ".status")),
              f"--results holds {sorted(os.listdir(res))}")
        with open(log) as f:
            rows = sorted(([r.rstrip("\n").split("\t") for r in f][1:]), key=lambda r: int(r[0]))
        check(rows[1][7] == str(signal.SIGTERM) and rows[1][6] == "0", f"joblog of the timed-out task: {rows[1]}")
    print("--task-timeout and --results")


def bad_input(opts):
    with tempfile.TemporaryDirectory() as d:
        empty = os.path.join(d, "empty.txt")
        with open(empty, "w") as f:
            f.write("# nothing\n\n")
        good = os.path.join(d, "good.txt")
        with open(good, "w") as f:
            f.write("true\n")
        cases = [
            (["run", os.path.join(d, "missing.txt")], "No such file"),
            (["run", empty], "no tasks"),
            (["run", d], "is a directory"),
            (["run", "--command", "echo", good], "has no {}"),
            (["run", "--retry-failed", good], "--retry-failed reruns the failed tasks"),
            (["run"], "run: give a TASKFILE (- for standard input), or COMMAND ::: ARGUMENTS"),
            (["run", "--task-timeout", "0", good], "not a positive duration"),
            (["run", "--results", good, good], "Not a directory"),
            (["run", "--halt", "later,fail=1", good], "not never, or now|soon"),
            (["run", "--halt", "now,fail=0", good], "not never, or now|soon"),
            (["run", "--halt", "soon,fail=101%", good], "not never, or now|soon"),
            (["run", "--retries", "-1", good], "negative"),
        ]
        check_refused(opts, cases)
    print("bad input: exit 2 and one message")


if __name__ == "__main__":
    sys.exit(suite_main(globals()))
