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

Writes into --out: runs.csv (every run), points.csv (medians with speedup, efficiency
and the Karp-Flatt serial fraction), and scaling.png (speedup and efficiency against
the ideal line; a chunk-size panel when several chunk sizes were given).
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

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_ARGS = ["pi", "--samples", "4e8"]


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
    """Every point of the study, baselines (1 worker) first."""
    points = []
    modes = ["strong", "weak"] if a.mode == "both" else [a.mode]
    for s, mode, sched, chunk in itertools.product(series, modes, a.schedules, a.chunks):
        shape = sorted(set(itertools.product(a.nodes, a.ranks, a.threads)) | {(1, 1, 1)},
                       key=lambda x: (x[0] * x[1] * x[2], x))
        for nodes, ranks, threads in shape:
            points.append(dict(series=s["label"], args=s["args"], mode=mode, schedule=sched,
                               chunk=chunk, nodes=nodes, ranks=ranks, threads=threads,
                               workers=nodes * ranks * threads))
    return points


def karp_flatt(speedup, p):
    return (1 / speedup - 1 / p) / (1 - 1 / p) if p > 1 and speedup > 0 else ""


def plot(points, out, plt):
    modes = sorted({p["mode"] for p in points})
    chunks = sorted({p["chunk"] for p in points}, key=str)
    numeric_chunks = [c for c in chunks if c != "default"]
    chunk_panel = len(numeric_chunks) > 1
    rows_n = len(modes) + (1 if chunk_panel else 0)
    fig, grid_axes = plt.subplots(rows_n, 2, figsize=(11, 4.2 * rows_n), squeeze=False)
    cores = None if "SLURM_JOB_ID" in os.environ else os.cpu_count()
    for m, mode in enumerate(modes):
        sp, ef = grid_axes[m]
        rows = [p for p in points if p["mode"] == mode]
        top = max(p["workers"] for p in rows)
        sp.plot([1, top], [1, top], "k--", lw=1, label="ideal")
        ef.plot([1, top], [1, 1], "k--", lw=1, label="ideal")
        if cores and cores < top:  # past this many workers the threads share cores
            for ax in (sp, ef):
                ax.axvline(cores, color="grey", lw=0.8, ls=":", label=f"{cores} cores here")
        key = lambda p: (p["series"], p["schedule"], str(p["chunk"]), p["threads"])
        for k, group in itertools.groupby(sorted(rows, key=lambda p: (key(p), p["workers"])), key=key):
            group = list(group)
            xs = [g["workers"] for g in group]
            label = " ".join(x for x in [k[0], k[1], f"chunk {k[2]}" if len(chunks) > 1 else "",
                                         f"{k[3]} thr/rank"] if x)
            sp.plot(xs, [g["speedup"] for g in group], "o-", label=label)
            ef.plot(xs, [g["efficiency"] for g in group], "o-", label=label)
        sp.set_title(f"{mode} scaling: {'scaled ' if mode == 'weak' else ''}speedup")
        ef.set_title(f"{mode} scaling: efficiency")
        for ax in (sp, ef):
            ax.set_xlabel("workers (ranks x threads)")
            ax.grid(alpha=0.3)
        sp.set_ylabel("speedup vs 1 worker")
        ef.set_ylabel("efficiency (speedup / workers)")
        ef.set_ylim(0, max(1.2, max(g["efficiency"] for g in rows) * 1.05))
        sp.legend(fontsize=7)
    if chunk_panel:
        ax = grid_axes[-1][0]
        grid_axes[-1][1].axis("off")
        rows = [p for p in points if p["chunk"] != "default" and p["mode"] == modes[0]]
        key = lambda p: (p["series"], p["schedule"], p["ranks"], p["threads"])
        for k, group in itertools.groupby(sorted(rows, key=lambda p: (key(p), int(p["chunk"]))), key=key):
            group = list(group)
            ax.plot([int(g["chunk"]) for g in group], [g["wall_s"] for g in group], "o-",
                    label=f"{k[0]} {k[1]} {k[2]}x{k[3]}")
        ax.set_xscale("log")
        ax.set_xlabel("chunk size (items)")
        ax.set_ylabel("wall time (s), median")
        ax.set_title("chunk size")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(out, dpi=110)


def load_config(path):
    with open(path, "rb") as f:
        return tomllib.load(f)


def parse_args():
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
    p.add_argument("--out", help="output directory (default study-out/NAME)")
    p.add_argument("--name", help="name of the study (default: the config's name or 'study')")
    p.add_argument("--no-plot", action="store_true", help="write the CSVs only")
    p.add_argument("--timeout", type=float, default=600, help="seconds per run (default 600)")
    p.add_argument("workload", nargs=argparse.REMAINDER,
                   help="after --: the workload and its options (default: pi --samples 4e8)")
    return p.parse_args()


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
    a.out = Path(a.out or ROOT / "study-out" / a.name)
    if len(a.nodes) > 1 and not ("SLURM_JOB_ID" in os.environ or a.launcher == "srun"):
        sys.exit("scaling_study: --nodes needs a Slurm allocation (run it with sbatch or salloc)")


def make_series(a, cfg):
    """The workloads to run: from the command line, the config's series, or its args."""
    workload = a.workload[1:] if a.workload[:1] == ["--"] else a.workload
    if workload:
        series = [dict(label="", args=workload, cwd=None)]
    elif "series" in cfg:  # a config's file names are relative to the project's root
        series = [dict(label=s.get("label", ""), args=[str(x) for x in s["args"]], cwd=ROOT)
                  for s in cfg["series"]]
    else:
        series = [dict(label="", args=[str(x) for x in cfg.get("args", DEFAULT_ARGS)], cwd=ROOT)]
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
                utilization=b.get("utilization"), command=shlex.join(cmd))


def measure(a, study, points, series):
    """Runs every point --repeat times; fills in wall_s, speedup, efficiency, Karp-Flatt;
    checks that strong-scaling results never change. Returns the rows of runs.csv."""
    runs, results, base = [], {}, {}
    for i, pt in enumerate(points):
        s = next(x for x in series if x["label"] == pt["series"])
        scale_to = s["base"] * pt["workers"] if pt["mode"] == "weak" else None
        cmd = study.command(pt["args"], pt["nodes"], pt["ranks"], pt["threads"], pt["schedule"], pt["chunk"], scale_to)
        walls = []
        for r in range(a.repeat):
            report, elapsed = study.run(cmd, s["cwd"])
            walls.append(report["timing"]["wall_s"])
            runs.append(run_row(a, study, pt, report, elapsed, cmd, r))
            if pt["mode"] == "strong":  # the never-bending rule, checked on every run
                got = json.dumps(report["result"], sort_keys=True)
                if results.setdefault(pt["series"], got) != got:
                    sys.exit(f"scaling_study: result differs at {shlex.join(cmd)}:\n{got}\n"
                             f"vs\n{results[pt['series']]}")
        pt["wall_s"] = statistics.median(walls)
        group = (pt["series"], pt["mode"], pt["schedule"], pt["chunk"])
        if pt["workers"] == 1:
            base[group] = pt["wall_s"]
        # weak: the work grew with the workers; scaled speedup
        pt["speedup"] = base[group] / pt["wall_s"] * (pt["workers"] if pt["mode"] == "weak" else 1)
        pt["efficiency"] = pt["speedup"] / pt["workers"]
        pt["karp_flatt"] = karp_flatt(pt["speedup"], pt["workers"])
        print(f"  [{i + 1}/{len(points)}] {pt['mode']:6} {pt['series'] or ''} {pt['schedule']:7} "
              f"chunk {pt['chunk']:>7} {pt['nodes']}n x {pt['ranks']}r x {pt['threads']}t: "
              f"{pt['wall_s']:.3f} s  speedup {pt['speedup']:.2f}  efficiency {pt['efficiency']:.2f}",
              file=sys.stderr)
    return runs


def write_results(a, runs, points, plt):
    with open(a.out / "runs.csv", "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(runs[0]))
        w.writeheader()
        w.writerows(runs)
    fields = ["series", "mode", "schedule", "chunk", "nodes", "ranks", "threads", "workers",
              "wall_s", "speedup", "efficiency", "karp_flatt"]
    with open(a.out / "points.csv", "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=fields, extrasaction="ignore")
        w.writeheader()
        w.writerows(points)
    if plt is not None:
        plot(points, a.out / "scaling.png", plt)
    print(f"scaling_study: wrote {a.out / 'runs.csv'}, {a.out / 'points.csv'}"
          + ("" if plt is None else f", {a.out / 'scaling.png'}"))


def main():
    a = parse_args()
    plt = None if a.no_plot else __import__("_mpl").pyplot()  # may re-exec with Debian's python
    cfg = load_config(a.config) if a.config else {}
    resolve(a, cfg)
    series = make_series(a, cfg)
    if "prepare" in cfg:  # e.g. make the input file of a lines study
        subprocess.run([str(x) for x in cfg["prepare"]], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    study = Study(a)
    points = grid(a, series)
    a.out.mkdir(parents=True, exist_ok=True)
    print(f"scaling_study: {len(points)} points x {a.repeat} runs with {a.parfold} "
          f"(launcher: {study.launcher}) -> {a.out}", file=sys.stderr)
    # One unmeasured run first: page faults, CPU clocks and file caches settle.
    study.run(study.command(points[0]["args"], 1, 1, 1, points[0]["schedule"], points[0]["chunk"], None),
              series[0]["cwd"])
    write_results(a, measure(a, study, points, series), points, plt)


if __name__ == "__main__":
    main()
