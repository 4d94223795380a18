#!/usr/bin/env python3
"""Smoke test of spotsim-bench (issue 17): the benchmark runs, its JSON has the fields that
docs/performance.md describes, and the shipped spotsim has no benchmark in it.

usage: bench_smoke.py SPOTSIM_BENCH SPOTSIM

Never checks a timing or a ratio's value (benchmarks are not timed tests); only that they are
there and are positive numbers, and the event counts that follow from the model's definition.
"""
import json
import shutil
import subprocess
import sys

BENCH, SPOTSIM = sys.argv[1], sys.argv[2]


def check(cond, msg):
    if not cond:
        print("FAIL:", msg)
        sys.exit(1)


def positive(obj, key, where):
    v = obj.get(key)
    check(isinstance(v, (int, float)) and v > 0, f"{where}.{key}: expected a positive number, found {v!r}")
    return v


p = subprocess.run([BENCH, "--quick", "--json"], capture_output=True, text=True, timeout=540)
check(p.returncode == 0, f"spotsim-bench --quick --json exited {p.returncode}: {p.stderr}")
doc = json.loads(p.stdout)
for key in ("spotsim", "hold_model", "churn", "lua_churn", "autoscale_churn"):
    check(key in doc, f"no {key!r} in the JSON: {sorted(doc)}")

churn = doc["churn"]
check(churn.get("reference") == "bare_loop", f"churn.reference: {churn.get('reference')!r}")
check(isinstance(churn.get("sizes"), list) and churn["sizes"], "churn.sizes: a non-empty list")
for row in churn["sizes"]:
    where = f"churn.sizes[vms={row.get('vms')}]"
    positive(row, "vms", where)
    for ratio in ("ratio_interruptions_per_s", "ratio_events_per_s", "ratio_rss_bytes_per_vm"):
        positive(row, ratio, where)
    for model in ("spotsim", "bare_loop"):
        check(model in row, f"{where}: no {model!r}")
        m = row[model]
        for key in ("seconds", "events", "interruptions", "events_per_s", "interruptions_per_s"):
            positive(m, key, f"{where}.{model}")
        check("rss_bytes_per_vm" in m, f"{where}.{model}: no rss_bytes_per_vm")
    positive(row["spotsim"], "state_bytes_per_vm", where + ".spotsim")
    # The bare loop has two events per interruption (interrupt, boot complete); a VM interrupted in
    # its last 90 s has its boot still pending at the horizon.
    bare = row["bare_loop"]
    check(-row["vms"] <= bare["events"] - 2 * bare["interruptions"] <= 0,
          f"{where}.bare_loop: {bare['events']} events for {bare['interruptions']} interruptions")

# The plain-text tables say what each row is.
p = subprocess.run([BENCH, "--quick", "--only", "churn"], capture_output=True, text=True, timeout=300)
check(p.returncode == 0, f"spotsim-bench --quick --only churn exited {p.returncode}: {p.stderr}")
for text in ("bare loop (reference)", "spotsim / bare loop", "interruptions/s", "instructions"):
    check(text in p.stdout, f"{text!r} not in the table:\n{p.stdout}")

# The shipped spotsim: `spotsim bench` says where the benchmarks went (exit 2, usage) ...
p = subprocess.run([SPOTSIM, "bench", "--quick"], capture_output=True, text=True, timeout=60)
check(p.returncode == 2, f"spotsim bench exited {p.returncode}")
check("spotsim-bench" in p.stderr and "docs/performance.md" in p.stderr, p.stderr)
# ... and links no benchmark code.
nm = shutil.which("nm")
if nm:
    syms = subprocess.run([nm, "-C", SPOTSIM], capture_output=True, text=True).stdout
    check("spotsim::bench::" not in syms, "the spotsim binary holds spotsim::bench symbols")
print("ok")
