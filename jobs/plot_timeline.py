#!/usr/bin/env python3
"""Draws a parfold trace as a timeline: one bar per chunk, one row per worker.

    parfold --trace run.json --schedule dynamic pi --samples 1e9
    python3 jobs/plot_timeline.py run.json -o timeline.png

Bars are coloured by rank; white gaps between bars are chunk boundaries, empty space
is idle time. With more workers than --max-rows the picture aggregates: one row per
group of consecutive workers, shaded by the fraction of the group busy over time.
"""
import argparse
import collections
import json
import sys

from _mpl import pyplot


def load(path):
    try:
        with open(path, encoding="utf-8") as f:
            trace = json.load(f)
    except (OSError, json.JSONDecodeError) as e:
        sys.exit(f"plot_timeline: cannot read trace {path}: {e}")
    chunks = [e for e in trace.get("traceEvents", []) if e.get("ph") == "X"]
    return trace.get("otherData", {}), chunks


def title_of(meta, workers):
    threads = meta.get("threads", [])
    per_rank = (str(threads[0]) if threads and len(set(threads)) == 1 else str(threads))
    chunk = meta.get("chunk")
    return (f"{meta.get('workload', '?')}: schedule {meta.get('schedule', '?')}, "
            f"chunk {chunk:,} ({meta.get('chunks', 0):,} chunks)\n"
            f"{meta.get('ranks', '?')} rank(s) x {per_rank} thread(s) = {workers} workers, "
            f"wall {meta.get('wall_s', 0):.3f} s") if isinstance(chunk, int) else str(meta)


def draw_workers(ax, plt, by_worker, t0):
    rows = sorted(by_worker)
    cmap = plt.get_cmap("tab10")
    for y, (rank, thread) in enumerate(rows):
        bars = [((e["ts"] - t0) / 1e6, max(e["dur"], 0) / 1e6) for e in by_worker[(rank, thread)]]
        ax.broken_barh(bars, (y - 0.4, 0.8), facecolors=cmap(rank % 10),
                       edgecolor="white", linewidth=0.3 if len(bars) < 2000 else 0)
    ax.set_yticks(range(len(rows)))
    ax.set_yticklabels([f"r{r} t{t}" for r, t in rows], fontsize=8 if len(rows) < 24 else 5)
    ax.set_ylim(len(rows) - 0.5, -0.5)
    ax.set_ylabel("worker (rank, thread)")


def draw_aggregate(ax, by_worker, t0, t1, max_rows, bins=400):
    """Rows = groups of consecutive workers; colour = fraction of the group busy."""
    import numpy as np
    workers = sorted(by_worker)
    per_group = -(-len(workers) // max_rows)
    groups = [workers[i:i + per_group] for i in range(0, len(workers), per_group)]
    span = max(t1 - t0, 1e-9)
    busy = np.zeros((len(groups), bins))
    for g, members in enumerate(groups):
        for w in members:
            for e in by_worker[w]:
                a = (e["ts"] - t0) / span * bins
                b = (e["ts"] + e["dur"] - t0) / span * bins
                for k in range(int(a), min(int(np.ceil(b)), bins)):
                    busy[g, k] += max(0.0, min(b, k + 1) - max(a, k))
        busy[g] /= len(members)
    im = ax.imshow(busy, aspect="auto", interpolation="nearest", cmap="viridis", vmin=0, vmax=1,
                   extent=(0, span / 1e6, len(groups) - 0.5, -0.5))
    ax.figure.colorbar(im, ax=ax, label="fraction of the workers busy")

    def name(w):
        return f"r{w[0]} t{w[1]}"
    labels = [name(g[0]) if len(g) == 1 else f"{name(g[0])}..{name(g[-1])}" for g in groups]
    step = max(1, len(groups) // 32)
    ax.set_yticks(range(0, len(groups), step))
    ax.set_yticklabels(labels[::step], fontsize=6)
    ax.set_ylabel(f"workers, {per_group} per row")


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("trace", help="a trace written by parfold --trace FILE")
    p.add_argument("-o", "--output", default="timeline.png", help="PNG to write (default timeline.png)")
    p.add_argument("--max-rows", type=int, default=64,
                   help="draw one row per worker up to this many workers, else aggregate (default 64)")
    p.add_argument("--run", type=int, help="only this run of a job that ran several (lines grep)")
    args = p.parse_args()
    plt = pyplot()

    meta, chunks = load(args.trace)
    if args.run is not None:
        chunks = [e for e in chunks if e["args"].get("run") == args.run]
    if not chunks:
        sys.exit(f"plot_timeline: {args.trace} holds no chunks")
    by_worker = collections.defaultdict(list)
    for e in chunks:
        by_worker[(e["pid"], e["tid"])].append(e)
    for rank, threads in enumerate(meta.get("threads", [])):
        for thread in range(threads):
            by_worker[(rank, thread)]  # workers that got no chunk get an empty row
    workers = len(by_worker)
    t0 = 0.0  # the trace's zero: rank 0's start of the job
    t1 = max(e["ts"] + e["dur"] for e in chunks)

    rows = len(by_worker)
    aggregate = rows > args.max_rows
    height = 2.0 + min(rows, args.max_rows, 40) * 0.25
    fig, ax = plt.subplots(figsize=(11, height))
    if aggregate:
        draw_aggregate(ax, by_worker, t0, t1, args.max_rows)
    else:
        draw_workers(ax, plt, by_worker, t0)
    ax.set_xlabel("time since start (s)")
    ax.set_xlim(0, t1 / 1e6 * 1.01)
    ax.set_title(title_of(meta, workers), fontsize=10)
    ax.grid(axis="x", alpha=0.3)
    fig.tight_layout()
    fig.savefig(args.output, dpi=120)

    busy = {w: sum(e["dur"] for e in ev) / 1e6 for w, ev in by_worker.items()}
    mean = sum(busy.values()) / len(busy)
    print(f"{args.output}: {len(chunks)} chunks on {rows} workers"
          f"{' (aggregated)' if aggregate else ''}; busy mean {mean:.3f} s, "
          f"max {max(busy.values()):.3f} s, max/mean {max(busy.values()) / mean if mean else 1:.2f}")


if __name__ == "__main__":
    main()
