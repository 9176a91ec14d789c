#!/usr/bin/env python3
"""Circles of four: `rapport match groups --min 4 --max 4` on 2k and 8k people (points
in the unit square, 20 nearest each, unlisted pairs score 0), the objective against
both upper bounds it prints: the LP dual bound and the per-person bound (each
person's best three scores, averaged). The issue's target is 95% of an upper bound.

Environment: RAPPORT_BIN, BENCH_WORK, BENCH_QUICK (see bench/compare).
"""
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "lib"))
from instances import circle_people, run_match, write_pair_edges  # noqa: E402

BIN = os.environ["RAPPORT_BIN"]
WORK = os.environ["BENCH_WORK"]
QUICK = os.environ.get("BENCH_QUICK") == "1"


def groups_case(n):
    edges = circle_people(n, n)
    path = os.path.join(WORK, f"circles-{n}.csv")
    write_pair_edges(path, edges)
    out = os.path.join(WORK, f"groups-{n}.csv")
    text, wall = run_match(BIN, ["groups", "--edges", path, "--min", "4", "--max", "4",
                                 "--unlisted-as-zero", "--out", out])
    obj = float(re.search(r"objective:\s+(\S+)", text).group(1))
    ub = float(re.search(r"upper bound: (\S+)", text).group(1))
    pp = re.search(r"per-person bound: (\S+)", text)
    pp = float(pp.group(1)) if pp else ub
    phases = re.search(r"time:\s+(.*)", text).group(1)
    print(f"\ncircles of 4: {n} people, 20 nearest each ({len(edges)} edges)")
    print(f"  rapport  : objective {obj}; whole process {wall:.2f}s ({phases})")
    print(f"  dual bound       {ub}: objective is {100 * obj / ub:.1f}% of it")
    print(f"  per-person bound {pp}: objective is {100 * obj / pp:.1f}% of it")


def main():
    for n in ([500] if QUICK else [2000, 8000]):
        groups_case(n)


if __name__ == "__main__":
    main()
