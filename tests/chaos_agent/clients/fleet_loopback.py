"""Fleet coordinator against real `chaos-agent serve --remote-control` processes on distinct
loopback addresses (127.0.0.x): mutual TLS, allow-list, replay refusal, bad certificates, a
target down, an abort mid-storm (cleared within 2 s) and the coordinator killed mid-plan (the
agents' dead-man lease clears by itself). The 50-agent version in network namespaces is
fleet_netns.py."""
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(__file__))
from fleet_common import (Health, RemoteAgent, check, make_certs, notice_visible, raw_request, signed_request,
                          tls_client, wait_until)

binary = sys.argv[1]
tmp = tempfile.mkdtemp(prefix="chaos-fleet-")
agents = []
try:
    certs = make_certs(tmp, ["127.0.3.%d" % (10 + i) for i in range(4)] + ["127.0.3.20"])
    for i in range(4):
        agents.append(RemoteAgent(binary, tmp, "vm%d" % i, "127.0.3.%d" % (10 + i), certs))
    agents.append(RemoteAgent(binary, tmp, "rogue", "127.0.3.20", certs, cert="rogue-agent"))
    # From the right CA, but its certificate names another address than the one dialed.
    agents.append(RemoteAgent(binary, tmp, "wrongname", "127.0.3.21", certs, cert="wrong-name-agent"))
    for a in agents:
        a.wait_ready()
    good = agents[:4]

    def plan(name, body, targets_extra=""):
        lines = ["name: %s" % name, "provider: aws", "max_duration: 10m",
                 "tls: {ca: %s, cert: %s, key: %s}" % (certs["ca"], *certs["coordinator"]), "targets:"]
        for i, a in enumerate(agents):
            lines.append('  - {name: %s, address: "%s:8443", labels: {zone: z%d, pool: %s}}' %
                         (a.name, a.ip, i % 2, "gpu" if i < 2 else "cpu"))
        lines.append('  - {name: down, address: "127.0.3.30:8443", labels: {zone: z1, pool: cpu}}')
        path = os.path.join(tmp, name + ".yaml")
        with open(path, "w") as f:
            f.write("\n".join(lines) + "\n" + body)
        return path

    def gameday(path, *extra, wait=True):
        args = [binary, "gameday", path, "--report", path + ".json", "--junit", path + ".xml",
                "--audit", path + ".audit"] + list(extra)
        p = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                             env=dict(os.environ, ASAN_OPTIONS="detect_leaks=0"))
        if not wait:
            return p
        out, _ = p.communicate(timeout=60)
        print(out)
        return p.returncode, out

    # --- a drill: a storm over a label selection, a reader on one VM ------------------------
    reader = subprocess.Popen([sys.executable, "-c", """
import http.client, sys, time
while True:
    try:
        c = http.client.HTTPConnection('127.0.3.10', 8169, timeout=1)
        c.request('GET', '/latest/meta-data/spot/instance-action', headers={'Host': '169.254.169.254'})
        r = c.getresponse(); r.read()
        if r.status == 200: print('seen', flush=True); break
    except OSError: pass
    time.sleep(0.05)
"""], stdout=subprocess.PIPE, text=True)
    p1 = plan("drill", "duration: 2s\nchaos:\n  - {at: 0s, storm: {fraction: 100%, window: 500ms, notice: 120s}}\n")
    rc, out = gameday(p1)
    check(rc == 3, "a drill with a target down and a bad certificate exits 3 (%d)" % rc)
    rep = json.load(open(p1 + ".json"))
    t = rep["targets"]
    check(all(t["vm%d" % i]["status"] == "ok" for i in range(4)), "the four good agents were driven")
    check(t["rogue"]["status"] == "bad_certificate" and "certificate verify failed" in t["rogue"]["error"],
          "an agent with a certificate from another CA is refused: " + t["rogue"]["error"])
    check(t["wrongname"]["status"] == "bad_certificate" and "IP address mismatch" in t["wrongname"]["error"]
          and "127.0.3.21" in t["wrongname"]["error"],
          "an agent whose certificate (right CA) names another address is refused: " + t["wrongname"]["error"])
    check(not any(s["sent"] for s in t["wrongname"]["sent"]) and not any(e["event"] in ("inject", "remote") for e in agents[5].events()),
          "the wrong-name agent got no command at all")
    check(t["down"]["status"] == "unreachable", "a target down is reported unreachable")
    check(rep["selection"]["connected"] == 4 and rep["fleet"]["injections"] == 4,
          "one notice per reachable target, none moved to another target")
    check(reader.wait(timeout=10) == 0, "a client on vm0 read the notice")
    check(t["vm0"]["injections"][0]["detection_latency_s"] is not None, "vm0's detection latency is in the report")
    check(rep["fleet"]["never_detected"] == 3, "the other three were never detected")
    check("zone=z0" in rep["groups"] and rep["groups"]["pool=gpu"]["targets"] == 2, "per-label-group figures")
    junit = open(p1 + ".xml").read()
    check('name="down"' in junit and "unreachable" in junit, "JUnit names the unreachable target")
    ev = good[0].events()
    cmds = [e for e in ev if e["event"] == "remote"]
    check(cmds and all(e["coordinator"] == "gameday-coordinator" for e in cmds),
          "the agent audits every remote command with the coordinator's name")
    inj = [e for e in ev if e["event"] == "inject"]
    check(inj and inj[-1]["peer"].startswith("tls:gameday-coordinator@"), "the inject event names the coordinator")
    coord = [json.loads(l) for l in open(p1 + ".audit")]
    check(any(e.get("path") == "/v1/inject" and e.get("agent") == "chaos-agent" for e in coord),
          "the coordinator audits every command with the agent's name")
    check(any(e["event"] == "remote_refused" and "alert" in e["reason"] for e in agents[4].events()),
          "the rogue agent audits the failed handshake")

    # --- replay: a captured request sent again on a new connection is refused ----------------
    ctx = tls_client(certs)
    raw = signed_request("POST", "/v1/clear", {"reason": "replay test"})
    s1, b1 = raw_request(ctx, "127.0.3.11", 8443, raw)
    s2, b2 = raw_request(ctx, "127.0.3.11", 8443, raw)
    check(s1 == 200 and s2 == 409 and "replayed" in b2, "a replayed request is refused (%d, %d %s)" % (s1, s2, b2.strip()))
    s3, b3 = raw_request(ctx, "127.0.3.11", 8443,
                         signed_request("POST", "/v1/clear", {}, ts_ms=int(time.time() * 1000) - 120000))
    check(s3 == 401 and "stale" in b3, "a request older than the replay window is refused")
    s4, b4 = raw_request(ctx, "127.0.3.11", 8443, b"GET /v1/status HTTP/1.1\r\nHost: a\r\n\r\n")
    check(s4 == 401, "a request without nonce and time is refused")
    s5, b5 = raw_request(tls_client(certs, "intruder"), "127.0.3.11", 8443, signed_request("GET", "/v1/status"))
    check(s5 == 403 and "not allowed" in b5, "a certificate from the CA whose name is not allowed gets 403")
    s6, b6 = raw_request(tls_client(certs, "rogue-coordinator"), "127.0.3.11", 8443, signed_request("GET", "/v1/status"))
    check(s6 == 0, "a coordinator certificate from another CA gets no answer (%s)" % b6)
    wait_until(lambda: any("handshake" in e.get("reason", "") for e in agents[1].events()), 5)
    refused = [e for e in agents[1].events() if e["event"] == "remote_refused"]
    reasons = " | ".join(e["reason"] for e in refused)
    check("replayed" in reasons and "stale" in reasons and "allow-list" in reasons and "handshake" in reasons,
          "the agent audits each refusal: " + reasons)
    check(any(e.get("coordinator", "").startswith("intruder") for e in refused), "the intruder's name is audited")

    # --- abort mid-storm: the health check fails, every target clears within 2 s ------------
    health = Health()
    p2 = plan("abort", "duration: 60s\nabort: {health_check: {url: \"%s\", interval: 100ms, failures: 1}}\n"
              "chaos:\n  - {at: 0s, rebalance: {}}\n  - {at: 0s, storm: {fraction: 100%%, window: 30s}}\n"
              "  - {at: 0s, storm: {fraction: 100%%}}\n" % health.url)
    proc = gameday(p2, wait=False)
    check(wait_until(lambda: all(notice_visible(a.ip) for a in good), 20) is not None, "the storm's notices are visible")
    time.sleep(1.2)
    health.fail()
    t_fail = time.time()
    cleared = wait_until(lambda: not any(notice_visible(a.ip) for a in good), 5)
    out, _ = proc.communicate(timeout=30)
    print(out)
    check(proc.returncode == 1, "an aborted drill exits 1")
    check(cleared is not None and cleared < 2.0, "every target cleared %.3fs after the health check failed" % (cleared or -1))
    rep2 = json.load(open(p2 + ".json"))
    check(rep2["aborted"] and "health check" in rep2["abort_reason"] and rep2["clear_all_s"] < 2,
          "the report says why and how fast (%.3fs)" % rep2["clear_all_s"])
    check(any(e["event"] == "abort" for e in good[0].events()), "the agents audit the abort")
    health.close()

    # --- the coordinator dies mid-plan: the agents clear by themselves (dead-man lease) ------
    # A notice injected by hand on vm2 before the drill (another kind: a new preempt would
    # replace a preempt): the run's dead-man clears only the run's injections and leaves it.
    ctl = ["--control", "unix:" + os.path.join(good[2].dir, "control.sock")]
    agent_env = dict(os.environ, ASAN_OPTIONS="detect_leaks=0")
    local = subprocess.run([binary, "inject", "maintenance", "--provider", "aws"] + ctl, capture_output=True,
                           text=True, env=agent_env)
    check(local.returncode == 0, "a maintenance notice injected by hand on vm2: " + local.stdout + local.stderr)
    p3 = plan("deadman", "duration: 60s\nlease: 2s\nchaos:\n  - {at: 0s, storm: {fraction: 100%}}\n")
    proc = gameday(p3, wait=False)
    check(wait_until(lambda: all(notice_visible(a.ip) for a in good), 15) is not None, "every notice is visible")
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    t_kill = time.time()
    gone = wait_until(lambda: not any(notice_visible(a.ip) for a in good), 10)
    check(gone is not None and gone < 3.5, "after kill -9 of the coordinator every agent cleared in %.2fs (lease 2s)" % (gone or -1))
    dm = [e for e in good[2].events() if e["event"] == "dead_man"]
    check(dm and dm[-1]["live_injections"] and dm[-1]["coordinator"] == "gameday-coordinator",
          "the agent audits the dead-man clear with the silent coordinator's name")
    st = json.loads(subprocess.run([binary, "status", "--json"] + ctl, capture_output=True, text=True,
                                   env=agent_env).stdout)
    kinds = [(i["kind"], i.get("run")) for i in st["injections"]]
    check(kinds == [("maintenance", None)],
          "after the dead-man only the hand-made injection is left on vm2 (%s)" % kinds)
    aborted = [e for e in good[2].events() if e["event"] == "abort" and e.get("peer") == "dead-man"]
    check(aborted and all(e.get("run") == dm[-1]["run"] for e in aborted),
          "the dead-man abort names the run it cleared")
finally:
    for a in agents:
        a.stop()
    shutil.rmtree(tmp, ignore_errors=True)
print("fleet loopback: all checks passed")
