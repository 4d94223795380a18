#!/usr/bin/env python3
"""spotsim calibrate end to end: fixtures -> scenario YAML -> `spotsim run --check` accepts it; a sweep
over an advisor band's edges runs; bad input exits 2 naming the file and line and writes nothing.

usage: cli_test.py SPOTSIM   (run from the repository root)
"""
import os
import subprocess
import sys
import tempfile

SPOTSIM = os.path.abspath(sys.argv[1])
D = "tests/data/calibrate/"
failures = []


def run(*args, expect=0):
    p = subprocess.run([SPOTSIM, *args], capture_output=True, text=True, timeout=300)
    if p.returncode != expect:
        failures.append(f"{' '.join(args)}: exit {p.returncode}, expected {expect}\nstdout: {p.stdout[-2000:]}\nstderr: {p.stderr[-2000:]}")
    return p


def check(cond, what):
    if not cond:
        failures.append(what)


with tempfile.TemporaryDirectory() as tmp:
    # AWS: events + inventory + advisor + prices -> a runnable scenario.
    out = os.path.join(tmp, "aws.yaml")
    run("calibrate", "--events", D + "eventbridge.jsonl", "--inventory", D + "inventory-aws.csv", "--advisor",
        D + "spot-advisor-data.json", "--aws-prices", D + "aws-spot-prices.json", "--scenario", "-o", out, "-q")
    text = open(out).read()
    check("m5-xlarge-us-east-1a:" in text and "interruption: {rate:" in text, "aws.yaml lacks the calibrated pool:\n" + text)
    check("# Period: 2026-01-01T00:00:00Z .. 2026-01-11T00:00:00Z" in text, "aws.yaml lacks the period")
    run("run", "--check", "-q", out)
    # GCP and Azure the same way.
    for name, args in {
        "gcp": ["--events", D + "gcp-preempted.json", "--inventory", D + "inventory-gcp.csv"],
        "azure": ["--events", D + "azure-activity-log.json", "--events", D + "azure-scheduled-events.jsonl", "--inventory",
                  D + "inventory-azure.csv", "--azure-eviction", D + "azure-eviction-rates.json", "--azure-prices",
                  D + "azure-spot-prices.json"],
    }.items():
        out = os.path.join(tmp, name + ".yaml")
        run("calibrate", *args, "--scenario", "-o", out, "-q")
        run("run", "--check", "-q", out)
    # Bands only: a sweep over the band's edges.
    out = os.path.join(tmp, "bands.yaml")
    run("calibrate", "--advisor", D + "spot-advisor-data.json", "--region", "us-east-1", "--instance-type", "c5.2xlarge",
        "--band-edge", "lower", "--scenario", "-o", out, "-q")
    check("band_edge: lower" in open(out).read(), "bands.yaml: --band-edge lower not written")
    p = run("sweep", out, "--grid", "pools.c5-2xlarge-us-east-1.interruption.band_edge=lower,mid,upper", "--replications", "2", "-q",
            "--json", "-")
    check('"band_edge' in p.stdout or "band_edge" in p.stdout, "sweep JSON does not name the band_edge axis")
    # Pools only, to stdout.
    p = run("calibrate", "--events", D + "eventbridge.jsonl", "--inventory", D + "inventory-aws.csv")
    check(p.stdout.startswith("# Written by spotsim calibrate") and "\npools:\n" in p.stdout and "spotsim: 1" not in p.stdout,
          "pools-only output to stdout:\n" + p.stdout)
    # Bad input: exit 2, FILE:LINE in the message, no output file, an existing one untouched.
    bad = os.path.join(tmp, "bad.jsonl")
    with open(bad, "w") as f:
        f.write(open(D + "eventbridge.jsonl").read())
        f.write('{"detail-type": "EC2 Spot Instance Interruption Warning", "id": "z", "time": "later", "detail": {"instance-id": "i-1"}}\n')
    out = os.path.join(tmp, "never.yaml")
    p = run("calibrate", "--events", bad, "--inventory", D + "inventory-aws.csv", "-o", out, expect=2)
    check(f"{bad}:10: $.time: expected a timestamp" in p.stderr, "bad event message: " + p.stderr)
    check(not os.path.exists(out), "an output file was written despite the error")
    keep = os.path.join(tmp, "keep.yaml")
    with open(keep, "w") as f:
        f.write("old\n")
    run("calibrate", "--events", bad, "--inventory", D + "inventory-aws.csv", "-o", keep, expect=2)
    check(open(keep).read() == "old\n", "an existing output file was changed despite the error")
    check(not [f for f in os.listdir(tmp) if "tmp" in f], "temporary files left behind: " + str(os.listdir(tmp)))
    p = run("calibrate", "--events", D + "eventbridge.jsonl", expect=2)
    check("give --inventory" in p.stderr, "events without inventory: " + p.stderr)
    p = run("calibrate", expect=2)
    check("nothing to read" in p.stderr, "no inputs: " + p.stderr)
    p = run("calibrate", "--inventory", D + "missing.csv", expect=2)
    check("missing.csv" in p.stderr, "missing file: " + p.stderr)
    p = run("calibrate", "--band-edge", "top", "--advisor", D + "spot-advisor-data.json", expect=2)

if failures:
    print("\n\n".join(failures))
    sys.exit(1)
print("ok")
