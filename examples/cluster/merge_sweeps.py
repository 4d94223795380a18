#!/usr/bin/python3
"""Join several spotsim sweep files (e.g. one per Kubernetes pod) into one table and Pareto front.

    merge_sweeps.py sweep-*.h5 [--pareto METRIC_A[.STAT],METRIC_B[.STAT]] [--csv merged.csv]

Each input is a sweep file (docs/hdf5-schema.md). Points are identified by all their overrides,
so the files may come from different slices of the grid; a point found twice is kept once. Minimises both metrics unless one is
written max:METRIC; compares the means unless a metric is written METRIC.STAT (p95, min, ... as in
`spotsim sweep --pareto`).
"""
import argparse
import csv
import sys

import h5py
import numpy as np


def load(path):
    with h5py.File(path, "r") as f:
        if f.attrs.get("spotsim_file") != "sweep" or f.attrs.get("spotsim_schema_version") != 1:
            sys.exit(f"{path}: error: not a spotsim sweep file of schema version 1")
        params = [p.decode() for p in f["/sweep/parameters"][:]]
        points = [[v.decode() for v in row] for row in f["/sweep/points"][:]]
        metrics = [m.decode() for m in f["/sweep/metrics"][:]]
        stat_names = [n.decode() for n in f["/sweep/stat_names"][:]]
        table = f["/sweep/table"][:]
        completed = f["/sweep/completed"][:]
    rows = []
    for i, values in enumerate(points):
        if np.isnan(table[i, :, 0]).any() and completed[i] == 0:
            continue  # not run (interrupted)
        ms = {m: table[i, j, 0] for j, m in enumerate(metrics)}
        stats = {f"{m}.{st}": table[i, j, k] for j, m in enumerate(metrics) for k, st in enumerate(stat_names)}
        rows.append(({p: v for p, v in zip(params, values)}, ms, stats))
    return rows


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("files", nargs="+")
    ap.add_argument("--pareto")
    ap.add_argument("--csv")
    a = ap.parse_args()
    rows, seen = [], set()
    for path in a.files:
        for ov, ms, stats in load(path):
            key = tuple(sorted(ov.items()))
            if key not in seen:  # the same point in two files (a retried pod): keep the first
                seen.add(key)
                rows.append((ov, ms, stats))
    if not rows:
        sys.exit("no complete points in the inputs")
    params = sorted({p for ov, _, _ in rows for p in ov})
    metrics = list(rows[0][1].keys())
    if a.csv:
        with open(a.csv, "w", newline="") as out:
            w = csv.writer(out)
            w.writerow(params + [m + ".mean" for m in metrics])
            for ov, ms, _ in rows:
                w.writerow([ov.get(p, "") for p in params] + [ms[m] for m in metrics])
    print(f"{len(rows)} points from {len(a.files)} files")
    if a.pareto:
        names = a.pareto.split(",")
        goals = [(n[4:], -1.0) if n.startswith("max:") else (n[4:] if n.startswith("min:") else n, 1.0)
                 for n in names]
        for m, _ in goals:
            if m not in rows[0][1] and m not in rows[0][2]:
                sys.exit(f"--pareto: unknown metric \"{m}\" (METRIC or METRIC.STAT; metric names: docs/metrics.md)")

        def value(r, m):
            return r[1][m] if m in r[1] else r[2][m]
        key = [[g * value(r, m) for m, g in goals] for r in rows]
        front = [i for i, k in enumerate(key)
                 if not any(o[0] <= k[0] and o[1] <= k[1] and o != k for o in key)]
        front.sort(key=lambda i: key[i])
        print(f"Pareto front ({names[0]}, {names[1]}): {len(front)} points")
        for i in front:
            ov = rows[i][0]
            print("  " + " ".join(f"{p}={ov[p]}" for p in params if p in ov) +
                  f"  ->  {goals[0][0]} {value(rows[i], goals[0][0]):.4g}, {goals[1][0]} {value(rows[i], goals[1][0]):.4g}")


if __name__ == "__main__":
    main()
