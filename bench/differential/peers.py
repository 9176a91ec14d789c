#!/usr/bin/env python3
"""Differential test: `rapport match peers` against networkx max_weight_matching(maxcardinality=True).

Random undirected graphs (ties among integer scores, two- and six-decimal scores,
negative and zero scores, several components, people whose only edges are negative,
complete and very sparse graphs) are written as `a,b,score` CSV; the built binary
(RAPPORT_BIN, default target/debug/rapport) and networkx solve the same graph, and the
objective (number of pairs, then total score in exact micro-units) must agree EXACTLY.
Pairs are not compared: any optimal answer is correct when there are ties. The
output is also checked to be a valid matching of listed edges with their scores.

(An edges file cannot list a person with no edge, so "isolated" people here are people
whose component is a single negative edge or a star that leaves most leaves unmatched.)

Usage: peers.py [COUNT] [SEED]   (defaults: 150 instances, seed 7)
Exit status 1 on any disagreement.
"""
import csv
import os
import random
import re
import subprocess
import sys
import tempfile

import networkx as nx

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.environ.get("RAPPORT_BIN", os.path.join(ROOT, "target", "debug", "rapport"))


def fmt(micros):
    sign = "-" if micros < 0 else ""
    v = abs(micros)
    whole, frac = divmod(v, 1_000_000)
    s = f"{sign}{whole}.{frac:06d}".rstrip("0").rstrip(".")
    return s if s not in ("", "-") else "0"


def parse(text):
    neg = text.startswith("-")
    t = text.lstrip("+-")
    whole, _, frac = t.partition(".")
    v = int(whole or "0") * 1_000_000 + int((frac + "000000")[:6])
    return -v if neg else v


def random_graph(rng):
    n = rng.randint(2, 40)
    density = rng.choice([0.05, 0.15, 0.3, 0.6, 1.0])
    kind = rng.choice(["int", "dec2", "dec6", "ties"])
    edges = {}
    for a in range(n):
        for b in range(a + 1, n):
            if rng.random() < density:
                if kind == "ties":
                    s = rng.choice([0, 1, 1, 2]) * 1_000_000
                elif kind == "int":
                    s = rng.randint(-5, 10) * 1_000_000
                elif kind == "dec2":
                    s = rng.randint(-500, 1000) * 10_000
                else:
                    s = rng.randint(-5_000_000, 10_000_000)
                edges[(a, b)] = s
    # A separate component with a single negative edge, and a star.
    if rng.random() < 0.3:
        edges[(n, n + 1)] = -rng.randint(1, 5) * 1_000_000
        n += 2
    if rng.random() < 0.3:
        centre = n
        for leaf in range(n + 1, n + 1 + rng.randint(2, 5)):
            edges[(centre, leaf)] = rng.randint(0, 3) * 1_000_000
        n = leaf + 1
    if not edges:
        edges[(0, 1)] = 1_000_000
    return edges


def run_rapport(edges, tmp, rng):
    path = os.path.join(tmp, "edges.csv")
    out = os.path.join(tmp, "pairs.csv")
    items = list(edges.items())
    rng.shuffle(items)
    with open(path, "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["a", "b", "score"])
        for (a, b), s in items:
            # Either orientation; ids are strings.
            if rng.random() < 0.5:
                a, b = b, a
            w.writerow([f"p{a}", f"p{b}", fmt(s)])
    r = subprocess.run([BIN, "match", "peers", "--edges", path, "--out", out],
                       capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError(r.stderr)
    used = set()
    total = 0
    pairs = 0
    with open(out, newline="") as fh:
        rd = csv.reader(fh)
        assert next(rd) == ["a", "b", "score"]
        for a, b, s in rd:
            ia, ib = int(a[1:]), int(b[1:])
            key = (min(ia, ib), max(ia, ib))
            assert key in edges, f"unlisted pair {a},{b}"
            assert parse(s) == edges[key], f"wrong score for {a},{b}"
            assert ia not in used and ib not in used, f"{a} or {b} matched twice"
            used.update((ia, ib))
            total += edges[key]
            pairs += 1
    summary = r.stdout
    assert int(re.search(r"pairs:\s+(\d+)", summary).group(1)) == pairs
    assert parse(re.search(r"total score: (\S+)", summary).group(1)) == total
    return pairs, total


def run_networkx(edges):
    g = nx.Graph()
    for (a, b), s in edges.items():
        g.add_edge(a, b, weight=s)
    m = nx.max_weight_matching(g, maxcardinality=True)
    return len(m), sum(edges[(min(a, b), max(a, b))] for a, b in m)


def main():
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 150
    seed = int(sys.argv[2]) if len(sys.argv) > 2 else 7
    rng = random.Random(seed)
    bad = 0
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(count):
            edges = random_graph(rng)
            ours = run_rapport(edges, tmp, rng)
            theirs = run_networkx(edges)
            if ours != theirs:
                bad += 1
                print(f"instance {i}: rapport {ours} != networkx {theirs}; edges {edges}")
    print(f"peers: {count - bad}/{count} instances agree with networkx")
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
