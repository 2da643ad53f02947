#!/usr/bin/env python3
"""parfold lines count, grep -c/-l/-L/-q and top on lines far longer than a read buffer: peak
resident memory per rank bounded whatever the line's length, results as wc's, grep's and an
independent word counter's, for every decomposition.

  long_lines_test.py --parfold BIN --mpiexec MPIEXEC memory RANKS | decompositions RANKS

`memory`: a sparse file of 300 MiB that is one line (NUL bytes with a few islands of text,
no '\\n'); each command's peak resident set size (ru_maxrss, VmHWM) on every rank must stay
under MAX_RSS_KB, and its output must be the closed form of the file (and GNU grep's).
`decompositions`: files mixing lines of 300 KiB to 1 MiB (words longer than top's 256 KiB
among them) with short ones, a binary file among them, under several threads, schedules and
chunk sizes: byte-identical to LC_ALL=C wc, grep and a word counter.
"""
import os
import random
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cli_test import (LONGEST_WORD, FAILURES, check, mpi, parallel_args, reference_top,  # noqa: E402,F401
                      suite_main)

C = dict(os.environ, LC_ALL="C")
MAX_RSS_KB = 64 * 1024  # per rank, at 2 threads (docs/lines.md, "Memory")

# Runs the command given and writes its peak resident set size (that of the child:
# ru_maxrss, the kernel's VmHWM) in KB into a file of its own in the folder given first;
# exits with its status.
RSS_WRAPPER = ("import os, resource, subprocess, sys\n"
               "rc = subprocess.call(sys.argv[2:])\n"
               "with open(os.path.join(sys.argv[1], 'rss.%d' % os.getpid()), 'w') as f:\n"
               "    f.write(str(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss))\n"
               "sys.exit(rc)\n")


def measured(opts, args, ranks):
    """parfold `args` at `ranks` ranks, each rank's peak RSS measured: (process, [KB per rank])."""
    with tempfile.TemporaryDirectory() as d:
        cmd = [sys.executable, "-c", RSS_WRAPPER, d, opts.parfold] + args
        p = subprocess.run(mpi(opts, ranks, cmd) if ranks > 1 else cmd, capture_output=True, timeout=300)
        rss = []
        for name in sorted(os.listdir(d)):
            with open(os.path.join(d, name)) as f:
                rss.append(int(f.read()))
    return p, rss


def island_file(path, size):
    """A sparse file of `size` bytes, one line without '\\n': NUL bytes and, at each eighth,
    " alpha gamma xK " (K = 0..7), followed at K = 2 and 5 by "delta" that runs on into the
    NUL bytes (a word of size/8 bytes). Returns its closed forms."""
    islands = []
    with open(path, "wb") as f:
        f.truncate(size)
        for k in range(8):
            f.seek(k * size // 8)
            island = b" alpha gamma x%d " % k + (b"delta" if k in (2, 5) else b"")
            f.write(island)
            islands.append(island)
    # wc: a word is a run of non-separators with a printable byte (NUL is neither); -L counts
    # printable bytes and spaces, one line.
    words = 8 * 3 + 2
    width = sum(len(i) for i in islands)
    delta = b"delta" + b"\0" * (LONGEST_WORD - 5)  # "delta" and the NUL bytes after it
    top = [(b"alpha", 8), (b"gamma", 8), (delta, 2)] + [(b"x%d" % k, 1) for k in range(8)]
    return words, width, b"".join(b"%d %s\n" % (n, w) for w, n in top)


def memory(opts, ranks):
    ranks = int(ranks)
    size = 300 << 20
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "one-line.txt")
        words, width, top = island_file(path, size)
        digits = len(str(size))
        wc_lc = subprocess.run(["wc", "-l", "-c", path], capture_output=True, env=C).stdout
        check(wc_lc == b"%*d %d %s\n" % (digits, 0, size, path.encode()), f"the file is not what it should be: {wc_lc!r}")
        grep_binary = subprocess.run(["grep", "-c", "alpha", path], capture_output=True, env=C)  # NUL bytes end lines
        cases = [
            (["count", "-lwcL"], b"%*d %*d %*d %*d %s\n" % (digits, 0, digits, words, digits, size, digits, width,
                                                             path.encode()), 0),
            (["grep", "-c", "alpha"], grep_binary.stdout, grep_binary.returncode),
            (["grep", "-a", "-c", "x7"], b"1\n", 0),  # one line: GNU grep would hold it whole
            (["top", "-k", "20"], top, 0),
        ]
        for args, want, status in cases:
            p, rss = measured(opts, ["--threads", "2", "lines"] + args + [path], ranks)
            what = f"lines {' '.join(args)} on a {size >> 20} MiB line at {ranks} rank(s)"
            check(p.returncode == status and p.stdout == want,
                  f"{what}: exit {p.returncode} (want {status})\n{p.stdout[:300]!r}\n{want[:300]!r}\n{p.stderr[-500:]!r}")
            check(len(rss) == ranks, f"{what}: {len(rss)} measures of memory for {ranks} rank(s): {p.stderr[-300:]!r}")
            check(all(kb < MAX_RSS_KB for kb in rss), f"{what}: peak RSS per rank {rss} KB, bound {MAX_RSS_KB} KB")
            print(f"{what}: peak RSS per rank {rss} KB (bound {MAX_RSS_KB})")


def mixed_files(d):
    """Text with lines of 300 KiB to 1 MiB among short ones (words of up to 600 KiB, alike
    for their first 256 KiB, upper case, CR, bytes >= 0x80, no NUL), its last line long and
    without '\\n'; and a binary file (a NUL early) with long stretches without NUL or '\\n'."""
    rng = random.Random(23)
    alphabet = b"abcXYZ\x01\xc3\t\r"

    def word():
        return bytes(rng.choice(alphabet) for _ in range(rng.randint(1, 7)))

    out = bytearray()
    for i in range(90):
        if i in (10, 50):  # lines of 300-500 KiB
            out += b" ".join(word() for _ in range(rng.randint(60000, 100000))) + b"\n"
        elif i in (5, 40, 41, 70):  # words of 256 KiB - 3 to 600 KiB, alike for their first 256 KiB
            out += b"w " + rng.choice([b"y", b"Y"]) * rng.randint(LONGEST_WORD - 3, 600000) + rng.choice([b"", b"q"])
            out += b" x7 y\n"
        else:
            out += b" ".join(word() for _ in range(rng.randint(0, 30))) + b"\n"
    out += b"tail " + b"z" * 300000
    text = os.path.join(d, "text.txt")
    with open(text, "wb") as f:
        f.write(out)
    binary = bytearray(b"head\0line\n")
    for end in (b"\0", b"\n", b"x7\0\0\n", b""):
        binary += b"abc " * rng.randint(70000, 100000) + end
    binary += b"\0" * 300000 + b"tail abc"
    bin_path = os.path.join(d, "binary.dat")
    with open(bin_path, "wb") as f:
        f.write(binary)
    long_words = os.path.join(d, "long-words.txt")  # top's words of 256 KiB and more
    with open(long_words, "wb") as f:
        for n, letter in ((0, b"y"), (1, b"y"), (500, b"Y"), (-1, b"y"), (7, b"y"), (-1, b"Y"), (700000, b"y")):
            f.write(letter * (LONGEST_WORD + n) + b" x\n")
    short = os.path.join(d, "short.txt")
    with open(short, "wb") as f:
        f.write(b"one abc\ntwo x7\n\nthree")
    return [text, bin_path, short, long_words]


GREP = [(["-c"], "abc"), (["-c", "-v"], "a"), (["-c", "-x"], "[yY]+q?"), (["-c", "-w"], "x7"), (["-c"], "y$"),
        (["-c", "-i"], "xyz"), (["-c", "-F"], "abc abc"), (["-c", "-a"], "tail"), (["-l"], "qy"), (["-L"], "x7"),
        (["-q"], "z{5}$")]


def decompositions(opts, ranks):
    ranks = int(ranks)
    configs = [(1, "static", None), (3, "dynamic", "4099"), (2, "cyclic", "100000")]
    if ranks > 1:
        configs = [(2, "dynamic", "4099")]
    with tempfile.TemporaryDirectory() as d:
        paths = mixed_files(d)
        cases = [(["count", "-lwcL"], subprocess.run(["wc", "-lwcL"] + paths, capture_output=True, env=C), None)]
        for flags, pattern in GREP:
            syntax = [] if "-F" in flags else ["-E"]
            want = subprocess.run(["grep"] + syntax + flags + ["--", pattern] + paths, capture_output=True, env=C)
            cases.append((["grep"] + flags + ["--", pattern], want, None))
        want = subprocess.run(["grep", "-E", "-c", "y$"] + paths, capture_output=True, env=C)
        cases.append((["grep", "-c", "y$"], want, "re2"))  # long lines held whole by RE2
        for fold, alnum in ((False, False), (True, True)):
            flags = ["-k", "30"] + (["-i"] if fold else []) + (["--alnum"] if alnum else [])
            top = subprocess.CompletedProcess([], 0, reference_top(paths, 30, fold, alnum), b"")
            cases.append((["top"] + flags, top, None))
        for fold in (False, True):  # the long words alone, where they are the most frequent
            top = subprocess.CompletedProcess([], 0, reference_top(paths[-1:], 4, fold, False), b"")
            cases.append((["top", "-k", "4"] + (["-i"] if fold else []), top, "long words"))
        runs = 0
        for args, want, engine in cases:
            env = dict(os.environ, PARFOLD_REGEX_ENGINE=engine) if engine == "re2" else None
            files = paths[-1:] if engine == "long words" else paths
            for threads, schedule, chunk in configs:
                cmd = [opts.parfold] + parallel_args(threads, schedule, chunk) + ["lines"] + args + files
                p = subprocess.run(mpi(opts, ranks, cmd) if ranks > 1 else cmd, capture_output=True, env=env,
                                   timeout=120)
                check(p.returncode == want.returncode and p.stdout == want.stdout,
                      f"lines {args} at {ranks} rank(s), {threads} threads, {schedule}, chunk {chunk}: exit "
                      f"{p.returncode} (want {want.returncode})\n{p.stdout[:300]!r}\n{want.stdout[:300]!r}\n"
                      f"{p.stderr[-300:]!r}")
                runs += 1
        print(f"{runs} runs on lines of up to 1 MiB at {ranks} rank(s) matched wc, grep and the word counter")


if __name__ == "__main__":
    sys.exit(suite_main(globals()))
