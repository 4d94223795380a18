#!/usr/bin/python3
"""spotsim sweep end to end: 1 thread, 2 threads and `mpirun -np 2` give identical JSON and HDF5
results; usage errors exit 2. Usage: check_sweep.py SPOTSIM [MPIRUN]"""
import json
import math
import os
import subprocess
import sys
import tempfile

import h5py
import numpy as np

SPOTSIM = sys.argv[1]
MPIRUN = sys.argv[2] if len(sys.argv) > 2 and sys.argv[2] else None
ARGS = ["sweep", "tests/record/fixture.yaml", "--grid", "fleets.web.target=20,40",
        "--grid", "pools.m5-1a.interruption.rate=0.02/h,0.1/h", "--replications", "3", "--set", "duration=3d",
        "--pareto", "cost.total,max:fleet.web.availability_pct", "-q"]
MACHINE_KEYS = ("wall_seconds", "threads", "processes")


def fail(msg):
    print("FAIL:", msg)
    sys.exit(1)


def sweep(d, name, extra, prefix=(), env=None):
    js, h5 = os.path.join(d, name + ".json"), os.path.join(d, name + ".h5")
    p = subprocess.run([*prefix, SPOTSIM, *ARGS, *extra, "--json", js, "--out", h5], capture_output=True, text=True,
                       env=env, timeout=300)
    if p.returncode != 0:
        fail(f"{name}: exit {p.returncode}\n{p.stdout}\n{p.stderr}")
    j = json.load(open(js))
    for k in MACHINE_KEYS:
        j.pop(k, None)
    return j, h5


def h5_content(path):
    out = {}
    with h5py.File(path, "r") as f:
        if f.attrs["spotsim_file"] != "sweep":
            fail("file kind")
        out["table"] = f["/sweep/table"][:]
        out["completed"] = f["/sweep/completed"][:]
        out["pareto"] = f["/sweep/pareto"][:].tolist()
        out["points"] = f["/sweep/points"][:].tolist()
        for i in range(len(out["completed"])):
            out[f"run{i}"] = f[f"/runs/{i}/summary/per_replication"][:]
    return out


def same(a, b):
    if a.keys() != b.keys():
        return False
    for k in a:
        x, y = a[k], b[k]
        if isinstance(x, np.ndarray):
            if x.shape != y.shape or not np.array_equal(x, y, equal_nan=True):
                return False
        elif x != y:
            return False
    return True


with tempfile.TemporaryDirectory() as d:
    j1, h1 = sweep(d, "t1", ["--threads", "1"])
    j2, h2 = sweep(d, "t2", ["--threads", "2"])
    if j1 != j2:
        fail("JSON differs between --threads 1 and --threads 2")
    c1 = h5_content(h1)
    if not same(c1, h5_content(h2)):
        fail("HDF5 differs between --threads 1 and --threads 2")
    if len(j1["points"]) != 4 or j1["points_completed"] != 4 or not j1["pareto"]["front"]:
        fail("unexpected sweep content: " + json.dumps(j1)[:400])
    if c1["table"].shape[0] != 4 or c1["table"].shape[2] != 8 or np.isnan(c1["table"]).any():
        fail(f"table shape {c1['table'].shape}")
    # the table is the JSON's statistics
    with h5py.File(h1, "r") as f:
        metrics = [m.decode() for m in f["/sweep/metrics"][:]]
    col = metrics.index("cost.total")
    for i, pt in enumerate(j1["points"]):
        if not math.isclose(c1["table"][i, col, 0], pt["metrics"]["cost.total"]["mean"], rel_tol=1e-12):
            fail(f"point {i}: table mean != JSON mean")

    if MPIRUN:
        env = dict(os.environ)
        # Open MPI keeps allocations until exit by design: no leak detection under mpirun.
        env["ASAN_OPTIONS"] = "detect_leaks=0"
        prefix = [MPIRUN, "--allow-run-as-root", "--oversubscribe", "-np", "2"]
        jm, hm = sweep(d, "mpi", ["--threads", "1"], prefix, env)
        if jm != j1:
            fail("JSON differs between 1 process and mpirun -np 2")
        if not same(c1, h5_content(hm)):
            fail("HDF5 differs between 1 process and mpirun -np 2")
        with h5py.File(hm, "r") as f:
            if f["/meta"].attrs["processes"] != 2:
                fail("the MPI sweep did not run on 2 processes")
    else:
        print("note: built without MPI; the mpirun comparison was skipped")

    # examples/cluster/merge_sweeps.py joins sweep files (a point found twice is kept once)
    merge = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "examples", "cluster", "merge_sweeps.py")
    p = subprocess.run([sys.executable, merge, h1, h2, "--pareto", "cost.total,max:fleet.web.availability_pct",
                        "--csv", os.path.join(d, "all.csv")], capture_output=True, text=True)
    if p.returncode != 0 or "4 points from 2 files" not in p.stdout or "Pareto front" not in p.stdout:
        fail(f"merge_sweeps.py: {p.returncode} {p.stdout} {p.stderr}")
    if len(open(os.path.join(d, "all.csv")).read().splitlines()) != 5:
        fail("merged CSV should have a header and 4 rows")

    # usage errors exit 2 with a message
    for extra, needle in ((["--grid", "fleets.web.target="], "empty value"),
                          (["--grid", "fleets.web.target=1", "--pareto", "cost.totl,cost.spot"], "did you mean"),
                          (["--grid", "fleets.web.target=x"], "grid point 0 (fleets.web.target=x)")):
        p = subprocess.run([SPOTSIM, "sweep", "tests/record/fixture.yaml", *extra, "--out", os.path.join(d, "bad.h5")],
                           capture_output=True, text=True)
        if p.returncode != 2 or needle not in p.stderr:
            fail(f"{extra}: exit {p.returncode}: {p.stderr}")
        if os.path.exists(os.path.join(d, "bad.h5")):
            fail("an output file was written for invalid input")
    p = subprocess.run([SPOTSIM, "sweep", "tests/record/fixture.yaml"], capture_output=True, text=True)
    if p.returncode != 2 or "--grid" not in p.stderr:
        fail(f"missing --grid: exit {p.returncode}: {p.stderr}")
print("ok")
