#!/usr/bin/python3
"""spotsim run --out, end to end: the file read back with h5py and h5dump matches --json and the run."""
import json
import os
import subprocess
import sys
import tempfile

import h5py
import numpy as np

SPOTSIM = sys.argv[1]
SCENARIO = "tests/record/fixture.yaml"


def fail(msg):
    print("FAIL:", msg)
    sys.exit(1)


def run(*args):
    return subprocess.run([SPOTSIM, *args], capture_output=True, text=True)


with tempfile.TemporaryDirectory() as d:
    h5 = os.path.join(d, "run.h5")
    js = os.path.join(d, "run.json")
    p = run("run", SCENARIO, "--replications", "3", "--out", h5, "--record", "events", "--json", js, "-q")
    if p.returncode not in (0, 1):
        fail(f"spotsim run exited {p.returncode}: {p.stderr}")
    if any(".tmp." in n for n in os.listdir(d)):
        fail("a temporary file was left behind")
    j = json.load(open(js))

    with h5py.File(h5, "r") as f:
        if f.attrs["spotsim_schema_version"] != 1 or f.attrs["spotsim_file"] != "run":
            fail("root attributes")
        meta = f["/meta"].attrs
        if meta["seed"] != j["seed"] or meta["replications_completed"] != 3 or meta["record_level"] != "events":
            fail(f"meta attributes {dict(meta)}")
        if SCENARIO not in meta["command_line"] or "--record events" not in meta["command_line"]:
            fail(f"command line {meta['command_line']}")
        if f["/meta/scenario_text"][()].decode() != open(SCENARIO).read():
            fail("scenario text differs from the file")
        if [x.decode() for x in f["/meta/pools"][:]] != ["m5-1a", "m5-1b", "m5-1c"]:
            fail("pool names")

        # /summary == --json
        rows = f["/summary/metrics"][:]
        names = [r["name"].decode() for r in rows]
        if names != list(j["metrics"].keys()):
            # JSON object order is by insertion in nlohmann::json only if ordered; compare as sets
            if sorted(names) != sorted(j["metrics"].keys()):
                fail("metric names differ from --json")
        for r in rows:
            name = r["name"].decode()
            for stat in ("mean", "stddev", "min", "p50", "p95", "p99", "max"):
                a, b = float(r[stat]), float(j["metrics"][name][stat])
                if not np.isclose(a, b, rtol=1e-12, atol=1e-12):
                    fail(f"{name}.{stat}: h5 {a} json {b}")
            if r["unit"].decode() != j["units"][name]:
                fail(f"{name} unit")

        # /events: evictions == interruptions, per replication
        ev = f["/events"][:]
        kinds = h5py.check_enum_dtype(ev.dtype["kind"])
        if kinds is None or kinds["eviction"] != 3:
            fail(f"kind enum {kinds}")
        per = f["/summary/per_replication"][:]
        col = names.index("fleet.web.interruptions")
        for rep in range(3):
            n = np.count_nonzero((ev["replication"] == rep) & (ev["kind"] == kinds["eviction"]))
            if n != per[rep, col] or n == 0:
                fail(f"replication {rep}: {n} eviction events, interruptions metric {per[rep, col]}")
        total = sum(r["mean"] for r in rows if r["name"].decode() == "fleet.web.interruptions") * 3
        if not np.isclose(np.count_nonzero(ev["kind"] == 3), total):
            fail("total evictions")
        if f["/vms"].shape != (0,) or f["/jobs"].shape != (0,) or f["/job_runs"].shape != (0,):
            fail("vms/jobs/job_runs should exist and be empty at level events (no workloads)")
        outcomes = h5py.check_enum_dtype(f["/job_runs"].dtype["outcome"])
        if outcomes != {"finished": 0, "lost": 1, "unfinished": 2, "evicted": 3, "killed": 4}:
            fail(f"job run outcome enum {outcomes}")

        # /timeseries: running never above target, all replications stored
        run_ = f["/timeseries/fleet/web/running"][:]
        tgt = f["/timeseries/fleet/web/target"][:]
        t = f["/timeseries/time"][:]
        if run_.shape != (3, len(t)) or np.any(run_ > tgt) or run_[0, 0] != 40:
            fail(f"time series shape {run_.shape}")
        if not np.allclose(np.diff(t), meta["sample_interval_s"]):
            fail("sample times are not regular")
        if f["/events"].chunks is None or f["/events"].compression != "gzip":
            fail("tables must be chunked and deflate-compressed")

    # h5dump (hdf5-tools) reads it too
    out = subprocess.run(["h5dump", "-a", "/spotsim_schema_version", h5], capture_output=True, text=True)
    if out.returncode != 0 or "(0): 1" not in out.stdout:
        fail("h5dump schema version: " + out.stdout + out.stderr)
    out = subprocess.run(["h5dump", "-d", "/meta/event_kinds", h5], capture_output=True, text=True)
    if out.returncode != 0 or '"eviction"' not in out.stdout:
        fail("h5dump event kinds: " + out.stdout)
    out = subprocess.run(["h5dump", "-H", h5], capture_output=True, text=True)
    for needle in ('GROUP "timeseries"', 'DATASET "events"', 'H5T_ENUM', 'DATASET "per_replication"'):
        if needle not in out.stdout:
            fail("h5dump -H lacks " + needle)

    # usage and I/O errors
    p = run("run", SCENARIO, "--out", h5, "--record", "bogus")
    if p.returncode != 2 or "--record" not in p.stderr:
        fail(f"--record bogus: exit {p.returncode} {p.stderr}")
    p = run("run", SCENARIO, "--record", "full")
    if p.returncode != 2 or "--out" not in p.stderr:
        fail(f"--record without --out: exit {p.returncode} {p.stderr}")
    bad = os.path.join(d, "missing-dir", "x.h5")
    p = run("run", SCENARIO, "--replications", "1", "--out", bad, "-q")
    if p.returncode != 3 or not p.stderr.startswith(bad + ": error: cannot write the HDF5 file: "):
        fail(f"unwritable --out: exit {p.returncode} {p.stderr}")
print("ok")
