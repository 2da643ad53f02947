#!/usr/bin/env python3
"""Promises of README and docs/ that no other suite held (issue 24, section 6):

  trickle RANKS   standard input that trickles (docs/lines.md "after 200 ms without a full
                  window the whole lines in hand go"): `lines grep` and `grep -n` print each
                  matching line while the writer still holds the pipe open; the test writes
                  a line, waits until its match comes out (10 s hang guard), then writes the
                  next; at the end GNU grep's output for the same bytes, status 0

  one_rank RANKS  a failure only ranks 1 and up know of (their TMPDIR missing, an output
                  past 1 MiB to spill), in run and lines exec: exactly status 1 and one
                  message, `parfold: error on rank R (HOST): cannot create a temporary file
                  in DIR: ...`, R a failing rank, no hang (docs/exit-status.md)

  stream_on_some RANKS  one path a regular file for rank 0 and a /proc file for the others
                  (or the other way round), for count, grep -c, grep and top: exactly
                  status 1 and one message, no output, no hang

  promises_test.py --parfold BIN --mpiexec MPIEXEC SUITE RANKS
"""
import os
import re
import select
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cli_test import FAILURES, check, launcher_flags, mpi, set_env, suite_main  # noqa: E402,F401

ENV = dict(os.environ, LC_ALL="C")
GUARD_S = 10  # a line comes out after some 200 ms: a hang guard, 50 times that


def command(opts, args, ranks):
    cmd = [opts.parfold] + args
    return mpi(opts, ranks, cmd) if ranks > 1 else cmd


def read_until(p, out, want):
    """Reads p's stdout into `out` until it holds `want`; False after GUARD_S."""
    end = time.monotonic() + GUARD_S
    while want not in out:
        left = end - time.monotonic()
        if left <= 0 or not select.select([p.stdout], [], [], left)[0]:
            return False
        piece = os.read(p.stdout.fileno(), 1 << 16)
        if not piece:
            return False
        out += piece
    return True


def trickle(opts, ranks):
    """Writes `noise`, `match N` pairs one at a time into parfold's standard input; each
    `match N` (grep: its line; -n: with its number) must come out before the next is
    written and before the pipe closes."""
    ranks = int(ranks)
    for flags in ([], ["-n"]):
        what = f"lines grep {' '.join(flags + ['match'])} at {ranks} rank(s)"
        p = subprocess.Popen(command(opts, ["lines", "grep"] + flags + ["match"], ranks), stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=ENV)
        sent, out, seen = b"", bytearray(), 0
        try:
            for i in range(4):
                piece = b"noise %d\nmatch %d\n" % (i, i)
                p.stdin.write(piece)
                p.stdin.flush()
                sent += piece
                line = b"%s:match %d\n" % (str(2 * i + 2).encode(), i) if flags else b"match %d\n" % i
                if not read_until(p, out, line):
                    check(False, f"{what}: `match {i}` not printed within {GUARD_S} s of being written: {bytes(out)!r}")
                    break
                seen += 1
            p.stdin.close()
            p.stdin = None  # communicate() would flush it
            rest, err = p.communicate(timeout=60)
        finally:
            if p.poll() is None:
                p.kill()
                p.wait()
        grep = subprocess.run(["grep"] + flags + ["match"], input=sent, capture_output=True, env=ENV)
        check(p.returncode == 0 and bytes(out) + rest == grep.stdout,
              f"{what}: exit {p.returncode}, {bytes(out) + rest!r} vs grep's {grep.stdout!r}: {err[-300:]!r}")
        print(f"{what}: {seen} of 4 lines out while the pipe was open")



def mpmd(opts, ranks, args, first, rest, what):
    """Runs parfold ARGS as rank 0 with mpirun options `first` and as ranks 1 and up with
    `rest` (mpirun's MPMD form): the finished process and parfold's stderr lines, or
    (None, []) after a check failed on a 60 s hang guard (the jobs take about a second)."""
    cmd = ([opts.mpiexec] + launcher_flags(opts.mpiexec) + ["-n", "1"] + first + [opts.parfold] + args +
           [":", "-n", str(ranks - 1)] + rest + [opts.parfold] + args)
    try:
        p = subprocess.run(cmd, capture_output=True, env=ENV, timeout=60)
    except subprocess.TimeoutExpired:
        check(False, f"{what}: still running after 60 s")
        return None, []
    return p, [l for l in p.stderr.decode(errors="replace").splitlines() if l.startswith("parfold:")]


# ---- a failure known to one rank only --------------------------------------------------------
def one_rank(opts, ranks):
    """mpirun's MPMD form gives some ranks a TMPDIR that does not exist; tasks and chunks print
    2 MB each, past the 1 MiB a stream keeps in memory (static schedule: each rank has its
    share). Ranks 1 and up need no temporary file (their output goes to rank 0 while it is
    printed, issue 26 section 4): the job succeeds, its output exact. Rank 0 keeps what waits
    there in temporary files: only it fails, and docs/exit-status.md says the job exits 1
    with one message naming it, never left hanging (a 60 s guard; the job takes about a
    second)."""
    ranks = int(ranks)
    check(ranks > 1, "one_rank needs 2 ranks or more")
    seq = subprocess.run(["seq", "1", "300000"], capture_output=True).stdout
    with tempfile.TemporaryDirectory() as d:
        missing = os.path.join(d, "no-such-dir")
        tasks = os.path.join(d, "tasks.txt")
        with open(tasks, "w") as f:
            f.write("seq 1 300000\n" * 12)  # 2 MB each
        lines = os.path.join(d, "lines.txt")
        with open(lines, "w") as f:
            f.write("".join("%7d\n" % k for k in range(12)))
        for args in (["run", tasks], ["lines", "exec", "--chunk", "8", "seq 1 300000", lines]):
            args = ["--threads", "2", "--schedule", "static"] + args
            name = f"{args[4]}{' exec' if args[4] == 'lines' else ''}"
            what = f"{name} with rank(s) 1-{ranks - 1} unable to spill, at {ranks} ranks"
            p, msgs = mpmd(opts, ranks, args, [], set_env(opts, "TMPDIR", missing), what)
            if p is not None:
                check(p.returncode == 0 and msgs == [] and p.stdout == seq * 12,
                      f"{what}: exit {p.returncode}, {msgs}, {len(p.stdout)} bytes printed")
                print(f"{what}: exit {p.returncode}, {len(p.stdout)} bytes, as /bin/sh prints them")
            what = f"{name} with rank 0 unable to spill, at {ranks} ranks"
            p, msgs = mpmd(opts, ranks, args, set_env(opts, "TMPDIR", missing), [], what)
            if p is None:
                continue
            named = re.fullmatch(rf"parfold: error on rank 0 \([^)]*\): cannot create a temporary file in "
                                 rf"{re.escape(missing)}: No such file or directory.*", msgs[0] if msgs else "")
            check(p.returncode == 1 and len(msgs) == 1 and named, f"{what}: exit {p.returncode}, {msgs}")
            print(f"{what}: exit {p.returncode}, {msgs}")


# ---- a path that is a file on some ranks and a stream on others ------------------------------
def stream_on_some(opts, ranks):
    """The same path a regular file on rank 0's side and a /proc file (read as a stream) on
    the other ranks' (mpirun's MPMD form, one working directory each), and the other way
    round: docs/lines.md says ranks that do not see the same input end with status 1 and
    one message; before, they went down different steps and waited for each other for
    ever (a 60 s guard; the job takes well under a second)."""
    ranks = int(ranks)
    check(ranks > 1, "stream_on_some needs 2 ranks or more")
    with tempfile.TemporaryDirectory() as d:
        plain, proc = os.path.join(d, "plain"), os.path.join(d, "proc")
        os.mkdir(plain)
        os.mkdir(proc)
        with open(os.path.join(plain, "f"), "w") as f:
            f.write("".join(f"{k}\n" for k in range(1000)))
        os.symlink("/proc/version", os.path.join(proc, "f"))
        for first, rest in ((plain, proc), (proc, plain)):
            for args in (["lines", "count", "f"], ["lines", "grep", "-c", "1", "f"], ["lines", "grep", "1", "f"],
                         ["lines", "top", "f"]):
                what = f"{' '.join(args)}, rank 0 in {os.path.basename(first)}, at {ranks} ranks"
                p, msgs = mpmd(opts, ranks, args, ["-wdir", first], ["-wdir", rest], what)
                if p is None:
                    continue
                check(p.returncode == 1 and msgs == [
                    "parfold: error: not every rank sees the same input: a path is read as a stream (a FIFO, "
                    "a device, a /proc file, a compressed file) on some ranks and as a file on others"] and not p.stdout,
                      f"{what}: exit {p.returncode}, {msgs}, {len(p.stdout)} bytes out")


if __name__ == "__main__":
    sys.exit(suite_main({"trickle": trickle, "one_rank": one_rank, "stream_on_some": stream_on_some}))
