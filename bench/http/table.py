#!/usr/bin/env python3
"""Reads the TSV lines bench/http/run and bench/threads/run write
(kind, label, workload, req/s, p50, p99, errors; label "base" or "new") on
standard input and prints one Markdown table per database: each workload's
figures for the previous build next to this one's, with the req/s ratio.
Rows without a base figure show "-" there."""
import sys
from collections import OrderedDict


def main():
    runs = OrderedDict()
    for line in sys.stdin:
        parts = line.rstrip("\n").split("\t")
        if len(parts) != 7:
            continue
        kind, label, name, rps, p50, p99, errors = parts
        runs.setdefault(kind, OrderedDict()).setdefault(name, {})[label] = (rps, p50, p99, errors)
    for kind, rows in runs.items():
        print()
        print("### %s" % kind)
        print("| workload | base req/s | new req/s | new ÷ base | base p50 | new p50 | base p99 | new p99 | errors (new) |")
        print("|---|---|---|---|---|---|---|---|---|")
        for name, by in rows.items():
            b = by.get("base", ("-", "-", "-", "-"))
            n = by.get("new", ("-", "-", "-", "-"))
            try:
                ratio = "%.1f×" % (float(n[0]) / float(b[0]))
            except (ValueError, ZeroDivisionError):
                ratio = "-"
            print("| %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (
                name, b[0], n[0], ratio, b[1], n[1], b[2], n[2], n[3]))


if __name__ == "__main__":
    main()
