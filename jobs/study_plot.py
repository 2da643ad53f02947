"""Draws a scaling study (jobs/scaling_study.py): speedup with the ideal line and the
fitted law, efficiency, the Karp-Flatt serial fraction, and wall time by chunk size."""
import itertools

import laws


def chunk_key(chunk):
    """Chunk sizes in numeric order, parfold's default first."""
    text = str(chunk)
    return (1, int(text), "") if text.isdigit() else (0, 0, text)


def group_key(p):
    """Points that share a curve's family: one workload, mode, schedule, chunk size."""
    return (p["series"], p["mode"], p["schedule"], chunk_key(p["chunk"]))


def lines_of(rows):
    """The curves of one mode: within each family, the points joined along whichever of
    ranks and threads varies more (a threads-only study draws lines across threads).
    Returns [(family key, what is held fixed, points sorted by workers)], in numeric order."""
    out = []
    for fam, members in itertools.groupby(sorted(rows, key=group_key), key=group_key):
        members = list(members)
        ranks = {p["nodes"] * p["ranks"] for p in members}
        threads = {p["threads"] for p in members}
        if len(threads) > len(ranks):
            fixed = lambda p: ("ranks", p["nodes"] * p["ranks"])
        else:
            fixed = lambda p: ("threads", p["threads"])
        for held, line in itertools.groupby(sorted(members, key=lambda p: (fixed(p), p["workers"])), key=fixed):
            out.append((fam, held, list(line)))
    return out


def label_of(fam, held, many_chunks):
    series, _, schedule, chunk = fam
    what = f"{held[1]} rank(s)" if held[0] == "ranks" else f"{held[1]} thr/rank" if held[0] else ""
    parts = [series, schedule, f"chunk {chunk[1] if chunk[0] else chunk[2]}" if many_chunks else "", what]
    return " ".join(x for x in parts if x) or "measured"


def draw_fit(ax, fits, fam, top, color):
    fit = fits.get(fam)
    if not fit:
        return
    law, s = fit
    xs = [1 + i * (top - 1) / 60 for i in range(61)]
    curve = laws.amdahl if law == "amdahl" else laws.gustafson
    ax.plot(xs, [curve(s, x) for x in xs], ":", lw=1.5, color=color, label=f"{law.capitalize()} fit ({fam[0] or fam[2]}): serial {s:.1%}")


def draw_mode(axes, rows, fits, mode, cores, many_chunks):
    sp, ef, kf = axes
    workers = sorted({p["workers"] for p in rows})
    top = workers[-1]
    sp.plot([1, top], [1, top], "k--", lw=1, label="ideal")
    ef.plot([1, top], [1, 1], "k--", lw=1, label="ideal")
    if cores and cores < top:  # past this many workers the threads share cores
        for ax in axes:
            ax.axvline(cores, color="grey", lw=0.8, ls=":", label=f"{cores} cores here")
    fitted, noisy_labelled = set(), False
    lines = lines_of(rows)
    one_shape = len({held for _, held, _ in lines}) == 1
    show_fits = len({fam for fam, _, _ in lines}) <= 3  # more: a legend of fits hides the data
    for i, (fam, held, line) in enumerate(lines):
        xs = [p["workers"] for p in line]
        label = label_of(fam, held, many_chunks) if not one_shape else label_of(fam, ("", ""), many_chunks)
        color = f"C{i % 10}"
        sp.plot(xs, [p["speedup"] for p in line], "o-", color=color, label=label)
        ef.plot(xs, [p["efficiency"] for p in line], "o-", color=color, label=label)
        kx = [(p["workers"], p["karp_flatt"]) for p in line if p["karp_flatt"] != ""]
        if kx:
            kf.plot([x for x, _ in kx], [y for _, y in kx], "o-", color=color, label=label)
        noisy = [p for p in line if p.get("noisy")]
        sp.plot([p["workers"] for p in noisy], [p["speedup"] for p in noisy], "o", mfc="none", mec="red", ms=11,
                label="varied > 10% between repeats" if noisy and not noisy_labelled else None)
        noisy_labelled = noisy_labelled or bool(noisy)
        if fam not in fitted and show_fits:
            draw_fit(sp, fits, fam, top, color)
            if fits.get(fam, ("",))[0] == "amdahl":  # Karp-Flatt is flat at Amdahl's s where his law holds
                kf.axhline(fits[fam][1], color=color, ls=":", lw=1.2)
            fitted.add(fam)
    scaled = "scaled " if mode == "weak" else ""
    sp.set_title(f"{mode} scaling: {scaled}speedup")
    ef.set_title(f"{mode} scaling: efficiency")
    kf.set_title(f"{mode} scaling: Karp-Flatt serial fraction")
    for ax in axes:
        ax.set_xlabel("workers (ranks x threads)")
        ax.set_xticks(workers)
        ax.grid(alpha=0.3)
    sp.set_ylabel(f"{scaled}speedup vs 1 worker")
    ef.set_ylabel("efficiency (speedup / workers)")
    kf.set_ylabel("serial fraction e(p)")
    kf.set_ylim(min(0, kf.get_ylim()[0]), max(0.05, kf.get_ylim()[1] * 1.1))
    ef.set_ylim(0, max(1.2, max(p["efficiency"] for p in rows) * 1.05))
    sp.legend(fontsize=7)
    kf.legend(fontsize=7)


def draw_chunks(ax, rows):
    key = lambda p: (p["series"], p["schedule"], p["ranks"], p["threads"])
    for k, line in itertools.groupby(sorted(rows, key=lambda p: (key(p), int(p["chunk"]))), key=key):
        line = list(line)
        ax.plot([int(p["chunk"]) for p in line], [p["wall_s"] for p in line], "o-",
                label=" ".join(x for x in [k[0], k[1], f"{k[2]} rank(s) x {k[3]} thr"] if x))
    ax.set_xscale("log")
    chunks = sorted({int(p["chunk"]) for p in rows})
    ax.set_xticks(chunks, [f"{c:,}" for c in chunks])
    ax.minorticks_off()
    ax.set_xlabel("chunk size (items)")
    ax.set_ylabel("wall time (s), median")
    ax.set_title("chunk size")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7)


def plot(points, fits, out, plt, title, cores=None):
    """Writes the picture of a study to `out`; returns the figure (for tests)."""
    modes = sorted({p["mode"] for p in points})
    numeric = [p for p in points if str(p["chunk"]).isdigit() and p["mode"] == modes[0]]
    many_chunks = len({p["chunk"] for p in points}) > 1
    chunk_panel = len({p["chunk"] for p in numeric}) > 1
    rows_n = len(modes) + (1 if chunk_panel else 0)
    fig, axes = plt.subplots(rows_n, 3, figsize=(15, 4.4 * rows_n + 0.8), squeeze=False)
    for m, mode in enumerate(modes):
        draw_mode(axes[m], [p for p in points if p["mode"] == mode], fits, mode, cores, many_chunks)
    if chunk_panel:
        draw_chunks(axes[-1][0], numeric)
        axes[-1][1].axis("off")
        axes[-1][2].axis("off")
    noisy = [p for p in points if p.get("noisy")]
    if noisy:
        title += (f"\nwarning: {len(noisy)} of {len(points)} points varied by more than 10% between repeats "
                  "(a noisy machine: rerun with more --repeat, or on a quiet one)")
    fig.suptitle(title, fontsize=10, color="darkred" if noisy else "black")
    fig.tight_layout()
    fig.savefig(out, dpi=100)
    return fig
