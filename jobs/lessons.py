#!/usr/bin/env python3
"""The classic lessons of parallel computing, each measured by parfold on this machine.

    python3 jobs/lessons.py                 # every lesson (a few minutes), then lessons-out/index.html
    python3 jobs/lessons.py races amdahl    # some of them (each under a minute on 2 cores)
    python3 jobs/lessons.py --quick         # small sizes: a check that everything runs
    python3 jobs/lessons.py --list

Each lesson is a file jobs/lessons/NAME.toml: its title, what it teaches, what to look
for, and the runs (a scaling study, or for `races` one run per counter mode). Each
writes its pictures and a table into --out/NAME/; the page --out/index.html gathers
them with a one-line finding measured here, for a browser (no server, no network).
"""
import argparse
import csv
import html
import json
import os
import shlex
import shutil
import subprocess
import sys
import time
import tomllib
from pathlib import Path

import scaling_study
from _mpl import pyplot

HERE = Path(__file__).resolve().parent
LESSONS = HERE / "lessons"
ORDER = ["oversubscription", "chunks", "imbalance", "races", "amdahl", "processes"]


def load(name, quick):
    with open(LESSONS / f"{name}.toml", "rb") as f:
        cfg = tomllib.load(f)
    if quick:
        cfg.update(cfg.get("quick", {}))
    return cfg


def run_json(opts, cmd):
    env = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1",
               OMPI_MCA_rmaps_base_oversubscribe="1")
    p = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=600)
    if p.returncode != 0:
        sys.exit(f"lessons: run failed (exit {p.returncode}): {shlex.join(cmd)}\n{p.stderr}")
    return json.loads(p.stdout)


def study(opts, name, cfg, out):
    """Runs the lesson's scaling study into `out`; returns its points and fits."""
    argv = ["--name", name, "--out", str(out)] + (["--parfold", opts.parfold] if opts.parfold else [])
    _, points, fits = scaling_study.main(argv, cfg)
    return points, fits


def point(points, **want):
    return next(p for p in points if all(p[k] == v for k, v in want.items()))


def table(rows, header):
    return dict(header=header, rows=[[r[h] for h in header] for r in rows])


def fmt(x, digits=3):
    return f"{x:.{digits}f}" if isinstance(x, float) else str(x)


def points_table(points, columns):
    names = dict(series="series", mode="mode", schedule="schedule", chunk="chunk", ranks="ranks",
                 threads="threads/rank", workers="workers", wall_s="wall s (median)", speedup="speedup",
                 efficiency="efficiency", karp_flatt="Karp-Flatt", startup_s="start-up s",
                 memory_mib_per_worker="MiB/worker")
    return dict(header=[names[c] for c in columns],
                rows=[[fmt(p[c], 2 if c in ("speedup", "efficiency") else 3) for c in columns] for p in points])


def lesson_oversubscription(opts, cfg, out):
    points, _ = study(opts, "oversubscription", cfg, out)
    top = max(p["workers"] for p in points)
    sleep, cpu = point(points, series="sleep", workers=top), point(points, series="cpu", workers=top)
    finding = (f"{top} threads on {os.cpu_count()} cores: sleep-bound tasks ran {sleep['speedup']:.2f}x faster "
               f"than one thread, CPU-bound ones {cpu['speedup']:.2f}x.")
    return ["scaling.png"], points_table(points, ["series", "workers", "wall_s", "speedup", "efficiency"]), finding


def lesson_chunks(opts, cfg, out):
    points, _ = study(opts, "chunks", cfg, out)
    top = max(p["workers"] for p in points)
    chunks = sorted({int(p["chunk"]) for p in points})
    count = scaling_study.parse_count(cfg["series"][0]["args"][2])
    parts = []
    for series in ("threads", "ranks"):
        one = point(points, series=series, workers=top, chunk=str(chunks[0]))
        best = min((p for p in points if p["series"] == series and p["workers"] == top), key=lambda p: p["wall_s"])
        per = (one["wall_s"] - best["wall_s"]) * top / count * 1e6  # worker-microseconds per dispatch
        parts.append(f"{top} {series}: chunk {chunks[0]} {one['wall_s']:.3f} s, chunk {best['chunk']} "
                     f"{best['wall_s']:.3f} s ({one['wall_s'] / best['wall_s']:.1f}x; ~{per:.2f} us per dispatch)")
    rows = sorted(points, key=lambda p: (p["series"], p["workers"], int(p["chunk"])))
    return ["scaling.png"], points_table(rows, ["series", "chunk", "workers", "wall_s", "speedup"]), "; ".join(parts) + "."


def lesson_imbalance(opts, cfg, out):
    points, _ = study(opts, "imbalance", cfg, out)
    pictures = ["scaling.png"]
    for sched in cfg.get("timelines", []):
        trace = out / f"trace-{sched}.json"
        run_json(opts, [parfold(opts), "--json", "--no-progress", "--threads", "2", "--schedule", sched,
                        "--trace", str(trace)] + [str(x) for x in cfg["args"]])
        subprocess.run([sys.executable, str(HERE / "plot_timeline.py"), str(trace), "-o",
                        str(out / f"timeline-{sched}.png")], check=True, stdout=subprocess.DEVNULL)
        pictures.append(f"timeline-{sched}.png")
    top = max(p["workers"] for p in points)
    st, dy = (point(points, workers=top, schedule=s) for s in ("static", "dynamic"))
    finding = (f"{top} workers on costs that grow with k: static {st['wall_s']:.3f} s (efficiency "
               f"{st['efficiency']:.2f}), dynamic {dy['wall_s']:.3f} s (efficiency {dy['efficiency']:.2f}).")
    return pictures, points_table(points, ["schedule", "workers", "wall_s", "speedup", "efficiency"]), finding


def parfold(opts):
    return opts.parfold or scaling_study.find_parfold()


def lesson_races(opts, cfg, out):
    rows = []
    for mode in cfg["modes"]:
        r = run_json(opts, [parfold(opts), "--json", "--no-progress", "--threads", str(cfg["threads"])]
                     + [str(x) for x in cfg["args"]] + ["--counter", mode])
        res = r["result"]
        rows.append(dict(mode=mode, tasks=res["tasks"], counter=res["counter"], lost=res["lost_updates"],
                         wall_s=r["timing"]["wall_s"]))
    draw_races(rows, out / "races.png", cfg)
    by = {r["mode"]: r for r in rows}
    finding = (f"{cfg['threads']} threads, {by['racy']['tasks']:,} additions: racy lost {by['racy']['lost']:,} "
               f"({by['racy']['lost'] / by['racy']['tasks']:.0%}) in {by['racy']['wall_s']:.3f} s; exact: locked "
               f"{by['locked']['wall_s']:.3f} s, atomic {by['atomic']['wall_s']:.3f} s, reduce "
               f"{by['reduce']['wall_s']:.3f} s.")
    with open(out / "races.csv", "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    tab = dict(header=["counter", "tasks", "count", "lost updates", "wall s"],
               rows=[[r["mode"], f"{r['tasks']:,}", f"{r['counter']:,}", f"{r['lost']:,}", fmt(r["wall_s"])]
                     for r in rows])
    return ["races.png"], tab, finding


def draw_races(rows, path, cfg):
    plt = pyplot()
    fig, (t, l) = plt.subplots(1, 2, figsize=(11, 4))
    names = [r["mode"] for r in rows]
    colors = ["tab:red" if r["lost"] else "tab:green" for r in rows]
    bars = t.bar(names, [r["wall_s"] for r in rows], color=colors)
    t.bar_label(bars, labels=[f"{r['wall_s']:.3f} s" for r in rows])
    t.set_ylabel("wall time (s)")
    t.set_title("time (green: exact, red: wrong)")
    bars = l.bar(names, [r["lost"] for r in rows], color=colors)
    l.bar_label(bars, labels=[f"{r['lost']:,}" for r in rows])
    l.set_ylabel("lost updates")
    l.set_title(f"updates lost of {rows[0]['tasks']:,}")
    for ax in (t, l):
        ax.grid(alpha=0.3, axis="y")
    fig.suptitle(f"lesson races: parfold --threads {cfg['threads']} {shlex.join(str(x) for x in cfg['args'])} "
                 "--counter MODE", fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def lesson_amdahl(opts, cfg, out):
    points, fits = study(opts, "amdahl", cfg, out)
    law = {k[1]: s for k, (_, s) in fits.items()}
    serial = float(cfg["args"][cfg["args"].index("--serial-ms") + 1])
    count, ms = float(cfg["args"][cfg["args"].index("--count") + 1]), float(cfg["args"][cfg["args"].index("--ms") + 1])
    truth = serial / (serial + count * ms)
    finding = (f"serial part {truth:.0%} of the one-worker time; fitted: Amdahl {law.get('strong', 0):.1%} "
               f"(strong), Gustafson {law.get('weak', 0):.1%} (weak); best strong speedup "
               f"{max(p['speedup'] for p in points if p['mode'] == 'strong'):.2f} (limit {1 / truth:.1f}).")
    tab = points_table(points, ["mode", "workers", "wall_s", "speedup", "karp_flatt"])
    return ["scaling.png"], tab, finding


def lesson_processes(opts, cfg, out):
    points, _ = study(opts, "processes", cfg, out)
    top = max(p["workers"] for p in points)
    th, pr = point(points, series="threads", workers=top), point(points, series="processes", workers=top)
    finding = (f"{top} workers: threads start in {th['startup_s']:.3f} s with {th['memory_mib_per_worker']:.1f} "
               f"MiB per worker, processes in {pr['startup_s']:.3f} s with {pr['memory_mib_per_worker']:.1f} MiB "
               f"per worker (speedups {th['speedup']:.2f} and {pr['speedup']:.2f}).")
    cols = ["series", "ranks", "threads", "workers", "wall_s", "speedup", "startup_s", "memory_mib_per_worker"]
    return ["scaling.png"], points_table(points, cols), finding


def command_of(name, quick):
    return f"python3 jobs/lessons.py {name}" + (" --quick" if quick else "")


def section(name, cfg, result, quick):
    """One lesson's part of the page (XHTML: every element closed, so XML parsers read it)."""
    e = html.escape
    pictures, tab, finding, seconds = result
    head = "".join(f"<th>{e(h)}</th>" for h in tab["header"])
    body = "".join("<tr>" + "".join(f"<td>{e(str(c))}</td>" for c in row) + "</tr>\n" for row in tab["rows"])
    imgs = "".join(f'<a href="{e(name)}/{e(p)}"><img src="{e(name)}/{e(p)}" alt="{e(cfg["title"])}: {e(p)}"/></a>\n'
                   for p in pictures)
    return (f'<section id="{e(name)}">\n<h2>{e(cfg["title"])}</h2>\n'
            f'<p>{e(" ".join(cfg["teaches"].split()))}</p>\n'
            f'<p class="finding">Measured here: {e(finding)}</p>\n'
            f'<p><b>Look for:</b> {e(" ".join(cfg["look"].split()))}</p>\n'
            f"<pre>{e(command_of(name, quick))}</pre>\n{imgs}"
            f"<table>\n<tr>{head}</tr>\n{body}</table>\n"
            f'<p class="small">{seconds:.0f} s; data: {e(name)}/</p>\n</section>\n')


def write_page(out, done, quick):
    style = ("body{font-family:sans-serif;max-width:72em;margin:auto;padding:1em}img{max-width:100%;"
             "border:1px solid #ccc;margin:.3em 0}table{border-collapse:collapse;margin:.5em 0}"
             "td,th{border:1px solid #bbb;padding:.15em .5em;text-align:right}"
             ".finding{background:#eef6ee;padding:.4em;font-weight:bold}.small{color:#777;font-size:80%}")
    toc = "".join(f'<li><a href="#{html.escape(n)}">{html.escape(cfg["title"])}</a></li>\n' for n, cfg, _ in done)
    machine = f"{os.cpu_count()} CPUs, {time.strftime('%Y-%m-%d %H:%M')}" + (" (quick sizes)" if quick else "")
    page = ('<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8"/>\n'
            f"<title>parfold lessons</title>\n<style>{style}</style>\n</head>\n<body>\n"
            f"<h1>Lessons of parallel computing, measured by parfold</h1>\n<p>On this machine: {html.escape(machine)}. "
            "Each lesson: what it teaches, what was measured here, the command that reruns it.</p>\n"
            f"<ol>\n{toc}</ol>\n" + "".join(section(n, cfg, r, quick) for n, cfg, r in done) + "</body>\n</html>\n")
    (out / "index.html").write_text(page, encoding="utf-8")
    return out / "index.html"


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("lessons", nargs="*", help=f"which (default: all): {', '.join(ORDER)}")
    p.add_argument("--out", default="lessons-out", help="output directory (default: ./lessons-out)")
    p.add_argument("--parfold", help="the binary (default: build/release/src/parfold)")
    p.add_argument("--quick", action="store_true", help="small sizes, one repeat: checks that each lesson runs")
    p.add_argument("--list", action="store_true", help="list the lessons and exit")
    a = p.parse_args(argv)
    unknown = [n for n in a.lessons if n not in ORDER]
    if unknown:
        p.error(f"unknown lesson(s): {', '.join(unknown)} (known: {', '.join(ORDER)})")
    return a


def main(argv=None):
    a = parse_args(argv)
    if a.list:
        for n in ORDER:
            print(f"{n:18} {load(n, False)['title']}")
        return
    pyplot()  # may re-exec with Debian's python, before any run
    a.parfold = parfold(a)
    if not shutil.which(a.parfold):
        sys.exit(f"lessons: no parfold binary at {a.parfold}: build it first "
                 "(cmake --preset release && cmake --build build/release), or give --parfold BIN")
    out = Path(a.out).resolve()
    done = []
    for name in a.lessons or ORDER:
        cfg = load(name, a.quick)
        (out / name).mkdir(parents=True, exist_ok=True)
        print(f"lessons: {name}: {cfg['title']}", file=sys.stderr)
        t = time.perf_counter()
        pictures, tab, finding = globals()[f"lesson_{name}"](a, cfg, out / name)
        done.append((name, cfg, (pictures, tab, finding, time.perf_counter() - t)))
        print(f"lessons: {name}: {finding}")
    print(f"lessons: wrote {write_page(out, done, a.quick)}")


if __name__ == "__main__":
    main()
