#!/usr/bin/env python3
"""End-to-end tests of the task farm (`run`, `lines exec`) and the files parfold stages
(issue 23, items 5, 6, 7, 14c, 14d): staging files beside --output, --checkpoint and
--trace are new files with random names (a symbolic link planted at the old name
PATH.tmp.PID is never written through) and end with the mode the umask gives; --timeout
ends a farm with 124 as every workload; a task too long for exec(2) is that task's
failure (exit 126), the others run; a NUL byte in a task line and a {} inside quotes in
--command are refused before any task runs.

  farm_test.py --parfold BIN --mpiexec MPIEXEC staged | timeout RANKS | too_long | refused
"""
import os
import signal
import stat
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cli_test import FAILURES, check, mpi, suite_main  # noqa: E402,F401

EXIT_TIMEOUT = 124
EXIT_STOPPED = 75


def write(path, text):
    with open(path, "w") as f:
        f.write(text)


def read(path):
    with open(path, "rb") as f:
        return f.read()


def mode_of(path):
    return stat.S_IMODE(os.lstat(path).st_mode)


def planted(opts, args, links, umask):
    """parfold `args` with umask `umask`; in the child, before exec (so the pid is the
    program's), each {name: target} of `links` is planted as a symbolic link, the name's
    "{pid}" replaced by that pid: the names parfold used to stage under."""
    def plant():
        os.umask(umask)
        for name, target in links.items():
            os.symlink(target, name.replace("{pid}", str(os.getpid())))
    return subprocess.run([opts.parfold] + args, capture_output=True, preexec_fn=plant, timeout=60)


def staged(opts):
    """Symbolic links planted at PATH.tmp.PID of --output, --trace and --checkpoint, and at
    FILE.partial: the victims stay untouched, each file is a regular file with its content
    and the mode a plain creat(2) gives (0644 under umask 022, 0600 under 077)."""
    for umask, want_mode in ((0o022, 0o644), (0o077, 0o600)):
        with tempfile.TemporaryDirectory() as d:
            tasks = os.path.join(d, "tasks.txt")
            write(tasks, "echo one\necho two\n")
            at = {n: os.path.join(d, n) for n in ("out.txt", "trace.json", "ck", "out2.txt")}
            victims = {}
            for n in at:
                victims[n] = os.path.join(d, f"victim-{n}")
                write(victims[n], f"precious {n}\n")
            what = f"umask {umask:03o}"
            p = planted(opts, ["--trace", at["trace.json"], "run", "--output", at["out.txt"], tasks],
                        {at[n] + ".tmp.{pid}": victims[n] for n in ("out.txt", "trace.json")}, umask)
            check(p.returncode == 0, f"{what}: --output/--trace run: exit {p.returncode} {p.stderr!r}")
            p = planted(opts, ["--checkpoint", at["ck"], "run", "--output", at["out2.txt"], tasks],
                        {at["ck"] + ".tmp.{pid}": victims["ck"], at["out2.txt"] + ".partial": victims["out2.txt"]},
                        umask)
            check(p.returncode == 0, f"{what}: --checkpoint run: exit {p.returncode} {p.stderr!r}")
            for n, victim in victims.items():
                check(read(victim) == f"precious {n}\n".encode(), f"{what}: {victim} was written: {read(victim)!r}")
            for n, path in at.items():
                ok = os.path.exists(path) and stat.S_ISREG(os.lstat(path).st_mode)
                check(ok, f"{what}: {n} is not a regular file")
                if ok:
                    check(mode_of(path) == want_mode, f"{what}: {n} has mode {mode_of(path):04o}, not {want_mode:04o}")
            for n in ("out.txt", "out2.txt"):
                check(read(at[n]) == b"one\ntwo\n", f"{what}: {n} holds {read(at[n])!r}")
            check(read(at["trace.json"]).lstrip().startswith(b"{"), f"{what}: the trace is not JSON")
            left = sorted(n for n in os.listdir(d) if ".tmp." in n and not os.path.islink(os.path.join(d, n)))
            check(left == [] and not os.path.exists(at["out2.txt"] + ".partial"), f"{what}: staging files left: {left}")
    resumed(opts)
    print("staged files: planted links not followed, modes from the umask, resume intact")


def resumed(opts):
    """A run stopped with a checkpoint keeps FILE.partial (mode 0600 meanwhile); the rerun
    reopens it and ends with FILE whole, mode 0644 under umask 022."""
    with tempfile.TemporaryDirectory() as d:
        tasks, out, ck, log = (os.path.join(d, n) for n in ("tasks.txt", "out.txt", "ck", "log"))
        gate = os.path.join(d, "gate")
        write(tasks, f"echo one\nwhile [ ! -e {gate} ]; do sleep 0.05; done; echo two\necho three\n")
        args = [opts.parfold, "--threads", "1", "--checkpoint", ck, "run", "--joblog", log, "--output", out, tasks]
        p = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             preexec_fn=lambda: os.umask(0o022))
        # Task 1 logged: its output is in FILE.partial; task 2 waits for the gate.
        while p.poll() is None and not (os.path.exists(log) and read(log).count(b"\n") >= 2):
            time.sleep(0.01)
        p.send_signal(signal.SIGTERM)
        _, err = p.communicate(timeout=60)
        check(p.returncode == EXIT_STOPPED, f"stopped with a checkpoint: exit {p.returncode} {err!r}")
        partial = out + ".partial"
        check(os.path.exists(partial) and mode_of(partial) == 0o600 and not os.path.exists(out),
              f"stopped: {sorted(os.listdir(d))}")
        write(gate, "")
        p = subprocess.run(args, capture_output=True, preexec_fn=lambda: os.umask(0o022), timeout=60)
        check(p.returncode == 0, f"resumed: exit {p.returncode} {p.stderr!r}")
        check(read(out) == b"one\ntwo\nthree\n" and mode_of(out) == 0o644,
              f"resumed: {read(out)!r} mode {mode_of(out):04o}")
        check(not os.path.exists(partial), "resumed: FILE.partial left")


def timeout(opts, ranks):
    """--timeout while tasks run: status 124 and the watchdog's one message, as every
    workload gives (not "tasks failed ... SIGKILL" with 1), for `run` and `lines exec`;
    --output is not written. The tasks mark that they started before the limit."""
    ranks = int(ranks)
    with tempfile.TemporaryDirectory() as d:
        marks = os.path.join(d, "marks")
        os.mkdir(marks)
        tasks = os.path.join(d, "tasks.txt")
        write(tasks, "".join(f"touch {marks}/task{i}; exec sleep 30\n" for i in range(2)))
        text = os.path.join(d, "text.txt")
        write(text, "a line\n" * 20000)  # 140 KB: 3 chunks of 64 KiB
        out = os.path.join(d, "out", "out.txt")
        os.mkdir(os.path.dirname(out))
        jobs = {"run": ["run", "--output", out, tasks],
                "lines exec": ["lines", "exec", "--output", out, "--chunk", "64Ki",
                               f"touch {marks}/chunk$PARFOLD_OFFSET; exec sleep 30", text]}
        for name, job in jobs.items():
            cmd = [opts.parfold, "--threads", "2", "--timeout", "1s"] + job
            p = subprocess.run(mpi(opts, ranks, cmd) if ranks > 1 else cmd, capture_output=True, text=True,
                               timeout=60)
            what = f"{name} ranks={ranks}"
            started = [m for m in os.listdir(marks) if m.startswith("task" if name == "run" else "chunk")]
            check(len(started) >= 2, f"{what}: the tasks had not started: {started}")
            check(p.returncode == EXIT_TIMEOUT, f"{what}: exit {p.returncode} {p.stderr!r}")
            errors = [l for l in p.stderr.splitlines() if l.startswith("parfold: ")]
            check(len(errors) == 1 and "--timeout of 1 s exceeded" in errors[0],
                  f"{what}: {p.stderr!r}")
            check(os.listdir(os.path.dirname(out)) == [], f"{what}: left {os.listdir(os.path.dirname(out))}")
    print(f"--timeout ends run and lines exec with 124 (ranks={ranks})")


def too_long(opts):
    """A task line of 1 MB (over exec's 128 KiB for one argument): that task fails with
    exit 126 and why on stderr, recorded in the joblog; the tasks after it run; status 1.
    (`lines exec` runs the same engine, but its CMD reaches parfold as one argument, under
    the same limit.)"""
    with tempfile.TemporaryDirectory() as d:
        tasks, log = os.path.join(d, "tasks.txt"), os.path.join(d, "log")
        long_task = "echo " + "a" * 1_000_000
        write(tasks, f"echo first\n{long_task}\necho third\n")
        p = subprocess.run([opts.parfold, "--threads", "1", "run", "--joblog", log, tasks], capture_output=True,
                           timeout=60)
        check(p.returncode == 1 and p.stdout == b"first\nthird\n", f"run: exit {p.returncode} {p.stdout[:100]!r}")
        check(b"1 of 3 tasks failed: line 2 (exit 126)" in p.stderr and b"Argument list too long" in p.stderr
              and b"error" not in p.stderr, f"run: {p.stderr[:300]!r}")
        rows = [r.split(b"\t") for r in read(log).splitlines()[1:]]
        got = sorted((int(r[0]), int(r[6]), int(r[7])) for r in rows)
        check(got == [(1, 0, 0), (2, 126, 0), (3, 0, 0)], f"joblog (Seq, Exitval, Signal): {got}")
    print("a command too long for exec fails alone, with exit 126")


def refused(opts):
    """A NUL byte in a task line, or {} inside quotes in --command: exit 2, one message
    (the file and line; why), and no task runs (the first task would leave a mark)."""
    parfold = os.path.abspath(opts.parfold)
    with tempfile.TemporaryDirectory() as d:
        with open(os.path.join(d, "nul.txt"), "wb") as f:
            f.write(b"touch ran\n# a comment\necho a\0rm -rf /nothing\n")
        write(os.path.join(d, "args.txt"), "ran\n$(touch subst)\n")
        cases = [(["run", "nul.txt"], "nul.txt: line 3 holds a NUL byte"),
                 (["run", "--command", 'touch "{}"', "args.txt"], "{} inside quotes"),
                 (["run", "--command", "sh -c 'touch {}'", "args.txt"], "{} inside quotes"),
                 (["run", "--command", "touch {} \\{}", "args.txt"], "after a backslash"),
                 # a here-document's body takes no quotes: its $(...) would run
                 (["run", "--command", "sh <<E\ntouch {}\nE", "args.txt"], "{} after << (a here-document)")]
        for case, needle in cases:
            p = subprocess.run([parfold] + case, capture_output=True, text=True, cwd=d, timeout=60)
            errors = [l for l in p.stderr.splitlines() if l.startswith("parfold: error:")]
            check(p.returncode == 2 and len(errors) == 1 and needle in p.stderr and p.stdout == "",
                  f"{case}: exit {p.returncode}, {p.stderr!r}")
            check(sorted(os.listdir(d)) == ["args.txt", "nul.txt"], f"{case}: a task ran: {sorted(os.listdir(d))}")
        # Bare, {} is quoted: the line is one argument, its $(...) does not run.
        p = subprocess.run([parfold, "run", "--command", "touch {}", "args.txt"], capture_output=True, cwd=d,
                           timeout=60)
        check(p.returncode == 0 and sorted(os.listdir(d)) == ["$(touch subst)", "args.txt", "nul.txt", "ran"],
              f"bare {{}}: exit {p.returncode} {sorted(os.listdir(d))}")
    print("a NUL byte in a task line and a quoted {} are refused before any task runs")


if __name__ == "__main__":
    sys.exit(suite_main(globals()))
