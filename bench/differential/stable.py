#!/usr/bin/env python3
"""Differential test: `rapport match stable` against the `matching` package's
HospitalResident (resident-optimal), on random instances with mutual acceptability
(a pair is ranked by both sides or by neither), capacities 0..3, people who rank
nobody, and rank gaps. The mentee-optimal stable matching is unique, so the two
matchings must be IDENTICAL. Both are also checked for stability here.

Usage: stable.py [COUNT] [SEED]   (defaults: 150 instances, seed 11)
Exit status 1 on any disagreement.
"""
import csv
import os
import random
import subprocess
import sys
import tempfile
import warnings

from matching.games import HospitalResident

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.environ.get("RAPPORT_BIN", os.path.join(ROOT, "target", "debug", "rapport"))


def random_instance(rng):
    n = rng.randint(1, 25)
    m = rng.randint(1, 8)
    p = rng.choice([0.2, 0.5, 0.9])
    acceptable = [(i, j) for i in range(n) for j in range(m) if rng.random() < p]
    mentee_prefs = {i: [] for i in range(n)}
    mentor_prefs = {j: [] for j in range(m)}
    for i, j in acceptable:
        mentee_prefs[i].append(j)
        mentor_prefs[j].append(i)
    for lst in list(mentee_prefs.values()) + list(mentor_prefs.values()):
        rng.shuffle(lst)
    caps = {j: rng.choice([0, 1, 1, 2, 3]) for j in range(m)}
    return mentee_prefs, mentor_prefs, caps


def is_stable(mentee_prefs, mentor_prefs, caps, mentor_of):
    held = {j: [i for i, jj in mentor_of.items() if jj == j] for j in mentor_prefs}
    for j, hs in held.items():
        if len(hs) > caps[j]:
            return False
    for i, prefs in mentee_prefs.items():
        for j in prefs:
            if mentor_of.get(i) == j:
                break
            rank = mentor_prefs[j].index(i)
            if len(held[j]) < caps[j] or any(mentor_prefs[j].index(h) > rank for h in held[j]):
                return False
    return True


def run_rapport(inst, tmp, rng):
    mentee_prefs, mentor_prefs, caps = inst
    paths = {k: os.path.join(tmp, k + ".csv") for k in ("mentee", "mentor", "caps", "out")}

    def write_ranks(path, prefs, who, ranked):
        rows = []
        for w, lst in prefs.items():
            r = 0
            for x in lst:
                r += rng.choice([1, 1, 2])  # gaps are allowed; order is what counts
                rows.append([f"{who}{w}", f"{ranked}{x}", r])
        rng.shuffle(rows)
        with open(path, "w", newline="") as fh:
            wr = csv.writer(fh)
            wr.writerow(["who", "ranked", "rank"])
            wr.writerows(rows)

    write_ranks(paths["mentee"], mentee_prefs, "e", "m")
    write_ranks(paths["mentor"], mentor_prefs, "m", "e")
    with open(paths["caps"], "w", newline="") as fh:
        wr = csv.writer(fh)
        wr.writerow(["mentor", "capacity"])
        for j, c in caps.items():
            wr.writerow([f"m{j}", c])
    r = subprocess.run([BIN, "match", "stable", "--mentee-ranks", paths["mentee"],
                        "--mentor-ranks", paths["mentor"], "--capacities", paths["caps"],
                        "--out", paths["out"]], capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError(r.stderr)
    out = {}
    with open(paths["out"], newline="") as fh:
        rd = csv.reader(fh)
        assert next(rd) == ["mentee", "mentor"]
        for a, b in rd:
            assert int(a[1:]) not in out
            out[int(a[1:])] = int(b[1:])
    return out


def run_library(inst):
    mentee_prefs, mentor_prefs, caps = inst
    # The library wants every resident to rank someone and fails on capacity-0
    # hospitals; such a mentor can never be matched or block, so it is left out.
    open_ = {j for j, c in caps.items() if c > 0}
    res = {f"e{i}": [f"m{j}" for j in p if j in open_] for i, p in mentee_prefs.items()}
    res = {r: p for r, p in res.items() if p}
    hos = {f"m{j}": [f"e{i}" for i in p if f"e{i}" in res] for j, p in mentor_prefs.items()
           if j in open_}
    cap = {f"m{j}": caps[j] for j in open_}
    if not res or not hos:
        return {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        game = HospitalResident.create_from_dictionaries(res, hos, cap)
        sol = game.solve(optimal="resident")
    out = {}
    for h, rs in sol.items():
        for r in rs:
            out[int(r.name[1:])] = int(h.name[1:])
    return out


def main():
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 150
    seed = int(sys.argv[2]) if len(sys.argv) > 2 else 11
    rng = random.Random(seed)
    bad = 0
    with tempfile.TemporaryDirectory() as tmp:
        for k in range(count):
            inst = random_instance(rng)
            ours = run_rapport(inst, tmp, rng)
            theirs = run_library(inst)
            ok = ours == theirs and is_stable(*inst, ours)
            if not ok:
                bad += 1
                print(f"instance {k}: rapport {ours} vs matching {theirs}; instance {inst}")
    print(f"stable: {count - bad}/{count} instances identical to matching.HospitalResident")
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
