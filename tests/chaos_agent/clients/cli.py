"""The command line: exit codes (2 usage/invalid input, 3 unreachable agent) and messages that
name the flag or the plan position; --dry-run prints the timeline and contacts nothing."""
import json
import os
import subprocess
import sys
import tempfile

from harness import Agent, check

binary = sys.argv[1]
repo = sys.argv[2]


def run(*args):
    return subprocess.run([binary] + list(args), capture_output=True, text=True, timeout=20)


r = run("serve", "--bogus-flag")
check(r.returncode == 2, "unknown flag exits 2")
r = run("serve", "--provider", "oracle", "--upstream", "none")
check(r.returncode == 2 and "--provider: expected aws, azure, gcp or all" in r.stderr, "bad --provider: " + r.stderr.strip())
r = run("serve", "--at-deadline", "shutdown", "--upstream", "none")
check(r.returncode == 2 and "without --allow-shutdown" in r.stderr, "shutdown refused without --allow-shutdown")
r = run("inject", "evict")
check(r.returncode == 2, "unknown inject kind exits 2")
r = run("inject", "preempt", "--control", "unix:/nonexistent/chaos.sock")
check(r.returncode == 3 and "cannot reach chaos-agent" in r.stderr, "unreachable agent exits 3")
r = run("gameday", os.path.join(repo, "examples/gameday/plan.yaml"), "--dry-run")
check(r.returncode == 0 and "T+6m  storm" in r.stdout and "nothing is contacted" in r.stdout, "dry run of the example plan")
with tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False) as f:
    f.write("max_duration: 10m\nchaos:\n  - {at: 1m, preempt: {notice: 2x}}\n")
r = run("gameday", f.name, "--dry-run")
check(r.returncode == 2 and r.stderr.strip() == f.name +
      ":3:32: error: chaos[0].preempt.notice: expected a duration like 120s, 5m, 2h, found '2x'",
      "plan error: " + r.stderr.strip())
os.unlink(f.name)

with Agent(binary) as agent:
    out = agent.inject("preempt", "--provider", "gcp", "--notice", "30s", "--ttl", "10m")
    check(out.startswith("inj-"), "inject prints the injection id")
    r = subprocess.run([binary, "inject", "preempt", "--notice", "soon", "--control", agent.control],
                       capture_output=True, text=True)
    check(r.returncode == 2 and "notice: expected a duration like 120s, 5m, 2h, got 'soon'" in r.stderr,
          "invalid notice names the field")
    st = agent.cli("status")
    check("live: inj-" in st and "provider gcp" in st, "status lists the injection")
    audit = agent.audit
    agent.clear()
    r = run("report", audit)
    check(r.returncode == 0 and "injections: 1" in r.stdout, "report from the audit file")

# cleanup --audit appends a cleanup event to the agent's audit log (after a crash or kill -9).
with tempfile.TemporaryDirectory() as d:
    log = os.path.join(d, "audit.jsonl")
    r = run("cleanup", "--state-file", os.path.join(d, "state.json"), "--iptables", "/bin/true", "--audit", log)
    check(r.returncode == 0 and "removed 0 rule(s), no state file" in r.stdout, "cleanup without a state file: " + r.stderr)
    with open(log) as f:
        events = [json.loads(line) for line in f]
    check(len(events) == 1 and events[0]["event"] == "cleanup" and events[0]["rules_removed"] == 0,
          "cleanup is audited: %r" % events)
    r = run("cleanup", "--state-file", os.path.join(d, "state.json"), "--iptables", "/bin/true",
            "--audit", os.path.join(d, "missing", "audit.jsonl"))
    check(r.returncode == 3 and "--audit: cannot open '" in r.stderr, "cleanup --audit to an unwritable path: " + r.stderr)
