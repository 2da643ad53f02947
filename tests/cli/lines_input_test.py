#!/usr/bin/env python3
"""parfold lines reading standard input: byte-identical to wc, grep and an independent
word counter reading the same bytes from a pipe (or from `< FILE`), at 1-4 ranks and
window sizes from the smallest; --label; refusals.

  lines_input_test.py --parfold BIN --mpiexec MPIEXEC stdin RANKS | stdin_refused
"""
import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cli_test import (FAILURES, check, check_refused, make_texts, mpi, parallel_args,  # noqa: E402,F401
                      reference_top, suite_main)

C = dict(os.environ, LC_ALL="C")
CONFIGS = [(1, "static", None), (3, "dynamic", "1"), (2, "guided", "4099")]


def piped(opts, args, data, ranks):
    """parfold `args` with `data` on its standard input through a pipe (rank 0's under
    mpiexec). Open MPI 4.1's mpiexec itself now and then crashes at the end of a job while
    forwarding standard input (SIGSEGV in orte_iof_hnp_read_local_handler, open-mpi/ompi
    issue 7483, fixed in 5.0): that run is made once more, and said."""
    cmd = [opts.parfold] + args
    for _ in range(3):
        p = subprocess.run(mpi(opts, ranks, cmd) if ranks > 1 else cmd, input=data, capture_output=True, timeout=120)
        if not (ranks > 1 and p.returncode == -11 and b"orte_iof_hnp_read_local_handler" in p.stderr):
            return p
        print(f"mpiexec crashed forwarding standard input (ompi issue 7483); running again: {args}")
    return p


def reference(cmd, data):
    return subprocess.run(cmd, input=data, capture_output=True, env=C)


def stdin_inputs(d):
    """The odd texts of the other suites, joined (NUL, CR, bytes >= 0x80, long lines, a
    last line without '\\n'); one short line without '\\n'; nothing; a text of many
    windows at --chunk 1 (64 KiB a worker)."""
    paths = make_texts(d)
    joined = b""
    for p in paths:
        with open(p, "rb") as f:
            joined += f.read()
    many = b"".join(b"%d the quick brown fox\n" % i if i % 4000 else b"x" * 70000 + b"\n" for i in range(20000))
    return {"joined": joined, "short": b"one line", "empty": b"", "many": many}


def stdin(opts, ranks):
    ranks = int(ranks)
    with tempfile.TemporaryDirectory() as d:
        inputs = stdin_inputs(d)
        runs = 0
        cases = [(["count"], ["wc"]), (["count", "-l"], ["wc", "-l"]), (["count", "-L", "-w", "-"], ["wc", "-L", "-w", "-"]),
                 (["grep", "-n", "the"], ["grep", "-a", "-E", "-n", "the"]),
                 (["grep", "-c", "-v", "e"], ["grep", "-a", "-E", "-c", "-v", "e"]),
                 (["grep", "-H", "x+$"], ["grep", "-a", "-E", "-H", "x+$"]),
                 (["grep", "--label", "in put", "-H", "-n", "o"], ["grep", "-a", "-E", "--label", "in put", "-H", "-n", "o"]),
                 (["grep", "-c", "zzz-none", "-"], ["grep", "-a", "-E", "-c", "zzz-none", "-"])]
        for name, data in inputs.items():
            # The tiny inputs make one window whatever the decomposition: one configuration
            # suffices under mpiexec.
            configs = CONFIGS[:1] if ranks > 1 and len(data) < 100 else CONFIGS
            for ours, theirs in cases:
                want = reference(theirs, data)
                for threads, schedule, chunk in configs:
                    p = piped(opts, parallel_args(threads, schedule, chunk) + ["lines"] + ours, data, ranks)
                    what = f"{ours} on {name} at {ranks} rank(s), {threads} threads {schedule} chunk={chunk}"
                    check(p.returncode == want.returncode and p.stdout == want.stdout,
                          f"{what}: exit {p.returncode} vs {want.returncode}\n{p.stdout[:300]!r}\n{want.stdout[:300]!r}\n"
                          f"{p.stderr!r}")
                    runs += 1
            expect = reference_top_bytes(data, d)
            for threads, schedule, chunk in configs:
                p = piped(opts, parallel_args(threads, schedule, chunk) + ["lines", "top", "-k", "15"], data, ranks)
                check(p.returncode == 0 and p.stdout == expect, f"top on {name}: {p.stdout!r} vs {expect!r}")
                runs += 1
        # `< FILE`: standard input is a regular file; wc's widths follow its size.
        path = os.path.join(d, "joined.txt")
        with open(path, "wb") as f:
            f.write(inputs["joined"])
        for flags in ([], ["-l", "-c"]):
            with open(path, "rb") as f:
                want = subprocess.run(["wc"] + flags, stdin=f, capture_output=True, env=C)
            with open(path, "rb") as f:
                cmd = [opts.parfold, "--threads", "2", "lines", "count"] + flags
                p = subprocess.run(mpi(opts, ranks, cmd) if ranks > 1 else cmd, stdin=f, capture_output=True, timeout=120)
            check(p.stdout == want.stdout, f"count {flags} < FILE: {p.stdout!r} vs {want.stdout!r}")
        # --output FILE from standard input: the same bytes, the report on stdout.
        out = os.path.join(d, "selected.txt")
        p = piped(opts, ["--json", "--chunk", "1", "lines", "grep", "-n", "fox", "--output", out], inputs["many"], ranks)
        want = reference(["grep", "-a", "-n", "fox"], inputs["many"])
        with open(out, "rb") as f:
            check(p.returncode == 0 and f.read() == want.stdout, "grep --output from standard input")
        check(json.loads(p.stdout)["result"]["selected"] == want.stdout.count(b"\n"), f"--json: {p.stdout[:200]!r}")
        print(f"{runs} runs on standard input at {ranks} rank(s) matched wc, grep and the word counter")


def reference_top_bytes(data, d):
    path = os.path.join(d, "top-input.txt")
    with open(path, "wb") as f:
        f.write(data)
    return reference_top([path], 15, False, False)


def stdin_refused(opts):
    """What standard input cannot do is refused by name, exit 2, before reading it."""
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "a.txt")
        with open(path, "w") as f:
            f.write("a\n")
        cp = os.path.join(d, "cp")
        check_refused(opts, [
            (["lines", "count", "-", path], "standard input ('-') among other files, or twice, is not supported"),
            (["lines", "grep", "a", "-", "-"], "standard input ('-') among other files, or twice, is not supported"),
            (["--checkpoint", cp, "lines", "count"], "--checkpoint: standard input cannot be read again"),
            (["--checkpoint", cp, "lines", "grep", "-c", "a", "-"], "--checkpoint: standard input cannot be read again"),
            (["lines", "exec", "cat", "-"], "lines exec: standard input is not supported"),
        ])
        check(not os.path.exists(cp), "a refused job wrote its checkpoint")
    print("standard input: what it cannot do is refused by name")


if __name__ == "__main__":
    sys.exit(suite_main(globals()))
