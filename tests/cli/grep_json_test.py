#!/usr/bin/env python3
"""parfold lines grep --json and --stats against ripgrep 13 (Debian's rg), which defines
them: the same files, the same options, and the output compared byte for byte once the
timing fields are dropped (--json: "elapsed" and "elapsed_total"; --stats: the two
"seconds" lines). rg searches the files in the order given with -j1, and memory-maps up
to 10 files named on its command line: that is the reading parfold's --json follows for
a binary file (README, docs/grep.md).

  grep_json_test.py --parfold BIN --mpiexec MPIEXEC json RANKS | stats RANKS | refused
"""
import os
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cli_test import FAILURES, check, mpi, suite_main  # noqa: E402,F401

TIMING = re.compile(rb'"elapsed(_total)?":\{[^}]*\},?')


def untimed(out):
    return TIMING.sub(b"", out)


def write_files(d):
    """The odd files: several matches a line, no final newline, invalid UTF-8, control
    bytes and quotes, a binary file (NUL bytes, one past grep's first 96 KiB), an empty
    file, a file without a match, a long file, a name that is not UTF-8."""
    files = {
        "text.txt": b"hello world\nfoo\nhello again hello\nbar\n\nbaz hello\n" * 3,
        "open_end.txt": b"first hello\nno newline hello",
        "latin1.txt": b"caf\xe9 hello\n\xff\xfe hello \xc3\n\xc3\xa9t\xc3\xa9 hello\nplain\n",
        "escapes.txt": b'tab\there "quoted" back\\slash \x01\x1f\x7f hello\ncr\r hello\n',
        "binary.bin": b"hello\x00bin\nhello\nno\nhello tail\n",
        "late_nul.bin": b"hello line\n" * 12000 + b"x\x00y hello\n" + b"after hello\n" * 100,
        "empty.txt": b"",
        # rg reads a mapped file's first 64 KiB for NUL bytes, past them only printed lines'
        "head_nul.bin": b"foo\nbar\n\0",
        "past_head.bin": b"a" * 65532 + b"\nfoo\0foo\nfoo\nhello\n",
        "to_end.txt": b"foo\nx\nhello foo\nx",
        "none.txt": b"nothing to see\n" * 10,
        b"name\xff.txt": b"hello from a Latin-1 name\n",
    }
    words = [b"alpha", b"beta", b"gamma", b"delta", b"hello", b"\xc3\xa9t\xc3\xa9", b"x\xffy"]
    lines = []
    for i in range(60000):  # 1.7 MB: several windows and many chunks
        lines.append(b" ".join(words[(i * 7 + k * 3) % len(words)] for k in range(i % 9)))
    files["long.txt"] = b"\n".join(lines) + b"\n"
    for name, data in files.items():
        path = os.path.join(os.fsencode(d), name if isinstance(name, bytes) else name.encode())
        with open(path, "wb") as f:
            f.write(data)
    return files


# Option sets where grep's reading of the pattern and ripgrep's agree (leftmost-longest
# and leftmost-first find the same matches; no empty match).
CASES = [
    ["hello"],
    ["foo"],
    ["-x", "foo"],
    ["-m1", "-A2", "foo"],
    ["-i", "HELLO"],
    ["-F", "a.b"],
    ["-e", "hello", "-e", "foo"],
    ["-C1", "hello"],
    ["-A2", "foo"],
    ["-B3", "gamma delta"],
    ["-v", "hello"],
    ["-v", "-C1", "foo"],
    ["-m2", "hello"],
    ["-m1", "-A1", "hello"],
    ["-x", "plain"],
    ["[a-z]+o\\b"],
    ["beta alpha"],
]
FILE_SETS = [
    ["text.txt", "open_end.txt", "latin1.txt", "escapes.txt", "empty.txt", "none.txt"],
    ["binary.bin", "text.txt", "late_nul.bin"],
    ["long.txt", "open_end.txt"],
    ["head_nul.bin", "past_head.bin", "to_end.txt", "text.txt"],
]
DECOMPOSITIONS = [["--threads", "2"], ["--threads", "2", "--schedule", "dynamic", "--chunk", "1"],
                  ["--threads", "3", "--schedule", "cyclic", "--chunk", "4099"]]


def rg(args, files, cwd, stdin=None):
    return subprocess.run(["rg", "-j1", "--no-config"] + args + ["--"] + files, cwd=cwd, input=stdin,
                          capture_output=True, timeout=60)


def ours(opts, ranks, decomposition, args, files, cwd, stdin=None):
    cmd = [opts.parfold] + decomposition + ["lines", "grep"] + args + ["--"] + files
    return subprocess.run(mpi(opts, ranks, cmd) if ranks > 1 else cmd, cwd=cwd, input=stdin,
                          capture_output=True, timeout=120)


def same_as_rg(opts, ranks, decomposition, args, files, d, stdin=None, strip=untimed):
    want = rg(args, files, d, stdin)
    got = ours(opts, ranks, decomposition, args, files, d, stdin)
    what = f"lines grep {' '.join(args)} {files} at {ranks} rank(s) {' '.join(decomposition)}"
    check(got.returncode == want.returncode and strip(got.stdout) == strip(want.stdout),
          f"{what}: exit {got.returncode} vs rg's {want.returncode}\n{got.stdout[:600]!r}\n"
          f"{want.stdout[:600]!r}\n{got.stderr!r}")
    return got.returncode == want.returncode


def json(opts, ranks):
    ranks = int(ranks)
    with tempfile.TemporaryDirectory() as d:
        write_files(d)
        runs = 0
        for i, args in enumerate(CASES):
            for j, files in enumerate(FILE_SETS):
                decomposition = DECOMPOSITIONS[(i + j + ranks) % len(DECOMPOSITIONS)]
                same_as_rg(opts, ranks, decomposition, ["--json"] + args, files, d)
                runs += 1
        # A file over one window (16 MiB a worker): its messages across windows.
        with open(os.path.join(d, "big.txt"), "wb") as f:
            f.write(open(os.path.join(d, "long.txt"), "rb").read() * 11)
        same_as_rg(opts, ranks, ["--threads", "1"], ["--json", "-B2", "-m30000", "beta gamma"], ["big.txt", "text.txt"], d)
        # A name that is not UTF-8 is base64 bytes; standard input is <stdin>.
        same_as_rg(opts, ranks, DECOMPOSITIONS[1], ["--json", "hello"], [os.fsdecode(b"name\xff.txt")], d)
        # Standard input under Hydra: mpiexec.hydra dies of SIGPIPE feeding it (not parfold;
        # lines.stdin tests stdin under mpirun), so there it is read by one rank.
        stdin_ranks = 1 if "hydra" in opts.mpiexec else ranks
        with open(os.path.join(d, "long.txt"), "rb") as f:
            same_as_rg(opts, stdin_ranks, DECOMPOSITIONS[2], ["--json", "-C2", "gamma"], [], d, stdin=f.read())
        # The summary's totals add up the files' own statistics, and the whole output is
        # one JSON object a line.
        got = ours(opts, ranks, DECOMPOSITIONS[0], ["--json", "hello"], FILE_SETS[0], d)
        check_totals(got.stdout)
        print(f"{runs + 4} --json runs at {ranks} rank(s) matched rg 13 byte for byte (timings dropped)")


def check_totals(out):
    import json as j
    messages = [j.loads(line) for line in out.splitlines()]
    ends = [m["data"]["stats"] for m in messages if m["type"] == "end"]
    summary = messages[-1]
    check(summary["type"] == "summary", f"the last message is not the summary: {summary!r}")
    for key in ("bytes_printed", "bytes_searched", "matched_lines", "matches", "searches", "searches_with_match"):
        check(summary["data"]["stats"][key] == sum(e[key] for e in ends),
              f"summary {key} {summary['data']['stats'][key]} is not the files' sum")
    printed = 0
    for line in out.splitlines(keepends=True):
        m = j.loads(line)
        if m["type"] == "end":
            check(m["data"]["stats"]["bytes_printed"] == printed,
                  f"bytes_printed {m['data']['stats']['bytes_printed']} != {printed} bytes of its messages")
            printed = 0
        elif m["type"] != "summary":
            printed += len(line)


STATS_CASES = [["hello"], ["-n", "-C1", "hello"], ["-v", "hello"], ["-H", "gamma"], ["-o", "hello"], ["zzz"],
               ["-m1", "hello"], ["-m2", "-A1", "hello"]]


def stats(opts, ranks):
    ranks = int(ranks)
    no_seconds = re.compile(rb"[0-9.]+ seconds( spent searching)?\n")
    with tempfile.TemporaryDirectory() as d:
        write_files(d)
        for i, args in enumerate(STATS_CASES):
            files = ["text.txt", "open_end.txt", "none.txt", "long.txt"]
            same_as_rg(opts, ranks, DECOMPOSITIONS[i % len(DECOMPOSITIONS)], ["--stats"] + args, files, d,
                       strip=lambda out: no_seconds.sub(b"", out))
        with open(os.path.join(d, "text.txt"), "rb") as f:  # standard input: one file searched
            same_as_rg(opts, ranks, [], ["--stats", "hello"], [], d, stdin=f.read(),
                       strip=lambda out: no_seconds.sub(b"", out))
        print(f"{len(STATS_CASES) + 1} --stats runs at {ranks} rank(s) matched rg --stats (seconds dropped)")


def refused(opts):
    with tempfile.TemporaryDirectory() as d:
        write_files(d)
        for args, says in [(["--json", "-c"], b"--json with -c is not supported"),
                           (["--json", "-l"], b"--json with -l is not supported"),
                           (["--stats", "-L"], b"--stats with -L is not supported"),
                           (["--stats", "-q"], b"--stats with -q is not supported")]:
            p = ours(opts, 1, [], args + ["hello"], ["text.txt"], d)
            errors = [line for line in p.stderr.splitlines() if line.startswith(b"parfold: error:")]
            check(p.returncode == 2 and p.stdout == b"" and len(errors) == 1 and says in errors[0],
                  f"lines grep {args}: exit {p.returncode} {p.stderr!r}, expected 2 and {says!r}")
        cp = os.path.join(d, "cp")
        p = subprocess.run([opts.parfold, "--checkpoint", cp, "lines", "grep", "--json", "--output",
                            os.path.join(d, "out"), "hello", "text.txt"], cwd=d, capture_output=True, timeout=60)
        check(p.returncode == 2 and b"--checkpoint with --json or --stats is not supported" in p.stderr,
              f"--checkpoint with --json: exit {p.returncode} {p.stderr!r}")
        # rg --json -q prints nothing and says by its status.
        p = ours(opts, 1, [], ["--json", "-q", "hello"], ["text.txt"], d)
        check(p.returncode == 0 and p.stdout == b"", f"--json -q: exit {p.returncode} {p.stdout!r}")
        print("--json and --stats with -c, -l, -L, -q and --checkpoint: refused by name, exit 2")


if __name__ == "__main__":
    sys.exit(suite_main(globals()))
