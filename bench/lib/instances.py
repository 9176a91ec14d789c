"""Seeded synthetic instances for `rapport match`, written as CSV, and the runner.

Shared by bench/compare and bench/differential. Scores have two decimals.
"""
import csv
import subprocess
import time

import numpy as np


def run_match(binary, args):
    """Runs `rapport match ARGS`; returns (stdout, wall seconds). Raises on failure."""
    t = time.perf_counter()
    r = subprocess.run([binary, "match"] + args, capture_output=True, text=True)
    wall = time.perf_counter() - t
    if r.returncode != 0:
        raise RuntimeError(r.stderr)
    return r.stdout, wall


def hundredths(text):
    """Exact decimal text with at most 2 places -> integer hundredths."""
    neg = text.startswith("-")
    whole, _, frac = text.lstrip("+-").partition(".")
    v = int(whole or "0") * 100 + int((frac + "00")[:2])
    return -v if neg else v


def write_pair_edges(path, edges):
    """{(a, b): hundredths} -> `a,b,score` CSV for `rapport match peers|groups`."""
    with open(path, "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["a", "b", "score"])
        for (a, b), s in edges.items():
            w.writerow([f"p{a}", f"p{b}", f"{s // 100}.{s % 100:02d}"])


def circle_people(seed, n, k=20):
    """Points in the unit square, each keeping its k nearest, 100*exp(-d^2/s^2) points."""
    rng = np.random.default_rng(seed)
    pts = rng.random((n, 2))
    s2 = k / (n * np.pi)
    edges = {}
    for a in range(n):
        d2 = ((pts - pts[a]) ** 2).sum(axis=1)
        d2[a] = np.inf
        for b in np.argpartition(d2, k)[:k]:
            key = (min(a, int(b)), max(a, int(b)))
            edges.setdefault(key, int(round(10000 * np.exp(-d2[b] / s2))))
    return edges


def distinct_neighbours(rng, n, m, k):
    """An n x k array of mentor indices, distinct within each row."""
    k = min(k, m)
    cols = rng.integers(0, m, size=(n, k))
    for _ in range(100):
        cols.sort(axis=1)
        dup = np.zeros_like(cols, dtype=bool)
        dup[:, 1:] = cols[:, 1:] == cols[:, :-1]
        if not dup.any():
            return cols
        cols[dup] = rng.integers(0, m, size=int(dup.sum()))
    # Fall back to exact sampling for the rows still clashing (tiny m).
    for r in range(n):
        if len(set(cols[r])) < k:
            cols[r] = rng.choice(m, size=k, replace=False)
    return cols


def sparse_instance(seed, n, m, k, ratio, max_cap=None, competitive=False):
    """Mentees 0..n, mentors 0..m, k candidates each; mentor capacities average
    ratio * n / m (uniform on 1..2*avg-1, or 1..max_cap when given). Scores are
    uniform on 0..100.00; competitive instances mix in a mentor-wide quality, so
    everyone wants the same mentors."""
    rng = np.random.default_rng(seed)
    cols = distinct_neighbours(rng, n, m, k)
    if competitive:
        quality = rng.integers(0, 5001, size=m)  # hundredths
        scores = quality[cols] + rng.integers(0, 5001, size=cols.shape)
    else:
        scores = rng.integers(0, 10001, size=cols.shape)
    avg = ratio * n / m
    hi = max_cap if max_cap else max(1, int(round(2 * avg - 1)))
    caps = rng.integers(1, hi + 1, size=m)
    return cols, scores, caps


def write_sparse(dirpath, cols, scores, caps, prefix=""):
    """Writes edges.csv and capacities.csv; returns their paths."""
    import os
    n, k = cols.shape
    edges = os.path.join(dirpath, prefix + "edges.csv")
    capf = os.path.join(dirpath, prefix + "capacities.csv")
    mentee = np.repeat(np.arange(n), k)
    mentor = cols.reshape(-1)
    sc = scores.reshape(-1)
    whole = sc // 100
    frac = sc % 100
    with open(edges, "w") as f:
        f.write("mentee,mentor,score\n")
        # Chunked formatting keeps memory flat on millions of rows.
        step = 1_000_000
        for s in range(0, len(mentee), step):
            e = slice(s, s + step)
            lines = [
                f"e{a},r{b},{w}.{c:02d}\n"
                for a, b, w, c in zip(mentee[e].tolist(), mentor[e].tolist(),
                                      whole[e].tolist(), frac[e].tolist())
            ]
            f.write("".join(lines))
    with open(capf, "w") as f:
        f.write("mentor,capacity\n")
        f.write("".join(f"r{j},{c}\n" for j, c in enumerate(caps.tolist())))
    return edges, capf


def dense_instance(seed, n):
    """An n x n score matrix in hundredths (0..100.00), for 1:1 assignment."""
    rng = np.random.default_rng(seed)
    return rng.integers(0, 10001, size=(n, n))


def write_dense(dirpath, matrix):
    import os
    n = matrix.shape[0]
    edges = os.path.join(dirpath, "dense-edges.csv")
    capf = os.path.join(dirpath, "dense-capacities.csv")
    with open(edges, "w") as f:
        f.write("mentee,mentor,score\n")
        for i in range(n):
            row = matrix[i].tolist()
            f.write("".join(f"e{i},r{j},{v // 100}.{v % 100:02d}\n" for j, v in enumerate(row)))
    with open(capf, "w") as f:
        f.write("mentor,capacity\n")
        f.write("".join(f"r{j},1\n" for j in range(n)))
    return edges, capf
