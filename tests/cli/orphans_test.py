#!/usr/bin/env python3
"""End-to-end tests of what a task leaves behind outside its process group (issue 23, item
9): a process a task started with setsid, or a daemon started by a double fork, is ended
when its task ends; one that also cleared its environment (env -i) when parfold ends; none
outlives parfold, alone or under mpirun, in `run` and in `lines exec` (its chunks' commands
and --reduce's). A task still running meanwhile is not harmed: its own orphan lives on until
it ends. The truth is /proc after parfold's exit, and what the tasks see of each other.

  orphans_test.py --parfold BIN --mpiexec MPIEXEC run RANKS | exec RANKS
"""
import glob
import os
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cli_test import FAILURES, check, mpi, suite_main  # noqa: E402,F401

# Shell: up to 5 s until CONDITION holds.
WAIT_FOR = "i=0; until {} || [ $i -ge 500 ]; do sleep 0.01; i=$((i+1)); done"


def escape(pid_file, double_fork=False, quiet=False, env=""):
    """Shell: a process that leaves its task's process group (setsid), writes its pid to
    `pid_file` and sleeps; started in the background or by a double fork, its output to
    /dev/null if `quiet` (else it holds the task's), `env` before its sh. The task goes on
    once the pid is written (else the group's kill at the task's end could come first)."""
    sh = f"setsid {env}/bin/sh -c 'echo $$ > \"$0\"; exec sleep 100' {pid_file}" + (" > /dev/null 2>&1" if quiet else "")
    started = f"({sh} &);" if double_fork else f"{sh} &"
    return f"{started} {WAIT_FOR.format(f'[ -s {pid_file} ]')}"


def environment(scan):
    """parfold's environment: with `scan`, it looks for its children by scanning /proc, as on
    a kernel without /proc/PID/task/TID/children (CONFIG_PROC_CHILDREN)."""
    return dict(os.environ, PARFOLD_TEST_SCAN_PROC="1") if scan else dict(os.environ)


def alive(pid):
    """Whether `pid` runs (a zombie does not)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (FileNotFoundError, ProcessLookupError):
        return False


def pids_in(d):
    """{pid file name: pid} of every *.pid file in `d`."""
    out = {}
    for path in glob.glob(os.path.join(d, "*.pid")):
        with open(path) as f:
            text = f.read().strip()
        if text:
            out[os.path.basename(path)] = int(text)
    return out


def check_gone(d, what):
    """Every process whose pid file is in `d` is gone (looked at for up to 2 s after parfold's
    exit); returns the pid files' names. Those still alive are then killed: a failed run
    leaves nothing behind."""
    pids = pids_in(d)
    until = time.monotonic() + 2
    while any(alive(p) for p in pids.values()) and time.monotonic() < until:
        time.sleep(0.01)
    left = {name: pid for name, pid in pids.items() if alive(pid)}
    check(not left, f"{what}: still running after parfold's exit: {left}")
    for pid in left.values():
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            if f.read() == b"sleep\x00100\x00":
                os.kill(pid, signal.SIGKILL)
    return sorted(pids)


def run(opts, ranks):
    for scan in (False, True):
        run_once(opts, int(ranks), scan)


def exec_(opts, ranks):
    for scan in (False, True):
        exec_once(opts, int(ranks), scan)


def run_once(opts, ranks, scan):
    """Task A waits for task B's orphan, then leaves a setsid child and a double-fork daemon
    and ends; B, still running, waits (bounded) for A's two to be gone and says whether its
    own orphan (its token lives) still runs; C leaves one that cleared its environment.
    Status 0, B's words intact, and nothing of theirs runs after parfold. With `scan`, as on
    a kernel without /proc/PID/task/TID/children."""
    with tempfile.TemporaryDirectory() as d:
        a_gone = f"! kill -0 $(cat {d}/a.pid) 2>/dev/null && ! kill -0 $(cat {d}/a2.pid) 2>/dev/null"
        tasks = [
            WAIT_FOR.format(f"[ -s {d}/b.pid ]") + "; " + escape(f"{d}/a.pid") + "; "
            + escape(f"{d}/a2.pid", double_fork=True),
            escape(f"{d}/b.pid", double_fork=True, quiet=True) + "; "
            + WAIT_FOR.format(f"[ -s {d}/a2.pid ] && {a_gone}")
            + f"; {a_gone} && echo 'A: gone' || echo 'A: alive'; kill -0 $(cat {d}/b.pid) && echo 'B: alive'",
            escape(f"{d}/c.pid", quiet=True, env="env -i "),
            "echo last",
        ]
        with open(os.path.join(d, "tasks.txt"), "w") as f:
            f.write("\n".join(tasks) + "\n")
        cmd = [opts.parfold, "--threads", "2", "run", os.path.join(d, "tasks.txt")]
        p = subprocess.run(mpi(opts, ranks, cmd) if ranks > 1 else cmd, capture_output=True, text=True,
                           timeout=60, env=environment(scan))
        what = f"run ranks={ranks}{' (/proc scanned)' if scan else ''}"
        check(p.returncode == 0, f"{what}: exit {p.returncode} {p.stderr!r}")
        check(p.stdout == "A: gone\nB: alive\nlast\n", f"{what}: stdout {p.stdout!r}")
        names = check_gone(d, what)
        check(names == ["a.pid", "a2.pid", "b.pid", "c.pid"], f"{what}: pid files {names}")
    print(f"run: what a task left outside its group ended with it, the rest with parfold (ranks={ranks}"
          f"{', /proc scanned' if scan else ''})")


def exec_once(opts, ranks, scan):
    """`lines exec`: each chunk's command leaves a setsid child (its output elsewhere) and a
    double-fork daemon that holds the chunk's stdout, then cats its chunk; --reduce's command
    leaves one too. The output is the text, status 0, and none of them runs after parfold."""
    with tempfile.TemporaryDirectory() as d:
        text = os.path.join(d, "text.txt")
        with open(text, "w") as f:
            f.write("".join(f"line {i}\n" for i in range(20000)))  # 228 KB: chunks of 64 KiB
        command = escape(f"{d}/x$PARFOLD_OFFSET.pid", quiet=True) + "; " \
            + escape(f"{d}/y$PARFOLD_OFFSET.pid", double_fork=True) + "; cat"
        reduce = escape(f"{d}/r.pid", double_fork=True, quiet=True) + "; cat"
        cmd = [opts.parfold, "--threads", "2", "lines", "exec", "--chunk", "64Ki", "--reduce", reduce, command,
               text]
        p = subprocess.run(mpi(opts, ranks, cmd) if ranks > 1 else cmd, capture_output=True, timeout=60,
                           env=environment(scan))
        what = f"lines exec ranks={ranks}{' (/proc scanned)' if scan else ''}"
        with open(text, "rb") as f:
            check(p.returncode == 0 and p.stdout == f.read(),
                  f"{what}: exit {p.returncode}, {len(p.stdout)} bytes out, {p.stderr[:300]!r}")
        names = check_gone(d, what)
        xs = [n[1:] for n in names if n.startswith("x")]
        ys = [n[1:] for n in names if n.startswith("y")]
        check(len(xs) >= 2 and xs == ys and "r.pid" in names, f"{what}: pid files {names}")
    print(f"lines exec: what the commands left outside their groups ended (ranks={ranks}"
          f"{', /proc scanned' if scan else ''})")


def stops(opts, ranks):
    """A job that ends early: --timeout (124, every rank's watchdog) and, alone, SIGTERM (143)
    while a task runs with a daemon (its token lives) and one that cleared its environment
    beside it: neither runs after parfold."""
    ranks = int(ranks)
    with tempfile.TemporaryDirectory() as d:
        with open(os.path.join(d, "tasks.txt"), "w") as f:
            f.write((escape(f"{d}/e$PARFOLD_TASK.pid", quiet=True, env="env -i ") + "; "
                     + escape(f"{d}/f$PARFOLD_TASK.pid", double_fork=True, quiet=True) + "; exec sleep 30\n") * 4)
        cmd = [opts.parfold, "--threads", "1", "--timeout", "2s", "run", os.path.join(d, "tasks.txt")]
        p = subprocess.run(mpi(opts, ranks, cmd) if ranks > 1 else cmd, capture_output=True, text=True,
                           timeout=60)
        what = f"--timeout ranks={ranks}"
        check(p.returncode == 124, f"{what}: exit {p.returncode} {p.stderr!r}")
        names = check_gone(d, what)
        es = [n[1:] for n in names if n.startswith("e")]
        check(len(es) >= ranks and names == sorted(["e" + n for n in es] + ["f" + n for n in es]),
              f"{what}: pid files {names}")
        if ranks == 1:
            for name in names:
                os.remove(os.path.join(d, name))
            p = subprocess.Popen(cmd[:3] + cmd[5:], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            until = time.monotonic() + 20
            while len(pids_in(d)) < 2 and time.monotonic() < until and p.poll() is None:
                time.sleep(0.01)
            p.send_signal(signal.SIGTERM)
            _, err = p.communicate(timeout=60)
            check(p.returncode == 128 + signal.SIGTERM, f"SIGTERM: exit {p.returncode} {err!r}")
            names = check_gone(d, "SIGTERM")
            check(names == ["e0.pid", "f0.pid"], f"SIGTERM: pid files {names}")
    print(f"--timeout{' and SIGTERM' if ranks == 1 else ''}: nothing a task started outlives parfold (ranks={ranks})")


if __name__ == "__main__":
    suites = dict(globals())
    suites["exec"] = suites.pop("exec_")
    sys.exit(suite_main(suites))
