#!/usr/bin/env python3
"""End-to-end tests of the parfold binary.

  cli_test.py --parfold BIN --mpiexec MPIEXEC identical WORKLOAD RANKS
  cli_test.py --parfold BIN --mpiexec MPIEXEC bad_input | bad_input_mpi | help_and_version
                                            | config_file | text_output

`identical` runs one workload under RANKS ranks (without mpirun for 1) x 1-3 threads x
every schedule x several chunk sizes and checks that every --json result equals the
independent truth computed here (Python big integers and a Philox written from the
paper), and that the reported configuration is what was asked for.
"""
import argparse
import functools
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

SCHEDULES = ["static", "cyclic", "dynamic", "guided"]
MASK32 = 0xFFFFFFFF
FAILURES = []


def check(cond, what):
    if not cond:
        FAILURES.append(what)
        print("FAIL:", what, file=sys.stderr)


# ---- independent truths ------------------------------------------------------------
def philox4x32_10(ctr, key):
    c0, c1, c2, c3 = ctr
    k0, k1 = key
    for _ in range(10):
        p0 = 0xD2511F53 * c0
        p1 = 0xCD9E8D57 * c2
        c0, c1, c2, c3 = ((p1 >> 32) ^ c1 ^ k0, p1 & MASK32, (p0 >> 32) ^ c3 ^ k1, p0 & MASK32)
        k0 = (k0 + 0x9E3779B9) & MASK32
        k1 = (k1 + 0xBB67AE85) & MASK32
    return c0, c1, c2, c3


def pi_hits(samples, seed):
    hits = 0
    key = (seed & MASK32, seed >> 32)
    for c in range((samples + 1) // 2):
        w = philox4x32_10((c & MASK32, c >> 32, 0, 0), key)
        hits += w[0] ** 2 + w[1] ** 2 < 2**64
        if 2 * c + 1 < samples:
            hits += w[2] ** 2 + w[3] ** 2 < 2**64
    return hits


def power_sum(a, b, p):
    return sum(i**p for i in range(a, b + 1))


WORKLOADS = {
    # name: (arguments, expected result fields, chunk sizes to try)
    "pi": (["pi", "--samples", "30001", "--seed", "12345678901"],
           lambda: {"hits": pi_hits(30001, 12345678901), "samples": 30001}, [None, "1", "777"]),
    "sum": (["sum", "--from", "-1234", "--to", "5e3", "--power", "3"],
            lambda: {"value": str(power_sum(-1234, 5000, 3))}, [None, "1", "333"]),
    "tasks": (["tasks", "--count", "2000", "--ms", "0", "--cost", "random"],
              lambda: {"tasks": 2000, "index_sum": str(2000 * 1999 // 2)}, [None, "1", "64"]),
}


# ---- running the binary ------------------------------------------------------------
@functools.lru_cache(maxsize=None)
def launcher_flags(mpiexec):
    """What `mpiexec` needs to run more ranks than cores, unbound: Open MPI's flags, none for
    MPICH's Hydra (which oversubscribes and leaves ranks unbound by itself)."""
    p = subprocess.run([mpiexec, "--version"], capture_output=True, text=True)
    return ["--oversubscribe", "--bind-to", "none"] if re.search("Open MPI|OpenRTE", p.stdout + p.stderr) else []


def is_open_mpi(opts):
    return bool(launcher_flags(opts.mpiexec))


def export_env(opts, *names):
    """mpiexec options that pass the variables `names` of the caller's environment to every
    rank: Open MPI passes only what -x names; Hydra passes the whole environment."""
    return [a for n in names for a in ("-x", n)] if is_open_mpi(opts) else []


def set_env(opts, name, value):
    """The mpiexec option that sets `name` to `value` for the ranks of one MPMD part."""
    return ["-x", f"{name}={value}"] if is_open_mpi(opts) else ["-env", name, value]


def rank_pids(pid, name="parfold"):
    """The processes running `name` among the descendants of `pid` (mpirun's ranks are its
    children; Hydra's are its proxy's), in pid order."""
    parent = {}
    for task in os.listdir("/proc"):
        try:
            with open(f"/proc/{task}/stat") as f:
                parent[int(task)] = int(f.read().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            pass
    found, below = [], {pid}
    for p in sorted(parent):  # a child has a higher pid than its parent unless pids wrapped
        if parent[p] in below:
            below.add(p)
            try:
                if os.path.basename(os.readlink(f"/proc/{p}/exe")) == name:
                    found.append(p)
            except OSError:
                pass
    return found


def mpi(opts, ranks, cmd):
    """`cmd` under mpiexec with `ranks` ranks (more than cores allowed)."""
    return [opts.mpiexec, "-n", str(ranks)] + launcher_flags(opts.mpiexec) + cmd


def launch(opts, args, ranks):
    """parfold with `args`: alone for 1 rank, under mpiexec for more. Output as bytes."""
    cmd = [opts.parfold] + args
    return subprocess.run(mpi(opts, ranks, cmd) if ranks > 1 else cmd, capture_output=True, timeout=120)


def parallel_args(threads, schedule, chunk):
    return ["--threads", str(threads), "--schedule", schedule] + (["--chunk", chunk] if chunk else [])


def run(opts, args, ranks=None, check_rc=None):
    cmd = [opts.parfold] + args
    if ranks is not None:
        cmd = mpi(opts, ranks, cmd)
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    if check_rc is not None and p.returncode != check_rc:
        check(False, f"{' '.join(cmd)}: exit {p.returncode}, expected {check_rc}\n{p.stderr}")
    return p


def run_within(cmd, timeout, **kw):
    """subprocess.run with a hang guard that a suite sets below its ctest TIMEOUT: when it
    fires, the suite kills the command's process group, says what was running and what it
    had printed, and exits 1."""
    import signal
    with subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                          start_new_session=True, **kw) as p:
        try:
            out, err = p.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)
            out, err = p.communicate()
            print(f"TIMEOUT: still running after {timeout} s, killed: {' '.join(map(str, cmd))}\n"
                  f"--- its stdout (end):\n{out[-2000:]}\n--- its stderr (end):\n{err[-2000:]}", file=sys.stderr)
            sys.exit(1)
    return subprocess.CompletedProcess(cmd, p.returncode, out, err)


def identical(opts, workload, ranks):
    ranks = int(ranks)
    args, truth_fn, chunks = WORKLOADS[workload]
    truth = truth_fn()
    runs = 0
    for threads in (1, 2, 3):
        for schedule in SCHEDULES:
            for chunk in chunks:
                p = run(opts, ["--json"] + parallel_args(threads, schedule, chunk) + args, ranks if ranks > 1 else None, check_rc=0)
                if p.returncode != 0:
                    continue
                out = json.loads(p.stdout)
                what = f"{workload} ranks={ranks} threads={threads} {schedule} chunk={chunk}"
                for key, value in truth.items():
                    check(out["result"][key] == value,
                          f"{what}: {key} = {out['result'][key]!r}, expected {value!r}")
                cfg = out["config"]
                check(cfg["ranks"] == ranks and cfg["threads_per_rank"] == threads
                      and cfg["schedule"] == schedule and cfg["workers"] == ranks * threads,
                      f"{what}: config {cfg}")
                if chunk:
                    check(cfg["chunk"] == int(chunk), f"{what}: chunk {cfg['chunk']}")
                workers = out["workers"]
                check(len(workers) == ranks * threads, f"{what}: {len(workers)} workers")
                check(sum(w["items"] for w in workers) == cfg["items"], f"{what}: items")
                check(sum(w["chunks"] for w in workers) == cfg["chunks"], f"{what}: chunks")
                check(sorted((w["rank"], w["thread"]) for w in workers)
                      == [(r, t) for r in range(ranks) for t in range(threads)], f"{what}: ids")
                check(out["timing"]["wall_s"] > 0, f"{what}: wall_s")
                runs += 1
    print(f"{runs} runs of {workload} at {ranks} rank(s) gave the expected result")


BAD_INPUTS = [
    (["bogus"], "unknown workload 'bogus'"),
    (["--timeout", "0", "pi", "--samples", "10"], "--timeout: '0': must be positive"),
    (["--timeout", "soon", "pi", "--samples", "10"], "--timeout: 'soon': not a duration"),
    ([], "no workload given"),
    (["pi", "--samples", "10", "--bogus"], "--bogus"),
    (["pi"], "--samples is required"),
    (["pi", "--samples", "1.5"], "--samples: '1.5': not a whole number"),
    (["pi", "--samples", "-3"], "--samples: '-3': negative value"),
    (["pi", "--samples", "abc"], "--samples: 'abc': not a number"),
    (["pi", "--samples", ""], "--samples: '': empty value"),
    (["pi", "--samples", "1e20"], "--samples: '1e20': too large"),
    (["pi", "--samples", "0"], "--samples: '0': must be at least 1"),
    (["pi", "--samples", "10", "--seed", "-1"], "--seed: '-1': negative value"),
    (["--chunk", "0", "pi", "--samples", "10"], "--chunk: '0': must be at least 1"),
    (["--threads", "0", "pi", "--samples", "10"], "--threads: '0'"),
    (["--schedule", "fastest", "pi", "--samples", "10"], "--schedule: 'fastest'"),
    (["sum", "--from", "5", "--to", "2"], "--from: 5 is greater than --to 2"),
    (["sum", "--to", "5", "--power", "4"], "--power"),
    (["sum", "--to", "9223372036854775808"], "--to: '9223372036854775808': too large"),
    (["sum", "--from", "-9223372036854775808", "--to", "9223372036854775807"], "2^64 terms"),
    (["tasks", "--count", "5", "--cost", "weird"], "--cost"),
    (["tasks", "--count", "0"], "--count: '0': must be at least 1"),
    (["--config", "/nonexistent/x.toml", "pi", "--samples", "5"], "/nonexistent/x.toml"),
    (["lines", "grep"], "no PATTERN given"),
    (["lines", "grep", "-x", "-e"], "--regexp: 1 required PATTERNS missing"),
    (["lines", "grep", "--color=often", "a", "/etc/hostname"], "--color: 'often'"),
    (["lines", "grep", "-r", "a", "/etc/hostname"] + ["-y"], "-y"),
    (["lines"], "subcommand"),
    (["--chunk", "0", "lines", "count", "/etc/hostname"], "--chunk: '0'"),
]


def check_refused(opts, cases):
    """Each (args, needle): exit 2, nothing on stdout, one "parfold: error:" line holding needle."""
    for args, needle in cases:
        p = subprocess.run([opts.parfold] + args, capture_output=True, text=True, timeout=60)
        errors = [l for l in p.stderr.splitlines() if l.startswith("parfold: error:")]
        check(p.returncode == 2 and len(errors) == 1 and needle in p.stderr and p.stdout == "",
              f"{args}: exit {p.returncode}, {p.stderr!r}")


def bad_input(opts, ranks=None):
    for args, needle in BAD_INPUTS:
        p = run(opts, args, ranks, check_rc=2)
        what = f"{args} (ranks={ranks})"
        check(p.stdout == "", f"{what}: stdout not empty: {p.stdout!r}")
        errors = [l for l in p.stderr.splitlines() if l.startswith("parfold: error:")]
        check(len(errors) == 1, f"{what}: {len(errors)} error lines in {p.stderr!r}")
        check(needle in p.stderr, f"{what}: {needle!r} not in {p.stderr!r}")
    print(f"{len(BAD_INPUTS)} bad inputs rejected with exit 2 and one message")


def project_version():
    """The version CMakeLists.txt gives the project."""
    with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "CMakeLists.txt")) as f:
        return re.search(r"project\(parfold VERSION (\S+)", f.read()).group(1)


def help_and_version(opts):
    p = run(opts, ["--help"], check_rc=0)
    check(p.stdout.splitlines()[4] == "Usage: parfold [OPTIONS] SUBCOMMAND", f"--help usage line: {p.stdout!r}")
    # Each option and subcommand on a line of its own, as CLI11 lays them out.
    for option in ["--config", "-s,--schedule KIND:{static,cyclic,dynamic,guided}", "-c,--chunk N|auto", "-t,--threads N", "--json"]:
        check(re.search(r"^  " + re.escape(option) + r"( |$)", p.stdout, re.M), f"--help lacks an option line {option}")
    for sub in ["pi", "sum", "tasks", "lines", "run", "info"]:
        check(re.search(r"^  " + sub + r" {10,}\S", p.stdout, re.M), f"--help lacks the subcommand line {sub}")
    for sub, what in [("pi", "Monte Carlo estimate of pi with Philox4x32-10"), ("sum", "Exact sum of i^P for i from A to B"),
                      ("tasks", "Synthetic sleep- or CPU-bound tasks (pool experiments)")]:
        p = run(opts, [sub, "--help"], check_rc=0)
        check(p.stdout.splitlines()[:2] == [what, f"Usage: parfold {sub} [OPTIONS]"], f"{sub} --help: {p.stdout!r}")
    p = run(opts, ["--version"], check_rc=0)
    # The launcher's version is the library's (Open MPI ships both).
    launcher = re.search(r"\d+\.\d+\.\d+", subprocess.run([opts.mpiexec, "--version"], capture_output=True,
                                                            text=True).stdout)
    check(launcher and re.fullmatch(rf"parfold {re.escape(project_version())} \(Open MPI v{re.escape(launcher.group(0))}, "
                                    r"CLI11 \d+\.\d+\.\d+\)\n", p.stdout), f"--version: {p.stdout!r}")


def planted_libraries(opts):
    """parfold started in a directory that holds files named as the libraries it loads
    (libc.so.6, libmpi.so.40, ...: here, bytes that are no library) loads the system's: the
    directory it starts in is not on its run path. A run path with an empty entry (CMake
    pads the build tree's so) makes glibc's loader look there first, and the start fails
    with "error while loading shared libraries", status 127."""
    if shutil.which("readelf") is None:
        check(False, "planted_libraries needs readelf (binutils) to list the libraries parfold loads")
        return
    needed = subprocess.run(["readelf", "-d", opts.parfold], capture_output=True, text=True, check=True).stdout
    names = re.findall(r"\(NEEDED\)\s+Shared library: \[(.+?)\]", needed)
    check("libc.so.6" in names, f"readelf found no libc.so.6 among {names}")
    with tempfile.TemporaryDirectory() as d:
        for name in names:
            with open(os.path.join(d, name), "wb") as f:
                f.write(b"not a library\n")
        p = subprocess.run([os.path.abspath(opts.parfold), "--version"], cwd=d, capture_output=True, text=True)
        check(p.returncode == 0 and p.stdout.startswith("parfold "),
              f"--version started beside planted libraries: status {p.returncode}, {p.stderr.strip()!r}")


def launch_mismatch(opts):
    """srun with a missing MPI plugin: Slurm says the step has 4 tasks, MPI sees 1 rank.
    The job still runs (each task alone) and says so, and `info` reports it."""
    env = dict(os.environ, SLURM_STEP_ID="0", SLURM_STEP_NUM_TASKS="4", SLURM_PROCID="0")
    p = subprocess.run([opts.parfold, "--json", "pi", "--samples", "1000"], capture_output=True, text=True,
                       env=env, timeout=60)
    check(p.returncode == 0 and json.loads(p.stdout)["result"]["samples"] == 1000, f"mismatch run: {p.stderr!r}")
    check("srun started 4 tasks but MPI sees 1 rank" in p.stderr, f"no warning: {p.stderr!r}")
    p = subprocess.run([opts.parfold, "--json", "info"], capture_output=True, text=True, env=env, timeout=60)
    info = json.loads(p.stdout)
    check(info["launched_ranks"] == 4 and info["totals"]["ranks"] == 1, f"info: {info}")
    check(any("MPI sees 1 rank" in w for w in info["warnings"]), f"info warnings: {info['warnings']}")
    p = subprocess.run([opts.parfold, "pi", "--samples", "1000"], capture_output=True, text=True, timeout=60)
    check("warning" not in p.stderr, f"a warning without a launcher: {p.stderr!r}")


def config_file(opts):
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "job.toml")
        with open(path, "w") as f:
            f.write('schedule = "guided"\nthreads = 2\njson = true\n\n[sum]\nto = "1e4"\npower = 2\n')
        out = json.loads(run(opts, ["--config", path], check_rc=0).stdout)
        check(out["result"]["value"] == str(power_sum(0, 10**4, 2)), f"config: {out['result']}")
        check(out["config"]["schedule"] == "guided" and out["config"]["threads_per_rank"] == 2,
              f"config: {out['config']}")
        # The command line overrides the file.
        out = json.loads(run(opts, ["--config", path, "--threads", "1", "sum", "--to", "10"],
                             check_rc=0).stdout)
        check(out["result"]["value"] == str(power_sum(0, 10, 2)) and
              out["config"]["threads_per_rank"] == 1, f"config override: {out}")
        # A misspelled key is refused by name, at the top and in a workload's section.
        for text, key in (('threds = 2\n[sum]\nto = 10\n', "threds"), ('[sum]\ntoo = 10\n', "sum.too")):
            with open(path, "w") as f:
                f.write(text)
            p = run(opts, ["--config", path], check_rc=2)
            check(f"--config {path}: unknown option '{key}'" in p.stderr, f"config typo {key}: {p.stderr!r}")
    # The example configs shipped in jobs/ run and give their known results: sums and task
    # indices in closed form; pi (not closed form) self-consistent and within 5 standard errors.
    jobs = os.path.join(os.getcwd(), "jobs")
    a, b = 9223372036800000000, 9223372036854775807
    cubes = (b * (b + 1) // 2) ** 2 - ((a - 1) * a // 2) ** 2  # sum of i^3 for i <= n: (n(n+1)/2)^2
    known = {"sum-cubes.toml": lambda r: r == {"value": str(cubes), "from": a, "to": b, "power": 3},
             "tasks-imbalance.toml": lambda r: (r["tasks"], r["index_sum"], r["cost"], r["kind"]) == (200, "19900", "linear", "sleep"),
             "pi.toml": pi_is_sound}
    names = sorted(n for n in os.listdir(jobs) if n.endswith(".toml"))
    check(names == sorted(known), f"jobs/*.toml: {names}; this test knows the results of {sorted(known)}")
    for name in names:
        p = run(opts, ["--config", os.path.join(jobs, name), "--json"], check_rc=0)
        result = json.loads(p.stdout)["result"] if p.returncode == 0 else None
        check(result is not None and name in known and known[name](result), f"jobs/{name}: {result}")


def pi_is_sound(r, samples=200_000_000, seed=0):
    """pi's result for `samples` samples: its own fields agree, and the estimate lies within
    5 standard errors of pi (a fixed seed: the same numbers every run)."""
    import math
    p = r["hits"] / samples
    estimate, std_error = 4 * p, 4 * math.sqrt(p * (1 - p) / samples)
    return (r["samples"] == samples and r["seed"] == seed and abs(r["estimate"] - estimate) < 1e-12
            and abs(r["std_error"] - std_error) < 1e-12 and abs(r["abs_error"] - abs(estimate - math.pi)) < 1e-12
            and abs(estimate - math.pi) < 5 * std_error)


def pi_text(samples, seed):
    """The result block of `parfold pi` as the independent Philox gives it."""
    import math
    hits = pi_hits(samples, seed)
    estimate = 4 * hits / samples
    std_error = 4 * math.sqrt(hits / samples * (1 - hits / samples) / samples)
    return (f"estimate      {estimate:.12f}\nhits          {hits:,}\nsamples       {samples:,}\nseed          {seed}\n"
            f"std_error     {std_error:.12f}\nabs_error     {abs(estimate - math.pi):.12f}\n\n")


def text_output(opts):
    """The text report: the result block exactly, then the run's lines in order (the timed
    figures by their format)."""
    timing = [r"wall time     \d+\.\d{3} s", r"throughput    \d+(\.\d+)? [kMG]? ?samples/s",
              r"parallelism   \d+\.\d\d \(all workers' busy time / wall time\)",
              r"balance       busy \d+\.\d{3} s mean, \d+\.\d{3} s max \(max/mean \d+\.\d\d\), utilization \d+%",
              r"idle at end   \d+\.\d{3} s mean, \d+\.\d{3} s max",
              r"overhead      \d+\.\d{3} s \(wall time - busiest worker's busy time\)",
              r"memory        peak resident \d+\.\d MiB over (1 rank|2 ranks) \(\d+\.\d MiB per worker\)"]
    block = pi_text(100_000, 0)
    for ranks, workers, chunk in ((None, "1 rank x 2 threads = 2 workers (launcher: none)", "50,000, 2 chunks"),
                                  (2, "2 ranks x 2 threads = 4 workers (launcher: mpirun)", "25,000, 4 chunks")):
        p = run(opts, ["--threads", "2", "pi", "--samples", "1e5"], ranks=ranks, check_rc=0)
        head, _, rest = p.stdout.partition("\n\n")
        lines = rest.splitlines()
        check(head + "\n\n" == block and lines[:2] == [f"workers       {workers}", f"schedule      static, chunk {chunk}"]
              and len(lines) == 2 + len(timing) and all(re.fullmatch(t, l) for t, l in zip(timing, lines[2:])),
              f"pi text report at {ranks or 1} rank(s) (rank 0 alone prints):\n{p.stdout}\nexpected the block\n{block}")
    p = run(opts, ["--threads", "2", "tasks", "--count", "20", "--ms", "1"], check_rc=0)
    check(p.stdout.startswith("tasks         20\nindex_sum     190\nserial_s      0.020 s (the tasks' total cost)\n"
                              "cost          uniform, mean 1 ms\nkind          sleep\n\n")
          and re.search(r"^speedup       \d+\.\d\d$", p.stdout, re.M), f"tasks text report: {p.stdout}")


def rank_failure(opts, failure_main):
    """A worker throwing on one rank reaches every rank as the same JobError (message,
    rank, host): non-zero exit, a message naming the rank, and no hang (every rank
    count, every schedule, the failing rank 0 or not), with no MPI_Abort."""
    for ranks in (2, 3, 4):
        for schedule in SCHEDULES:
            for failing in sorted({0, ranks - 1}):
                cmd = mpi(opts, ranks, [failure_main, schedule, str(failing)])
                p = run_within(cmd, 60)  # a hang guard: ctest's TIMEOUT is 180 s
                what = f"ranks={ranks} {schedule} failing rank {failing}"
                check(p.returncode != 0, f"{what}: exit 0")
                check(f"parfold: error on rank {failing} " in p.stderr and "injected failure" in p.stderr,
                      f"{what}: message missing: {p.stderr[-500:]!r}")
                check("finished" not in p.stdout, f"{what}: reported a result")
                # Every rank caught the same JobError, naming the failing rank.
                caught = sorted(int(m) for m in re.findall(r"^rank (\d+) caught: rank " + str(failing) +
                                                           r" \([^)]*\): injected failure$", p.stdout, re.M))
                check(caught == list(range(ranks)), f"{what}: ranks that caught the JobError: {caught}")
    print("a failing rank ends every job with a message")


# ---- lines ---------------------------------------------------------------------------
def make_texts(d):
    """Files for the lines tests: random bytes and text with NUL, \r, bytes >= 0x80, long
    and empty lines, with and without a final newline; an empty file; only newlines; and
    real texts from Debian packages (the Jargon File, the fortunes)."""
    import gzip
    import random
    rng = random.Random(2024)
    alphabet = b"abc XYZ\t\r\v\f  ,.!\x01\x7f\x80\xc3\xa9\xff\x00"
    paths = []

    def write(name, data):
        path = os.path.join(d, name)
        with open(path, "wb") as f:
            f.write(data)
        paths.append(path)

    for i in range(4):
        lines = []
        for _ in range(rng.randrange(1, 400)):
            n = rng.choice([0, 1, 5, 80, 300, 5000])
            if rng.random() < 0.2:
                lines.append(bytes(rng.randrange(256) for _ in range(n)))
            else:
                lines.append(bytes(rng.choice(alphabet) for _ in range(n)))
        data = b"\n".join(lines) + (b"\n" if i % 2 == 0 else b"")
        write(f"random{i}.txt", data)
    write("empty.txt", b"")
    write("newlines.txt", b"\n" * 1000)
    write("crlf.txt", b"one two\r\nthree\r\n\r\nfour")
    # The real texts are part of the corpus: without them it would shrink silently.
    jargon = "/usr/share/doc/jargon-text/jargon.txt.gz"
    fortunes = [os.path.join("/usr/share/games/fortunes", n) for n in ("fortunes", "literature", "riddles")]
    missing = [f for f in [jargon] + fortunes if not os.path.isfile(f)]
    if missing:
        sys.exit(f"FAIL: the text corpus needs {', '.join(missing)}: install jargon-text and fortunes "
                 "(bash cmake/install-deps.sh)")
    with gzip.open(jargon) as f:
        write("jargon.txt", f.read())
    paths.extend(fortunes)
    return paths


def lines_count_vs_wc(opts, ranks):
    ranks = int(ranks)
    with tempfile.TemporaryDirectory() as d:
        paths = make_texts(d)
        wc = subprocess.run(["wc"] + paths, capture_output=True, env=dict(os.environ, LC_ALL="C"))
        expect = wc.stdout
        runs = 0
        configs = [(t, s, c) for t in (1, 3) for s in SCHEDULES for c in (None, "1", "4099", "64Ki")]
        for threads, schedule, chunk in configs:
            p = launch(opts, parallel_args(threads, schedule, chunk) + ["lines", "count"] + paths, ranks)
            what = f"lines count ranks={ranks} threads={threads} {schedule} chunk={chunk}"
            check(p.returncode == 0, f"{what}: exit {p.returncode} {p.stderr!r}")
            check(p.stdout == expect, f"{what}: differs from wc\n{p.stdout.decode(errors='replace')}\nwc:\n{expect.decode()}")
            runs += 1
        # --json carries the same numbers.
        out = json.loads(run(opts, ["--json", "lines", "count"] + paths, check_rc=0).stdout)
        total = [int(x) for x in expect.decode().splitlines()[-1].split()[:3]]
        check([out["result"]["total"][k] for k in ("lines", "words", "bytes")] == total, f"json: {out['result']['total']}")
        # Words only where they are counted (-w, or no column asked for): -l counts newlines alone.
        for flags, keys in ((["-l"], ["lines", "bytes"]), (["-w"], ["lines", "words", "bytes"]),
                            (["-c", "-L"], ["lines", "bytes", "max_line_length"])):
            got = json.loads(run(opts, ["--json", "lines", "count"] + flags + paths, check_rc=0).stdout)["result"]["total"]
            want = {"lines": total[0], "words": total[1], "bytes": total[2]}
            check(list(got) == keys and all(got[k] == want[k] for k in keys if k in want),
                  f"json of lines count {flags}: {got}, wc's {want}")
        # wc's options: its columns in its order, its widths (one column of one file: none).
        flag_sets = (["-l"], ["-w"], ["-c"], ["-m"], ["-L"], ["-c", "-l"], ["-L", "-w", "-m"],
                     ["--lines", "--max-line-length"], ["-lwcmL"])
        for flags in flag_sets:
            for files in (paths[:1], paths):
                want = subprocess.run(["wc"] + flags + files, capture_output=True, env=dict(os.environ, LC_ALL="C"))
                for threads, schedule, chunk in ((1, "static", None), (3, "dynamic", "1")):
                    p = launch(opts, parallel_args(threads, schedule, chunk) + ["lines", "count"] + flags + files, ranks)
                    check(p.returncode == 0 and p.stdout == want.stdout,
                          f"lines count {flags} ({len(files)} files, {schedule} {chunk}) at {ranks} rank(s):\n"
                          f"{p.stdout.decode(errors='replace')}wc:\n{want.stdout.decode(errors='replace')}")
                    runs += 1
        # File names as wc prints them: raw, or shell-quoted when they hold a newline.
        names = [b"plain", b"sp ace", b"tab\there", b"it's\nz", b"\nx", b"x\n", b"a\x01\r\nb", b"q\x07\x7f\n\x0bz",
                 b"\xc3\xa9\n", b"\\back\n", b"x\n\ny"]
        named = []
        for n in names:
            path = os.path.join(d.encode(), b"n-" + n)
            with open(path, "wb") as f:
                f.write(b"one two\n")
            named.append(path)
        want = subprocess.run([b"wc", b"-l", b"--"] + named, capture_output=True, env=dict(os.environ, LC_ALL="C"))
        p = launch(opts, ["lines", "count", "-l", "--"] + [n.decode("utf-8", "surrogateescape") for n in named], ranks)
        check(p.stdout == want.stdout, f"file names as wc prints them:\n{p.stdout!r}\n{want.stdout!r}")
        print(f"{runs} runs of lines count at {ranks} rank(s) matched wc byte for byte")


GREP_CASES = [
    # (parfold/grep flags, pattern); grep runs as LC_ALL=C grep -a -E (or -F) with the same flags.
    (["-c"], "the"), (["-c", "-i"], "THE"), (["-c", "-v"], "e"), (["-c"], "^$"), (["-c"], "$"),
    (["-c"], "ka(to|ri)+en"), (["-c"], "[[:digit:]]{2,}"), (["-c"], "\\bthe\\b"), (["-c"], "x*"),
    (["-c", "-F"], "a.b"), (["-c", "-F", "-i"], "UNIX"), (["-c", "-H"], "a"), (["-c", "-h"], "a"),
    (["-c"], "\r$"), (["-c"], b"\xc3\xa9|\x01\x7f"), (["-c"], "zzzz-no-such-line"),
    # Printing the lines, in file order, with line numbers absolute within each file.
    ([], "the"), (["-n"], "hack"), (["-v", "-n"], "e"), (["-n", "-H"], "^$"), (["-h", "-i"], "UNIX"),
    (["-n"], "\r$"), ([], "zzzz-no-such-line"),
]


def lines_grep_vs_grep(opts, ranks):
    ranks = int(ranks)
    with tempfile.TemporaryDirectory() as d:
        paths = make_texts(d)
        env = dict(os.environ, LC_ALL="C")
        configs = [(1, "static", None), (3, "dynamic", "1"), (2, "cyclic", "4099"), (3, "guided", "64Ki")]
        runs = 0
        for case, (flags, pattern) in enumerate(GREP_CASES):
            mode = "-F" if "-F" in flags else "-E"
            g = subprocess.run(["grep", "-a", mode] + [f for f in flags if f != "-F"] + ["--", pattern] + paths,
                               capture_output=True, env=env)
            # Two of the four decompositions per case, in turn: every one meets every kind of case.
            for threads, schedule, chunk in (configs[case % 4], configs[(case + 1) % 4]):
                p = launch(opts, parallel_args(threads, schedule, chunk) + ["lines", "grep", "-a"] + flags +
                           ["--", pattern] + paths, ranks)
                what = f"lines grep {flags} {pattern!r} ranks={ranks} threads={threads} {schedule} chunk={chunk}"
                check(p.returncode == g.returncode, f"{what}: exit {p.returncode}, grep {g.returncode}: {p.stderr!r}")
                check(p.stdout == g.stdout, f"{what}: differs from grep\n{p.stdout!r}\ngrep:\n{g.stdout!r}")
                runs += 1
            if "-c" not in flags:  # --output FILE: the same bytes in FILE; stdout holds only the JSON
                threads, schedule, chunk = configs[runs // len(configs) % len(configs)]
                out = os.path.join(d, "out", "selected.txt")
                os.makedirs(os.path.dirname(out), exist_ok=True)
                p = launch(opts, parallel_args(threads, schedule, chunk) + ["--json", "lines", "grep", "-a"] + flags +
                           ["--output", out, "--", pattern] + paths, ranks)
                what = f"lines grep --output {flags} {pattern!r} ranks={ranks} threads={threads} {schedule}"
                check(p.returncode == g.returncode, f"{what}: exit {p.returncode}, grep {g.returncode}: {p.stderr!r}")
                with open(out, "rb") as f:
                    check(f.read() == g.stdout, f"{what}: the file differs from grep's output")
                report = json.loads(p.stdout)["result"]
                check(report["selected"] == g.stdout.count(b"\n") and report["output"] == out, f"{what}: {report}")
                check(os.listdir(os.path.dirname(out)) == ["selected.txt"], f"{what}: left {os.listdir(os.path.dirname(out))}")
                os.remove(out)
                runs += 1
        # An invalid pattern: exit 2 and grep's message.
        p = subprocess.run([opts.parfold, "lines", "grep", "-c", "a(", paths[0]], capture_output=True, text=True)
        check(p.returncode == 2 and "parfold: error: Unmatched ( or \\(" in p.stderr, f"invalid pattern: {p.stderr!r}")
        # --output: refused where it cannot work, before any work.
        for args, message in [(["-c", "--output", os.path.join(d, "o")], "--count excludes --output"),
                              (["--output", paths[0]], f"--output {paths[0]} is also an input file"),
                              (["--output", os.path.join(d, "no", "o")], "does not exist"),
                              (["--output", d], "is a directory")]:
            p = run(opts, ["lines", "grep"] + args + ["a", paths[0]], ranks if ranks > 1 else None)
            check(p.returncode == 2 and p.stderr.count("parfold: error:") == 1 and message in p.stderr,
                  f"lines grep {args}: exit {p.returncode}: {p.stderr!r}")
        print(f"{runs} runs of lines grep (-c, printing, --output) at {ranks} rank(s) matched grep byte for byte")


LONGEST_WORD = 256 * 1024  # lines top counts a longer word as its first bytes (docs/lines.md)


def reference_top(paths, k, fold, alnum):
    """The k most frequent words, computed independently with Python's Counter (a word
    longer than LONGEST_WORD as its first LONGEST_WORD bytes)."""
    import collections
    import re
    counts = collections.Counter()
    for path in paths:
        with open(path, "rb") as f:
            data = f.read()
        if alnum:
            words = re.findall(rb"[A-Za-z0-9]+", data)
        else:
            words = [w for w in re.split(rb"[ \t\n\v\f\r]+", data) if any(0x21 <= b <= 0x7e for b in w)]
        counts.update((w.lower() if fold else w)[:LONGEST_WORD] for w in words)  # bytes.lower folds ASCII only
    top = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:k]
    return b"".join(b"%d %s\n" % (n, w) for w, n in top)


def lines_top_vs_counter(opts, ranks):
    ranks = int(ranks)
    with tempfile.TemporaryDirectory() as d:
        paths = make_texts(d)
        runs = 0
        for k, flags in ((10, []), (25, ["-i"]), (7, ["--alnum"]), (40, ["-i", "--alnum"]), (1, [])):
            expect = reference_top(paths, k, "-i" in flags, "--alnum" in flags)
            for threads, schedule, chunk in ((1, "static", None), (3, "dynamic", "1"), (2, "guided", "4099")):
                p = launch(opts, parallel_args(threads, schedule, chunk) + ["lines", "top", "-k", str(k)] +
                           flags + paths, ranks)
                what = f"lines top -k {k} {flags} ranks={ranks} threads={threads} {schedule} chunk={chunk}"
                check(p.returncode == 0, f"{what}: exit {p.returncode} {p.stderr!r}")
                check(p.stdout == expect, f"{what}: differs\n{p.stdout!r}\nexpected\n{expect!r}")
                runs += 1
        p = subprocess.run([opts.parfold, "lines", "top", "-k", "0", paths[0]], capture_output=True, text=True)
        check(p.returncode == 2 and "-k/--top: '0': must be at least 1" in p.stderr, f"-k 0: {p.stderr!r}")
        # Words holding NUL bytes are words: the report goes on past them.
        nul = os.path.join(d, "nul.txt")
        with open(nul, "wb") as f:
            f.write(b"a\0b c a\0b\n\0 z z z\n")
        p = launch(opts, ["lines", "top", nul], ranks)
        check(p.stdout == reference_top([nul], 10, False, False) == b"3 z\n2 a\0b\n1 c\n", f"NUL words: {p.stdout!r}")
        print(f"{runs} runs of lines top at {ranks} rank(s) matched the reference")


def lines_inconsistent_input(opts):
    """Ranks that do not see the same input: the same relative path read from a different
    working directory per rank. A file missing on some ranks or of another size ends the
    job with exit 1 and one message naming the problem; missing everywhere is exit 2."""
    import shlex
    with tempfile.TemporaryDirectory() as d:
        for r in range(3):
            os.makedirs(os.path.join(d, f"r{r}"))
            with open(os.path.join(d, f"r{r}", "same.txt"), "w") as f:
                f.write("one two\nthree\n")
            with open(os.path.join(d, f"r{r}", "sized.txt"), "w") as f:
                f.write("x\n" * (10 + (r == 2)))
            if r != 1:
                with open(os.path.join(d, f"r{r}", "partial.txt"), "w") as f:
                    f.write("x\n")

        def per_rank(args):
            inner = "cd " + shlex.quote(d) + "/r$OMPI_COMM_WORLD_RANK && exec " + " ".join(
                shlex.quote(a) for a in [os.path.abspath(opts.parfold)] + args)
            cmd = mpi(opts, 3, ["sh", "-c", inner])
            return subprocess.run(cmd, capture_output=True, text=True, timeout=60)

        for sub in (["count"], ["grep", "-c", "[ox]"], ["top"]):
            p = per_rank(["lines"] + sub + ["same.txt"])
            check(p.returncode == 0, f"{sub} same.txt: exit {p.returncode} {p.stderr!r}")
            p = per_rank(["lines"] + sub + ["sized.txt"])
            check(p.returncode == 1 and p.stdout == "" and
                  p.stderr.count("parfold: error: sized.txt changed while it was read (rank 0 opened it at ") == 1,
                  f"{sub} sized.txt: exit {p.returncode} {p.stdout!r} {p.stderr!r}")
            p = per_rank(["lines"] + sub + ["partial.txt"])
            check(p.returncode == 1 and p.stdout == "" and
                  p.stderr.count("not every rank sees the same input: rank 1 (of 3): partial.txt: No such file") == 1,
                  f"{sub} partial.txt: exit {p.returncode} {p.stderr!r}")
            p = per_rank(["lines"] + sub + ["nowhere.txt"])
            # count goes on as wc does (exit 1), grep and top as grep does (exit 2).
            said = "parfold: nowhere.txt:"
            check(p.returncode == (1 if sub == ["count"] else 2) and p.stderr.count(said + " No such file or directory") == 1,
                  f"{sub} nowhere.txt: exit {p.returncode} {p.stderr!r}")
    print("inconsistent input across ranks is refused with one message")


def unreadable_files(opts, ranks):
    """A missing file or a directory among the files: lines count and lines grep go on
    as wc and grep do: the same stdout, the same exit status, the same messages."""
    ranks = int(ranks)
    with tempfile.TemporaryDirectory() as d:
        paths = make_texts(d)[:3]
        missing, folder = os.path.join(d, "missing.txt"), os.path.join(d, "folder")
        os.mkdir(folder)
        env = dict(os.environ, LC_ALL="C")
        cases = [(["count"], ["wc"]), (["count", "-l"], ["wc", "-l"]), (["count", "-L", "-c"], ["wc", "-c", "-L"]),
                 (["grep", "-a", "-c", "a"], ["grep", "-a", "-E", "-c", "a"]), (["grep", "-a", "-n", "b"], ["grep", "-a", "-E", "-n", "b"]),
                 (["grep", "-a", "zzz-none"], ["grep", "-a", "-E", "zzz-none"])]
        for ours, theirs in cases:
            for files in ([missing] + paths, paths[:1] + [folder] + paths[1:], [missing], [folder], [missing, folder]):
                want = subprocess.run(theirs + files, capture_output=True, env=env)
                p = launch(opts, ["--threads", "2", "lines"] + ours + files, ranks)
                said = want.stderr.decode(errors="replace").replace(theirs[0] + ": ", "parfold: ")
                check(p.returncode == want.returncode and p.stdout == want.stdout
                      and sorted(l for l in p.stderr.decode(errors="replace").splitlines() if l.startswith("parfold"))
                      == sorted(said.splitlines()),
                      f"lines {ours} {[os.path.basename(f) for f in files]} at {ranks} rank(s): exit {p.returncode} "
                      f"vs {want.returncode}\n{p.stdout!r}\n{want.stdout!r}\n{p.stderr!r}")
        # lines top goes on as grep does: the words of the files it could read, grep's
        # message for each other path, status 2.
        for files in ([missing] + paths, paths[:1] + [folder] + paths[1:], [missing, folder]):
            p = launch(opts, ["--threads", "2", "lines", "top", "-k", "12"] + files, ranks)
            readable = [f for f in files if os.path.isfile(f)]
            said = [l for l in p.stderr.decode(errors="replace").splitlines() if l.startswith("parfold")]
            want = ([f"parfold: {missing}: No such file or directory"] if missing in files else []) + \
                   ([f"parfold: {folder}: Is a directory"] if folder in files else [])
            check(p.returncode == 2 and p.stdout == reference_top(readable, 12, False, False) and said == want,
                  f"lines top {[os.path.basename(f) for f in files]} at {ranks} rank(s): exit {p.returncode}\n"
                  f"{p.stdout!r}\n{p.stderr!r}")
    print(f"missing files and directories among the files: as wc and grep at {ranks} rank(s), top as grep")


def as_nobody():
    """The prefix that runs a command as an unprivileged user when we are root (a file of
    mode 000 is unreadable only to such a user), else none."""
    return ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"] if os.geteuid() == 0 else []


def wc_widths(opts, ranks):
    """lines count's column width is wc's (coreutils' compute_number_width) for every mix of
    inputs: the digits of the total size of the regular files that stat(2) knows (a missing
    file left out, an unreadable one counted), at least 7 with a directory or a pipe, 1 for
    one column of one input; standard input as fstat(2) sees it, each time "-" is given."""
    ranks = int(ranks)
    env = dict(os.environ, LC_ALL="C")
    with tempfile.TemporaryDirectory() as d:
        os.chmod(d, 0o755)  # the unprivileged user must reach its files
        for name, size in (("big.txt", 123456), ("six.txt", 600000), ("empty.txt", 0)):
            with open(os.path.join(d, name), "wb") as f:
                f.truncate(size)  # sparse: NUL bytes, no line, no word
        with open(os.path.join(d, "ok.txt"), "w") as f:
            f.write("hello world\n")
        with open(os.path.join(d, "secret.txt"), "wb") as f:
            f.truncate(99999999)
        os.chmod(os.path.join(d, "secret.txt"), 0)
        os.mkdir(os.path.join(d, "folder"))
        mixes = [["ok.txt"], ["ok.txt", "ok.txt"], ["big.txt", "missing.txt"], ["missing.txt", "big.txt"],
                 ["ok.txt", "folder"], ["folder"], ["missing.txt"], ["missing.txt", "folder"], ["empty.txt"],
                 ["empty.txt", "empty.txt"], ["ok.txt", "missing.txt"], ["folder", "big.txt", "ok.txt"],
                 ["ok.txt", "secret.txt"], ["secret.txt"], ["secret.txt", "folder", "ok.txt"]]
        stdin_mixes = [([], "six.txt"), (["-"], "six.txt"), (["-", "-"], "six.txt"), (["ok.txt", "-", "-"], "six.txt"),
                       (["-", "missing.txt"], "six.txt"), ([], None), (["-"], None), (["-", "-"], None),
                       (["ok.txt", "-"], None)]
        runs = 0
        for flags in ([], ["-l"])[:2 if ranks == 1 else 1]:
            # Under mpiexec, standard input reaches rank 0 through a pipe (Open MPI forwards
            # it), whatever mpiexec's is: a pipe there, and files.
            cases = [(m, None) for m in mixes] + stdin_mixes if ranks == 1 else [(["-", "ok.txt"], None),
                                                                              (["ok.txt", "secret.txt"], None)]
            for files, source in cases:
                def both(cmd):
                    if source is None:
                        return subprocess.run(as_nobody() + cmd, input=b"one two\nthree\n", capture_output=True,
                                              env=env, cwd=d, timeout=120)
                    with open(os.path.join(d, source), "rb") as f:
                        return subprocess.run(as_nobody() + cmd, stdin=f, capture_output=True, env=env, cwd=d,
                                              timeout=120)
                want = both(["wc"] + flags + files)
                cmd = [os.path.abspath(opts.parfold), "lines", "count"] + flags + files
                p = both(mpi(opts, ranks, cmd) if ranks > 1 else cmd)
                said = want.stderr.decode().replace("wc: ", "parfold: ").splitlines()
                ours = [l for l in p.stderr.decode(errors="replace").splitlines() if l.startswith("parfold")]
                check(p.returncode == want.returncode and p.stdout == want.stdout and sorted(ours) == sorted(said),
                      f"lines count {flags} {files} < {source or 'a pipe'} at {ranks} rank(s): exit {p.returncode} vs "
                      f"{want.returncode}\n{p.stdout!r}\n{want.stdout!r}\n{p.stderr!r}")
                runs += 1
    print(f"{runs} mixes of files, directories, missing, unreadable and standard input: wc's widths at {ranks} rank(s)")


def operands_after_dashdash(opts):
    """After "--" every argument is an operand (POSIX utility syntax guideline 10), also
    when operands came before it: lines grep, count and top as grep and wc read them."""
    env = dict(os.environ, LC_ALL="C")
    with tempfile.TemporaryDirectory() as d:
        for name, text in (("-weird", "hello\n"), ("-other", "x\nhello x\n"), ("ok.txt", "hello ok\na--b\n"),
                           ("--", "hello dashes\n")):
            with open(os.path.join(d, name), "w") as f:
                f.write(text)
        cases = [(["grep", "hello", "--", "-weird"], ["grep", "-E", "hello", "--", "-weird"]),
                 (["grep", "hello", "ok.txt", "--", "-weird", "-other"], ["grep", "-E", "hello", "ok.txt", "--", "-weird", "-other"]),
                 (["grep", "-e", "x", "--", "-weird", "-other"], ["grep", "-E", "-e", "x", "--", "-weird", "-other"]),
                 (["grep", "-c", "--", "hello", "-weird", "-n"], ["grep", "-E", "-c", "--", "hello", "-weird", "-n"]),
                 (["grep", "-n", "hello", "--", "--", "-other"], ["grep", "-E", "-n", "hello", "--", "--", "-other"]),
                 (["grep", "-e", "--", "ok.txt", "--"], ["grep", "-E", "-e", "--", "ok.txt", "--"]),
                 (["count", "--", "-weird"], ["wc", "--", "-weird"]),
                 (["count", "-l", "ok.txt", "--", "-weird", "-other"], ["wc", "-l", "ok.txt", "--", "-weird", "-other"]),
                 (["count", "ok.txt", "--", "-l"], ["wc", "ok.txt", "--", "-l"]),
                 # exec's output is the command's on each file in order: cat's on them all
                 (["exec", "cat", "ok.txt", "--", "-weird", "--"], ["cat", "ok.txt", "--", "-weird", "--"]),
                 (["exec", "--", "cat", "-other"], ["cat", "--", "-other"])]
        for ours, theirs in cases:
            want = subprocess.run(theirs, capture_output=True, env=env, cwd=d)
            p = subprocess.run([os.path.abspath(opts.parfold), "lines"] + ours, capture_output=True, cwd=d, timeout=60,
                               stdin=subprocess.DEVNULL)
            said = want.stderr.decode().replace(theirs[0] + ": ", "parfold: ")
            check(p.returncode == want.returncode and p.stdout == want.stdout and p.stderr.decode() == said,
                  f"lines {ours}: exit {p.returncode} vs {want.returncode}\n{p.stdout!r}\n{want.stdout!r}\n{p.stderr!r}")
        for files in (["--", "-weird"], ["ok.txt", "--", "-weird", "-other"]):
            p = subprocess.run([os.path.abspath(opts.parfold), "lines", "top"] + files, capture_output=True, cwd=d,
                               timeout=60)
            operands = [os.path.join(d, f) for f in files[files.index("--") + 1:]]
            want = reference_top([os.path.join(d, f) for f in files[:files.index("--")]] + operands, 10, False, False)
            check(p.returncode == 0 and p.stdout == want, f"lines top {files}: exit {p.returncode}\n{p.stdout!r}\n{want!r}")
        usage = subprocess.run([opts.parfold, "lines", "grep", "--help"], capture_output=True, text=True).stdout
        check("Usage: parfold lines grep [OPTIONS] [ARGS...]\n" in usage, f"lines grep --help: {usage[:200]!r}")
    print("operands after --: as grep and wc")


def suite_main(suites):
    """The command line of every test script here: --parfold BIN --mpiexec MPIEXEC SUITE
    [ARGS...] runs suites[SUITE](opts, *ARGS); exit status 1 if any check failed."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--parfold", required=True)
    ap.add_argument("--mpiexec", default="mpiexec")
    ap.add_argument("suite", choices=sorted(k for k, v in suites.items() if callable(v) and not k.startswith("_")))
    ap.add_argument("args", nargs="*")
    opts = ap.parse_args()
    suites[opts.suite](opts, *opts.args)
    if FAILURES:
        print(f"{len(FAILURES)} check(s) failed", file=sys.stderr)
        return 1
    return 0


def bad_input_mpi(opts):
    bad_input(opts, ranks=3)


if __name__ == "__main__":
    sys.exit(suite_main(globals()))
