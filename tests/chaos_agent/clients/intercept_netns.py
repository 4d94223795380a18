"""--intercept inside a network namespace this test creates (never the host's rules).

Inside the namespace: lo up with 169.254.169.254/32 on it, a fake upstream metadata server
bound to 169.254.169.254:80, and the agent with --intercept. Checks: the rule is installed and
tagged; a client (another uid) is redirected to the agent; the agent's own traffic to the
upstream is exempt; SIGTERM removes the rule; after kill -9 `chaos-agent cleanup` removes it.
With default flags the agent, running as root, exempts itself by socket mark, so a root client
(as most termination handlers are) is intercepted too; --intercept-exempt uid still exempts by
uid (and root clients then bypass). Exit 77 (skip) when namespaces or iptables are unavailable.
"""
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

from harness import check, run, skip

agent_bin = sys.argv[1]
ns = "chaos-agent-test-%d" % os.getpid()
procs = []


def nsrun(*args, **kw):
    return run("ip", "netns", "exec", ns, *args, **kw)


if os.geteuid() != 0:
    skip("needs root to create a network namespace")
for tool in ("ip", "iptables", "curl", "setpriv"):
    if shutil.which(tool) is None:
        skip("%s is not installed" % tool)
if run("ip", "netns", "add", ns, check=False).returncode != 0:
    skip("cannot create a network namespace here (ip netns add failed)")

tmp = tempfile.mkdtemp(prefix="chaos-agent-netns-")
UPSTREAM = r'''
import http.server
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = ("UPSTREAM " + self.path).encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    do_PUT = do_GET
    def log_message(self, *a):
        pass
http.server.HTTPServer(("169.254.169.254", 80), H).serve_forever()
'''


def start_agent(tag, exempt=None):
    ready = os.path.join(tmp, tag + ".ready")
    exempt_args = [] if exempt is None else ["--intercept-exempt", exempt]
    p = subprocess.Popen(["ip", "netns", "exec", ns, agent_bin, "serve", "--listen", "127.0.0.1:8169",
                          "--control", "unix:" + os.path.join(tmp, tag + ".sock"),
                          "--upstream", "169.254.169.254:80", "--intercept"] + exempt_args +
                         ["--state-file", os.path.join(tmp, tag + ".state.json"),
                          "--audit", os.path.join(tmp, tag + ".audit.jsonl"),
                          "--ready-file", ready], stderr=subprocess.PIPE, text=True)
    procs.append(p)
    deadline = time.time() + 20
    while not os.path.exists(ready):
        if p.poll() is not None:
            raise RuntimeError("agent exited: " + p.stderr.read())
        if time.time() > deadline:
            raise RuntimeError("agent not ready")
        time.sleep(0.05)
    return p


def curl(path, as_nobody=True):
    cmd = ["curl", "-s", "-m", "5", "http://169.254.169.254" + path]
    if as_nobody:
        cmd = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"] + cmd
    return nsrun(*cmd, check=False).stdout


def rules():
    return [l for l in nsrun("iptables", "-t", "nat", "-S", "OUTPUT").stdout.splitlines() if "chaos-agent" in l]


def inject(tag):
    run(agent_bin, "inject", "preempt", "--provider", "aws", "--control", "unix:" + os.path.join(tmp, tag + ".sock"))


try:
    nsrun("ip", "link", "set", "lo", "up")
    nsrun("ip", "addr", "add", "169.254.169.254/32", "dev", "lo")
    up = subprocess.Popen(["ip", "netns", "exec", ns, "/usr/bin/python3", "-c", UPSTREAM])
    procs.append(up)
    for _ in range(100):
        if curl("/ping", as_nobody=False).startswith("UPSTREAM"):
            break
        time.sleep(0.05)
    check(curl("/latest/meta-data/spot/instance-action") == "UPSTREAM /latest/meta-data/spot/instance-action",
          "before the agent, the fake upstream answers")

    # The README's quick start: `serve --intercept` as root, default flags.
    d = start_agent("d")
    r = rules()
    check(len(r) == 1 and "--mark 0x5ca1" in r[0] and "--uid-owner" not in r[0],
          "default flags as root: mark exemption rule: %s" % r)
    inject("d")
    check('"action":"terminate"' in curl("/latest/meta-data/spot/instance-action", as_nobody=False),
          "default flags: a root curl is intercepted (sees the injected notice)")
    check('"action":"terminate"' in curl("/latest/meta-data/spot/instance-action"),
          "default flags: a non-root curl is intercepted")
    check(curl("/latest/meta-data/instance-id", as_nobody=False) == "UPSTREAM /latest/meta-data/instance-id",
          "default flags: the agent's own (marked) upstream traffic is exempt")
    d.send_signal(signal.SIGTERM)
    d.wait(timeout=10)
    check(rules() == [], "SIGTERM removed the default-flags rule")

    a = start_agent("a", exempt="uid")
    r = rules()
    check(len(r) == 1 and "--uid-owner 0" in r[0] and "--to-destination 127.0.0.1:8169" in r[0],
          "tagged DNAT rule installed: %s" % r)
    state = json.load(open(os.path.join(tmp, "a.state.json")))
    check(state["pid"] > 0 and len(state["rules"]) == 1, "state file records the rule")
    check("<title>404 - Not Found</title>" in curl("/latest/meta-data/spot/instance-action"),
          "client traffic for 169.254.169.254:80 is redirected to the agent (404, no notice)")
    inject("a")
    check('"action":"terminate"' in curl("/latest/meta-data/spot/instance-action"), "client sees the injected notice")
    check(curl("/latest/meta-data/instance-id") == "UPSTREAM /latest/meta-data/instance-id",
          "agent's own upstream traffic is exempt (pass-through reaches the real upstream)")
    check(curl("/latest/meta-data/spot/instance-action", as_nobody=False).startswith("UPSTREAM"),
          "with --intercept-exempt uid (agent as root) root's traffic bypasses the agent")
    a.send_signal(signal.SIGTERM)
    a.wait(timeout=10)
    check(a.returncode == 0, "agent exits 0 on SIGTERM")
    check(rules() == [], "SIGTERM removed the rule")
    check(not os.path.exists(os.path.join(tmp, "a.state.json")), "SIGTERM removed the state file")
    check(curl("/latest/meta-data/spot/instance-action").startswith("UPSTREAM"), "traffic goes to the upstream again")

    b = start_agent("b", exempt="uid")
    check(len(rules()) == 1, "second agent installed its rule")
    b.send_signal(signal.SIGKILL)
    b.wait(timeout=10)
    check(len(rules()) == 1, "after kill -9 the rule is still there")
    out = nsrun(agent_bin, "cleanup", "--state-file", os.path.join(tmp, "b.state.json")).stdout
    check("removed 1 rule(s)" in out, "cleanup reports: " + out.strip())
    check(rules() == [], "cleanup removed the rule")
    check(curl("/latest/meta-data/spot/instance-action").startswith("UPSTREAM"), "metadata reachable again after cleanup")

    c = start_agent("c", exempt="mark")
    r = rules()
    check(len(r) == 1 and "--mark 0x5ca1" in r[0], "mark exemption rule: %s" % r)
    inject("c")
    check('"action":"terminate"' in curl("/latest/meta-data/spot/instance-action", as_nobody=False),
          "with mark exemption root's traffic is redirected too")
    check(curl("/latest/meta-data/instance-id", as_nobody=False) == "UPSTREAM /latest/meta-data/instance-id",
          "marked agent traffic is exempt")
    c.send_signal(signal.SIGINT)
    c.wait(timeout=10)
    check(rules() == [], "SIGINT removed the rule")
finally:
    for p in procs:
        if p.poll() is None:
            p.kill()
            p.wait()
    run("ip", "netns", "del", ns, check=False)
    shutil.rmtree(tmp, ignore_errors=True)
