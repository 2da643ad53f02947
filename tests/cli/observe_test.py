#!/usr/bin/env python3
"""End-to-end tests of what parfold shows about a run: traces, the load-balance summary,
`parfold info`, the progress line, and the scripts in jobs/ that draw and sweep.

  observe_test.py --parfold BIN --mpiexec MPIEXEC trace RANKS | trace_clock RANKS | info RANKS
                                                  | progress | plot_timeline | scaling_study
"""
import csv
import json
import os
import pty
import re
import select
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cli_test import FAILURES, suite_main, SCHEDULES, check, export_env, is_open_mpi, launch, make_texts, mpi, parallel_args, run, run_within  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def load_trace(path):
    with open(path, encoding="utf-8") as f:
        trace = json.load(f)
    return trace["otherData"], [e for e in trace["traceEvents"] if e["ph"] == "X"]


def check_trace(what, path, report, ranks, threads):
    """Every chunk exactly once, tiling the items; no worker runs two chunks at once."""
    meta, chunks = load_trace(path)
    cfg = report["config"]
    check(meta["chunks"] == cfg["chunks"] and meta["schedule"] == cfg["schedule"] and
          meta["chunk"] == cfg["chunk"] and meta["ranks"] == ranks, f"{what}: otherData {meta} vs {cfg}")
    by_run = {}
    for e in chunks:
        by_run.setdefault(e["args"]["run"], []).append(e)
    for run_no, events in by_run.items():
        indices = sorted(e["args"]["chunk"] for e in events)
        if meta["runs"] == 1 and cfg["chunk"] != "auto":
            check(indices == list(range(cfg["chunks"])), f"{what}: chunk indices {indices[:20]}...")
        if meta["runs"] == 1:  # auto: a chunk is numbered by its first piece
            check(len(indices) == cfg["chunks"], f"{what}: {len(indices)} chunks traced, {cfg['chunks']} reported")
        check(len(indices) == len(set(indices)), f"{what}: run {run_no}: a chunk ran twice")
        spans = sorted((e["args"]["begin"], e["args"]["items"]) for e in events)
        at = spans[0][0]
        for begin, items in spans:
            check(begin == at, f"{what}: run {run_no}: chunks do not tile the items at {at}")
            at = begin + items
    check(sum(e["args"]["items"] for e in chunks) == cfg["items"], f"{what}: items do not add up")
    workers = {}
    for e in chunks:
        check(e["dur"] >= 0 and e["ts"] >= 0, f"{what}: chunk with ts {e['ts']} dur {e['dur']}")
        check(0 <= e["pid"] < ranks and 0 <= e["tid"] < threads, f"{what}: worker {e['pid']}/{e['tid']}")
        workers.setdefault((e["pid"], e["tid"]), []).append((e["ts"], e["ts"] + e["dur"]))
    for w, spans in workers.items():
        spans.sort()
        for (_, end), (start, _) in zip(spans, spans[1:]):
            check(start >= end - 1e-3, f"{what}: worker {w} overlaps itself ({start} < {end})")
    # Aligned clocks: every chunk lies within the job as rank 0 measured it (zero is
    # rank 0's start of the job), give or take the estimate's error.
    job_us = meta["job_s"] * 1e6
    check(max(e["ts"] + e["dur"] for e in chunks) <= job_us + 5_000,
          f"{what}: a chunk ends after the job ({max(e['ts'] + e['dur'] for e in chunks)} us > {job_us} us)")
    check(meta["wall_s"] <= meta["job_s"], f"{what}: run longer than the job {meta}")


def check_balance(what, report, items, elapsed):
    """The figures against each other, and against two outside anchors: the items the test
    chose, and the wall time the test measured around the run (an upper bound of any time
    the run reports)."""
    b, ws = report["balance"], report["workers"]
    check(len(ws) == report["config"]["workers"], f"{what}: {len(ws)} worker rows")
    check(report["config"]["items"] == items, f"{what}: {report['config']['items']} items, the test gave {items}")
    check(sum(w["items"] for w in ws) == items, f"{what}: worker items")
    check(0 < report["timing"]["wall_s"] <= elapsed and all(0 <= w["busy_s"] <= elapsed for w in ws),
          f"{what}: wall {report['timing']['wall_s']} s, busy {[w['busy_s'] for w in ws]} s; the test measured {elapsed:.3f} s")
    check(abs(b["busy_max_s"] - max(w["busy_s"] for w in ws)) < 1e-9, f"{what}: busy_max {b}")
    check(b["imbalance"] >= 1 - 1e-9 and b["overhead_s"] >= 0 and 0 < b["utilization"] <= 1.0 + 1e-6,
          f"{what}: balance {b}")
    check(abs(b["overhead_s"] - max(0, report["timing"]["wall_s"] - b["busy_max_s"])) < 1e-9,
          f"{what}: overhead {b}")
    check(all(w["idle_end_s"] >= 0 for w in ws) and min(w["idle_end_s"] for w in ws) == 0,
          f"{what}: idle at end {[w['idle_end_s'] for w in ws]}")


def trace(opts, ranks):
    ranks = int(ranks)
    with tempfile.TemporaryDirectory() as d:
        texts = make_texts(d)
        text_bytes = sum(os.path.getsize(t) for t in texts[:3])
        cases = [  # (arguments, a small chunk size, the items: tasks, samples, bytes)
            (["tasks", "--count", "300", "--ms", "0.2", "--cost", "random"], "1", 300),
            (["pi", "--samples", "200001"], "7", 200001),
            (["lines", "count"] + texts[:3], "4096", text_bytes),
            (["lines", "grep", "-c", "a"] + texts[:3], "333", text_bytes),
        ]
        path = os.path.join(d, "trace.json")
        for args, small, items in cases:
            for schedule in SCHEDULES:
                for threads, chunk in ((2, None), (1, small)):
                    full = parallel_args(threads, schedule, chunk) + ["--json", "--trace", path] + args
                    t0 = time.monotonic()
                    p = run(opts, full, ranks if ranks > 1 else None, check_rc=0)
                    elapsed = time.monotonic() - t0
                    if p.returncode != 0:
                        continue
                    report = json.loads(p.stdout)
                    what = f"ranks={ranks} {' '.join(full)}"
                    check_trace(what, path, report, ranks, threads)
                    check_balance(what, report, items, elapsed)
                    check(not [n for n in os.listdir(d) if ".tmp." in n], f"{what}: temporary file left")
        # A job of several runs (grep printing lines, window by window) traces every run.
        p = launch(opts, ["--trace", path, "--chunk", "1000", "lines", "grep", "-a", "e"] + texts[:2], ranks)
        check(p.returncode == 0, f"grep printing with --trace: exit {p.returncode}")
        meta, chunks = load_trace(path)
        check(meta["runs"] >= 1 and len(chunks) > 0, f"grep printing trace: {meta}")
        # No input at all (-r through an empty directory): a trace of no run.
        os.mkdir(os.path.join(d, "nothing"))
        p = launch(opts, ["--trace", path, "lines", "grep", "-r", "e", os.path.join(d, "nothing")], ranks)
        check(p.returncode == 1 and load_trace(path)[0]["runs"] == 0, f"a trace of no input: exit {p.returncode}")
    print(f"traces hold every chunk once at {ranks} rank(s)")


def trace_clock(opts, ranks):
    """Ranks whose clocks disagree by seconds (a test hook shifts what clock alignment
    sees) still land on one time line: each worker runs one 100 ms task, all at once."""
    ranks = int(ranks)
    skews = [0.0] + [(-1) ** r * 3.5 * r for r in range(1, ranks)]
    env = dict(os.environ, PARFOLD_TEST_CLOCK_SKEW_S=",".join(str(s) for s in skews))
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "trace.json")
        cmd = mpi(opts, ranks, [opts.parfold, "--threads", "1", "--schedule", "static", "--json",
                                "--trace", path, "tasks", "--count", str(ranks), "--ms", "100"])
        cmd[1:1] = export_env(opts, "PARFOLD_TEST_CLOCK_SKEW_S")
        p = run_within(cmd, 90, env=env)  # ctest's TIMEOUT is 120 s
        check(p.returncode == 0, f"trace_clock: exit {p.returncode}: {p.stderr}")
        meta, chunks = load_trace(path)
        starts = [e["ts"] for e in chunks]
        check(len(chunks) == ranks, f"trace_clock: {len(chunks)} chunks")
        # Unaligned, the starts would lie 3.5 s and more apart (the smallest skew); aligned
        # they lie together (a guard of 1 s, not a precision: that is the next check's).
        check(max(starts) - min(starts) < 1_000_000, f"trace_clock: starts spread {starts} us")
        # Cristian's method is off by at most half the round trip it used: the skew the test
        # chose is the truth (all ranks share this host's clock), the round trip the bound.
        rtts = meta["clock_rtt_ns"]
        check(rtts[0] == 0 and all(rtt > 0 for rtt in rtts[1:]), f"round trips {rtts}")
        for r, skew in enumerate(skews):
            err_ns = abs(meta["clock_offset_ns"][r] + skew * 1e9)
            check(err_ns <= rtts[r] / 2 + 1_000, f"trace_clock: rank {r} offset "
                  f"{meta['clock_offset_ns'][r]} ns for a skew of {skew} s: off by more than half its round trip {rtts[r]} ns")
    print(f"clocks of {ranks} ranks skewed by {skews} s aligned: starts within {max(starts) - min(starts):.0f} us")


def info(opts, ranks):
    ranks = int(ranks)
    p = run(opts, ["info", "--json"], ranks, check_rc=0)
    j = json.loads(p.stdout)
    check(len(j["ranks"]) == ranks and [r["rank"] for r in j["ranks"]] == list(range(ranks)), f"info ranks: {j}")
    check(len({r["pid"] for r in j["ranks"]}) == ranks, "info: pids not distinct")
    # The launcher as parfold recognises it, and the MPI library parfold was built with (that
    # of the launcher the test was given).
    launcher, library = ("mpirun", "Open MPI") if is_open_mpi(opts) else ("mpiexec", "MPICH")
    check(j["launcher"] == launcher, f"info launcher: {j['launcher']}, not {launcher}")
    check(j["mpi"]["initialized"] == (ranks > 1) and library in j["mpi"]["library"], f"info mpi: {j['mpi']}")
    check(j["totals"]["ranks"] == ranks and j["totals"]["threads"] == sum(r["threads"] for r in j["ranks"]),
          f"info totals: {j['totals']}")
    cpus = os.sched_getaffinity(0)
    for r in j["ranks"]:
        check(r["cpus"] and set(r["cpus"]) <= set(range(os.cpu_count())), f"info cpus: {r}")
    check(j["totals"]["cores"] <= len(cpus) and j["totals"]["hosts"] == 1, f"info cores: {j['totals']}")
    p = run(opts, ["--threads", "3", "info"], ranks, check_rc=0)
    check("total: 1 host" in p.stdout and f"{3 * ranks} threads" in p.stdout, f"info text: {p.stdout}")
    if 3 * ranks > len(cpus):
        check("oversubscribed" in p.stdout, f"info: no oversubscription warning: {p.stdout}")
    # Without a launcher: one rank, MPI untouched.
    j = json.loads(run(opts, ["info", "--json"], None, check_rc=0).stdout)
    check(j["launcher"] == "none" and not j["mpi"]["initialized"] and
          j["ranks"][0]["threads"] == len(cpus), f"info alone: {j}")
    print(f"info at {ranks} rank(s)")


def on_pty(cmd, timeout=60):
    """Runs `cmd` with stderr on a pseudo-terminal; returns (exit, stdout, terminal bytes)."""
    master, slave = pty.openpty()
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=slave, stdin=subprocess.DEVNULL)
    os.close(slave)
    seen = b""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([master], [], [], 0.1)
        if ready:
            try:
                chunk = os.read(master, 4096)
            except OSError:  # the terminal closed: the process is gone
                break
            if not chunk:
                break
            seen += chunk
        elif p.poll() is not None:
            break
    out = p.stdout.read()
    p.wait(timeout=10)
    os.close(master)
    return p.returncode, out.decode(), seen.decode(errors="replace")


def progress(opts):
    job = ["--threads", "2", "tasks", "--count", "30", "--ms", "50"]  # about 0.75 s
    # On a terminal: on by default, updates in place, a final line, no more than ~10/s.
    t0 = time.monotonic()
    rc, out, tty = on_pty([opts.parfold] + job)
    took = time.monotonic() - t0
    check(rc == 0 and "tasks" in out, f"progress on a tty: exit {rc}, stdout {out!r}")
    updates = tty.split("\r\x1b[K")
    check(updates[0] == "" and len(updates) - 1 >= 2, f"progress on a tty: {len(updates) - 1} updates in {tty!r}")
    # At most one update per 100 ms of the run, plus the final line: the test's own wall
    # time bounds the run's, so load can only lower the count.
    check(len(updates) - 1 <= took * 10 + 2, f"progress: {len(updates) - 1} updates in {took:.2f} s")
    for u in updates[1:-1]:
        check(re.fullmatch(r"tasks: +\d+ / 30 items \( *\d+\.\d%\), \d+/s, ETA (\?|\d+(\.\d+)? s)", u),
              f"progress update {u!r}")
    final = re.fullmatch(r"tasks: 30 / 30 items \(100\.0%\), \d+/s, done in (\d+)(\.\d+)? s\r\n", updates[-1])
    shown = final and float(final.group(1) + (final.group(2) or ""))
    rounding = final and 0.5 * 10.0 ** -(len(final.group(2) or ".") - 1)
    check(final and shown <= took + rounding, f"progress final line {updates[-1]!r} (the test measured {took:.2f} s)")
    # --json turns the default off; --no-progress too.
    for extra in (["--json"], ["--no-progress"]):
        rc, out, tty = on_pty([opts.parfold] + extra + job)
        check(rc == 0 and tty == "", f"progress with {extra}: {tty!r}")
    # Not a terminal: off unless asked; when asked, plain lines (no escape codes).
    p = run(opts, job, check_rc=0)
    check(p.stderr == "", f"progress into a pipe by default: {p.stderr!r}")
    p = run(opts, ["--progress"] + job, check_rc=0)
    check("\x1b" not in p.stderr and "\r" not in p.stderr and p.stderr.endswith("\n") and
          "(100.0%)" in p.stderr.splitlines()[-1], f"--progress into a pipe: {p.stderr!r}")
    # Across ranks, every schedule (static too): rank 0 alone reports all the items.
    for schedule in SCHEDULES:
        p = run(opts, ["--progress", "--schedule", schedule, "--threads", "1", "pi", "--samples", "3e6"], 3,
                check_rc=0)
        lines = p.stderr.splitlines()
        check(len(lines) >= 1 and "3.00 M / 3.00 M items (100.0%)" in lines[-1] and
              sum("100.0%" in l for l in lines) == 1, f"progress under mpirun {schedule}: {p.stderr!r}")
    print("progress: tty updates, clean final line, off in pipes and with --json, across ranks")


def png_size(data):
    """(width, height) from a PNG's IHDR chunk, or None when `data` is not a PNG."""
    if data[:8] != b"\x89PNG\r\n\x1a\n" or data[12:16] != b"IHDR":
        return None
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


def scripts_python():
    """Debian's python3 has python3-matplotlib; the scripts re-exec with it anyway."""
    return sys.executable


def plot_timeline(opts):
    with tempfile.TemporaryDirectory() as d:
        # 11 in wide, 2 in + 1/4 in per row (2 workers; 16 rows of aggregated workers), 120 dpi.
        for name, threads, extra, size in (("few", 2, [], (1320, 300)),
                                           ("many", 48, ["--max-rows", "16"], (1320, 720))):
            path = os.path.join(d, f"{name}.json")
            png = os.path.join(d, f"{name}.png")
            run(opts, ["--threads", str(threads), "--schedule", "dynamic", "--trace", path, "tasks",
                       "--count", "400", "--ms", "0.5", "--cost", "random"], check_rc=0)
            p = subprocess.run([scripts_python(), os.path.join(ROOT, "jobs", "plot_timeline.py"), path,
                                "-o", png] + extra, capture_output=True, text=True, timeout=120)
            check(p.returncode == 0, f"plot_timeline {name}: exit {p.returncode}: {p.stderr}")
            with open(png, "rb") as f:
                data = f.read()
            check(png_size(data) == size, f"plot_timeline {name}: a PNG of {png_size(data)}, expected {size}")
            check(f"on {threads} workers" in p.stdout and ("aggregated" in p.stdout) == (threads > 16),
                  f"plot_timeline {name}: {p.stdout!r}")
        p = subprocess.run([scripts_python(), os.path.join(ROOT, "jobs", "plot_timeline.py"), "/nonexistent.json"],
                           capture_output=True, text=True, timeout=60)
        check(p.returncode == 1 and p.stderr == "plot_timeline: cannot read trace /nonexistent.json: [Errno 2] "
              "No such file or directory: '/nonexistent.json'\n", f"plot_timeline missing file: {p.returncode} {p.stderr!r}")
    print("plot_timeline draws PNGs from real traces")


def scaling_study(opts):
    with tempfile.TemporaryDirectory() as d:
        cmd = [scripts_python(), os.path.join(ROOT, "jobs", "scaling_study.py"), "--parfold", opts.parfold,
               "--ranks", "1,2", "--threads", "1,2", "--schedules", "static,dynamic", "--repeat", "2",
               "--mode", "both", "--out", d, "--", "tasks", "--count", "40", "--ms", "2"]
        env = dict(os.environ, PATH=os.path.dirname(opts.mpiexec) + os.pathsep + os.environ["PATH"])
        t0 = time.monotonic()
        p = run_within(cmd, 240, env=env)  # ctest's TIMEOUT is 300 s; it takes about 10 s
        elapsed = time.monotonic() - t0
        check(p.returncode == 0, f"scaling_study: exit {p.returncode}: {p.stderr}")
        with open(os.path.join(d, "runs.csv")) as f:
            runs = list(csv.DictReader(f))
        with open(os.path.join(d, "points.csv")) as f:
            points = list(csv.DictReader(f))
        # 2 modes x 2 schedules x 4 shapes (1x1, 1x2, 2x1, 2x2), each run twice.
        check(len(points) == 16 and len(runs) == 32, f"scaling_study: {len(points)} points, {len(runs)} runs")
        for r in runs:
            items = int(r["items"])
            expect = 40 * int(r["workers"]) if r["mode"] == "weak" else 40
            check(items == expect, f"scaling_study: {r['mode']} run with {items} items, expected {expect}")
            check(0 < float(r["wall_s"]) <= float(r["elapsed_s"]) <= elapsed, f"run times {r} (the study took {elapsed:.1f} s)")
        def key(r):
            return r["mode"], r["schedule"], r["ranks"], r["threads"]
        walls = {}
        for r in runs:
            walls.setdefault(key(r), []).append(float(r["wall_s"]))
        for pt in points:
            s, e, w = float(pt["speedup"]), float(pt["efficiency"]), int(pt["workers"])
            # A point is the median of its runs; strong speedup is 1 worker's median over its.
            mine = sorted(walls[key(pt)])
            check(len(mine) == 2 and abs(float(pt["wall_s"]) - (mine[0] + mine[1]) / 2) < 1e-6, f"point {pt} vs runs {mine}")
            if pt["mode"] == "strong":
                base = walls[(pt["mode"], pt["schedule"], "1", "1")]
                check(abs(s - (sum(base) / 2) / (sum(mine) / 2)) < 1e-4 * s, f"speedup {pt} vs runs {base} {mine}")
            check(s > 0 and abs(e - s / w) < 1e-9, f"scaling_study point {pt}")
            if w == 1:
                check(abs(s - 1) < 1e-9 and pt["karp_flatt"] == "", f"baseline {pt}")
            else:
                kf = float(pt["karp_flatt"])
                check(abs(kf - (1 / s - 1 / w) / (1 - 1 / w)) < 1e-9, f"Karp-Flatt {pt}")
        # The speedup of 2 threads over 1 is a measurement: bench/bench.py --only tests shows it.
        with open(os.path.join(d, "scaling.png"), "rb") as f:
            check(f.read(8) == b"\x89PNG\r\n\x1a\n", "scaling.png is not a PNG")
    print("scaling_study ran a grid end to end")


if __name__ == "__main__":
    sys.exit(suite_main(globals()))
