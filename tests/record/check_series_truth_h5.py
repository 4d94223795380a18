#!/usr/bin/python3
"""What spotviz draws, read back with h5py (issue 16): each fleet's target over time, the pools'
running_fallback series (fallback VMs only, never an on-demand base) and Kubernetes pod runs in
/job_runs with their outcomes, checked against the run's own metrics.

  check_series_truth_h5.py SPOTSIM
"""
import os
import subprocess
import sys
import tempfile

import h5py
import numpy as np

SPOTSIM = sys.argv[1]
SCENARIO = "tests/viz/data/viz-k8s.yaml"


def fail(msg):
    print("FAIL:", msg)
    sys.exit(1)


with tempfile.TemporaryDirectory() as d:
    h5 = os.path.join(d, "run.h5")
    p = subprocess.run([SPOTSIM, "run", SCENARIO, "--replications", "2", "--out", h5, "--record", "events", "-q"],
                       capture_output=True, text=True)
    if p.returncode not in (0, 1):
        fail(f"spotsim run exited {p.returncode}: {p.stderr}")
    with h5py.File(h5, "r") as f:
        names = [r["name"].decode() for r in f["/summary/metrics"][:]]
        per_rep = f["/summary/per_replication"][:]
        col = {n: i for i, n in enumerate(names)}

        # Each fleet's target, per replication and sample: the cluster autoscaler moves the spot
        # node pool's between its min (6) and max (10); the system pool stays at 2.
        nodes = f["/timeseries/fleet/nodes/target"][:]
        if nodes.shape != f["/timeseries/fleet/nodes/running"].shape:
            fail(f"target shape {nodes.shape}")
        if f["/timeseries/fleet/nodes/target"].attrs["unit"] != "count":
            fail("target unit")
        if nodes[:, 0].tolist() != [10, 10] or nodes.min() != 6 or nodes.max() > 10:
            fail(f"nodes target: first {nodes[:, 0]}, min {nodes.min()}, max {nodes.max()}")
        if not (f["/timeseries/fleet/system/target"][:] == 2).all():
            fail("system target moved")

        # running_fallback ⊆ running_on_demand, per pool and sample; zero for the on-demand base.
        for pool in [x.decode() for x in f["/meta/pools"][:]]:
            fb = f[f"/timeseries/pool/{pool}/running_fallback"][:]
            od = f[f"/timeseries/pool/{pool}/running_on_demand"][:]
            if f[f"/timeseries/pool/{pool}/running_fallback"].attrs["unit"] != "count":
                fail(f"{pool}: running_fallback unit")
            if (fb > od).any():
                fail(f"{pool}: more fallback than on-demand VMs running")
        if f["/timeseries/pool/od-a/running_fallback"][:].max() != 0 or f["/timeseries/pool/od-a/running_on_demand"][:].max() != 2:
            fail("the on-demand base of pool od-a counted as fallback (or missing)")
        batch = f["/timeseries/pool/batch-c/running_fallback"][:]
        if batch.max() == 0:
            fail("no fallback VM in pool batch-c during the cliff")
        # Fallback VMs run only after the 10:00 cliff.
        t = f["/timeseries/time"][:]
        if batch[:, t < 10 * 3600].any():
            fail("fallback before the cliff")
        # The launch events say the same: detail 2 = fallback, in pool batch-c only.
        ev = f["/events"][:]
        launches = ev[(ev["kind"] == 0) & (ev["detail"] == 2)]
        pools = [x.decode() for x in f["/meta/pools"][:]]
        if {pools[p] for p in launches["pool"]} != {"batch-c"}:
            fail(f"fallback launches in {set(launches['pool'])}")
        for r in range(2):
            if np.count_nonzero(launches["replication"] == r) != per_rep[r, col["fleet.batch.fallback_launches"]]:
                fail(f"replication {r}: fallback launch events != fleet.batch.fallback_launches")

        # Pod runs: outcome names in the enum, counts equal the deployment metrics.
        runs = f["/job_runs"][:]
        enum = h5py.check_enum_dtype(f["/job_runs"].dtype["outcome"])
        if enum != {"finished": 0, "lost": 1, "unfinished": 2, "evicted": 3, "killed": 4}:
            fail(f"outcome enum {enum}")
        workloads = [x.decode() for x in f["/meta/workloads"][:]]
        if workloads != ["web", "api"]:
            fail(f"workloads {workloads}")
        for r in range(2):
            rr = runs[runs["replication"] == r]
            web = rr[rr["workload"] == 0]
            if np.count_nonzero(web["outcome"] == 3) != per_rep[r, col["workload.web.evictions"]]:
                fail(f"replication {r}: evicted pod runs != workload.web.evictions")
            if np.count_nonzero(rr["outcome"] == 4) != per_rep[r, col["k8s.pods_hard_killed"]]:
                fail(f"replication {r}: killed pod runs != k8s.pods_hard_killed")
            if np.count_nonzero(rr["outcome"] == 2) != 15:  # 12 web + 3 api pods bound at the end
                fail(f"replication {r}: unfinished pod runs {np.count_nonzero(rr['outcome'] == 2)}")
            if (rr["end"] < rr["start"]).any():
                fail("a pod run ends before it starts")
print("ok")
