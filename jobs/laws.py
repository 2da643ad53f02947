"""The laws of parallel speedup, and their serial fraction fitted to measured points.

Amdahl (strong scaling, a fixed problem): S(p) = 1 / (s + (1 - s) / p).
Gustafson (weak scaling, the parallel part grows with p): S(p) = p - s (p - 1).
Karp-Flatt: the serial fraction that one measured point implies,
e(p) = (1/S - 1/p) / (1 - 1/p); constant when Amdahl's model holds, growing when
the overhead grows with the workers.
"""


def amdahl(s, p):
    return 1 / (s + (1 - s) / p)


def gustafson(s, p):
    return p - s * (p - 1)


def karp_flatt(speedup, p):
    return (1 / speedup - 1 / p) / (1 - 1 / p) if p > 1 and speedup > 0 else ""


def _through_origin(xs, ys):
    """Least squares of y = s x (one parameter), s kept in [0, 1]; None without data."""
    sxx = sum(x * x for x in xs)
    if sxx == 0:
        return None
    return min(1.0, max(0.0, sum(x * y for x, y in zip(xs, ys)) / sxx))


def fit_amdahl(points):
    """Serial fraction s of Amdahl's law from (workers, speedup) pairs: least squares
    of 1/S - 1/p = s (1 - 1/p), which is linear in s."""
    pts = [(p, sp) for p, sp in points if p > 1 and sp > 0]
    return _through_origin([1 - 1 / p for p, _ in pts], [1 / sp - 1 / p for p, sp in pts])


def fit_gustafson(points):
    """Serial fraction s of Gustafson's law from (workers, scaled speedup) pairs:
    least squares of p - S = s (p - 1)."""
    pts = [(p, sp) for p, sp in points if p > 1]
    return _through_origin([p - 1 for p, _ in pts], [p - sp for p, sp in pts])
