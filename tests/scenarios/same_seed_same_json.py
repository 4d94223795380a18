#!/usr/bin/env python3
"""A storm scenario run twice with the same seed gives identical JSON (wall time and thread
count aside), on 1 and on 2 threads.   usage: same_seed_same_json.py SPOTSIM SCENARIO"""
import json
import os
import subprocess
import sys
import tempfile

spotsim, scenario = sys.argv[1], sys.argv[2]
outs = []
with tempfile.TemporaryDirectory() as tmp:
    for i, threads in enumerate(["1", "1", "2"]):
        path = os.path.join(tmp, f"r{i}.json")
        subprocess.run([spotsim, "run", scenario, "--quiet", "--threads", threads, "--json", path], check=True)
        doc = json.load(open(path))
        doc.pop("wall_seconds")
        doc.pop("threads")
        outs.append(json.dumps(doc, sort_keys=True))
if not (outs[0] == outs[1] == outs[2]):
    sys.exit("results differ between runs with the same seed")
if '"chaos.' not in outs[0]:
    sys.exit("no chaos metrics in the output")
print("ok")
