#!/usr/bin/env python3
"""The teaching lessons (issue 13) against independent truths: the count of tasks run,
sums of the workers' records, a serial part of known length, PNG signatures, XML.

    lessons_test.py --parfold BIN --mpiexec MPIEXEC counter|serial_part|report|spin|plots|study_files|lessons [RANKS]
"""
import csv
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cli_test import check, run, run_within, suite_main  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
JOBS = os.path.join(ROOT, "jobs")
PNG = b"\x89PNG\r\n\x1a\n"


def report(opts, args, ranks=1):
    p = run(opts, ["--json", "--no-progress"] + args, ranks if ranks > 1 else None, check_rc=0)
    return json.loads(p.stdout) if p.returncode == 0 else None


def timed_report(opts, args, ranks=1):
    """report(), with the wall time the test measured around it and the largest peak RSS
    (MiB) of any process it has waited for (the ranks included): outside anchors."""
    t0 = time.monotonic()
    r = report(opts, args, ranks)
    elapsed = time.monotonic() - t0
    return r, elapsed, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def counter(opts, ranks="1"):
    """racy loses updates with 2 threads; locked, atomic and reduce never do (any ranks)."""
    ranks = int(ranks)
    for mode in ("locked", "atomic", "reduce"):
        for threads, schedule in ((2, "static"), (3, "dynamic")):
            r = report(opts, ["--threads", str(threads), "--schedule", schedule, "tasks", "--count", "3e5",
                              "--ms", "0", "--counter", mode], ranks)
            res = r and r["result"]
            check(res and res["tasks"] == 300000 and res["counter"] == 300000 and res["lost_updates"] == 0
                  and res["counter_mode"] == mode, f"--counter {mode} at {ranks} ranks x {threads}: {res}")
    if ranks > 1:
        return
    # Two threads adding to one counter without a lock lose updates as soon as they run at
    # once; under a loaded test machine they may rarely overlap, so try up to 4 times.
    lost = []
    for count in ("2e6", "1e7", "2e7", "4e7"):
        res = report(opts, ["--threads", "2", "tasks", "--count", count, "--ms", "0", "--counter", "racy"])["result"]
        check(res["counter"] + res["lost_updates"] == res["tasks"], f"racy: {res}")
        lost.append(res["lost_updates"])
        if res["lost_updates"] > 0:
            break
    check(lost[-1] > 0, f"--counter racy with 2 threads lost no update in {len(lost)} tries")
    p = run(opts, ["tasks", "--help"])
    check("DELIBERATELY UNSAFE" in p.stdout, "tasks --help does not say racy is unsafe")
    p = run(opts, ["tasks", "--count", "10", "--counter", "sloppy"], check_rc=2)
    check("sloppy" in p.stderr, f"unknown counter mode: {p.stderr!r}")
    with tempfile.TemporaryDirectory() as d:
        p = run(opts, ["--checkpoint", os.path.join(d, "ck"), "tasks", "--count", "10", "--counter", "racy"],
                check_rc=2)
        check("--counter" in p.stderr and "checkpoint" in p.stderr, f"--counter with --checkpoint: {p.stderr!r}")


def serial_part(opts, ranks="1"):
    """--serial-ms T: wall time at least T, T counted in the serial time and the speedup."""
    ranks = int(ranks)
    r, elapsed, _ = timed_report(opts, ["--threads", "2", "tasks", "--count", "8", "--ms", "5", "--serial-ms", "150"], ranks)
    res, wall = r["result"], r["timing"]["wall_s"]
    # Sleeps last at least what they ask: a bound that load can only move away from.
    check(wall >= 0.150 + 8 * 0.005 / (2 * ranks), f"wall {wall} shorter than the serial part and the tasks")
    check(wall <= elapsed, f"wall {wall} s longer than the {elapsed:.3f} s the test measured")
    check(abs(res["serial_s"] - (0.150 + 8 * 0.005)) < 1e-9 and res["serial_part_s"] == 0.15, f"serial: {res}")
    check(abs(r["timing"]["speedup"] - res["serial_s"] / wall) < 1e-9, f"speedup {r['timing']}")
    check(res["tasks"] == 8 and res["index_sum"] == "28", f"tasks: {res}")


def report_fields(opts, ranks="1"):
    """pi and sum: parallelism = the workers' busy time / wall; memory per rank."""
    ranks = int(ranks)
    for args, items in ((["pi", "--samples", "2e7"], 20_000_000), (["sum", "--to", "1e7"], 10_000_001)):
        r, elapsed, max_rss = timed_report(opts, ["--threads", "2"] + args, ranks)
        busy = sum(w["busy_s"] for w in r["workers"])
        par = r["timing"]["parallelism"]
        check(abs(par - busy / r["timing"]["wall_s"]) < 1e-9 * max(1, par) and par > 0,
              f"{args}: parallelism {par} vs busy {busy} / wall {r['timing']['wall_s']}")
        # Anchors outside the report: the items the test asked for, its own stopwatch.
        check(r["config"]["items"] == items and sum(w["items"] for w in r["workers"]) == items,
              f"{args}: {r['config']['items']} items, asked for {items}")
        check(r["timing"]["wall_s"] <= elapsed and all(w["busy_s"] <= elapsed for w in r["workers"]),
              f"{args}: wall {r['timing']['wall_s']}, busy {[w['busy_s'] for w in r['workers']]}; the test measured {elapsed:.3f} s")
        check("speedup" not in r["timing"], f"{args}: a speedup without a serial time: {r['timing']}")
        mem = r["memory"]
        # The kernel's own peak of every process the test waited for bounds each rank's.
        check(len(mem["ranks_peak_rss_mib"]) == ranks and all(1 < m <= max_rss for m in mem["ranks_peak_rss_mib"])
              and abs(sum(mem["ranks_peak_rss_mib"]) - mem["peak_rss_mib"]) < 1e-6
              and abs(mem["peak_rss_mib_per_worker"] * 2 * ranks - mem["peak_rss_mib"]) < 1e-6, f"{args}: {mem}")
        text = run(opts, ["--threads", "2", "--no-progress"] + args, ranks if ranks > 1 else None, check_rc=0).stdout
        check("parallelism " in text and "memory " in text, f"{args}: text report:\n{text}")


def spin(opts):
    """--spin runs every task and reports its cost (the CPU each spin takes is a measurement:
    bench/bench.py --only tests prints it)."""
    for count, ms in ((1_000_000, "0.0005"), (20, "20")):
        r, elapsed, _ = timed_report(opts, ["--threads", "1", "tasks", "--count", str(count), "--ms", ms, "--spin"])
        res = r and r["result"]
        check(res and res["tasks"] == count and res["index_sum"] == str(count * (count - 1) // 2)
              and res["kind"] == "spin", f"{count} spins of {ms} ms: {res}")
        check(r and r["timing"]["wall_s"] <= elapsed, f"spins: wall {r and r['timing']} vs {elapsed:.3f} s measured")


def plots(opts):
    """The study's picture against its points: curves joined along the parameter that
    varies, chunk sizes in numeric order, integer worker ticks, the noisy warning."""
    sys.path.insert(0, JOBS)
    import study_plot
    from _mpl import pyplot
    plt = pyplot()
    points = []
    for chunk in ("1048576", "65536", "16777216"):
        for threads in (1, 2, 4, 8):
            points.append(dict(series="", mode="strong", schedule="dynamic", chunk=chunk, nodes=1, ranks=1,
                               threads=threads, workers=threads, wall_s=1.0 / threads, speedup=float(threads),
                               efficiency=1.0, karp_flatt="" if threads == 1 else 0.0,
                               noisy=(chunk == "65536" and threads == 4)))
    with tempfile.TemporaryDirectory() as d:
        out = os.path.join(d, "s.png")
        fig = study_plot.plot(points, {}, out, plt, "study test: parfold tasks", cores=2)
        with open(out, "rb") as f:
            check(f.read(8) == PNG, "plot did not write a PNG")
    sp = fig.axes[0]
    curves = [ln for ln in sp.get_lines() if ln.get_marker() == "o" and ln.get_linestyle() == "-"]
    check(len(curves) == 3 and all(list(ln.get_xdata()) == [1, 2, 4, 8] for ln in curves),
          f"threads study: curves {[list(ln.get_xdata()) for ln in curves]}, not one per chunk across 1-8")
    labels = [t.get_text() for t in sp.get_legend().get_texts() if "chunk" in t.get_text()]
    order = [int(t.split("chunk ")[1].split()[0]) for t in labels]
    check(order == [65536, 1048576, 16777216], f"legend order {labels}")
    check(list(sp.get_xticks()) == [1, 2, 4, 8], f"ticks {list(sp.get_xticks())}")
    check("warning: 1 of 12 points varied" in fig._suptitle.get_text(), f"title {fig._suptitle.get_text()!r}")
    check(fig._suptitle.get_text().startswith("study test: parfold tasks"), "title lacks the study")


def study_files(opts):
    """scaling_study.py writes under the directory it runs in, and runs a study's prepare
    step only when a workload names the file it creates and that file is missing."""
    with tempfile.TemporaryDirectory() as d:
        config = os.path.join(d, "mine.toml")
        with open(config, "w") as f:
            f.write('prepare = ["sh", "-c", "echo made >> prepared.log; seq 1 1000 > data/in.txt"]\n'
                    'creates = "data/in.txt"\nargs = ["lines", "count", "data/in.txt"]\n'
                    'ranks = [1]\nthreads = [1, 2]\nrepeat = 1\n')
        cmd = [sys.executable, os.path.join(JOBS, "scaling_study.py"), "--parfold", opts.parfold, "--no-plot",
               "--config", config]
        for extra in ([], [], ["--", "pi", "--samples", "1000"]):
            p = subprocess.run(cmd + extra, capture_output=True, text=True, timeout=120, cwd=d)
            check(p.returncode == 0, f"scaling_study {extra}: exit {p.returncode}: {p.stderr[-2000:]}")
        with open(os.path.join(d, "prepared.log")) as f:
            check(f.read() == "made\n", "prepare ran again although its file was there, or for another workload")
        check(os.path.isfile(os.path.join(d, "study-out", "mine", "points.csv")), f"no study-out/mine/ in {os.listdir(d)}")
        check(not os.path.exists(os.path.join(ROOT, "study-out", "mine")), "the study wrote into the checkout")


def check_page(out):
    path = os.path.join(out, "index.html")
    with open(path, encoding="utf-8") as f:
        text = f.read()
    try:
        root = ET.fromstring(text.split("\n", 1)[1])  # well-formed XML after the DOCTYPE line
    except ET.ParseError as e:
        check(False, f"index.html is not well-formed: {e}")
        return []
    images = [img.get("src") for img in root.iter("img")]
    for src in images:
        p = os.path.join(out, src)
        check(os.path.isfile(p) and open(p, "rb").read(8) == PNG, f"index.html refers to {src}: not a PNG")
    check(len(images) >= 7 and text.count("<section") == 6, f"page: {len(images)} pictures")
    return images


def lessons(opts):
    """Every lesson at its quick size, end to end: the page, its pictures, its tables."""
    with tempfile.TemporaryDirectory() as d:
        out = os.path.join(d, "out")
        # ctest's TIMEOUT is 300 s: this guard fires first and names what hung.
        p = run_within([sys.executable, os.path.join(JOBS, "lessons.py"), "--quick", "--parfold", opts.parfold,
                        "--out", out], 270, cwd=d)
        check(p.returncode == 0, f"lessons.py: exit {p.returncode}\n{p.stderr[-3000:]}")
        if p.returncode != 0:
            return
        check_page(out)
        for name in ("oversubscription", "chunks", "imbalance", "amdahl", "processes"):
            with open(os.path.join(out, name, "points.csv")) as f:
                rows = list(csv.DictReader(f))
            check(rows and {"noisy", "spread", "startup_s", "memory_mib_per_worker"} <= set(rows[0]), f"{name}: {rows[:1]}")
        with open(os.path.join(out, "amdahl", "fits.csv")) as f:
            fits = {r["law"]: float(r["serial_fraction"]) for r in csv.DictReader(f)}
        # Both laws fitted; how close a fit comes to the job's serial fraction under load is
        # a measurement (bench/bench.py --only tests), not a test.
        check(set(fits) == {"amdahl", "gustafson"}, f"fitted serial fractions {fits}")
        with open(os.path.join(out, "races", "races.csv")) as f:
            races = {r["mode"]: r for r in csv.DictReader(f)}
        check(all(races[m]["lost"] == "0" and races[m]["counter"] == races[m]["tasks"]
                  for m in ("locked", "atomic", "reduce")), f"races: {races}")
        # Everything under the directory it ran in (--out), nothing under the checkout.
        check(sorted(os.listdir(d)) == ["out"], f"lessons.py wrote {os.listdir(d)} where it ran")


if __name__ == "__main__":
    sys.exit(suite_main(dict(counter=counter, serial_part=serial_part, report=report_fields, spin=spin,
                             plots=plots, study_files=study_files, lessons=lessons)))
