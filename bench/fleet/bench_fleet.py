"""Fleet fan-out benchmark (not a test): one coordinator against N lightweight agents on one
machine (chaos_agent_fleet_host: N real Agent + RemoteControl objects, a thread each, on
distinct loopback addresses 127.1.x.y), over mutual TLS.

Measures, for a storm of 100% at one plan step: step -> notice visible per target (the
coordinator's step_to_visible_s: from the step's time until the agent answered the inject; the
agent changes its state before it answers, so the notice is served from then on) p50/p99/max;
the abort -> all cleared time (a health check fails mid-drill; the report's clear_all_s: until
the last agent answered /v1/abort); the coordinator's peak RSS; the time to connect (N TLS
handshakes). usage: bench_fleet.py CHAOS_AGENT FLEET_HOST [N=1000]
"""
import http.server
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "tests", "chaos_agent", "clients"))
from fleet_common import make_certs, wait_until  # noqa: E402

agent_bin, host_bin = sys.argv[1], sys.argv[2]
N = int(sys.argv[3]) if len(sys.argv) > 3 else 1000
tmp = tempfile.mkdtemp(prefix="chaos-fleet-bench-")
env = dict(os.environ, ASAN_OPTIONS="detect_leaks=0")
host = None
try:
    ips = ["127.1.%d.%d" % (i // 250, i % 250 + 1) for i in range(N)]
    certs = make_certs(tmp, ips)
    cfg = {"ca": certs["ca"], "cert": certs["agent"][0], "key": certs["agent"][1], "allow": ["gameday-coordinator"],
           "agents": []}
    for i, ip in enumerate(ips):
        d = os.path.join(tmp, "a%d" % i)
        os.makedirs(d)
        cfg["agents"].append({"name": "a%d" % i, "ip": ip, "dir": d, "audit": False})
    json.dump(cfg, open(os.path.join(tmp, "host.json"), "w"))
    ready = os.path.join(tmp, "ready")
    t0 = time.time()
    host = subprocess.Popen([host_bin, os.path.join(tmp, "host.json"), ready], env=env)
    wait_until(lambda: os.path.exists(ready) or host.poll() is not None, 300, 0.1)
    if not os.path.exists(ready):
        raise SystemExit("fleet host did not start")
    print("%d agents up in %.1fs" % (N, time.time() - t0))

    healthy = [True]

    class H(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200 if healthy[0] else 500)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *a):
            pass

    hs = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
    threading.Thread(target=hs.serve_forever, daemon=True).start()

    def plan(name, body):
        lines = ["name: %s" % name, "provider: aws", "max_duration: 10m", "connect_timeout: 60s",
                 "tls: {ca: %s, cert: %s, key: %s}" % (certs["ca"], *certs["coordinator"]), "targets:"]
        lines += ['  - {name: a%d, address: "%s:8443", labels: {zone: z%d}}' % (i, ip, i % 3) for i, ip in enumerate(ips)]
        p = os.path.join(tmp, name + ".yaml")
        open(p, "w").write("\n".join(lines) + "\n" + body)
        return p

    def run(p, abort=False):
        """Runs the coordinator; with abort, the health check fails 0.5 s after it connected."""
        c = subprocess.Popen([agent_bin, "gameday", p, "--report", p + ".json"], stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, text=True, env=env)
        lines = []
        for line in c.stdout:
            lines.append(line.rstrip())
            if abort and "targets connected" in line:
                threading.Timer(0.5, lambda: healthy.__setitem__(0, False)).start()
        c.wait(timeout=600)
        healthy[0] = True
        connect = [l for l in lines if "targets connected" in l or "answered in" in l]
        return json.load(open(p + ".json")), connect

    results = []
    for rep_i in range(int(os.environ.get("BENCH_REPS", "3"))):
        rep, connect = run(plan("storm%d" % rep_i, "duration: 2s\nlease: 30s\nchaos:\n  - {at: 0s, storm: {fraction: 100%}}\n"))
        v = rep["fleet"]["step_to_visible_s"]
        results.append(("storm", v["n"], v["p50"], v["p99"], v["max"], rep["clear_all_s"], rep["coordinator_max_rss_kb"], connect))
    for rep_i in range(int(os.environ.get("BENCH_REPS", "3"))):
        rep, connect = run(plan("abort%d" % rep_i,
                                      "duration: 60s\nlease: 30s\nabort: {health_check: {url: \"http://127.0.0.1:%d/h\", interval: 50ms}}\n"
                                      "chaos:\n  - {at: 0s, storm: {fraction: 100%%}}\n" % hs.server_address[1]),
                           abort=True)
        results.append(("abort", 0, 0, 0, 0, rep["clear_all_s"], rep["coordinator_max_rss_kb"], connect))
    print("run         n     p50_visible  p99_visible  max_visible  clear_all_s  coord_rss_MB  connect")
    for r in results:
        print("%-10s %5d  %10.4f  %10.4f  %10.4f  %10.4f  %10.1f  %s" % (r[0], r[1], r[2], r[3], r[4], r[5] if r[5] is not None else -1,
                                                                    r[6] / 1024, " | ".join(r[7])))
finally:
    if host and host.poll() is None:
        host.terminate()
        try:
            host.wait(timeout=60)
        except subprocess.TimeoutExpired:
            host.kill()
    shutil.rmtree(tmp, ignore_errors=True)
