#!/usr/bin/env python3
"""Many-to-one assignment: the whole `rapport match assign --edges` process against an
OR-Tools pipeline (CSV read + SimpleMinCostFlow) on the same files; dense 1:1 against
scipy linear_sum_assignment and lap.lapjv. Prints each objective, each time, the ratio.

Environment: RAPPORT_BIN, BENCH_WORK, BENCH_QUICK (see bench/compare).
"""
import csv
import os
import re
import subprocess
import sys
import time

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "lib"))
import instances  # noqa: E402
from instances import hundredths  # noqa: E402

BIN = os.environ["RAPPORT_BIN"]
WORK = os.environ["BENCH_WORK"]
QUICK = os.environ.get("BENCH_QUICK") == "1"
SCALE = 10 if QUICK else 1


def run_rapport(edges, caps):
    out = os.path.join(WORK, "matches.csv")
    t = time.perf_counter()
    r = subprocess.run([BIN, "match", "assign", "--edges", edges, "--capacities", caps, "--out", out],
                       capture_output=True, text=True)
    wall = time.perf_counter() - t
    if r.returncode != 0:
        raise RuntimeError(r.stderr)
    text = r.stdout
    covered = int(re.search(r"matched:\s+(\d+)", text).group(1))
    score = re.search(r"total score: (\S+)", text).group(1)
    solve = float(re.search(r"solving ([0-9.]+)s", text).group(1))
    mem = re.search(r"peak memory: (.*)", text)
    return covered, score, wall, solve, mem.group(1) if mem else "?"


def fmt_hundredths(v):
    sign = "-" if v < 0 else ""
    v = abs(v)
    s = f"{sign}{v // 100}.{v % 100:02d}".rstrip("0").rstrip(".")
    return s


def run_ortools(edges_path, caps_path):
    """CSV read (csv module, ids interned) + SimpleMinCostFlow with an exact coverage
    bonus. Mentee capacities are 1 here, so coverage = pairs and one bonus suffices."""
    from ortools.graph.python import min_cost_flow
    t0 = time.perf_counter()
    mentees, mentors = {}, {}
    tails, heads, costs = [], [], []
    with open(edges_path, newline="") as fh:
        rd = csv.reader(fh)
        next(rd)
        for a, b, s in rd:
            i = mentees.setdefault(a, len(mentees))
            j = mentors.setdefault(b, len(mentors))
            tails.append(i)
            heads.append(j)
            costs.append(hundredths(s))
    caps = {}
    with open(caps_path, newline="") as fh:
        rd = csv.reader(fh)
        next(rd)
        for b, c in rd:
            caps[b] = int(c)
    t1 = time.perf_counter()
    n, m = len(mentees), len(mentors)
    w = np.asarray(costs, dtype=np.int64)
    bonus = 2 * int(np.abs(w).max(initial=0)) * n + 1
    src, sink = n + m, n + m + 1
    f = min_cost_flow.SimpleMinCostFlow()
    f.add_arcs_with_capacity_and_unit_cost(np.full(n, src), np.arange(n), np.ones(n, dtype=np.int64),
                                           np.full(n, -bonus, dtype=np.int64))
    arcs = f.add_arcs_with_capacity_and_unit_cost(np.asarray(tails), n + np.asarray(heads),
                                                  np.ones(len(tails), dtype=np.int64), -w)
    cap_arr = np.zeros(m, dtype=np.int64)
    for b, j in mentors.items():
        cap_arr[j] = caps[b]
    f.add_arcs_with_capacity_and_unit_cost(n + np.arange(m), np.full(m, sink), cap_arr,
                                           np.zeros(m, dtype=np.int64))
    f.add_arc_with_capacity_and_unit_cost(src, sink, n, 0)
    f.set_node_supply(src, n)
    f.set_node_supply(sink, -n)
    status = f.solve()
    t2 = time.perf_counter()
    assert status == f.OPTIMAL, status
    flows = f.flows(arcs)
    covered = int(flows.sum())
    score = int((flows * w).sum())
    return covered, fmt_hundredths(score), t1 - t0, t2 - t1


def sparse_case(name, seed, n, m, k, ratio, max_cap=None, competitive=False):
    cols, scores, caps = instances.sparse_instance(seed, n, m, k, ratio, max_cap, competitive)
    e, c = instances.write_sparse(WORK, cols, scores, caps, prefix=name + "-")
    slots = caps.sum() / n
    print(f"\n{name}: {n} mentees x {m} mentors, {k} candidates each ({n * k} edges), "
          f"{slots:.2f} slots per mentee{', competitive scores' if competitive else ''}")
    rc, rs, rwall, rsolve, rmem = run_rapport(e, c)
    oc, os_, oread, osolve = run_ortools(e, c)
    agree = "AGREE" if (rc, rs) == (oc, os_) else "DISAGREE"
    print(f"  rapport  : covered {rc}, score {rs}; whole process {rwall:.2f}s "
          f"(solve {rsolve:.2f}s), peak {rmem}")
    print(f"  OR-Tools : covered {oc}, score {os_}; CSV read {oread:.2f}s + solve {osolve:.2f}s "
          f"= {oread + osolve:.2f}s")
    print(f"  objective {agree}; rapport/OR-Tools pipeline = {rwall / (oread + osolve):.3f} "
          f"(target <= 0.25 for the tight case); solve/solve = {rsolve / osolve:.3f}")
    for p in (e, c):
        os.remove(p)


def dense_case(n):
    from scipy.optimize import linear_sum_assignment
    import lap
    mat = instances.dense_instance(5, n)
    e, c = instances.write_dense(WORK, mat)
    print(f"\ndense 1:1: {n} x {n} ({n * n} edges)")
    rc, rs, rwall, rsolve, rmem = run_rapport(e, c)
    t = time.perf_counter()
    r, cidx = linear_sum_assignment(mat, maximize=True)
    ts = time.perf_counter() - t
    s_score = int(mat[r, cidx].sum())
    t = time.perf_counter()
    cost, x, _ = lap.lapjv(-mat.astype(np.float64))
    tl = time.perf_counter() - t
    l_score = int(mat[np.arange(n), x].sum())
    print(f"  rapport  : covered {rc}, score {rs}; whole process {rwall:.2f}s (solve {rsolve:.2f}s), peak {rmem}")
    print(f"  scipy    : score {fmt_hundredths(s_score)}; {ts:.2f}s (in memory, no CSV)")
    print(f"  lap.lapjv: score {fmt_hundredths(l_score)}; {tl:.2f}s (in memory, no CSV)")
    agree = rs == fmt_hundredths(s_score) == fmt_hundredths(l_score)
    print(f"  objective {'AGREE' if agree else 'DISAGREE'}; rapport solve / lapjv = {rsolve / tl:.3f}, "
          f"rapport solve / scipy = {rsolve / ts:.3f}; whole process / lapjv = {rwall / tl:.3f}")
    for p in (e, c):
        os.remove(p)


def main():
    n, m = 100_000 // SCALE, 10_000 // SCALE
    sparse_case("tight-1.05x", 1, n, m, 50, 1.05, max_cap=20)
    sparse_case("loose-3x", 2, n, m, 50, 3.0)
    sparse_case("tight-1.0x", 3, n, m, 50, 1.0)
    sparse_case("scarce-0.8x", 4, n, m, 50, 0.8)
    sparse_case("competitive-1.05x", 6, n // 10, m // 10, 50, 1.05, max_cap=20, competitive=True)
    dense_case(4000 // SCALE)


if __name__ == "__main__":
    main()
