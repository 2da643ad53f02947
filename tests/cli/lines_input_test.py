#!/usr/bin/env python3
"""parfold lines reading standard input and compressed files (-z): byte-identical to wc,
grep and an independent word counter reading the same bytes from a pipe (or from
`< FILE`), or the files decompressed by gzip, zstd, xz and bzip2 themselves, at 1-4 ranks
and window sizes from the smallest; --label; damaged archives; refusals.

  lines_input_test.py --parfold BIN --mpiexec MPIEXEC stdin RANKS | decompress RANKS | stdin_refused
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
        # "-" among files, and twice (the second time it is empty), as wc and grep read them.
        for ours, theirs in [(["count", path, "-", path], ["wc", path, "-", path]), (["count", "-", "-"], ["wc", "-", "-"]),
                             (["grep", "-a", "-n", "the", "-", path], ["grep", "-a", "-n", "the", "-", path]),
                             (["grep", "-c", "the", path, "-", "-"], ["grep", "-a", "-c", "the", path, "-", "-"])]:
            want = reference(theirs, inputs["many"])
            p = piped(opts, ["--threads", "2", "--chunk", "1000", "lines"] + ours, inputs["many"], ranks)
            check(p.returncode == want.returncode and p.stdout == want.stdout,
                  f"{ours}: exit {p.returncode}\n{p.stdout[-300:]!r}\n{want.stdout[-300:]!r}\n{p.stderr!r}")
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


def compressed_inputs(d):
    """Each format as its tools write it, in d/z/, and the same names holding the plain
    bytes in d/plain/ (what wc and grep read as the truth): gzip, pigz, bgzip (BGZF:
    many members), two gzip members, zstd (one frame, and two frames), xz (two streams),
    bzip2 (two streams), pzstd (a skippable frame before each frame: its magic first)."""
    text = b"".join(open(p, "rb").read() for p in make_texts(d))[:400000]
    text += b"".join(b"%d compressed line\n" % i for i in range(20000))
    half = text[: len(text) // 2]
    z, plain = os.path.join(d, "z"), os.path.join(d, "plain")
    os.makedirs(z)
    os.makedirs(plain)
    tools = {"a.gz": (["gzip", "-c"], text), "b.pigz.gz": (["pigz", "-c"], text), "c.bgz": (["bgzip", "-c"], text),
             "e.zst": (["zstd", "-q", "-c"], text), "g.xz": (["xz", "-c"], text), "i.bz2": (["bzip2", "-c"], text),
             "k.pz.zst": (["pzstd", "-q", "-p", "2", "-c"], text)}
    for name, (cmd, data) in tools.items():
        with open(os.path.join(z, name), "wb") as f:
            f.write(subprocess.run(cmd, input=data, capture_output=True, check=True).stdout)
        with open(os.path.join(plain, name), "wb") as f:
            f.write(data)
    # Concatenated members, frames and streams: the two halves of the text.
    for name, cmd in (("d.two.gz", ["gzip", "-c"]), ("f.two.zst", ["zstd", "-q", "-c"]), ("h.two.xz", ["xz", "-c"]),
                      ("j.two.bz2", ["bzip2", "-c"])):
        with open(os.path.join(z, name), "wb") as f:
            for part in (half, text[len(half):]):
                f.write(subprocess.run(cmd, input=part, capture_output=True, check=True).stdout)
        with open(os.path.join(plain, name), "wb") as f:
            f.write(text)
    return z, plain, sorted(os.listdir(z))


def decompress(opts, ranks):
    ranks = int(ranks)
    with tempfile.TemporaryDirectory() as d:
        z, plain, names = compressed_inputs(d)
        runs = 0
        cases = [(["count"], ["wc"]), (["count", "-l", "-L"], ["wc", "-l", "-L"]),
                 (["grep", "-c", "line$"], ["grep", "-a", "-E", "-c", "line$"]),
                 (["grep", "-n", "[0-9]7 comp|\x01"], ["grep", "-a", "-E", "-n", "[0-9]7 comp|\x01"])]
        for ours, theirs in cases:
            for files in ([names[0]], names[:3], names):
                want = subprocess.run(theirs + files, capture_output=True, env=C, cwd=plain)
                for threads, schedule, chunk in CONFIGS if ranks == 1 else CONFIGS[1:]:
                    cmd = [os.path.abspath(opts.parfold)] + parallel_args(threads, schedule, chunk) + ["lines"] + \
                        ours[:1] + ["-z"] + ours[1:] + files
                    p = subprocess.run(mpi(opts, ranks, cmd) if ranks > 1 else cmd, capture_output=True, cwd=z, timeout=120)
                    check(p.returncode == want.returncode and p.stdout == want.stdout,
                          f"{ours} -z {files} at {ranks} rank(s) {threads} {schedule} {chunk}: exit {p.returncode}\n"
                          f"{p.stdout[:400]!r}\n{want.stdout[:400]!r}\n{p.stderr[:400]!r}")
                    runs += 1
        expect = reference_top([os.path.join(plain, n) for n in names], 15, False, False)
        cmd = [opts.parfold, "--threads", "2", "lines", "top", "-z", "-k", "15"] + [os.path.join(z, n) for n in names]
        p = subprocess.run(mpi(opts, ranks, cmd) if ranks > 1 else cmd, capture_output=True, timeout=120)
        check(p.returncode == 0 and p.stdout == expect, f"top -z: {p.stdout!r} vs {expect!r}")
        print(f"{runs} runs of lines -z at {ranks} rank(s) matched wc and grep on the decompressed files")
        bgzf_damaged_member(opts, ranks, os.path.join(z, "c.bgz"), d)


def bgzf_damaged_member(opts, ranks, path, d):
    """BGZF is split across ranks and threads at its members: one damaged member in the
    middle is found by whichever worker decodes it, and the run still exits 2 with one
    message naming the file, nothing on stdout."""
    data = bytearray(open(path, "rb").read())
    starts, at = [], 0
    while at < len(data):  # each member's size is in its BC field (BSIZE + 1)
        starts.append(at)
        at += int.from_bytes(data[16:18] if at == 0 else data[at + 16:at + 18], "little") + 1
    check(len(starts) > 4, f"{path}: {len(starts)} members; the test wants several")
    middle = starts[len(starts) // 2]
    for i in range(middle + 40, middle + 60):
        data[i] ^= 0x55
    bad = os.path.join(d, "damaged.bgz")
    with open(bad, "wb") as f:
        f.write(data)
    cmd = [opts.parfold, "--threads", "2", "--chunk", "65536", "lines", "count", "-z", bad]
    p = subprocess.run(mpi(opts, ranks, cmd) if ranks > 1 else cmd, capture_output=True, text=True, timeout=120)
    errors = [l for l in p.stderr.splitlines() if l.startswith("parfold: error:")]
    check(p.returncode == 2 and p.stdout == "" and len(errors) == 1 and bad in errors[0] and "gzip" in errors[0],
          f"a damaged BGZF member at {ranks} rank(s): exit {p.returncode} {p.stdout!r} {p.stderr!r}")


def damaged_archives(opts):
    """A truncated or corrupt archive: exit 2 and a message naming it and what is wrong;
    nothing on stdout for count and grep -c, no --output FILE. Without -z a compressed
    file is bytes, as grep reads it."""
    with tempfile.TemporaryDirectory() as d:
        z, plain, names = compressed_inputs(d)
        out = os.path.join(d, "out.txt")
        for name in names:
            path = os.path.join(z, name)
            data = open(path, "rb").read()
            fmt = {"gz": "gzip", "bgz": "gzip", "zst": "zstd", "xz": "xz", "bz2": "bzip2"}[name.rsplit(".", 1)[1]]
            damaged = {"truncated": data[: len(data) * 2 // 3], "corrupt": data[:200] + bytes(b ^ 0x55 for b in data[200:260]) + data[260:],
                       "garbage": data + b"\x01junk"}
            for how, bad in damaged.items():
                bad_path = os.path.join(d, f"{how}-{name}")
                with open(bad_path, "wb") as f:
                    f.write(bad)
                for args in (["count"], ["grep", "-c", "line"], ["grep", "--output", out, "line"]):
                    p = subprocess.run([opts.parfold, "lines"] + args[:1] + ["-z"] + args[1:] + [bad_path],
                                       capture_output=True, text=True, timeout=60)
                    errors = [l for l in p.stderr.splitlines() if l.startswith("parfold: error:")]
                    check(p.returncode == 2 and p.stdout == "" and len(errors) == 1 and bad_path in errors[0]
                          and fmt in errors[0] and not os.path.exists(out),
                          f"{how} {name} {args}: exit {p.returncode} {p.stdout[:100]!r} {p.stderr!r}")
                os.remove(bad_path)
        # Without -z: bytes, exactly as grep -a reads them.
        files = [os.path.join(z, n) for n in names]
        want = subprocess.run(["grep", "-a", "-c", "\x1f"] + files, capture_output=True, env=C)
        p = subprocess.run([opts.parfold, "lines", "grep", "-a", "-c", "\x1f"] + files, capture_output=True)
        check(p.stdout == want.stdout, f"without -z: {p.stdout!r} vs {want.stdout!r}")
        # and without -a, binary files as grep counts them (NUL bytes end lines).
        want = subprocess.run(["grep", "-c", "\x1f"] + files, capture_output=True, env=C)
        p = subprocess.run([opts.parfold, "lines", "grep", "-c", "\x1f"] + files, capture_output=True)
        check(p.stdout == want.stdout, f"without -z nor -a: {p.stdout!r} vs {want.stdout!r}")
    print("truncated, corrupt and padded archives of every format: exit 2, nothing half-written")


def stdin_refused(opts):
    """What standard input cannot do is refused by name, exit 2, before reading it."""
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "a.txt")
        with open(path, "w") as f:
            f.write("a\n")
        cp = os.path.join(d, "cp")
        check_refused(opts, [
            (["--checkpoint", cp, "lines", "count"], "--checkpoint: standard input, a compressed file (-z), a FIFO"),
            (["--checkpoint", cp, "lines", "grep", "-c", "a", "-"], "--checkpoint: standard input, a compressed file"),
            (["--checkpoint", cp, "lines", "top", path, "-"], "--checkpoint: standard input, a compressed file"),
            (["lines", "exec", "cat", "-"], "lines exec: standard input is not supported"),
        ])
        check(not os.path.exists(cp), "a refused job wrote its checkpoint")
    print("standard input: what it cannot do is refused by name")


if __name__ == "__main__":
    sys.exit(suite_main(globals()))
