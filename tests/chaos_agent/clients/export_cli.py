"""chaos-agent gameday --export: the command line, the exported files' shapes, and the scripts run
against stand-ins for az and gcloud (no cloud is called).

usage: export_cli.py CHAOS_AGENT REPO

- fis: the JSON has exactly the CreateExperimentTemplate request fields chaos-agent fills
  (description, targets, actions, stopConditions, roleArn, tags), each target and action only
  the published keys, every action id known, durations ISO 8601 within FIS's ranges,
  selectionMode ALL / PERCENT(n) / COUNT(n), startAfter naming existing actions.
- azure, gcp: `sh -n` accepts the scripts; run with az, gcloud, sleep and date replaced by
  recording stubs on PATH, they evict exactly the VMs the plan's --dry-run names, at the plan's
  times.
- refusals: exit 2, every refused item with FILE:LINE:COL, no output file; missing required
  options name the flag; a bad --tag or --export value exits 2.
"""
import json
import os
import re
import stat
import subprocess
import sys
import tempfile

from harness import check

agent, repo = os.path.abspath(sys.argv[1]), sys.argv[2]
fixtures = os.path.abspath(os.path.join(repo, "tests/chaos_agent/export"))
plan = "plan.yaml"  # relative, run in the fixtures' folder: the file name is in the output


def run(*args):
    return subprocess.run([agent] + list(args), capture_output=True, text=True, timeout=30, cwd=fixtures)


tmp = tempfile.mkdtemp(prefix="chaos-agent-export-")
FIS = ["--export", "fis", "--role-arn", "arn:aws:iam::123456789012:role/chaos-agent-fis", "--tag", "spot-pool=gpu"]

# ---- fis ---------------------------------------------------------------------------------
out = os.path.join(tmp, "fis.json")
r = run("gameday", plan, *FIS, "--output", out)
check(r.returncode == 0 and os.path.exists(out), "--export fis --output writes the file: " + r.stderr.strip())
check("warning: abort: FIS cannot run this health check" in r.stderr, "the plan's abort is reported as not exported")
t = json.load(open(out))
check(set(t) == {"description", "targets", "actions", "stopConditions", "roleArn", "tags"},
      "top-level fields are CreateExperimentTemplate's: %s" % sorted(t))
check(isinstance(t["description"], str) and len(t["description"]) <= 512, "description is a string of at most 512")
ISO = re.compile(r"^PT(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?$")


def seconds(iso):
    m = ISO.match(iso)
    check(m is not None and iso != "PT", "ISO 8601 duration: " + iso)
    h, mi, s = (int(x or 0) for x in m.groups())
    return h * 3600 + mi * 60 + s


for name, target in t["targets"].items():
    check(re.fullmatch(r"[\S]{1,64}", name) is not None, "target name " + name)
    check(set(target) <= {"resourceType", "resourceArns", "resourceTags", "filters", "selectionMode", "parameters"},
          name + ": only published target keys: %s" % sorted(target))
    check(target["resourceType"] == "aws:ec2:spot-instance", name + ": resourceType aws:ec2:spot-instance")
    check(target["resourceTags"] == {"spot-pool": "gpu"}, name + ": resourceTags from --tag")
    check(all(set(f) == {"path", "values"} for f in target["filters"]), name + ": filters are {path, values}")
    check(re.fullmatch(r"ALL|PERCENT\(([1-9]\d?|100)\)|COUNT\([1-9]\d*\)", target["selectionMode"]) is not None,
          name + ": selectionMode " + target["selectionMode"])
for name, action in t["actions"].items():
    check(set(action) <= {"actionId", "description", "parameters", "startAfter", "targets"},
          name + ": only published action keys: %s" % sorted(action))
    if action["actionId"] == "aws:ec2:send-spot-instance-interruptions":
        check(set(action["parameters"]) == {"durationBeforeInterruption"}, name + ": one parameter")
        check(120 <= seconds(action["parameters"]["durationBeforeInterruption"]) <= 900, name + ": 2 to 15 minutes")
        check(set(action["targets"]) == {"SpotInstances"} and action["targets"]["SpotInstances"] in t["targets"],
              name + ": targets.SpotInstances names a target")
    else:
        check(action["actionId"] == "aws:fis:wait", name + ": a wait")
        check(60 <= seconds(action["parameters"]["duration"]) <= 12 * 3600, name + ": 1 minute to 12 hours")
    for after in action.get("startAfter", []):
        check(after in t["actions"], name + ": startAfter names an action")
check(t["stopConditions"] == [{"source": "none"}], "no --stop-alarm: stopConditions none")
check(open(out).read() == open(os.path.join(fixtures, "fis.json")).read(), "the CLI writes the fixture's bytes")
r = run("gameday", plan, *FIS, "--stop-alarm", "arn:aws:cloudwatch:us-east-1:123456789012:alarm:errors")
check(r.returncode == 0 and json.loads(r.stdout)["stopConditions"] ==
      [{"source": "aws:cloudwatch:alarm", "value": "arn:aws:cloudwatch:us-east-1:123456789012:alarm:errors"}]
      and "warning" not in r.stderr, "--stop-alarm becomes the stop condition (stdout without --output)")

# ---- azure, gcp: run against stand-ins ----------------------------------------------------
bindir = os.path.join(tmp, "bin")
os.makedirs(bindir)
log = os.path.join(tmp, "calls.log")
for tool in ("az", "gcloud", "sleep"):
    path = os.path.join(bindir, tool)
    with open(path, "w") as f:
        f.write('#!/bin/sh\necho "%s $*" >> "%s"\n' % (tool, log))
    os.chmod(path, stat.S_IRWXU)
with open(os.path.join(bindir, "date"), "w") as f:  # the clock stands still at 1000
    f.write("#!/bin/sh\necho 1000\n")
os.chmod(os.path.join(bindir, "date"), stat.S_IRWXU)
dry = run("gameday", plan, "--dry-run").stdout
picks = [l.split(" -> ")[1].split(", ") for l in dry.splitlines() if " -> " in l]
check(len(picks) == 2, "the dry run names each item's VMs: %s" % picks)
for cloud, extra, want in (
        ("azure", ["--resource-group", "gameday-rg"],
         lambda vms: ["az vm simulate-eviction --resource-group gameday-rg --name %s" % v for v in vms]),
        ("gcp", ["--zone", "us-central1-a"],
         lambda vms: ["gcloud compute instances simulate-maintenance-event %s --zone us-central1-a" % " ".join(vms)])):
    script = os.path.join(tmp, cloud + ".sh")
    r = run("gameday", plan, "--export", cloud, *extra, "--output", script)
    check(r.returncode == 0, cloud + ": exported: " + r.stderr.strip())
    check(open(script).read() == open(os.path.join(fixtures, cloud + ".sh")).read(), cloud + ": the CLI writes the fixture's bytes")
    check(subprocess.run(["sh", "-n", script]).returncode == 0, cloud + ": sh -n accepts the script")
    if os.path.exists(log):
        os.unlink(log)
    env = dict(os.environ, PATH=bindir + ":/usr/bin:/bin")
    r = subprocess.run(["sh", script], env=env, capture_output=True, text=True, timeout=30)
    check(r.returncode == 0, cloud + ": the script runs: " + r.stderr)
    calls = open(log).read().splitlines()
    expected = []
    for at, vms in zip((0, 300), picks):
        if at:
            expected.append("sleep %d" % at)
        expected += sorted(want(vms))
    got = [c for c in calls]
    # parallel calls of one step may log in any order: compare step by step, sorted
    check(sorted(got) == sorted(expected) and got.index("sleep 300") == len(want(picks[0])),
          cloud + ": evicts the dry run's VMs at T+0 and T+5m: %s" % got)

# ---- refusals -----------------------------------------------------------------------------
refused = "refused.yaml"
out = os.path.join(tmp, "refused.json")
r = run("gameday", refused, *FIS, "--output", out)
lines = r.stderr.strip().splitlines()
check(r.returncode == 2 and not os.path.exists(out) and r.stdout == "", "refused: exit 2, nothing written")
check(len(lines) == len(open(os.path.join(fixtures, "refused.fis.txt")).read().strip().splitlines()) and
      all(re.match(r"^refused\.yaml:\d+:\d+: error: chaos\[\d\]", l) for l in lines),
      "every refusal has FILE:LINE:COL and the item: %d lines" % len(lines))
r = run("gameday", plan, "--export", "fis", "--tag", "a=b")
check(r.returncode == 2 and r.stderr.startswith("chaos-agent: --export fis needs --role-arn ARN"), "--role-arn is required")
r = run("gameday", plan, "--export", "fis", "--role-arn", "x", "--tag", "novalue")
check(r.returncode == 2 and "--tag: expected KEY=VALUE, got 'novalue'" in r.stderr, "a bad --tag exits 2")
r = run("gameday", plan, "--export", "oracle")
check(r.returncode == 2 and "--export: expected fis, azure or gcp, got 'oracle'" in r.stderr, "an unknown cloud exits 2")
r = run("gameday", plan, "--export", "gcp")
check(r.returncode == 2 and "--export gcp needs --zone Z" in r.stderr, "--zone is required for gcp")

# ---- a fleet plan (targets by label) --------------------------------------------------------
for cloud, extra, fixture in (("gcp", ["--zone", "us-central1-a"], "fleet-gcp.sh"),
                              ("azure", ["--resource-group", "gameday-rg"], "fleet-azure.sh")):
    r = run("gameday", "fleet-plan.yaml", "--export", cloud, *extra)
    check(r.returncode == 0 and r.stdout == open(os.path.join(fixtures, fixture)).read(),
          "a fleet plan exports to %s: the fixture's script (%s)" % (cloud, r.stderr.strip()))
out = os.path.join(tmp, "fleet-fis.json")
r = run("gameday", "fleet-plan.yaml", *FIS, "--output", out)
check(r.returncode == 2 and not os.path.exists(out) and
      r.stderr.startswith("fleet-plan.yaml:11:5: error: chaos[2].storm: FIS starts an action's interruptions together"),
      "a fleet plan's window is refused for FIS with its position, nothing written: " + r.stderr.strip())
print("export: ok")
