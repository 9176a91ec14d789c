#!/usr/bin/env python3
"""Peer matching: the whole `rapport match peers` process against networkx
max_weight_matching(maxcardinality=True) on 4k people with 10 random neighbours each
(same file, same objective), then rapport alone on 100k people with 10 neighbours.
Circles of four: `rapport match groups` on 2k and 8k people, objective against the
upper bound it prints.

Environment: RAPPORT_BIN, BENCH_WORK, BENCH_QUICK (see bench/compare).
"""
import csv
import os
import re
import subprocess
import time

import networkx as nx
import numpy as np

BIN = os.environ["RAPPORT_BIN"]
WORK = os.environ["BENCH_WORK"]
QUICK = os.environ.get("BENCH_QUICK") == "1"


def peer_graph(seed, n, k):
    """n people, each naming k distinct random others; scores 0..100.00 (two decimals)."""
    rng = np.random.default_rng(seed)
    edges = {}
    for a in range(n):
        got = 0
        while got < k:
            b = int(rng.integers(0, n))
            if b == a:
                continue
            key = (min(a, b), max(a, b))
            if key not in edges:
                edges[key] = int(rng.integers(0, 10001))
            got += 1
    return edges


def write_edges(path, edges):
    with open(path, "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["a", "b", "score"])
        for (a, b), s in edges.items():
            w.writerow([f"p{a}", f"p{b}", f"{s // 100}.{s % 100:02d}"])


def hundredths(text):
    neg = text.startswith("-")
    whole, _, frac = text.lstrip("+-").partition(".")
    v = int(whole or "0") * 100 + int((frac + "00")[:2])
    return -v if neg else v


def run_rapport(args):
    t = time.perf_counter()
    r = subprocess.run([BIN, "match"] + args, capture_output=True, text=True)
    wall = time.perf_counter() - t
    if r.returncode != 0:
        raise RuntimeError(r.stderr)
    return r.stdout, wall


def peers_case(n, k, with_networkx):
    edges = peer_graph(n, n, k)
    path = os.path.join(WORK, f"peers-{n}.csv")
    write_edges(path, edges)
    out = os.path.join(WORK, f"pairs-{n}.csv")
    text, wall = run_rapport(["peers", "--edges", path, "--out", out])
    pairs = int(re.search(r"pairs:\s+(\d+)", text).group(1))
    total = hundredths(re.search(r"total score: (\S+)", text).group(1))
    phases = re.search(r"time:\s+(.*)", text).group(1)
    mem = re.search(r"peak memory: (.*)", text).group(1)
    print(f"\npeers: {n} people, {k} random neighbours each ({len(edges)} edges)")
    print(f"  rapport  : pairs {pairs}, total {total / 100:.2f}; whole process {wall:.2f}s "
          f"({phases}), peak {mem}")
    if not with_networkx:
        return
    t0 = time.perf_counter()
    g = nx.Graph()
    with open(path, newline="") as fh:
        rd = csv.reader(fh)
        next(rd)
        for a, b, s in rd:
            g.add_edge(a, b, weight=hundredths(s))
    t1 = time.perf_counter()
    m = nx.max_weight_matching(g, maxcardinality=True)
    t2 = time.perf_counter()
    npairs = len(m)
    ntotal = sum(g[a][b]["weight"] for a, b in m)
    agree = "AGREE" if (pairs, total) == (npairs, ntotal) else "DISAGREE"
    print(f"  networkx : pairs {npairs}, total {ntotal / 100:.2f}; CSV read {t1 - t0:.2f}s + "
          f"solve {t2 - t1:.2f}s = {t2 - t0:.2f}s")
    print(f"  objective {agree}; rapport/networkx = {wall / (t2 - t0):.4f}")


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


def groups_case(n):
    edges = circle_people(n, n)
    path = os.path.join(WORK, f"circles-{n}.csv")
    write_edges(path, edges)
    out = os.path.join(WORK, f"groups-{n}.csv")
    text, wall = run_rapport(["groups", "--edges", path, "--min", "4", "--max", "4",
                              "--unlisted-as-zero", "--out", out])
    obj = re.search(r"objective:\s+(.*)", text).group(1)
    ub = re.search(r"upper bound: (\S+)", text).group(1)
    print(f"\ncircles of 4: {n} people, 20 nearest each ({len(edges)} edges)")
    print(f"  rapport  : objective {obj}, upper bound {ub}; whole process {wall:.2f}s")


def main():
    peers_case(400 if QUICK else 4000, 10, with_networkx=True)
    peers_case(10_000 if QUICK else 100_000, 10, with_networkx=False)
    for n in ([500] if QUICK else [2000, 8000]):
        groups_case(n)


if __name__ == "__main__":
    main()
