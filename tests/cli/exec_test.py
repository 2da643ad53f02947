#!/usr/bin/env python3
"""End-to-end tests of `parfold lines exec`: for line-local commands (tr, sed, grep, cut,
awk) the output is byte-identical to the command run on each file in turn, at any ranks,
threads, schedule and chunk size (down to 1 byte), with CRLF, NUL bytes, no final newline,
empty files and several files; --reduce; --output; a failing chunk; bad input.

  exec_test.py --parfold BIN --mpiexec MPIEXEC identical RANKS | reduce | failing | checkpoint | bad_input
"""
import os
import random
import re
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cli_test import FAILURES, check, check_refused, mpi, suite_main  # noqa: E402,F401

COMMANDS = ["tr a-z A-Z", "sed 's/a/<&>/g'", "grep -a be", "cut -c2-6", "awk '{print NF, $1}'", "cat"]


def write_inputs(d):
    """Text of many line lengths, with CRLF, NUL and control bytes, an empty file and a
    file without a final newline."""
    rng = random.Random(7)
    words = ["alpha", "beta", "gamma", "be", "a\tb", "x" * 40, "", "caf\xc3\xa9"]
    lines = []
    for i in range(3000):
        line = " ".join(rng.choice(words) for _ in range(rng.randint(0, 9)))
        if i % 97 == 0:
            line += "\r"
        if i % 211 == 0:
            line += "\0nul"
        lines.append(line)
    paths = []
    for name, body in (("a.txt", "\n".join(lines[:2000]) + "\n"), ("empty.txt", ""),
                       ("b.txt", "\n".join(lines[2000:]))):  # b.txt: no final newline
        path = os.path.join(d, name)
        with open(path, "w", encoding="latin-1", newline="") as f:
            f.write(body)
        paths.append(path)
    return paths


def truth(command, paths):
    """The command run on each file in turn: what exec must print."""
    out = b""
    for path in paths:
        with open(path, "rb") as f:
            out += subprocess.run(["/bin/sh", "-c", command], stdin=f, capture_output=True).stdout
    return out


def launch(opts, ranks, args):
    cmd = [opts.parfold] + args
    return subprocess.run(mpi(opts, ranks, cmd) if ranks > 1 else cmd, capture_output=True, timeout=300)


def identical(opts, ranks):
    ranks = int(ranks)
    runs = 0
    with tempfile.TemporaryDirectory() as d:
        paths = write_inputs(d)
        small = paths[2]  # 1,000 lines: chunks of 1 byte are one child per line
        for command in COMMANDS:
            want = truth(command, paths)
            ok = ["--ok-exit", "0,1"] if command.startswith("grep") else []
            for schedule, chunk in (("dynamic", None), ("static", "4096"), ("cyclic", "100"), ("guided", "700")):
                extra = ["--schedule", schedule] + (["--chunk", chunk] if chunk else [])
                p = launch(opts, ranks, ["--threads", "2"] + extra + ["lines", "exec"] + ok + [command] + paths)
                check(p.returncode == 0 and p.stdout == want,
                      f"{command!r} {extra} at {ranks} rank(s): exit {p.returncode}, {len(p.stdout)} vs {len(want)} bytes"
                      f" {p.stderr[-300:]!r}")
                runs += 1
        p = launch(opts, ranks, ["--threads", "2", "--chunk", "1", "lines", "exec", "tr a-z A-Z", small])
        check(p.stdout == truth("tr a-z A-Z", [small]), f"--chunk 1 at {ranks} rank(s)")
        env = launch(opts, ranks, ["--chunk", "5000", "lines", "exec", 'echo "$PARFOLD_FILE $PARFOLD_OFFSET"', paths[0]])
        offsets = [int(l.split()[1]) for l in env.stdout.decode().splitlines()]
        with open(paths[0], "rb") as f:
            data = f.read()
        check(offsets[0] == 0 and all(data[o - 1:o] == b"\n" for o in offsets[1:]) and len(offsets) >= len(data) // 5000
              and all(l.split()[0] == paths[0] for l in env.stdout.decode().splitlines()),
              f"PARFOLD_FILE and PARFOLD_OFFSET: {env.stdout[:200]!r}")
    print(f"{runs + 2} runs at {ranks} rank(s): output identical to the command on each file")


def reduce(opts):
    with tempfile.TemporaryDirectory() as d:
        paths = write_inputs(d)
        lines = sum(open(p, "rb").read().count(b"\n") for p in paths)
        p = subprocess.run([opts.parfold, "--threads", "2", "--chunk", "3000", "lines", "exec", "--reduce",
                            "awk '{s+=$1} END {print s}'", "wc -l"] + paths, capture_output=True, timeout=60)
        check(p.returncode == 0 and p.stdout == f"{lines}\n".encode(), f"--reduce sum of wc -l: {p.stdout!r}")
        p = subprocess.run([opts.parfold, "--chunk", "999", "lines", "exec", "--reduce", "sort | uniq -c", "cut -c1-3"]
                           + paths, capture_output=True, timeout=60)
        want = subprocess.run(["sh", "-c", "sort | uniq -c"], input=truth("cut -c1-3", paths), capture_output=True)
        check(p.returncode == 0 and p.stdout == want.stdout, "--reduce 'sort | uniq -c'")
        out = os.path.join(d, "out.txt")
        p = subprocess.run([opts.parfold, "--chunk", "999", "lines", "exec", "--reduce", "tac", "--output", out,
                            "cat"] + paths, capture_output=True, timeout=60)
        with open(out, "rb") as f:
            want = subprocess.run(["tac"], input=truth("cat", paths), capture_output=True).stdout
            check(p.returncode == 0 and p.stdout == b"" and f.read() == want, "--reduce tac --output FILE")
        p = subprocess.run([opts.parfold, "lines", "exec", "--reduce", "exit 4", "cat"] + paths, capture_output=True,
                           timeout=60)
        check(p.returncode == 1 and b"--reduce 'exit 4' failed (exit 4)" in p.stderr, f"failing --reduce: {p.stderr!r}")
    print("--reduce: wc -l summed, sort | uniq -c, tac into --output; a failing reducer")


def failing(opts):
    """A chunk whose command fails: exit 1 naming the file and byte range, the rank and the
    status with its stderr; --output FILE is not written and no temporary file is left."""
    with tempfile.TemporaryDirectory() as d:
        paths = write_inputs(d)
        out = os.path.join(d, "out.txt")
        cmd = 'if [ "$PARFOLD_OFFSET" -ge 20000 ]; then echo "bad chunk" >&2; exit 5; fi; cat'
        p = subprocess.run([opts.parfold, "--threads", "2", "--chunk", "10000", "lines", "exec", "--output", out, cmd,
                            paths[0]], capture_output=True, timeout=60)
        err = p.stderr.decode()
        # Two threads: the chunk at 20000 or one after it may fail first; any of them is a right answer.
        where = re.search(f"failed on {re.escape(paths[0])} bytes ([0-9]+)-", err)
        check(p.returncode == 1 and where is not None and int(where.group(1)) >= 20000 and "(rank 0 on " in err
              and "exit 5" in err and "its stderr began: bad chunk" in err, f"failing chunk: {p.returncode} {err!r}")
        check(sorted(os.listdir(d)) == ["a.txt", "b.txt", "empty.txt"], f"left behind: {os.listdir(d)}")
        p = subprocess.run([opts.parfold, "--chunk", "10000", "lines", "exec", "grep -a zzz-no-match", paths[0]],
                           capture_output=True, timeout=60)
        check(p.returncode == 1 and b"--ok-exit 0,1" in p.stderr, f"grep without --ok-exit: {p.stderr!r}")
        p = subprocess.run([opts.parfold, "--chunk", "10000", "lines", "exec", "--halt", "never", "--ok-exit", "0",
                            "exit 3", paths[0]], capture_output=True, timeout=60)
        check(p.returncode == 1 and p.stderr.count(b"failed on") == 1, f"--halt never: {p.stderr!r}")
    print("a failing chunk: exit 1, where and why, nothing half-written")


def checkpoint(opts):
    """--checkpoint with --output: a stop keeps FILE.partial and the input done; the rerun
    (other threads, other chunk size) finishes FILE byte-identical to the command on each
    file; a failed chunk is where the rerun starts."""
    with tempfile.TemporaryDirectory() as d:
        paths = write_inputs(d)
        ckpt, out = os.path.join(d, "ckpt"), os.path.join(d, "out.txt")
        cmd = "sleep 0.2; tr a-z A-Z"
        p = subprocess.Popen([opts.parfold, "--threads", "2", "--chunk", "4000", "--checkpoint", ckpt,
                              "--checkpoint-every", "0.1s", "lines", "exec", "--output", out, cmd] + paths,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        # The stop comes once the first checkpoint is saved (every 0.1 s); 60 s: a hang guard.
        deadline = time.monotonic() + 60
        while p.poll() is None and not os.path.exists(ckpt) and time.monotonic() < deadline:
            time.sleep(0.01)
        p.send_signal(signal.SIGTERM)
        _, err = p.communicate(timeout=60)
        check(p.returncode == 75 and b"run the same command again to resume" in err and os.path.exists(out + ".partial")
              and not os.path.exists(out), f"stop: {p.returncode} {err!r}")
        p = subprocess.run([opts.parfold, "--threads", "1", "--chunk", "9999", "--checkpoint", ckpt, "lines", "exec",
                            "--output", out, cmd] + paths, capture_output=True, timeout=120)
        with open(out, "rb") as f:
            check(p.returncode == 0 and f.read() == truth("tr a-z A-Z", paths), f"resumed: {p.returncode} {p.stderr!r}")
        os.remove(ckpt)
        os.remove(out)
        flag = os.path.join(d, "flag")
        cmd = f'if [ "$PARFOLD_OFFSET" -ge 30000 ] && [ ! -e {flag} ]; then exit 4; fi; tr a-z A-Z'
        args = [opts.parfold, "--chunk", "10000", "--checkpoint", ckpt, "lines", "exec", "--output", out, cmd] + paths
        p = subprocess.run(args, capture_output=True, timeout=60)
        check(p.returncode == 1 and not os.path.exists(out), f"failed chunk with --checkpoint: {p.returncode}")
        open(flag, "w").close()
        p = subprocess.run(args, capture_output=True, timeout=60)
        with open(out, "rb") as f:
            check(p.returncode == 0 and f.read() == truth("tr a-z A-Z", paths), "rerun from the failed chunk")
    print("--checkpoint: stop and resume, failure and rerun, FILE byte-identical")


def bad_input(opts):
    with tempfile.TemporaryDirectory() as d:
        paths = write_inputs(d)
        cases = [
            (["lines", "exec", "cat", paths[0], os.path.join(d, "missing.txt")], "missing.txt"),
            (["lines", "exec", "cat", d], "Is a directory"),
            (["lines", "exec", "cat"], "FILE is required"),
            (["lines", "exec", "--output", paths[0], "cat", paths[0]], "is also an input file"),
            (["--checkpoint", os.path.join(d, "c"), "lines", "exec", "cat", paths[0]], "needs --output FILE"),
            (["--checkpoint", os.path.join(d, "c"), "lines", "exec", "--output", os.path.join(d, "o"), "--reduce",
              "wc", "cat", paths[0]], "--checkpoint with --reduce"),
            (["lines", "exec", "--halt", "sometimes", "cat", paths[0]], "not never, or now|soon"),
            (["lines", "exec", "--ok-exit", "x", "cat", paths[0]], "--ok-exit"),
        ]
        check_refused(opts, cases)
    print("bad input: exit 2 and one message")


if __name__ == "__main__":
    sys.exit(suite_main(globals()))
