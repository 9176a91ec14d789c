#!/usr/bin/env python3
"""Differential test: `rapport match assign --edges` against OR-Tools SimpleMinCostFlow.

Generates random instances (ties, isolated mentees and mentors, zero-capacity mentors,
uncoverable mentees, negative scores, mentee capacities above 1), runs the built binary
(RAPPORT_BIN, default target/debug/rapport) and OR-Tools on the same data, and checks
that the lexicographic objective (mentees covered, pairs, total score) agrees EXACTLY.
Pairs are not compared: any optimal answer is correct when there are ties.

OR-Tools gets the same lexicographic objective through exact integer weights:
each mentee's first unit carries a coverage bonus larger than any pairs-and-score
difference, and every pair carries a pair bonus larger than any score difference.

Usage: assign.py [COUNT] [SEED]   (defaults: 250 instances, seed 2024)
Exit status 1 on any disagreement.
"""
import csv
import os
import random
import subprocess
import sys
import tempfile

from ortools.graph.python import min_cost_flow

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.environ.get("RAPPORT_BIN", os.path.join(ROOT, "target", "debug", "rapport"))


def random_instance(rng):
    n = rng.randint(1, 12)
    m = rng.randint(1, 8)
    density = rng.choice([0.1, 0.3, 0.6, 1.0])
    # Integer, two-decimal and six-decimal scores, with many ties among the integers.
    kind = rng.choice(["int", "dec2", "dec6"])
    edges = []
    for i in range(n):
        for j in range(m):
            if rng.random() < density:
                if kind == "int":
                    s = rng.randint(-5, 10) * 1_000_000
                elif kind == "dec2":
                    s = rng.randint(-500, 1000) * 10_000
                else:
                    s = rng.randint(-5_000_000, 10_000_000)
                edges.append((i, j, s))
    caps = [rng.choice([0, 1, 1, 2, 3]) for _ in range(m)]
    mentee_caps = None
    if rng.random() < 0.3:
        mentee_caps = [rng.choice([0, 1, 1, 2, 3]) for _ in range(n)]
    return n, m, edges, caps, mentee_caps


def micros_to_text(v):
    sign = "-" if v < 0 else ""
    v = abs(v)
    whole, frac = divmod(v, 1_000_000)
    if frac == 0:
        return f"{sign}{whole}"
    return f"{sign}{whole}.{frac:06d}".rstrip("0")


def ortools_objective(n, m, edges, caps, mentee_caps):
    """Lexicographic optimum (covered, pairs, score) via one exact min-cost flow."""
    a = mentee_caps or [1] * n
    max_abs = max([abs(s) for _, _, s in edges], default=0)
    pairs_max = len(edges) + 1
    pair_bonus = 2 * max_abs * pairs_max + 1          # beats any score difference
    cover_bonus = pair_bonus * (pairs_max + 1) * 2    # beats any pairs-and-score difference
    src, sink = n + m, n + m + 1
    f = min_cost_flow.SimpleMinCostFlow()
    for i in range(n):
        if a[i] >= 1:
            f.add_arc_with_capacity_and_unit_cost(src, i, 1, -cover_bonus)
        if a[i] >= 2:
            f.add_arc_with_capacity_and_unit_cost(src, i, a[i] - 1, 0)
    arcs = []
    for (i, j, s) in edges:
        arcs.append(f.add_arc_with_capacity_and_unit_cost(i, n + j, 1, -(pair_bonus + s)))
    for j in range(m):
        if caps[j] > 0:
            f.add_arc_with_capacity_and_unit_cost(n + j, sink, caps[j], 0)
    # Max-value (not max-flow): a zero-cost bypass lets units stay home.
    total = sum(a)
    f.add_arc_with_capacity_and_unit_cost(src, sink, total, 0)
    f.set_node_supply(src, total)
    f.set_node_supply(sink, -total)
    status = f.solve()
    assert status == f.OPTIMAL, status
    covered = set()
    pairs = 0
    score = 0
    for arc, (i, j, s) in zip(arcs, edges):
        if f.flow(arc) > 0:
            covered.add(i)
            pairs += 1
            score += s
    return (len(covered), pairs, score)


def rapport_objective(tmp, n, m, edges, caps, mentee_caps):
    e_path = os.path.join(tmp, "edges.csv")
    c_path = os.path.join(tmp, "capacities.csv")
    out = os.path.join(tmp, "matches.csv")
    with open(e_path, "w", newline="") as fh:
        fh.write("mentee,mentor,score\n")
        for (i, j, s) in edges:
            fh.write(f"e{i},r{j},{micros_to_text(s)}\n")
    with open(c_path, "w", newline="") as fh:
        fh.write("mentor,capacity\n")
        for j in range(m):
            fh.write(f"r{j},{caps[j]}\n")
    cmd = [BIN, "match", "assign", "--edges", e_path, "--capacities", c_path, "--out", out]
    if mentee_caps is not None:
        mc = os.path.join(tmp, "mentee-capacities.csv")
        with open(mc, "w", newline="") as fh:
            fh.write("mentee,capacity\n")
            for i in range(n):
                fh.write(f"e{i},{mentee_caps[i]}\n")
        cmd += ["--mentee-capacities", mc]
    if not edges:
        return (0, 0, 0)  # no mentees at all in edges mode
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError(f"rapport failed: {r.stderr}")
    covered, pairs, score = set(), 0, 0
    a = mentee_caps or [1] * n
    load = [0] * m
    taken = {}
    lookup = {(i, j): s for (i, j, s) in edges}
    with open(out, newline="") as fh:
        for row in csv.DictReader(fh):
            i, j = int(row["mentee"][1:]), int(row["mentor"][1:])
            assert (i, j) in lookup, f"pair {(i, j)} is not an edge"
            load[j] += 1
            taken[i] = taken.get(i, 0) + 1
            covered.add(i)
            pairs += 1
            score += lookup[(i, j)]
    for j in range(m):
        assert load[j] <= caps[j], f"mentor r{j} over capacity"
    for i, k in taken.items():
        assert k <= a[i], f"mentee e{i} over capacity"
    return (len(covered), pairs, score)


def main():
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 250
    seed = int(sys.argv[2]) if len(sys.argv) > 2 else 2024
    rng = random.Random(seed)
    failures = 0
    with tempfile.TemporaryDirectory() as tmp:
        for k in range(count):
            inst = random_instance(rng)
            n, m, edges, caps, mentee_caps = inst
            # In edges mode the mentees are those with edges: compare on those only.
            present = sorted({i for (i, _, _) in edges})
            remap = {i: x for x, i in enumerate(present)}
            edges2 = [(remap[i], j, s) for (i, j, s) in edges]
            mc2 = [mentee_caps[i] for i in present] if mentee_caps else None
            want = ortools_objective(len(present), m, edges2, caps, mc2)
            got = rapport_objective(tmp, n, m, edges, caps, mentee_caps)
            if want != got:
                failures += 1
                print(f"instance {k}: OR-Tools {want} != rapport {got}: {inst}")
    print(f"assign: {count} instances, {failures} disagreements")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
