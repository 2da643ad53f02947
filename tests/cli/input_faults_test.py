#!/usr/bin/env python3
"""End-to-end tests of inputs that are not friendly files (issue 23, items 2, 4 and 11):

  shrinking RANKS   files truncated at random moments while count, grep -c, grep, top and
                    exec read them: the answer for the file as it was, or status 1 and one
                    "FILE changed while it was read", never a crash (SIGBUS, 135)
  changed RANKS     count -l, grep -c, grep and top with their file cut while they read
                    it: status 1 and one "FILE changed while it was read"
  fifo              a FIFO with no writer: a stop signal and --timeout still end the job
                    (143, 130, 124); a FIFO with a writer is read as wc and grep read it
  growing RANKS     count -lc and grep -r -c over 300 small files, one of them a log that
                    grows all the time they run: the log as it was planned, or status 1 and
                    one "FILE changed while it was read" naming it
  pseudo_files RANKS  files whose size stat() cannot tell (/proc, /sys, /dev/null, a pipe
                    given as /dev/fd/N) read as wc and grep read them

  input_faults_test.py --parfold BIN --mpiexec MPIEXEC SUITE [RANKS]
"""
import collections
import os
import random
import re
import signal
import stat
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cli_test import FAILURES, check, mpi, reference_top, suite_main  # noqa: E402,F401

ENV = dict(os.environ, LC_ALL="C")


def command(opts, args, ranks):
    cmd = [opts.parfold] + args
    return mpi(opts, ranks, cmd) if ranks > 1 else cmd


def errors(stderr):
    return [l for l in stderr.decode(errors="replace").splitlines() if l.startswith("parfold: error")]


def grep_lines(data, word):
    """grep's output: the lines holding `word`, a last one without '\n' given one."""
    return b"".join(l if l.endswith(b"\n") else l + b"\n" for l in data.splitlines(keepends=True) if word in l)


# ---- shrinking ---------------------------------------------------------------------------
# Each command: its arguments (the file is appended) and its answer on given bytes.
SHRINK_COMMANDS = [
    (["lines", "count", "-l"], lambda data, name: b"%d %s\n" % (data.count(b"\n"), name)),
    (["lines", "grep", "-c", "beta"], lambda data, name: b"%d\n" % len(grep_lines(data, b"beta").splitlines())),
    (["lines", "grep", "beta"], lambda data, name: grep_lines(data, b"beta")),
    (["lines", "top", "-k", "3"], None),
    (["lines", "exec", "cat"], lambda data, name: data),
]


def text(seed, lines):
    rng = random.Random(seed)
    words = [b"alpha", b"beta", b"gamma", b"delta", b"x"]
    return b"".join(b" ".join(rng.choice(words) for _ in range(rng.randint(1, 9))) + b"\n" for _ in range(lines))


def one_shrink(opts, args, ranks, path, original, cut, delay):
    """Runs args on path and truncates it to `cut` bytes after `delay` seconds."""
    with open(path, "wb") as f:
        f.write(original)
    p = subprocess.Popen(command(opts, args + [path], ranks), stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=ENV)
    timer = threading.Timer(delay, lambda: os.truncate(path, cut))
    timer.start()
    out, err = p.communicate(timeout=120)
    timer.join()
    return p.returncode, out, err


def shrinking(opts, ranks):
    """Truncations at random moments (drawn over the time one run takes) to random sizes:
    each run gives the answer for the bytes it read, the whole file's or the cut one's
    (the cut came before it opened the file), or status 1 with one message naming the
    file; exec and grep print a prefix of their whole output at most."""
    ranks = int(ranks)
    rng = random.Random(23)
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "log.txt")
        original = text(1, 150000)
        name = path.encode()
        changed = 0
        for args, answer in SHRINK_COMMANDS:
            args = ["--threads", "2", "--chunk", "64Ki"] + args
            t0 = time.monotonic()
            rc, out, err = one_shrink(opts, args, ranks, path, original, len(original), 0)
            took = time.monotonic() - t0
            whole = answer(original, name) if answer else reference_top([path], 3, False, False)
            check(rc == 0 and out == whole, f"{args} unchanged: exit {rc} {err[-300:]!r}")
            for _ in range(5):
                cut = rng.choice([0, 1, rng.randrange(len(original)), len(original) // 2])
                rc, out, err = one_shrink(opts, args, ranks, path, original, cut, rng.uniform(0, took))
                what = f"{args} at {ranks} rank(s), cut to {cut}"
                msgs = errors(err)
                if not msgs:  # it read the file whole before or after the cut
                    short = answer(original[:cut], name) if answer else reference_top([path], 3, False, False)
                    none = "grep" in args and out in (b"", b"0\n")  # grep's 1: no line selected
                    check(out in (whole, short) and rc == (1 if none else 0),
                          f"{what}: exit {rc} with another answer {out[:200]!r}")
                    continue
                changed += 1
                check(rc == 1 and len(msgs) == 1 and f"{path} changed while it was read" in msgs[0],
                      f"{what}: exit {rc}, {err[-400:]!r}")
                if args[-1] in ("cat", "beta") and "-c" not in args:  # what was printed: a prefix
                    short = answer(original[:cut], name)  # of the output on the file before or after
                    check(whole.startswith(out) or short.startswith(out),
                          f"{what}: printed what the file never held ({len(out)} bytes)")
        check(changed > 0, f"no run of {len(SHRINK_COMMANDS) * 5} noticed its file cut")
        # Deterministic: the first chunk's command cuts the file; every later chunk finds it short.
        with open(path, "wb") as f:
            f.write(original)
        script = f'if [ "$PARFOLD_OFFSET" = 0 ]; then truncate -s 100000 {path}; fi; cat'
        p = subprocess.run(command(opts, ["--threads", "1", "lines", "exec", "--chunk", "256Ki", script, path], ranks),
                           capture_output=True, env=ENV, timeout=120)
        msgs = errors(p.stderr)
        check(p.returncode == 1 and len(msgs) == 1 and "changed while it was read" in msgs[0],
              f"exec cutting its own input: exit {p.returncode} {p.stderr[-400:]!r}")
        check(original.startswith(p.stdout), "exec cutting its own input: printed what the file never held")
        printed = re.search(r"lines that start in the input's first (\d+) bytes", msgs[0] if msgs else "")
        n = int(printed.group(1)) if printed else 0  # no such words: nothing was printed
        end = original.index(b"\n", n - 1) + 1 if n > 0 else 0
        check(p.stdout == original[:end], f"exec cutting its own input printed {len(p.stdout)} bytes: {msgs}")
        print(f"{len(SHRINK_COMMANDS) * 5} runs with a file cut under them at {ranks} rank(s), {changed} said so")


def appending(path, line):
    """Appends `line` to `path` all the time from now until the returned stop() is called,
    and returns once the file has grown (so that it grows before a command starts)."""
    done = threading.Event()

    def append():
        with open(path, "ab", buffering=0) as f:
            while not done.is_set():
                f.write(line)

    writer = threading.Thread(target=append)
    start = os.path.getsize(path)
    writer.start()
    while os.path.getsize(path) == start:
        time.sleep(0.001)

    def stop():
        done.set()
        writer.join()
    return stop


def growing_answer(out, log, first, line):
    """Is `out` (count -lc or grep -c beta output) what parfold gives for the log read at
    the size it had when opened: its first bytes plus k whole appended lines, counted alike?"""
    for row in out.splitlines():
        fields = row.split()
        if fields[-1] == log.encode() and len(fields) == 3:  # lines bytes path
            k = int(fields[0]) - first.count(b"\n")
            return k >= 0 and int(fields[1]) == len(first) + k * len(line)
        if row.startswith(log.encode() + b":"):  # path:count
            return int(row.rsplit(b":", 1)[1]) >= len(grep_lines(first, b"beta").splitlines())
    return False


def grown_run(opts, args, ranks, log, first, line):
    """Runs args with `log` holding `first` and growing by `line` all the time: (rc, out, msgs)."""
    with open(log, "wb") as f:
        f.write(first)
    stop = appending(log, line)
    try:
        p = subprocess.run(command(opts, ["--threads", "2"] + args, ranks), capture_output=True, env=ENV,
                           timeout=120)
    finally:
        stop()
    return p.returncode, p.stdout, errors(p.stderr)


def growing(opts, ranks):
    """A log appended to all the time a command reads it, among 299 small files: the log is
    read as it was planned (its lines and bytes agree: nothing past its size counted), or
    the run ends with status 1 and one message naming it (it grew between its opening and
    the read, or before the check at the end). A log of 2 MB read in 64 KiB chunks grows
    while it is read: at least one of three runs says so."""
    ranks, line = int(ranks), b"alpha beta\n"
    with tempfile.TemporaryDirectory() as d:
        for i in range(299):
            with open(os.path.join(d, f"f{i:03d}.txt"), "wb") as f:
                f.write(text(i, 40))
        log = os.path.join(d, "f299.txt")
        files = [os.path.join(d, f"f{i:03d}.txt") for i in range(300)]
        cases = [(["lines", "count", "-lc"] + files, text(7, 40), 1),
                 (["lines", "grep", "-r", "-c", "beta", d], text(7, 40), 1),
                 (["--chunk", "64Ki", "lines", "count", "-lc"] + files, text(7, 60000), 3)]
        for args, first, attempts in cases:
            said = 0
            for attempt in range(attempts):
                rc, out, msgs = grown_run(opts, args, ranks, log, first, line)
                what = f"{args[:4]} at {ranks} rank(s), the log growing"
                if rc == 0 and not msgs:
                    check(growing_answer(out, log, first, line), f"{what}: another answer {out[-200:]!r}")
                    continue
                check(rc == 1 and len(msgs) == 1 and f"{log} changed while it was read" in msgs[0],
                      f"{what}: exit {rc} {msgs!r}")
                said += 1
                break
            check(attempts == 1 or said == 1, f"{args[:4]} at {ranks} rank(s): never said changed in {attempts} runs")
    print(f"a growing log among 300 files at {ranks} rank(s): read as planned, or said changed")


def exe_name(pid):
    """The name of the program process `pid` runs, or "" once it has gone."""
    try:
        return os.path.basename(os.readlink(f"/proc/{pid}/exe"))
    except OSError:
        return ""


def rank_processes(pid, ranks, deadline_s=20):
    """The processes that hold the job's files: `pid` alone, or under mpirun its `ranks`
    children once they have started."""
    if ranks == 1:
        return [pid]
    end = time.monotonic() + deadline_s
    while time.monotonic() < end:
        kids = [c for c in children(pid) if exe_name(c) == "parfold"]
        if len(kids) >= ranks:
            return kids
        time.sleep(0.01)
    return []


def read_bytes(proc):
    """What process `proc` has read so far (/proc/PID/io's rchar)."""
    with open(f"/proc/{proc}/io") as f:
        return int(next(l for l in f if l.startswith("rchar:")).split()[1])


def cut_while_read(opts, args, ranks, path):
    """Runs args on path and truncates it to 0 once a rank holds it open and has read
    1 MiB more since (polled every millisecond): it is reading the file. Returns
    (status, stdout, stderr, whether the cut was made)."""
    p = subprocess.Popen(command(opts, args + [path], ranks), stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=ENV)
    procs, reader, cut, end = rank_processes(p.pid, ranks), None, False, time.monotonic() + 20
    while not cut and p.poll() is None and time.monotonic() < end:
        for proc in procs:
            try:
                if reader is None and any(os.readlink(f"/proc/{proc}/fd/{fd}") == path
                                          for fd in os.listdir(f"/proc/{proc}/fd")):
                    reader = (proc, read_bytes(proc))
                if reader and reader[0] == proc and read_bytes(proc) >= reader[1] + (1 << 20):
                    os.truncate(path, 0)
                    cut = True
                    break
            except OSError:
                pass
        time.sleep(0.001)
    out, err = p.communicate(timeout=120)
    return p.returncode, out, err, cut


def changed(opts, ranks):
    """A file cut while each of count -l, grep -c, grep and top reads it (it holds it open
    and has read 1 MiB since): exactly status 1 and one message naming it (exec:
    `shrinking`'s deterministic case). A run that ended before the cut could land must give
    status 0 (and the whole file's answer for count and grep -c), and is tried again, up to 5 times;
    each command must say "changed" at least once."""
    ranks = int(ranks)
    block = text(7, 40000)  # about 1 MB; the file is 64 copies
    copies = 64
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "log.txt")
        name = path.encode()
        whole = {"count": b"%d %s\n" % (block.count(b"\n") * copies, name),
                 "grep -c": b"%d\n" % (len(grep_lines(block, b"beta").splitlines()) * copies)}
        commands = [(["lines", "count", "-l"], "count"), (["lines", "grep", "-c", "beta"], "grep -c"),
                    (["lines", "grep", "beta"], None), (["lines", "top", "-k", "3"], None)]
        for args, key in commands:
            args = ["--threads", "1", "--chunk", "64Ki"] + args
            said = 0
            for attempt in range(5):
                with open(path, "wb") as f:
                    for _ in range(copies):
                        f.write(block)
                rc, out, err, cut = cut_while_read(opts, args, ranks, path)
                msgs, what = errors(err), f"{args} at {ranks} rank(s), attempt {attempt + 1}"
                if msgs:
                    check(rc == 1 and len(msgs) == 1 and f"{path} changed while it was read" in msgs[0],
                          f"{what}: exit {rc}, {err[-400:]!r}")
                    check(cut, f"{what}: said changed, but no cut was made")
                    said += 1
                    break
                check(rc == 0 and (key is None or out == whole[key]), f"{what}: exit {rc}, {out[:100]!r}")
            check(said == 1, f"{args} at {ranks} rank(s): never said changed in 5 runs cut while it read")
            print(f"{args} at {ranks} rank(s): status 1, one message, on run {attempt + 1}")


# ---- FIFOs ---------------------------------------------------------------------------------
def wait_until_open(pid, path, deadline_s=20):
    """Until process `pid` (or a child of it, under mpirun) holds `path` open: what it
    shows the world when it waits on a FIFO."""
    end = time.monotonic() + deadline_s
    while time.monotonic() < end:
        for proc in [pid] + children(pid):
            try:
                fds = os.listdir(f"/proc/{proc}/fd")
            except OSError:
                continue
            for fd in fds:
                try:
                    if os.readlink(f"/proc/{proc}/fd/{fd}") == path:
                        return True
                except OSError:
                    pass
        time.sleep(0.02)
    return False


def children(pid):
    out = []
    for task in os.listdir("/proc"):
        if task.isdigit():
            try:
                with open(f"/proc/{task}/stat") as f:
                    if int(f.read().rsplit(")", 1)[1].split()[1]) == pid:
                        out += [int(task)] + children(int(task))
            except (OSError, IndexError, ValueError):
                pass
    return out


def stopped_while_waiting(opts, args, fifo, sig):
    """args waits on a FIFO nobody writes; `sig` once it holds the FIFO open."""
    p = subprocess.Popen([opts.parfold] + args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=ENV)
    held = wait_until_open(p.pid, fifo)
    p.send_signal(sig)
    try:
        out, err = p.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        p.kill()
        out, err = p.communicate()
        return None, held, err
    return p.returncode, held, err


def feed(fifo_path, data, deadline_s=30):
    """Writes `data` into a FIFO once a reader has opened it; gives up (a failure the
    caller sees in the reader's result) if none comes, instead of blocking for ever."""
    end = time.monotonic() + deadline_s
    while time.monotonic() < end:
        try:
            fd = os.open(fifo_path, os.O_WRONLY | os.O_NONBLOCK)
        except OSError:  # ENXIO: no reader yet
            time.sleep(0.02)
            continue
        os.set_blocking(fd, True)
        try:
            os.write(fd, data)
        except BrokenPipeError:
            pass
        os.close(fd)
        return


def fifo(opts):
    """A FIFO with no writer never holds the job: SIGTERM gives 143, SIGINT 130,
    --timeout 124; lines exec, which cuts files by size, refuses it at once (2). A FIFO
    with a writer is read whole, as wc and grep read it, also under mpirun."""
    with tempfile.TemporaryDirectory() as d:
        f = os.path.join(d, "f")
        os.mkfifo(f)
        for args in (["lines", "count", f], ["lines", "grep", "x", f], ["lines", "top", f], ["run", f]):
            for sig, want in ((signal.SIGTERM, 143), (signal.SIGINT, 130)):
                rc, held, err = stopped_while_waiting(opts, args, f, sig)
                # 128 + N from parfold, or ended by the signal itself (a shell's $? is 128 + N too)
                check(held and rc in (want, -sig), f"{args} waiting on a FIFO, {sig.name}: held={held} exit {rc} {err!r}")
        for args in (["run", f], ["lines", "count", f]):
            p = subprocess.run([opts.parfold, "--timeout", "1s"] + args, capture_output=True, env=ENV, timeout=30)
            check(p.returncode == 124 and b"--timeout" in p.stderr, f"--timeout 1s {args}: exit {p.returncode} {p.stderr!r}")
        p = subprocess.run([opts.parfold, "lines", "exec", "cat", f], capture_output=True, env=ENV, timeout=30)
        check(p.returncode == 2 and errors(p.stderr) == [f"parfold: error: {f}: not a regular file (save it to a file first)"],
              f"lines exec on a FIFO: exit {p.returncode} {p.stderr!r}")
        data = text(2, 20000)
        for args, reference in ((["lines", "count"], ["wc"]), (["lines", "grep", "-n", "gamma"], ["grep", "-n", "gamma"])):
            for ranks in (1, 3):
                fed = threading.Thread(target=feed, args=(f, data))
                fed.start()
                p = subprocess.run(command(opts, args + [f], ranks), capture_output=True, env=ENV, timeout=60)
                fed.join()
                want = subprocess.run(reference, input=data, capture_output=True, env=ENV).stdout
                if args[1] == "count":
                    want = want.rstrip(b"\n") + b" " + f.encode() + b"\n"
                check(p.returncode == 0 and p.stdout == want, f"{args} on a FIFO at {ranks} rank(s): exit {p.returncode}\n"
                      f"{p.stdout[:200]!r}\nexpected {want[:200]!r}\n{p.stderr!r}")
        tasks = b"echo one\necho two\nseq 3\n"
        fed = threading.Thread(target=feed, args=(f, tasks))
        fed.start()
        p = subprocess.run([opts.parfold, "run", f], capture_output=True, env=ENV, timeout=60)
        fed.join()
        check(p.returncode == 0 and p.stdout == b"one\ntwo\n1\n2\n3\n", f"run on a FIFO: {p.returncode} {p.stdout!r}")


def through_pipe(cmd, data):
    """cmd with /dev/fd/N appended, N a pipe fed `data` (bash's <(...))."""
    r, w = os.pipe()
    feeder = threading.Thread(target=lambda: (os.write(w, data), os.close(w)))
    feeder.start()
    p = subprocess.run(cmd + [f"/dev/fd/{r}"], capture_output=True, env=ENV, timeout=60, pass_fds=(r,))
    feeder.join()
    os.close(r)
    return p


# ---- files whose size stat() cannot tell ------------------------------------------------
def pseudo_files(opts, ranks):
    """/proc and /sys files (size 0 or a page whatever they hold), /dev/null and a pipe
    given by name: lines count as wc, grep as grep, top as a Counter of the same bytes."""
    ranks = int(ranks)
    files = [p for p in ("/proc/filesystems", "/proc/version", "/sys/devices/system/cpu/possible") if os.path.exists(p)]
    check(len(files) >= 2, f"this machine lacks /proc: {files}")
    check(os.stat(files[0]).st_size == 0, "/proc/filesystems claims a size")
    with tempfile.TemporaryDirectory() as d:
        plain = os.path.join(d, "plain.txt")
        with open(plain, "wb") as f:
            f.write(text(3, 1000))
        cases = [(["lines", "count"], ["wc"]), (["lines", "count", "-l"], ["wc", "-l"]),
                 (["lines", "grep", "-c", "e"], ["grep", "-c", "e"]), (["lines", "grep", "-n", "a"], ["grep", "-n", "a"])]
        for inputs in (files, files + ["/dev/null", plain], ["/dev/null"]):
            for args, reference in cases:
                want = subprocess.run(reference + inputs, capture_output=True, env=ENV)
                p = subprocess.run(command(opts, args + inputs, ranks), capture_output=True, env=ENV, timeout=60)
                check((p.returncode, p.stdout) == (want.returncode, want.stdout),
                      f"{args} {inputs} at {ranks} rank(s): exit {p.returncode} vs {want.returncode}\n"
                      f"{p.stdout!r}\nexpected\n{want.stdout!r}\n{p.stderr!r}")
        p = subprocess.run(command(opts, ["lines", "top", "-k", "5"] + files, ranks), capture_output=True, env=ENV, timeout=60)
        counts = collections.Counter()
        for path in files:
            with open(path, "rb") as f:
                counts.update(w for w in re.split(rb"[ \t\n\v\f\r]+", f.read()) if any(0x21 <= b <= 0x7e for b in w))
        want = b"".join(b"%d %s\n" % (n, w) for w, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:5])
        check(p.returncode == 0 and p.stdout == want, f"lines top {files}: {p.stdout!r} vs {want!r}")
        # A pipe given by name (bash's <(...)): read, as wc reads it.
        data = text(4, 5000)
        p, want = (through_pipe(command(opts, ["lines", "count"], 1), data),
                   through_pipe(["wc"], data))
        check(p.returncode == 0 and p.stdout == want.stdout, f"lines count /dev/fd/N: {p.stdout!r} vs {want.stdout!r}")
        # A checkpoint needs an input it can read again.
        ck = os.path.join(d, "ck")
        p = subprocess.run([opts.parfold, "--checkpoint", ck, "lines", "count", files[0]], capture_output=True,
                           env=ENV, timeout=60)
        check(p.returncode == 2 and b"cannot be read again on resume" in p.stderr and not os.path.exists(ck),
              f"--checkpoint on /proc: exit {p.returncode} {p.stderr!r}")


if __name__ == "__main__":
    sys.exit(suite_main(globals()))
