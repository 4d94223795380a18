#!/usr/bin/python3
"""Ctrl-C during `spotsim sweep` writes the complete points, says so, and exits 130."""
import json
import os
import signal
import subprocess
import sys
import tempfile
import time

import h5py
import numpy as np

SPOTSIM = sys.argv[1]


def fail(msg):
    print("FAIL:", msg)
    sys.exit(1)


with tempfile.TemporaryDirectory() as d:
    js, h5 = os.path.join(d, "s.json"), os.path.join(d, "s.h5")
    # 60 points × 2 replications of a year with 200+ VMs: a minute or more uninterrupted under ASan
    values = ",".join(str(v) for v in range(200, 260))
    p = subprocess.Popen([SPOTSIM, "sweep", "tests/record/fixture.yaml", "--grid", "fleets.web.target=" + values,
                          "--set", "duration=365d", "--replications", "2", "--threads", "2", "--json", js, "--out", h5, "-q"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(1.5)
    p.send_signal(signal.SIGINT)
    out, err = p.communicate(timeout=600)
    if p.returncode != 130:
        fail(f"exit {p.returncode} (expected 130; did the sweep finish within 1.5 s?)\n{err}")
    if "spotsim: interrupted: " not in err or "the outputs hold the complete points only" not in err:
        fail("message: " + err)
    j = json.load(open(js))
    if not j.get("cancelled") or j["points_completed"] >= 60:
        fail("JSON does not say the sweep was cancelled")
    with h5py.File(h5, "r") as f:
        if f["/meta"].attrs["cancelled"] != 1:
            fail("HDF5 /meta cancelled attribute")
        completed = f["/sweep/completed"][:]
        table = f["/sweep/table"][:]
        full = completed == 2
        if full.sum() != j["points_completed"]:
            fail("completed points differ between JSON and HDF5")
        if np.isnan(table[full]).any() or not np.isnan(table[~full]).all():
            fail("complete points must have statistics and the others NaN")
    if any(".tmp." in n for n in os.listdir(d)):
        fail("a temporary file was left")
print("ok")
