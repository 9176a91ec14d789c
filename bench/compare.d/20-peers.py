#!/usr/bin/env python3
"""Peer matching: the whole `rapport match peers` process against networkx
max_weight_matching(maxcardinality=True) on 4k people with 10 random neighbours each
(same file, same objective), then rapport alone on 100k people with 10 neighbours.

Environment: RAPPORT_BIN, BENCH_WORK, BENCH_QUICK (see bench/compare).
"""
import csv
import os
import re
import sys
import time

import networkx as nx
import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "lib"))
from instances import hundredths, run_match, write_pair_edges  # noqa: E402

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


def peers_case(n, k, with_networkx):
    edges = peer_graph(n, n, k)
    path = os.path.join(WORK, f"peers-{n}.csv")
    write_pair_edges(path, edges)
    out = os.path.join(WORK, f"pairs-{n}.csv")
    text, wall = run_match(BIN, ["peers", "--edges", path, "--out", out])
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


def main():
    peers_case(400 if QUICK else 4000, 10, with_networkx=True)
    peers_case(10_000 if QUICK else 100_000, 10, with_networkx=False)


if __name__ == "__main__":
    main()
