#!/usr/bin/env python3
"""Runs parfold over a grid and measures how it scales.

    python3 jobs/scaling_study.py                          # default study, < 1 min on 2 cores
    python3 jobs/scaling_study.py --ranks 1,2,4 --threads 1,2 -- pi --samples 1e9
    python3 jobs/scaling_study.py --config jobs/studies/pi-scaling.toml
    sbatch slurm/scaling-sweep.sbatch                      # inside Slurm: srun, 1..N nodes

The grid: ranks (mpirun -n, or srun -n inside a Slurm allocation) x threads per rank x
schedule x chunk size, in strong scaling (the same N for every point) and/or weak
scaling (N, given by --scale OPTION, grows with the workers). Every point runs
--repeat times; the median of parfold's own wall time (--json timing.wall_s, without
the launcher's start-up) counts. The baseline is the 1-worker point of the same
series (run automatically when the grid lacks it).

Writes into --out (default: study-out/NAME under the current directory): runs.csv
(every run), points.csv (medians with speedup, efficiency, the Karp-Flatt serial
fraction, the spread of the repeats, start-up time and memory per worker), fits.csv
(the serial fraction of Amdahl's law fitted to each strong-scaling family, of
Gustafson's to each weak one), and scaling.png (speedup against the ideal line and the
fitted law, efficiency, Karp-Flatt; wall time by chunk size when several were given).
A point whose repeats vary by more than 10% is flagged noisy in points.csv and the plot.
"""
import argparse
import csv
import itertools
import json
import os
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import time
import tomllib
from pathlib import Path

import laws
import study_plot

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_ARGS = ["pi", "--samples", "4e8"]
NOISY = 0.10  # repeats of a point that vary by more than this (max - min over median)


def find_parfold():
    for p in (ROOT / "build/release/src/parfold", ROOT / "build/native/src/parfold",
              ROOT / "build/dev/src/parfold"):
        if p.exists():
            return str(p)
    return shutil.which("parfold") or "parfold"


def as_list(value, conv=str):
    """'1,2,4' (command line) or [1, 2, 4] (config) -> [1, 2, 4]."""
    items = value.split(",") if isinstance(value, str) else value
    return [conv(x) for x in items if str(x) != ""]


def parse_count(text):
    """parfold's count syntax, enough for scaling: 1e9, 2.5e3, 10G, 1_000."""
    t = str(text).replace("_", "")
    m = re.fullmatch(r"([0-9.eE+]+)([kKMGT]?)", t)
    if not m:
        raise ValueError(f"not a count: {text}")
    mult = {"": 1, "k": 10**3, "K": 10**3, "M": 10**6, "G": 10**9, "T": 10**12}[m.group(2)]
    return int(float(m.group(1)) * mult)


class Study:
    def __init__(self, a):
        self.a = a
        self.slurm = "SLURM_JOB_ID" in os.environ
        self.launcher = a.launcher if a.launcher != "auto" else ("srun" if self.slurm else "mpirun")
        self.mpiexec = shutil.which("mpirun") or "mpirun"

    def command(self, series_args, nodes, ranks, threads, schedule, chunk, scale_to):
        args = list(series_args)
        if scale_to is not None:
            i = args.index(self.a.scale)
            args[i + 1] = str(scale_to)
        parfold = [self.a.parfold, "--json", "--no-progress", "--threads", str(threads),
                   "--schedule", schedule] + ([] if chunk == "default" else ["--chunk", str(chunk)])
        total = nodes * ranks
        if self.launcher == "srun":
            pre = ["srun", "--kill-on-bad-exit=1", "--mpi=pmix", "-N", str(nodes), "-n", str(total),
                   "--cpus-per-task", str(threads)]
        elif self.launcher == "mpirun" and total > 1:
            pre = [self.mpiexec, "-n", str(total), "--oversubscribe", "--bind-to", "none"]
        else:
            pre = []  # one rank: parfold runs its thread pool without MPI
        return pre + parfold + args

    def run(self, cmd, cwd=None, retried=False):
        env = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1",
                   OMPI_MCA_rmaps_base_oversubscribe="1")
        t = time.perf_counter()
        p = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=self.a.timeout, cwd=cwd)
        elapsed = time.perf_counter() - t
        if p.returncode != 0 and not retried:  # a cluster hiccup: say so, try once more
            print(f"scaling_study: warning: run failed (exit {p.returncode}), retrying once: "
                  f"{shlex.join(cmd)}\n{p.stderr[-2000:]}", file=sys.stderr)
            return self.run(cmd, cwd, retried=True)
        if p.returncode != 0:
            sys.exit(f"scaling_study: run failed (exit {p.returncode}): {shlex.join(cmd)}\n{p.stderr}")
        return json.loads(p.stdout), elapsed


def grid(a, series):
    """Every point of the study, baselines (1 worker) first; a series may give its own
    ranks and threads (e.g. N threads in one rank against N ranks of one thread)."""
    points = []
    modes = ["strong", "weak"] if a.mode == "both" else [a.mode]
    for s, mode, sched, chunk in itertools.product(series, modes, a.schedules, a.chunks):
        ranks, threads = s.get("ranks") or a.ranks, s.get("threads") or a.threads
        shape = sorted(set(itertools.product(a.nodes, ranks, threads)) | {(1, 1, 1)},
                       key=lambda x: (x[0] * x[1] * x[2], x))
        for nodes, ranks, threads in shape:
            points.append(dict(series=s["label"], args=s["args"], mode=mode, schedule=sched,
                               chunk=chunk, nodes=nodes, ranks=ranks, threads=threads,
                               workers=nodes * ranks * threads))
    return points


def load_config(path):
    with open(path, "rb") as f:
        return tomllib.load(f)


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--config", help="a study file (TOML), e.g. jobs/studies/*.toml; options given here win")
    p.add_argument("--parfold", default=None, help="the binary (default: build/release/src/parfold)")
    p.add_argument("--ranks", help="ranks (per node with --nodes), e.g. 1,2,4 (default 1,2)")
    p.add_argument("--threads", help="threads per rank, e.g. 1,2 (default 1,2)")
    p.add_argument("--nodes", help="Slurm only: node counts, e.g. 1,2,4 (default: 1)")
    p.add_argument("--schedules", help="e.g. static,dynamic (default static)")
    p.add_argument("--chunks", help="chunk sizes, 'default' for parfold's choice (default default)")
    p.add_argument("--mode", choices=["strong", "weak", "both"], help="default strong")
    p.add_argument("--scale", help="weak scaling: the count option that grows with the workers "
                   "(default: the workload's first count option, e.g. --samples)")
    p.add_argument("--repeat", type=int, help="runs per point; the median counts (default 3)")
    p.add_argument("--launcher", choices=["auto", "mpirun", "srun", "none"], default="auto",
                   help="auto: srun inside a Slurm allocation, else mpirun (one rank: no launcher)")
    p.add_argument("--out", help="output directory (default: study-out/NAME under the current directory)")
    p.add_argument("--name", help="name of the study (default: the config's name or 'study')")
    p.add_argument("--no-plot", action="store_true", help="write the CSVs only")
    p.add_argument("--timeout", type=float, default=600, help="seconds per run (default 600)")
    p.add_argument("workload", nargs=argparse.REMAINDER,
                   help="after --: the workload and its options (default: pi --samples 4e8)")
    return p.parse_args(argv)


def resolve(a, cfg):
    """Fills the options from the config file where the command line left them out."""
    def pick(name, default):
        v = getattr(a, name)
        return v if v is not None else cfg.get(name, default)
    a.name = pick("name", Path(a.config).stem if a.config else "study")
    a.ranks = as_list(pick("ranks", "1,2"), int)
    a.threads = as_list(pick("threads", "1,2"), int)
    a.nodes = as_list(pick("nodes", "1"), int)
    a.schedules = as_list(pick("schedules", "static"))
    a.chunks = as_list(pick("chunks", "default"))
    a.mode = pick("mode", "strong")
    a.repeat = pick("repeat", 3)
    a.scale = pick("scale", None)
    a.parfold = a.parfold or find_parfold()
    if not shutil.which(a.parfold):
        sys.exit(f"scaling_study: no parfold binary at {a.parfold}: build it first "
                 "(cmake --preset release && cmake --build build/release), or give --parfold BIN")
    a.out = Path(a.out or Path.cwd() / "study-out" / a.name)
    if len(a.nodes) > 1 and not ("SLURM_JOB_ID" in os.environ or a.launcher == "srun"):
        sys.exit("scaling_study: --nodes needs a Slurm allocation (run it with sbatch or salloc)")


def expand(args):
    return [str(x).replace("{root}", str(ROOT)) for x in args]


def prepare(cfg, series):
    """A study's `prepare` command (e.g. making the input of a lines study), run only
    when a workload of the study names the file it `creates` and that file is missing."""
    if "prepare" not in cfg:
        return
    creates = cfg.get("creates")
    if creates and not any(creates in s["args"] for s in series):
        return  # the command line chose another workload
    if creates and Path(creates).exists():
        print(f"scaling_study: {creates} is there: not preparing it again", file=sys.stderr)
        return
    if creates:
        Path(creates).parent.mkdir(parents=True, exist_ok=True)
    print(f"scaling_study: preparing: {shlex.join(expand(cfg['prepare']))}", file=sys.stderr)
    subprocess.run(expand(cfg["prepare"]), check=True, stdout=subprocess.DEVNULL)


def make_series(a, cfg):
    """The workloads to run: from the command line, the config's series, or its args."""
    workload = a.workload[1:] if a.workload[:1] == ["--"] else a.workload
    if workload:
        series = [dict(label="", args=workload, cwd=None)]
    elif "series" in cfg:  # {root} in a config's arguments is the project's root
        series = [dict(label=s.get("label", ""), args=expand(s["args"]), cwd=None,
                       ranks=as_list(s.get("ranks", []), int), threads=as_list(s.get("threads", []), int))
                  for s in cfg["series"]]
    else:
        series = [dict(label="", args=expand(cfg.get("args", DEFAULT_ARGS)), cwd=None)]
    if a.mode in ("weak", "both"):
        for s in series:
            scale = a.scale or next((o for o in ("--samples", "--count", "--to") if o in s["args"]), None)
            if scale is None or scale not in s["args"]:
                sys.exit("scaling_study: weak scaling needs --scale OPTION naming a count option of the workload")
            a.scale = scale
            s["base"] = parse_count(s["args"][s["args"].index(scale) + 1])
    return series


def run_row(a, study, pt, report, elapsed, cmd, r):
    """One run's row of runs.csv."""
    b = report.get("balance", {})
    return dict(study=a.name, series=pt["series"], mode=pt["mode"], launcher=study.launcher,
                nodes=pt["nodes"], ranks=pt["ranks"], threads=pt["threads"], workers=pt["workers"],
                schedule=pt["schedule"], chunk=pt["chunk"], chunk_used=report["config"]["chunk"],
                chunks=report["config"]["chunks"], items=report["config"]["items"], repeat=r,
                wall_s=report["timing"]["wall_s"], elapsed_s=round(elapsed, 6),
                items_per_s=report["timing"]["items_per_s"], imbalance=b.get("imbalance"),
                idle_end_mean_s=b.get("idle_end_mean_s"), overhead_s=b.get("overhead_s"),
                utilization=b.get("utilization"), parallelism=report["timing"].get("parallelism"),
                peak_rss_mib=report.get("memory", {}).get("peak_rss_mib"), command=shlex.join(cmd))


def summarize(pt, walls, startups, memory, work, base):
    """A point's medians and speedup. Strong: the 1-worker time over this one. Weak
    (scaled speedup): the 1-worker time of the grown problem, estimated as the baseline's
    time times how much the work grew (p; or, when the workload reports its own serial
    time, the ratio of those: a serial part that does not grow then counts once, as in
    Gustafson's law), over this time."""
    pt["wall_s"] = statistics.median(walls)
    pt["spread"] = (max(walls) - min(walls)) / pt["wall_s"] if pt["wall_s"] > 0 else 0
    pt["noisy"] = pt["spread"] > NOISY
    pt["startup_s"] = statistics.median(startups)  # launcher, MPI start-up and exit
    pt["memory_mib_per_worker"] = statistics.median(memory)
    group = (pt["series"], pt["mode"], pt["schedule"], pt["chunk"])
    known = statistics.median(work) if len(work) == len(walls) else None
    if pt["workers"] == 1:
        base[group] = (pt["wall_s"], known)
    base_wall, base_work = base[group]
    grew = 1
    if pt["mode"] == "weak":
        grew = known / base_work if known and base_work else pt["workers"]
    pt["speedup"] = base_wall * grew / pt["wall_s"]
    pt["efficiency"] = pt["speedup"] / pt["workers"]
    pt["karp_flatt"] = laws.karp_flatt(pt["speedup"], pt["workers"])


def measure(a, study, points, series):
    """Runs every point --repeat times; fills in wall_s, speedup, efficiency, Karp-Flatt;
    checks that strong-scaling results never change. Returns the rows of runs.csv."""
    runs, results, base = [], {}, {}
    for i, pt in enumerate(points):
        s = next(x for x in series if x["label"] == pt["series"])
        scale_to = s["base"] * pt["workers"] if pt["mode"] == "weak" else None
        cmd = study.command(pt["args"], pt["nodes"], pt["ranks"], pt["threads"], pt["schedule"], pt["chunk"], scale_to)
        walls, startups, memory, work = [], [], [], []
        for r in range(a.repeat):
            report, elapsed = study.run(cmd, s["cwd"])
            walls.append(report["timing"]["wall_s"])
            startups.append(max(0.0, elapsed - report["timing"]["wall_s"]))
            memory.append(report.get("memory", {}).get("peak_rss_mib_per_worker", 0))
            if "speedup" in report["timing"]:  # the workload knows its one-worker time
                work.append(report["timing"]["speedup"] * report["timing"]["wall_s"])
            runs.append(run_row(a, study, pt, report, elapsed, cmd, r))
            if pt["mode"] == "strong":  # the never-bending rule, checked on every run
                got = json.dumps(report["result"], sort_keys=True)
                if results.setdefault(pt["series"], got) != got:
                    sys.exit(f"scaling_study: result differs at {shlex.join(cmd)}:\n{got}\n"
                             f"vs\n{results[pt['series']]}")
        summarize(pt, walls, startups, memory, work, base)
        print(f"  [{i + 1}/{len(points)}] {pt['mode']:6} {pt['series'] or ''} {pt['schedule']:7} "
              f"chunk {pt['chunk']:>7} {pt['nodes']}n x {pt['ranks']}r x {pt['threads']}t: "
              f"{pt['wall_s']:.3f} s  speedup {pt['speedup']:.2f}  efficiency {pt['efficiency']:.2f}",
              file=sys.stderr)
    return runs


def fit_laws(points):
    """Amdahl's serial fraction for each strong-scaling family, Gustafson's for each weak
    one: {family key: (law, s)}."""
    fits = {}
    for fam, members in itertools.groupby(sorted(points, key=study_plot.group_key), key=study_plot.group_key):
        pairs = [(p["workers"], p["speedup"]) for p in members]
        law = "amdahl" if fam[1] == "strong" else "gustafson"
        s = laws.fit_amdahl(pairs) if law == "amdahl" else laws.fit_gustafson(pairs)
        if s is not None:
            fits[fam] = (law, s)
    return fits


def write_csv(path, rows, fields=None):
    with open(path, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=fields or list(rows[0]), extrasaction="ignore")
        w.writeheader()
        w.writerows(rows)


def title_of(a, series):
    what = " | ".join(f"{s['label'] + ': ' if s['label'] else ''}parfold {shlex.join(s['args'])}" for s in series)
    return f"study {a.name}: {what}"


def write_results(a, runs, points, fits, series, plt):
    write_csv(a.out / "runs.csv", runs)
    write_csv(a.out / "points.csv", points,
              ["series", "mode", "schedule", "chunk", "nodes", "ranks", "threads", "workers", "wall_s", "speedup",
               "efficiency", "karp_flatt", "spread", "noisy", "startup_s", "memory_mib_per_worker"])
    write_csv(a.out / "fits.csv", [dict(series=k[0], mode=k[1], schedule=k[2], chunk=p.get("chunk"), law=law,
                                        serial_fraction=s)
                                   for k, (law, s) in fits.items()
                                   for p in [next(x for x in points if study_plot.group_key(x) == k)]],
              ["series", "mode", "schedule", "chunk", "law", "serial_fraction"])
    for k, (law, s) in fits.items():
        what = " ".join(str(x) for x in k[:3] if x) + (f" chunk {k[3][1]}" if k[3][0] else "")
        print(f"scaling_study: {law.capitalize()} fit {what}: serial fraction {s:.3f}",
              file=sys.stderr)
    noisy = [p for p in points if p["noisy"]]
    if noisy:
        print(f"scaling_study: warning: {len(noisy)} of {len(points)} points varied by more than "
              f"{NOISY:.0%} between repeats (a noisy machine)", file=sys.stderr)
    if plt is not None:
        cores = None if "SLURM_JOB_ID" in os.environ else os.cpu_count()
        fig = study_plot.plot(points, fits, a.out / "scaling.png", plt, title_of(a, series), cores)
        plt.close(fig)
    print(f"scaling_study: wrote {a.out / 'runs.csv'}, {a.out / 'points.csv'}, {a.out / 'fits.csv'}"
          + ("" if plt is None else f", {a.out / 'scaling.png'}"))


def main(argv=None, cfg=None):
    """Runs a study; returns (options, points, fits) for callers such as jobs/lessons.py,
    which may hand over the study's configuration as a dict (`cfg`) instead of a file."""
    a = parse_args(argv)
    plt = None if a.no_plot else __import__("_mpl").pyplot()  # may re-exec with Debian's python
    if cfg is None:
        cfg = load_config(a.config) if a.config else {}
    resolve(a, cfg)
    series = make_series(a, cfg)
    prepare(cfg, series)
    study = Study(a)
    points = grid(a, series)
    a.out.mkdir(parents=True, exist_ok=True)
    print(f"scaling_study: {len(points)} points x {a.repeat} runs with {a.parfold} "
          f"(launcher: {study.launcher}) -> {a.out}", file=sys.stderr)
    # One unmeasured run first: page faults, CPU clocks and file caches settle.
    study.run(study.command(points[0]["args"], 1, 1, 1, points[0]["schedule"], points[0]["chunk"], None),
              series[0]["cwd"])
    runs = measure(a, study, points, series)
    fits = fit_laws(points) if cfg.get("fit", True) else {}  # `fit = false`: a study where no law applies
    write_results(a, runs, points, fits, series, plt)
    return a, points, fits


if __name__ == "__main__":
    main()
