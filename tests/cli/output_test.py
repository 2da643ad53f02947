#!/usr/bin/env python3
"""End-to-end tests of what parfold prints reaching its place (issue 23, item 1): a write
to standard output that fails (/dev/full, a file past its size limit: a full quota) ends
with one message from rank 0 naming the output and the status wc, grep and cat give for
it (1; grep's 2), never a short output with status 0; a closed pipe still ends the
process by SIGPIPE (141 in a shell) as for any filter.

  output_test.py --parfold BIN --mpiexec MPIEXEC full_device | size_limit | closed_pipe | not_regular | launcher
"""
import os
import resource
import signal
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cli_test import FAILURES, check, is_open_mpi, mpi, suite_main  # noqa: E402,F401

ENV = dict(os.environ, LC_ALL="C")


def texts(d):
    """A text of 200,000 numbered lines (1.3 MB, far more than a stdio buffer) and a task
    list whose tasks print lines."""
    text = os.path.join(d, "numbers.txt")
    with open(text, "w") as f:
        f.writelines(f"{i}\n" for i in range(1, 200001))
    tasks = os.path.join(d, "tasks.txt")
    with open(tasks, "w") as f:
        f.write("seq 1 20000\necho two\nseq 5 30000\n")
    return text, tasks


def errors(stderr):
    return [l for l in stderr.decode(errors="replace").splitlines() if l.startswith("parfold: error")]


def full_device(opts):
    """Standard output is /dev/full: the reference tools' status (wc 1, grep 2, cat 1) and
    one message naming standard output and ENOSPC, for every command that prints."""
    with tempfile.TemporaryDirectory() as d:
        text, tasks = texts(d)
        many = []
        for i in range(150):
            many.append(os.path.join(d, f"f{i}.txt"))
            with open(many[-1], "w") as f:
                f.write(f"word {i}\n")
        cases = [(["pi", "--samples", "1000"], ["cat", text]), (["--json", "pi", "--samples", "1000"], ["cat", text]),
                 (["lines", "count", text], ["wc", text]), (["lines", "count", "-l", text, text], ["wc", "-l", text, text]),
                 (["lines", "grep", "1", text], ["grep", "1", text]), (["lines", "grep", "-c", "1", text], ["grep", "-c", "1", text]),
                 (["lines", "grep", "-n", "7$", text], ["grep", "-n", "7$", text]),
                 (["lines", "top", text], ["cat", text]), (["lines", "exec", "cat", text], ["cat", text]),
                 (["run", tasks], ["cat", text]), (["--help"], ["cat", text]), (["--version"], ["cat", text]),
                 (["--json", "lines", "count"] + many, ["wc"] + many)]  # a report past stdio's buffer
        for ours, theirs in cases:
            with open("/dev/full", "wb") as full:
                want = subprocess.run(theirs, stdout=full, stderr=subprocess.PIPE, env=ENV, timeout=60)
                p = subprocess.run([opts.parfold, "--threads", "2"] + ours, stdout=full, stderr=subprocess.PIPE,
                                   env=ENV, timeout=120)
            said = errors(p.stderr)
            check(want.returncode in (1, 2) and p.returncode == want.returncode and
                  said == ["parfold: error: write error on standard output: No space left on device"],
                  f"{ours} > /dev/full: exit {p.returncode} (as {theirs[0]}: {want.returncode}), {p.stderr!r}")
    print(f"{len(cases)} commands into /dev/full: one message, the reference tool's status")


def limited(limit):
    """A child whose files may grow to `limit` bytes (RLIMIT_FSIZE, as a quota would stop
    them), with SIGXFSZ ignored so that the write fails with EFBIG instead of killing it."""
    def start():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    return start


def size_limit(opts):
    """Standard output is a file that can hold only 64 KiB: what fits is the start of the
    full output, byte for byte, and the status is grep's (2) with one message; the same for
    a `run` whose tasks print more than fits (1), and for `lines exec` (1)."""
    limit = 64 << 10
    with tempfile.TemporaryDirectory() as d:
        text, tasks = texts(d)
        full = subprocess.run(["grep", "1", text], capture_output=True, env=ENV).stdout
        for ours, theirs, status in ((["lines", "grep", "1", text], ["grep", "1", text], 2),
                                     (["run", tasks], None, 1), (["lines", "exec", "cat", text], ["cat", text], 1)):
            out = os.path.join(d, "out.txt")
            with open(out, "wb") as f:
                p = subprocess.run([opts.parfold, "--threads", "2"] + ours, stdout=f, stderr=subprocess.PIPE,
                                   env=ENV, preexec_fn=limited(limit), timeout=120)
            with open(out, "rb") as f:
                got = f.read()
            said = errors(p.stderr)
            check(p.returncode == status and len(said) == 1 and "File too large" in said[0] and len(got) <= limit,
                  f"{ours} into {limit} bytes: exit {p.returncode}, {len(got)} bytes, {p.stderr!r}")
            if theirs is not None:
                with open(out + ".ref", "wb") as f:
                    want = subprocess.run(theirs, stdout=f, stderr=subprocess.PIPE, env=ENV,
                                          preexec_fn=limited(limit), timeout=60)
                check(want.returncode == p.returncode, f"{ours}: exit {p.returncode}, {theirs[0]} {want.returncode}")
        # What fits of grep's lines is their start, byte for byte.
        out = os.path.join(d, "grep.txt")
        with open(out, "wb") as f:
            subprocess.run([opts.parfold, "lines", "grep", "1", text], stdout=f, stderr=subprocess.DEVNULL,
                           env=ENV, preexec_fn=limited(limit), timeout=120)
        with open(out, "rb") as f:
            got = f.read()
        check(len(got) > 0 and full.startswith(got), f"grep into {limit} bytes: not the start of the output")
    print("standard output past a size limit: the start of the output, one message, the status of grep")


def closed_pipe(opts):
    """A reader that stops early (`| head -1`): parfold ends by SIGPIPE, as grep and cat do,
    with nothing on stderr."""
    with tempfile.TemporaryDirectory() as d:
        text, tasks = texts(d)
        for args in (["lines", "grep", "1", text], ["lines", "exec", "cat", text], ["run", tasks]):
            p = subprocess.Popen([opts.parfold] + args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=ENV)
            first = p.stdout.readline()
            p.stdout.close()
            err = p.stderr.read()
            p.wait(timeout=120)
            check(first != b"" and p.returncode == -signal.SIGPIPE and errors(err) == [],
                  f"{args} | head -1: exit {p.returncode}, {err!r}")
    print("a closed pipe ends parfold by SIGPIPE, as any filter")


def not_regular(opts):
    """--output, --checkpoint and --trace naming a FIFO, a symbolic link or a device are
    refused up front (exit 2, the option named): parfold writes beside the file and renames
    into place, which would replace them (as root, --trace /dev/null made /dev/null a
    regular file). Each is left as it was."""
    with tempfile.TemporaryDirectory() as d:
        text, _ = texts(d)
        fifo, target = os.path.join(d, "fifo"), os.path.join(d, "target.txt")
        link = os.path.join(d, "link.txt")
        os.mkfifo(fifo)
        with open(target, "w") as f:
            f.write("kept\n")
        os.symlink(target, link)
        cases = [(["--output", fifo, "1", text], "--output", fifo), (["--output", link, "1", text], "--output", link)]
        for option in ("--trace", "--checkpoint"):
            cases += [([option, fifo], option, fifo), ([option, link], option, link)]
        for args, option, path in cases:
            cmd = [opts.parfold] + (["lines", "grep"] + args if option == "--output" else args + ["lines", "grep", "-c", "1", text])
            p = subprocess.run(cmd, capture_output=True, timeout=60)
            said = errors(p.stderr)
            check(p.returncode == 2 and len(said) == 1 and said[0].startswith(f"parfold: error: {option} {path}: is ")
                  and p.stdout == b"", f"{option} {os.path.basename(path)}: exit {p.returncode} {p.stderr!r}")
        check(os.path.islink(link) and open(target).read() == "kept\n" and not os.path.isfile(fifo),
              "a refused path was changed")
    print("--output, --checkpoint, --trace: a FIFO or a symbolic link is refused and left as it was")


def launcher(opts):
    """Under mpirun, rank 0's standard output is a pipe to the launcher, which writes it:
    Open MPI 4.1's mpirun drops its own write errors and exits 0 (docs/exit-status.md says
    so); MPICH's Hydra reports them and exits 255. This shows that behaviour, so that a launcher that changes it is noticed; parfold's
    --output FILE is checked under any launcher."""
    with tempfile.TemporaryDirectory() as d:
        text, _ = texts(d)
        with open("/dev/full", "wb") as full:
            p = subprocess.run(mpi(opts, 2, [opts.parfold, "lines", "count", text]), stdout=full,
                               stderr=subprocess.PIPE, timeout=120)
        if is_open_mpi(opts):
            check(p.returncode == 0 and errors(p.stderr) == [],
                  f"mpirun into /dev/full: exit {p.returncode} {p.stderr!r} (update docs/exit-status.md)")
        else:  # Hydra says so itself, and exits 255
            check(p.returncode == 255 and b"No space left on device" in p.stderr,
                  f"mpiexec.hydra into /dev/full: exit {p.returncode} {p.stderr!r} (update docs/exit-status.md)")
        out = os.path.join(d, "sub", "o.txt")  # a folder that does not exist: refused at once
        p = subprocess.run(mpi(opts, 2, [opts.parfold, "lines", "grep", "--output", out, "1", text]),
                           capture_output=True, timeout=120)
        check(p.returncode == 2 and errors(p.stderr)[0].startswith(f"parfold: error: --output {out}:"),
              f"--output into a missing folder under mpirun: {p.returncode} {p.stderr!r}")
    print("under mpirun the launcher writes standard output (its errors are its own); --output is checked")


if __name__ == "__main__":
    sys.exit(suite_main(globals()))
