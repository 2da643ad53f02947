#!/usr/bin/env python3
"""parfold under each MPI launcher (issue 25, section 1): Open MPI's mpirun and MPICH's
Hydra (mpiexec.hydra), always started by the launcher, even at one rank.

  stdin_start RANKS standard input given from the start (a pipe, and `< FILE`): lines
                  count -l, grep -c and `run -` (its task list on stdin) print exactly what
                  wc -l, grep -c and /bin/sh print for the same bytes, status 0; lines exec
                  with `-` is refused by name, status 2. 48 894 bytes: Hydra writes rank 0's
                  pipe before the program runs, and a pipe holds 64 KiB (docs/lines.md).

  stdin_flood RANKS  `lines grep go` sees its first line `go 0` come out (the program is
                  running), then 100 MB are written as fast as the pipe takes them: the
                  output is GNU grep's for the same bytes, status 0, and rank 0's peak
                  resident set (VmHWM, as memory_test's MEASURE takes it) stays within 48 MiB of
                  the same job's on 2 lines, no temporary file left in TMPDIR (rank 0
                  spills past 16 MiB). Under Hydra this holds only while rank 0's draining
                  thread is scheduled before Hydra fills the 1 MiB pipe (Hydra never waits
                  and ends the job: "process reading stdin too slowly", status 255 or 141);
                  without the drain, rank 0 reads at the workers' pace and Hydra ends it.

  scrub RANKS     `parfold run` tasks `env` and `parfold info --json`: the nested parfold
                  says it was not launched (launcher none, one rank), and the task's
                  environment holds none of the variables the launcher added (what
                  `MPIEXEC -n 1 env` shows beyond ours, but the harmless KEPT) while the
                  user's own MPIR_CVAR_ASYNC_PROGRESS=0 and OMPI_MCA_btl=self,vader stay.

  info RANKS      `info --json` and `info`: the MPI library's name and version are what
                  `MPIEXEC --version` names (Open MPI x.y.z; MPICH: Hydra's Version), the
                  thread level asked is MPI_THREAD_FUNNELED and the one provided at least
                  that (both null at one rank: MPI is not initialized), status 0.

  launchers_test.py --parfold BIN --mpiexec MPIEXEC SUITE RANKS
"""
import json
import os
import re
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cli_test import FAILURES, check, suite_main  # noqa: E402,F401
from promises_test import read_until  # noqa: E402

ENV = dict(os.environ, LC_ALL="C")
# memory_test's MEASURE, its child keeping the launcher's descriptors (Hydra's PMI_FD).
MEASURE = r"""
import os, resource, subprocess, sys
rc = subprocess.call(sys.argv[2:], close_fds=False)
rank = next((os.environ[v] for v in ("OMPI_COMM_WORLD_RANK", "PMIX_RANK", "PMI_RANK")
             if v in os.environ), "0")
with open(sys.argv[1] + "." + rank, "w") as f:
    f.write(str(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss))
sys.exit(rc)
"""
LEVELS = ["MPI_THREAD_FUNNELED", "MPI_THREAD_SERIALIZED", "MPI_THREAD_MULTIPLE"]
# What launchers add that names no rank: Hydra's Fortran setting, Open MPI's PSM hints and
# the oversubscription and binding asked for on its command line, the library paths it may
# prepend, the shell's `_`.
KEPT = {"PATH", "LD_LIBRARY_PATH", "GFORTRAN_UNBUFFERED_PRECONNECTED", "HFI_NO_BACKTRACE", "IPATH_NO_BACKTRACE",
        "OMPI_MCA_mpi_oversubscribe", "OMPI_MCA_rmaps_base_oversubscribe",
        "OMPI_MCA_hwloc_base_binding_policy", "_"}
USER_TUNING = {"MPIR_CVAR_ASYNC_PROGRESS": "0", "OMPI_MCA_btl": "self,vader"}


def version_text(opts):
    return subprocess.run([opts.mpiexec, "--version"], capture_output=True, text=True, env=ENV,
                          timeout=60).stdout


def launched(opts, ranks, cmd):
    """`cmd` under the launcher with `ranks` ranks; Open MPI's mpirun may oversubscribe."""
    text = version_text(opts)  # "mpirun (Open MPI) 4.1.4", "mpiexec (OpenRTE) 4.1.4"
    extra = ["--oversubscribe", "--bind-to", "none"] if "(Open MPI)" in text or "(OpenRTE)" in text else []
    return [opts.mpiexec, "-n", str(ranks)] + extra + cmd


def expect(what, p, out, rc=0):
    check(p.returncode == rc and p.stdout == out,
          f"{what}: status {p.returncode} (want {rc}), stdout {p.stdout[:300]!r} (want {out[:300]!r}), "
          f"stderr {p.stderr[-600:]!r}")


def stdin_start(opts, ranks):
    ranks = int(ranks)
    data = b"".join(b"%d\n" % i for i in range(1, 10001))
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "in.txt")
        with open(path, "wb") as f:
            f.write(data)
        cases = [(["lines", "count", "-l"], ["wc", "-l"]),
                 (["lines", "count", "-l", "-"], ["wc", "-l", "-"]),
                 (["lines", "grep", "-c", "1"], ["grep", "-c", "1"])]
        for args, truth in cases:
            want = subprocess.run(truth, input=data, capture_output=True, env=ENV).stdout
            for how in ("pipe", "< FILE"):
                cmd = launched(opts, ranks, [opts.parfold] + args)
                if how == "pipe":
                    p = subprocess.run(cmd, input=data, capture_output=True, env=ENV, timeout=120)
                else:
                    with open(path, "rb") as f:
                        p = subprocess.run(cmd, stdin=f, capture_output=True, env=ENV, timeout=120)
                expect(f"{' '.join(args)} ({how}) at {ranks} rank(s)", p, want)
        tasks = b"".join(b"echo task %d; printf '%%s\\n' %d | wc -c\n" % (i, i * 7919) for i in range(100))
        want = subprocess.run(["/bin/sh"], input=tasks, capture_output=True, env=ENV).stdout
        p = subprocess.run(launched(opts, ranks, [opts.parfold, "run", "-"]), input=tasks,
                           capture_output=True, env=ENV, timeout=120)
        expect(f"run - at {ranks} rank(s)", p, want)
        p = subprocess.run(launched(opts, ranks, [opts.parfold, "lines", "exec", "cat", "-"]), input=data,
                           capture_output=True, env=ENV, timeout=120)
        check(p.returncode == 2 and p.stdout == b"" and
              p.stderr.count(b"lines exec: standard input is not supported") == 1,
              f"lines exec cat - at {ranks} rank(s): status {p.returncode}, stderr {p.stderr[-600:]!r}")


def peak_kib(prefix):
    with open(prefix + ".0") as f:
        return int(f.read())


def flood_bytes():
    """100 MB of lines, one `go N` in 100 000."""
    return b"".join(b"go %d\n" % i if i % 100_000 == 0 else b"line %d noise noise noise noise noise\n" % i
                    for i in range(2_500_000))


def grep_measured(opts, ranks, d, name, first, rest):
    """`lines grep go` under the launcher, rank 0 measured: writes `first`, waits until
    its `go 0` comes out, then `rest`. Returns (status, stdout, stderr, peak KiB)."""
    prefix = os.path.join(d, name)
    cmd = launched(opts, ranks, [sys.executable, "-c", MEASURE, prefix, opts.parfold, "lines", "grep", "go"])
    p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         env=dict(ENV, TMPDIR=d))
    out = bytearray()
    try:
        p.stdin.write(first)
        p.stdin.flush()
        if not read_until(p, out, b"go 0\n"):
            check(False, f"{name} at {ranks} rank(s): `go 0` did not come out: {bytes(out)!r}")
        rest_out, err = p.communicate(input=rest, timeout=300)
    except BrokenPipeError:
        rest_out, err = p.communicate(timeout=60)
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
    return p.returncode, bytes(out) + rest_out, err, peak_kib(prefix) if os.path.exists(prefix + ".0") else -1


def stdin_flood(opts, ranks):
    ranks = int(ranks)
    first = b"go 0\nline 0\n"
    rest = flood_bytes()
    want = subprocess.run(["grep", "go"], input=first + rest, capture_output=True, env=ENV).stdout
    with tempfile.TemporaryDirectory() as d:
        start = time.monotonic()
        rc, out, err, peak = grep_measured(opts, ranks, d, "flood", first, rest)
        what = f"lines grep go, 100 MB of stdin written at once, at {ranks} rank(s)"
        check(rc == 0 and out == want,
              f"{what}: status {rc}, {len(out)} bytes out ({len(want)} wanted), stderr {err[-800:]!r}")
        _, _, _, small = grep_measured(opts, ranks, d, "small", first, b"")
        check(0 < peak <= small + 48 * 1024,
              f"{what}: rank 0's peak {peak} KiB, the job on 2 lines {small} KiB: more than 48 MiB apart")
        left = [n for n in os.listdir(d) if n.startswith("parfold-")]
        check(not left, f"{what}: temporary files left in TMPDIR: {left}")
        print(f"{what}: {time.monotonic() - start:.1f} s, rank 0 peak {peak} KiB (2 lines: {small} KiB)")


def run_tasks(opts, ranks, d, task, extra_env):
    path = os.path.join(d, "tasks")
    with open(path, "w") as f:
        f.write(task + "\n")
    return subprocess.run(launched(opts, ranks, [opts.parfold, "run", path]), capture_output=True,
                          env=dict(ENV, **extra_env), timeout=120)


def scrub(opts, ranks):
    ranks = int(ranks)
    base = subprocess.run(launched(opts, 1, ["env"]), capture_output=True, text=True, env=ENV, timeout=60)
    added = {line.split("=", 1)[0] for line in base.stdout.splitlines() if "=" in line} - set(ENV) - KEPT
    check(base.returncode == 0 and added, f"{opts.mpiexec} -n 1 env: status {base.returncode}, adds {added}")
    with tempfile.TemporaryDirectory() as d:
        p = run_tasks(opts, ranks, d, "env", USER_TUNING)
        names = {line.split("=", 1)[0]: line.split("=", 1)[1]
                 for line in p.stdout.decode().splitlines() if "=" in line}
        leaked = sorted(added & set(names))
        check(p.returncode == 0 and not leaked,
              f"run task `env` at {ranks} rank(s): status {p.returncode}, the launcher's {leaked} reach the task")
        for k, v in USER_TUNING.items():
            check(names.get(k) == v, f"run task `env` at {ranks} rank(s): the user's {k}={v} is {names.get(k)!r}")
        p = run_tasks(opts, ranks, d, opts.parfold + " info --json", {})
        try:
            info = json.loads(p.stdout)
        except ValueError:
            info = {}
        check(p.returncode == 0 and info.get("launcher") == "none" and info.get("launched_ranks") == 1
              and info.get("totals", {}).get("ranks") == 1,
              f"nested parfold info at {ranks} rank(s): status {p.returncode}, launcher "
              f"{info.get('launcher')!r}, launched_ranks {info.get('launched_ranks')!r}, stderr {p.stderr[-600:]!r}")


def library_truth(opts):
    text = version_text(opts)
    m = re.search(r"\((?:Open MPI|OpenRTE)\) (\S+)", text)
    if m:
        return "Open MPI", m.group(1)
    m = re.search(r"HYDRA build details:\s*Version:\s*(\S+)", text)
    check(m is not None, f"{opts.mpiexec} --version names no library: {text[:300]!r}")
    return "MPICH", m.group(1) if m else ""


def info(opts, ranks):
    ranks = int(ranks)
    name, version = library_truth(opts)
    p = subprocess.run(launched(opts, ranks, [opts.parfold, "info", "--json"]), capture_output=True,
                       env=ENV, timeout=120)
    try:
        mpi = json.loads(p.stdout)["mpi"]
    except (ValueError, KeyError):
        mpi = {}
    levels = mpi.get("thread_level", {})
    asked, provided = levels.get("asked"), levels.get("provided")
    want_levels = (asked == "MPI_THREAD_FUNNELED" and provided in LEVELS) if ranks > 1 else \
        (asked is None and provided is None)
    check(p.returncode == 0 and mpi.get("name") == name and mpi.get("version") == version and want_levels,
          f"info --json at {ranks} rank(s): status {p.returncode}, mpi {mpi} (want {name} {version}), "
          f"stderr {p.stderr[-600:]!r}")
    p = subprocess.run(launched(opts, ranks, [opts.parfold, "info"]), capture_output=True, text=True,
                       env=ENV, timeout=120)
    line = (f"MPI thread level: asked MPI_THREAD_FUNNELED, provided {provided}\n" if ranks > 1
            else "MPI thread level: none asked (MPI not initialized)\n")
    check(p.returncode == 0 and f"MPI library: {name} {version}\n" in p.stdout and line in p.stdout,
          f"info at {ranks} rank(s): status {p.returncode}, want {name} {version} and {line!r}: {p.stdout!r}")


if __name__ == "__main__":
    sys.exit(suite_main(globals()))
