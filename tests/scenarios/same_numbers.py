#!/usr/bin/env python3
"""Every scenario gives the numbers it gave when tests/golden/scenario_numbers.txt was written.

usage: same_numbers.py SPOTSIM check|update   (run from the repository root)

For each scenarios/*.yaml and examples/policies/*.yaml (the Lua policies): the SHA-256 of its `spotsim run --json` output (every metric's
statistics and per-replication values, expectations; without wall_seconds and threads, which depend
on the machine), checked to be the same with --threads 1 and 2, plus cost.total's mean as a hint
for a person. A refactoring must leave every line
unchanged; a change that is meant to move numbers updates the file (`update`) and says why in its
commit message. Debug and Release builds give the same bytes (no floating-point contraction).
"""
import glob
import hashlib
import json
import os
import subprocess
import sys
import tempfile

SPOTSIM, MODE = sys.argv[1], sys.argv[2]
GOLDEN = "tests/golden/scenario_numbers.txt"


def digest_of(path, threads):
    with tempfile.TemporaryDirectory() as d:
        out = os.path.join(d, "r.json")
        p = subprocess.run([SPOTSIM, "run", path, "--quiet", "--threads", str(threads), "--json", out],
                           capture_output=True, text=True)
        if p.returncode not in (0, 1):
            sys.exit(f"spotsim run {path}: exit {p.returncode}\n{p.stderr}")
        doc = json.load(open(out))
    for k in ("wall_seconds", "threads"):
        doc.pop(k, None)
    return hashlib.sha256(json.dumps(doc, sort_keys=True).encode()).hexdigest(), doc


def numbers(path):
    digest, doc = digest_of(path, 1)
    # Determinism: the same bytes on any thread count (replications run in parallel).
    if digest_of(path, 2)[0] != digest:
        sys.exit(f"{path}: --threads 2 gives other numbers than --threads 1 (results must not depend on threads)")
    cost = doc["metrics"].get("cost.total", {}).get("mean", 0.0)
    return f"{digest}  cost.total.mean={cost:.6f}  {path}"


SCENARIOS = sorted(glob.glob("scenarios/*.yaml")) + sorted(glob.glob("examples/policies/*.yaml"))
lines = [numbers(p) for p in SCENARIOS]
if MODE == "update":
    with open(GOLDEN, "w") as f:
        f.write("# sha256 of `spotsim run FILE --json` (less wall_seconds, threads); tests/scenarios/same_numbers.py\n")
        f.write("\n".join(lines) + "\n")
    print(f"{GOLDEN}: {len(lines)} scenarios written")
    sys.exit(0)
want = {l.split()[-1]: l for l in open(GOLDEN).read().splitlines() if l and not l.startswith("#")}
bad = []
for l in lines:
    path = l.split()[-1]
    if want.get(path) != l:
        bad.append(f"  {path}\n    was: {want.get(path, '(not in the file)')}\n    now: {l}")
missing = sorted(set(want) - {l.split()[-1] for l in lines})
for m in missing:
    bad.append(f"  {m}: in {GOLDEN} but no longer there")
if bad:
    sys.exit("numbers changed (a refactoring must not change any; a model change updates the file with\n"
             "`python3 tests/scenarios/same_numbers.py build/test/spotsim update` and says why):\n" + "\n".join(bad))
print(f"ok: {len(lines)} scenarios give the same numbers")
