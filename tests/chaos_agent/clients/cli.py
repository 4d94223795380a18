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
# I/O problems exit 3 whatever their message says: an unreadable token file, a missing audit log.
r = run("status", "--control", "127.0.0.1:9", "--token-file", "/nonexistent/token")
check(r.returncode == 3 and "--token-file: cannot read '/nonexistent/token'" in r.stderr,
      "unreadable --token-file exits 3: " + r.stderr.strip())
r = run("report", "/nonexistent/audit.jsonl")
check(r.returncode == 3 and "/nonexistent/audit.jsonl: cannot open audit log" in r.stderr,
      "missing audit log exits 3: " + r.stderr.strip())
r = run("status", "--control", "nowhere")
check(r.returncode == 2, "a --control that is not an endpoint exits 2: " + r.stderr.strip())
r = run("gameday", os.path.join(repo, "examples/gameday/plan.yaml"), "--dry-run")
check(r.returncode == 0 and "T+6m  storm" in r.stdout and "nothing is contacted" in r.stdout, "dry run of the example plan")
with tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False) as f:
    f.write("max_duration: 10m\nchaos:\n  - {at: 1m, preempt: {notice: 2x}}\n")
r = run("gameday", f.name, "--dry-run")
check(r.returncode == 2 and r.stderr.strip() == f.name +
      ":3:32: error: chaos[0].preempt.notice: in duration \"2x\": unknown time unit \"x\" (use us, ms, s, m, h, d or w)",
      "plan error: " + r.stderr.strip())
os.unlink(f.name)
# A plan with three distinct mistakes: all three are reported, one line each with FILE:LINE:COL,
# exit 2, nothing contacted.
with tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False) as f:
    f.write("max_duration: 90\nblast_radius: {max_fraction: 50%, max_target: 2}\n"
            "chaos:\n  - {at: 1m, preempt: {action: reboot}}\n")
r = run("gameday", f.name, "--dry-run")
lines = r.stderr.strip().splitlines()
check(r.returncode == 2 and r.stdout == "" and len(lines) == 3 and
      lines[0].startswith(f.name + ":1:15: error: max_duration: duration \"90\" has no unit") and
      lines[1].startswith(f.name + ":2:35: error: blast_radius.max_target: unknown key") and
      lines[2].startswith(f.name + ":4:32: error: chaos[0].preempt.action: \"reboot\" is not one of"),
      "every plan mistake is reported: " + r.stderr.strip())
os.unlink(f.name)
# --identity FILE with two mistakes: two lines, each with the whole prefix (program and flag) and
# FILE:LINE:COL, exit 2. (Only the first line had the prefix before.)
with tempfile.TemporaryDirectory() as d:
    ident = os.path.join(d, "id.yaml")
    with open(ident, "w") as f:
        f.write("aws: {instance-idd: i-0abc}\ngcp: {zone: \"\"}\n")
    r = run("serve", "--upstream", "none", "--identity", ident, "--listen", "127.0.0.1:0",
            "--control", "unix:" + os.path.join(d, "c.sock"), "--state-file", os.path.join(d, "state.json"))
    lines = r.stderr.strip().splitlines()
    check(r.returncode == 2 and r.stdout == "" and len(lines) == 2 and
          lines[0].startswith("chaos-agent: --identity: " + ident + ":1:7: error: aws.instance-idd: unknown key "
                              "(did you mean \"instance-id\"?); valid keys here: account-id, ") and
          lines[1] == "chaos-agent: --identity: " + ident + ":2:13: error: gcp.zone: expected a non-empty string",
          "every --identity mistake has the prefix: %d %s" % (r.returncode, r.stderr.strip()))

with Agent(binary) as agent:
    out = agent.inject("preempt", "--provider", "gcp", "--notice", "30s", "--ttl", "10m")
    check(out.startswith("inj-"), "inject prints the injection id")
    r = subprocess.run([binary, "inject", "preempt", "--notice", "soon", "--control", agent.control],
                       capture_output=True, text=True)
    check(r.returncode == 2 and "notice: expected a duration like 90s, 15m, 2h or 7d, found \"soon\"" in r.stderr,
          "invalid notice names the field")
    st = agent.cli("status")
    check("live: inj-" in st and "provider gcp" in st, "status lists the injection")
    # An Azure Preempt notice shorter than the platform's 30 s minimum: exit 2 naming it.
    r = subprocess.run([binary, "inject", "preempt", "--provider", "azure", "--notice", "10s", "--control", agent.control],
                       capture_output=True, text=True)
    check(r.returncode == 2 and r.stderr.strip() == "chaos-agent: notice: Azure Scheduled Events give Preempt at least "
          "30s of notice, got 10s (a shorter notice is accepted only with --allow-unrealistic)",
          "Azure notice under 30s refused: " + r.stderr.strip())
    out = agent.inject("preempt", "--provider", "azure", "--notice", "10s", "--allow-unrealistic")
    check(out.startswith("inj-"), "--allow-unrealistic accepts it")
    check(any(e["event"] == "inject" and "unrealistic" in e for e in agent.audit_events()),
          "the audit log records the unrealistic notice")
    audit = agent.audit
    agent.clear()
    r = run("report", audit)
    check(r.returncode == 0 and "injections: 2" in r.stdout, "report from the audit file")
    r = run("report", audit, "--run", "run-none")
    check(r.returncode == 0 and "injections: 0" in r.stdout, "report --run: only that game-day run's injections")

# A second serve on the same TCP control port and token file fails and leaves the first agent's
# token file alone: status/clear against the first still work.
with tempfile.TemporaryDirectory() as d:
    import socket
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    token = os.path.join(d, "control.token")
    control = "127.0.0.1:%d" % port
    with Agent(binary, control=control, token_file=token) as a:
        before = open(token).read()
        r = run("serve", "--listen", "127.0.0.1:0", "--upstream", "none", "--control", control,
                "--token-file", token, "--state-file", os.path.join(d, "b.state.json"))
        check(r.returncode == 3 and "Address already in use" in r.stderr, "second serve fails: " + r.stderr.strip())
        check(open(token).read() == before, "the first agent's token file is unchanged")
        r = run("status", "--control", control, "--token-file", token)
        check(r.returncode == 0 and "no live injections" in r.stdout, "status against the first agent still works")
        r = run("clear", "--control", control, "--token-file", token)
        check(r.returncode == 0, "clear against the first agent still works")

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
            "--audit", os.path.join(log, "sub", "audit.jsonl"))  # a file stands where the folder would go
    check(r.returncode == 3 and "--audit: cannot create the folder '" in r.stderr,
          "cleanup --audit to an unwritable path: " + r.stderr)
# --intercept failing on the machine (iptables refuses, the state file cannot be written) is an
# I/O failure, exit 3 like every other one; the message names the flag. (It exited 2 while the
# exit code was guessed from the message's words.)
with tempfile.TemporaryDirectory() as d:
    base = ["serve", "--upstream", "none", "--listen", "127.0.0.1:0", "--control", "unix:" + os.path.join(d, "c.sock"),
            "--intercept", "--intercept-exempt", "mark"]
    r = run(*base, "--iptables", "/bin/false", "--state-file", os.path.join(d, "state.json"))
    check(r.returncode == 3 and r.stderr.startswith("chaos-agent: --intercept: '/bin/false -w 5 -t nat -A OUTPUT ") and "' failed" in r.stderr,
          "--intercept with a failing iptables: %d %s" % (r.returncode, r.stderr.strip()))
    r = run(*base, "--iptables", "/bin/true", "--state-file", os.path.join(d, "no", "such", "state.json"))
    check(r.returncode == 3 and r.stderr.startswith("chaos-agent: --intercept: state file '") and
          "(set --state-file to a writable path)" in r.stderr,
          "--intercept with an unwritable state file: %d %s" % (r.returncode, r.stderr.strip()))
