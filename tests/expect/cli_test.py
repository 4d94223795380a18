#!/usr/bin/env python3
"""End-to-end checks of `spotsim run/validate` around expect:, --junit and --json.

usage: cli_test.py CASE SPOTSIM JUNIT_XSD   (run from the repository root)
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

CASE, SPOTSIM, XSD = sys.argv[1], sys.argv[2], sys.argv[3]
BASIC = "scenarios/spot-fleet-basic.yaml"
TMP = tempfile.mkdtemp(prefix="spotsim-expect-")


def run(*args, expect_rc=None):
    p = subprocess.run([SPOTSIM, *args], capture_output=True, text=True)
    if expect_rc is not None and p.returncode != expect_rc:
        sys.exit(f"spotsim {' '.join(args)}: exit {p.returncode}, wanted {expect_rc}\n"
                 f"stdout:\n{p.stdout}\nstderr:\n{p.stderr}")
    return p


def xmllint_ok(path):
    p = subprocess.run(["xmllint", "--noout", "--schema", XSD, path], capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit(f"{path} does not validate against {XSD}:\n{p.stderr}\n{open(path).read()}")


def check(cond, msg):
    if not cond:
        sys.exit("FAILED: " + msg)


def write(name, text):
    path = os.path.join(TMP, name)
    with open(path, "w") as f:
        f.write(text)
    return path


def only_outputs_in_tmp(expected):
    names = sorted(os.listdir(TMP))
    check(names == sorted(expected), f"files in the output directory: {names}, wanted {sorted(expected)}")


FAILING = "--set=expect[1]=fleet.web.availability_pct.max >= 99.99"

try:
    if CASE == "junit_schema":
        out = os.path.join(TMP, "r.xml")
        run("run", BASIC, "--replications", "3", "--quiet", "--junit", out, expect_rc=0)
        xmllint_ok(out)
        x = open(out).read()
        check('tests="2" failures="0" errors="0"' in x, x)
        run("run", BASIC, "--replications", "3", "--quiet", "--junit", out, FAILING, expect_rc=1)
        xmllint_ok(out)
        x = open(out).read()
        check('failures="1"' in x and "<failure message=\"observed " in x, x)
        check("--replication 0" in x, x)
    elif CASE == "junit_invalid_file":
        bad = write("bad.yaml", open(BASIC).read().replace("cost.savings_pct.mean >= 50", "cost.savings.mean >= 50"))
        out = os.path.join(TMP, "r.xml")
        p = run("run", bad, BASIC, "--replications", "2", "--quiet", "--junit", out, expect_rc=2)
        check('error: expect[0]: unknown metric "cost.savings"' in p.stderr, p.stderr)
        xmllint_ok(out)
        x = open(out).read()
        check('errors="1"' in x and 'type="invalid_scenario"' in x and 'name="spot-fleet-basic"' in x, x)
    elif CASE == "atomic_outputs":
        js, ju = os.path.join(TMP, "r.json"), os.path.join(TMP, "r.xml")
        for p in (js, ju):
            with open(p, "w") as f:
                f.write("old")
        bad = write("bad.yaml", "spotsim: 1\n")
        run("run", bad, "--quiet", "--json", js, expect_rc=2)
        check(open(js).read() == "old", "an invalid scenario must not touch --json output")
        run("run", BASIC, "--replications", "2", "--quiet", "--json", js, "--junit", ju, expect_rc=0)
        doc = json.load(open(js))
        check([e["text"] for e in doc["expectations"]] == ["cost.savings_pct.mean >= 50",
                                                           "fleet.web.availability_pct.mean >= 99"], str(doc))
        check(all(set(e) >= {"text", "passed", "observed"} for e in doc["expectations"]), str(doc))
        only_outputs_in_tmp(["bad.yaml", "r.json", "r.xml"])  # no temp files left behind
        # An unwritable target: exit 3, nothing half-written.
        p = run("run", BASIC, "--replications", "1", "--quiet", "--junit", os.path.join(TMP, "no", "dir", "r.xml"))
        check(p.returncode == 3, f"exit {p.returncode}: {p.stderr}")
        only_outputs_in_tmp(["bad.yaml", "r.json", "r.xml"])
    elif CASE == "replication_alone":
        js = os.path.join(TMP, "all.json")
        run("run", BASIC, "--replications", "4", "--quiet", "--json", js, expect_rc=0)
        one = os.path.join(TMP, "one.json")
        run("run", BASIC, "--replication", "2", "--quiet", "--json", one, expect_rc=0)
        a, b = json.load(open(js)), json.load(open(one))
        check(b["replications"] == 1 and b["replication_ids"] == [2], str(b))
        # Replication 2 alone equals replication 2 of the larger run (per-replication values).
        check(all(a["per_replication"][m][2] == b["per_replication"][m][0] for m in a["per_replication"]), "replication 2 differs when run alone")
    elif CASE == "validate_errors":
        src = open(BASIC).read()
        bad = write("bad.yaml", src.replace("cost.savings_pct.mean >= 50", "cost.savings_pct.mean => 50"))
        p = run("validate", bad, expect_rc=2)
        line = [i + 1 for i, l in enumerate(src.splitlines()) if "cost.savings_pct.mean" in l][0]
        want = (f"{bad}:{line}:27: error: expect[0]: expected a comparison operator (<, <=, >, >=, ==, !=) after "
                f"\"cost.savings_pct.mean\", found \"=>\"\n")
        check(p.stderr == want, f"stderr:\n{p.stderr}\nwanted:\n{want}")
        p = run("validate", BASIC, expect_rc=0)
        check(p.stdout == f"{BASIC}: ok (3 pools, 1 fleets, 2 expectations)\n", p.stdout)
        p = run("run", BASIC, "--set", "expect[0]=fleet.web.interruptons.max >= 0", expect_rc=2)
        check("unknown metric \"fleet.web.interruptons\" (did you mean \"fleet.web.interruptions\"?)" in p.stderr, p.stderr)
    elif CASE == "several_files":
        js, ju = os.path.join(TMP, "r.json"), os.path.join(TMP, "r.xml")
        p = run("run", BASIC, BASIC, "--replications", "2", "--json", js, "--junit", ju, FAILING, expect_rc=1)
        check(p.stdout.count("== " + BASIC) == 2, p.stdout)
        doc = json.load(open(js))
        check(len(doc["runs"]) == 2, str(doc.keys()))
        xmllint_ok(ju)
        check(open(ju).read().count("<testsuite ") == 2, "two suites")
    elif CASE == "usage_errors":
        # issue 15, item 7: each of these was accepted silently or misreported.
        for bad in ("-1", "18446744073709551616", "12x", ""):
            p = run("run", BASIC, "--replications", "1", "--quiet", "--seed", bad, expect_rc=2)
            check("--seed" in p.stderr and "expected a whole number from 0 to 9223372036854775807" in p.stderr,
                  f"--seed {bad!r}: {p.stderr}")
        p = run("run", BASIC, "--replications", "1", "--quiet", "--seed", "9223372036854775807", expect_rc=0)
        p = run("frobnicate", expect_rc=2)
        check(p.stderr == 'spotsim: error: unknown command "frobnicate"; the commands are run, sweep, validate, '
                          'calibrate, predict, compare (spotsim --help)\n', p.stderr)
        p = run("runn", BASIC, expect_rc=2)
        check('unknown command "runn" (did you mean "run"?)' in p.stderr, p.stderr)
        # One replications limit: the file's (1,000,000), on the command line too.
        p = run("run", BASIC, "--replications", "1000001", "--quiet", expect_rc=2)
        check("--replications" in p.stderr and "1000000" in p.stderr, p.stderr)
        p = run("validate", BASIC, "--set", "replications=1000001", expect_rc=2)
        check("replications" in p.stderr, p.stderr)
        # A run that needs more than 1 GB says so before it starts (a million replications with time
        # series for --out); the run itself is interrupted after 3 s.
        big = write("big.yaml", open(BASIC).read())
        p = subprocess.run(["timeout", "-s", "INT", "3", SPOTSIM, "run", big, "--replications", "1000000", "--out",
                            os.path.join(TMP, "big.h5"), "--quiet"], capture_output=True, text=True)
        check("spotsim: warning: " in p.stderr and "GB in memory" in p.stderr, p.stderr)
    else:
        sys.exit("unknown case " + CASE)
finally:
    shutil.rmtree(TMP, ignore_errors=True)
print("ok")
