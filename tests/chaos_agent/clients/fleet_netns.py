"""A fleet drill on one machine: the coordinator against 52 targets, each agent in its own
network namespace with its own address (198.18.N.0/24, the benchmarking range), all joined by
a bridge inside the coordinator's own namespace (the host's network is not touched).

The agents are real Agent + RemoteControl objects, 51 of them hosted by one process
(chaos_agent_fleet_host, a thread each, each thread in its namespace) to keep memory small; one
target's agent has a certificate from another CA, one target is down. Real clients (IMDSv2
pollers) read the notices in five of the namespaces. Runs: a storm over a label selection; an
abort mid-storm on a Prometheus query (a fake Prometheus on the coordinator's loopback), which
must clear every target within 2 s; the coordinator killed mid-plan, after which every agent
must clear by its dead-man lease. Namespaces are removed even on failure. Without root or
network namespaces the same runs use distinct 127.x.y.z loopback addresses (said in the output).
usage: fleet_netns.py CHAOS_AGENT FLEET_HOST [N]
"""
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(__file__))
from fleet_common import check, make_certs, wait_until  # noqa: E402

agent_bin, host_bin = sys.argv[1], sys.argv[2]
N = int(sys.argv[3]) if len(sys.argv) > 3 else 52  # targets, of which one bad certificate and one down
tag = "cf%d" % (os.getpid() % 100000)
subnet = "198.18.%d" % (os.getpid() % 250)
coord_ns = tag + "c"
tmp = tempfile.mkdtemp(prefix="chaos-fleet-netns-")
procs = []
namespaces = []
env = dict(os.environ, ASAN_OPTIONS="detect_leaks=0")


def sh(*args, check_rc=True, **kw):
    r = subprocess.run(list(args), capture_output=True, text=True, **kw)
    if check_rc and r.returncode != 0:
        raise RuntimeError("%s: %s" % (" ".join(args), r.stderr))
    return r


def netns_works():
    if os.geteuid() != 0 or shutil.which("ip") is None:
        return False
    probe = tag + "p"
    ok = sh("ip", "netns", "add", probe, check_rc=False).returncode == 0
    if ok:
        sh("ip", "netns", "del", probe, check_rc=False)
    return ok


use_netns = netns_works()


def in_coord(args):
    return (["ip", "netns", "exec", coord_ns] if use_netns else []) + args


def status_of(sock):
    """GET /v1/status over the agent's unix control socket (reachable from any namespace)."""
    try:
        s = socket.socket(socket.AF_UNIX)
        s.settimeout(2)
        s.connect(sock)
        s.sendall(b"GET /v1/status HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        data = b""
        while True:
            c = s.recv(65536)
            if not c:
                break
            data += c
        s.close()
        return json.loads(data.partition(b"\r\n\r\n")[2])
    except (OSError, ValueError):
        return None


try:
    names = ["vm%02d" % i for i in range(N)]
    ips = {}
    if use_netns:
        print("mode: %d network namespaces, %s.0/24 on a bridge in namespace %s" % (N + 1, subnet, coord_ns))
        namespaces.append(coord_ns)
        for i, n in enumerate(names):
            namespaces.append("%s-%d" % (tag, i))
            ips[n] = "%s.%d" % (subnet, 10 + i)

        def batch(lines, ns=None):
            path = os.path.join(tmp, "ip-%s.batch" % (ns or "root"))
            with open(path, "w") as f:
                f.write("\n".join(lines) + "\n")
            sh("ip", *(["-n", ns] if ns else []), "-batch", path)

        t0 = time.time()
        batch(["netns add " + ns for ns in namespaces])
        coord = ["link add br0 type bridge", "link set br0 up", "addr add %s.1/24 dev br0" % subnet, "link set lo up"]
        for i in range(N):
            coord += ["link add v%d type veth peer name eth0 netns %s-%d" % (i, tag, i),
                      "link set v%d master br0" % i, "link set v%d up" % i]
        batch(coord, coord_ns)
        for i, n in enumerate(names):
            batch(["addr add %s/24 dev eth0" % ips[n], "link set eth0 up", "link set lo up"], "%s-%d" % (tag, i))
        print("namespaces set up in %.2fs" % (time.time() - t0))
    else:
        print("mode: network namespaces unavailable here (not root, or `ip netns add` refused): "
              "distinct loopback addresses 127.77.0.x instead")
        for i, n in enumerate(names):
            ips[n] = "127.77.0.%d" % (10 + i)

    certs = make_certs(tmp, [ips[n] for n in names])  # the agents' certificate names every address

    # The agents: all but the last target (down); target 1 has a certificate from another CA.
    cfg = {"ca": certs["ca"], "cert": certs["agent"][0], "key": certs["agent"][1],
           "allow": ["gameday-coordinator"], "max_duration": "10m", "agents": []}
    for i, n in enumerate(names[:-1]):
        d = os.path.join(tmp, n)
        os.makedirs(d)
        a = {"name": n, "ip": ips[n], "dir": d}
        if use_netns:
            a["netns"] = "%s-%d" % (tag, i)
            a["metadata_ip"] = "127.0.0.1"
        if i == 1:
            a["cert"], a["key"] = certs["rogue-agent"]
        cfg["agents"].append(a)
    with open(os.path.join(tmp, "host.json"), "w") as f:
        json.dump(cfg, f)
    ready = os.path.join(tmp, "host.ready")
    t0 = time.time()
    host = subprocess.Popen([host_bin, os.path.join(tmp, "host.json"), ready], stderr=subprocess.PIPE, text=True, env=env)
    procs.append(host)
    if wait_until(lambda: os.path.exists(ready) or host.poll() is not None, 60) is None or not os.path.exists(ready):
        raise RuntimeError("fleet host did not start: " + (host.stderr.read() if host.poll() is not None else "timeout"))
    print("%d agents listening after %.2fs" % (N - 1, time.time() - t0))
    socks = {n: os.path.join(tmp, n, "control.sock") for n in names[:-1]}
    good = [n for n in names[:-1] if n != names[1]]

    # Real clients in five namespaces: IMDSv2 (token, then the notice path) every 100 ms.
    READER = r'''
import http.client, sys, time
ip = sys.argv[1]
while True:
    try:
        c = http.client.HTTPConnection(ip, 8169, timeout=1)
        c.request("PUT", "/latest/api/token", headers={"Host": "169.254.169.254", "X-aws-ec2-metadata-token-ttl-seconds": "60"})
        tok = c.getresponse().read().decode()
        c.request("GET", "/latest/meta-data/spot/instance-action", headers={"Host": "169.254.169.254", "X-aws-ec2-metadata-token": tok})
        r = c.getresponse(); r.read()
        if r.status == 200:
            print("seen", flush=True)
            break
    except OSError:
        pass
    time.sleep(0.1)
'''
    readers = {}
    for i in (0, 2, 3, 4, 5):
        n = names[i]
        cmd = [sys.executable, "-c", READER, "127.0.0.1" if use_netns else ips[n]]
        if use_netns:
            cmd = ["ip", "netns", "exec", "%s-%d" % (tag, i)] + cmd
        readers[n] = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
        procs.append(readers[n])

    def write_plan(name, body, extra=()):
        lines = ["name: %s" % name, "provider: aws", "max_duration: 10m",
                 "tls: {ca: %s, cert: %s, key: %s}" % (certs["ca"], *certs["coordinator"]), "targets:"]
        for i, n in enumerate(names):
            lines.append('  - {name: %s, address: "%s:8443", labels: {zone: z%d, pool: %s, role: worker}}' %
                         (n, ips[n], i % 3, "gpu" if i % 2 == 0 else "cpu"))
        lines += list(extra)
        path = os.path.join(tmp, name + ".yaml")
        with open(path, "w") as f:
            f.write("\n".join(lines) + "\n" + body)
        return path

    def coordinator(path):
        return subprocess.Popen(in_coord([agent_bin, "gameday", path, "--report", path + ".json", "--junit",
                                          path + ".xml", "--audit", path + ".audit"]),
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)

    def live(n):
        st = status_of(socks[n])
        return len(st["injections"]) if st else -1

    # --- 1: a storm over a label selection, then a windowed storm ---------------------------
    p1 = write_plan("storm", "duration: 4s\nchaos:\n"
                    "  - {at: 0s, storm: {fraction: 100%, select: {pool: gpu}}}\n"
                    "  - {at: 500ms, storm: {fraction: 100%, window: 2s, select: {pool: cpu}}}\n",
                    # A host name that never resolves (.invalid, RFC 6761). Only inside the
                    # namespaces: there the lookup fails at once (no route to any name server),
                    # so no query leaves the machine.
                    ['  - {name: nowhere, address: "nowhere.invalid:8443", labels: {zone: z9, pool: gpu}}']
                    if use_netns else [])
    M = N + (1 if use_netns else 0)  # targets in the plan
    t0 = time.time()
    c = coordinator(p1)
    out, _ = c.communicate(timeout=60)
    print(out)
    print("storm run: %.2fs" % (time.time() - t0))
    check(c.returncode == 3, "the drill ran and exits 3 for the unreachable targets (%d)" % c.returncode)
    rep = json.load(open(p1 + ".json"))
    t = rep["targets"]
    check(len(t) == M and rep["selection"]["connected"] == N - 2, "%d targets, %d connected" % (M, N - 2))
    if use_netns:
        check(t["nowhere"]["status"] == "unreachable" and "cannot resolve nowhere.invalid" in t["nowhere"]["error"]
              and t["nowhere"]["sent"] and not t["nowhere"]["sent"][0]["sent"],
              "a host name that does not resolve is unreachable, its notice not sent: " + t["nowhere"]["error"])
        check("looked up 1 host name(s)" in out, "the coordinator says how long the lookups took")
    check(t[names[1]]["status"] == "bad_certificate", "the agent with another CA's certificate is left out")
    check(t[names[-1]]["status"] == "unreachable", "the target down is reported unreachable")
    check(rep["fleet"]["injections"] == N - 2, "one notice per connected target (%d)" % rep["fleet"]["injections"])
    for n, r in readers.items():
        check(r.wait(timeout=10) == 0, "the client in %s's namespace read its notice" % n)
    detected = {n for n in readers if t[n]["injections"] and t[n]["injections"][0]["detection_latency_s"] is not None}
    check(detected == set(readers), "the five readers' detection latencies are in the report")
    check(rep["fleet"]["never_detected"] == N - 2 - 5, "the others are counted never detected")
    check(rep["groups"]["pool=gpu"]["targets"] + rep["groups"]["pool=cpu"]["targets"] == M, "per-label groups")
    vis = rep["fleet"]["step_to_visible_s"]
    print("step to visible over %d targets: p50 %.4fs p99 %.4fs max %.4fs" % (vis["n"], vis["p50"], vis["p99"], vis["max"]))
    junit = open(p1 + ".xml").read()
    check(junit.count("<testcase") == M + 1, "JUnit has one case per target and one for the abort")

    # --- 2: abort mid-storm on a Prometheus query --------------------------------------------
    PROM = r'''
import http.server, json, os, sys
flag = sys.argv[1]
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        v = "12" if os.path.exists(flag) else "0"
        body = json.dumps({"status": "success", "data": {"resultType": "vector",
                           "result": [{"metric": {}, "value": [0, v]}]}}).encode()
        self.send_response(200); self.send_header("Content-Length", str(len(body))); self.end_headers()
        self.wfile.write(body)
    def log_message(self, *a): pass
s = http.server.HTTPServer(("127.0.0.1", 0), H)
print(s.server_address[1], flush=True)
s.serve_forever()
'''
    flag = os.path.join(tmp, "errors-high")
    prom = subprocess.Popen(in_coord([sys.executable, "-c", PROM, flag]), stdout=subprocess.PIPE, text=True)
    procs.append(prom)
    prom_port = int(prom.stdout.readline())
    p2 = write_plan("abort", "duration: 60s\nabort:\n  prometheus: {url: \"http://127.0.0.1:%d\", "
                    "query: \"sum(rate(errors_total[1m]))\", above: 5, interval: 100ms}\n"
                    "chaos:\n  - {at: 0s, storm: {fraction: 100%%, window: 20s}}\n" % prom_port)
    c = coordinator(p2)
    check(wait_until(lambda: sum(live(n) > 0 for n in good) >= 3, 20) is not None, "the storm is under way")
    open(flag, "w").close()
    t_fail = time.time()
    cleared = wait_until(lambda: all(live(n) == 0 for n in good), 5)
    out, _ = c.communicate(timeout=30)
    print(out)
    check(c.returncode == 1, "the aborted drill exits 1")
    check(cleared is not None and cleared < 2.0,
          "every target cleared %.3fs after the Prometheus value crossed the threshold" % (cleared or -1))
    rep2 = json.load(open(p2 + ".json"))
    check(rep2["aborted"] and "prometheus" in rep2["abort_reason"], "abort reason: " + str(rep2["abort_reason"]))
    check(rep2["fleet"]["injections"] < N - 2, "the abort came mid-storm (%d of %d notices sent)" %
          (rep2["fleet"]["injections"], N - 2))
    print("abort: last agent answered %.3fs after the decision" % rep2["clear_all_s"])

    # --- 3: the coordinator is killed mid-plan ----------------------------------------------
    p3 = write_plan("deadman", "duration: 60s\nlease: 2s\nchaos:\n  - {at: 0s, storm: {fraction: 100%}}\n")
    c = coordinator(p3)
    check(wait_until(lambda: all(live(n) == 1 for n in good), 20) is not None, "every reachable agent has its notice")
    c.send_signal(signal.SIGKILL)
    c.wait()
    gone = wait_until(lambda: all(live(n) == 0 for n in good), 10)
    check(gone is not None and gone < 3.5, "after kill -9 of the coordinator all %d agents cleared in %.2fs (lease 2s)" %
          (len(good), gone or -1))
    dm = [json.loads(l) for l in open(os.path.join(tmp, good[-1], "audit.jsonl")) if '"dead_man"' in l]
    check(dm and dm[-1]["live_injections"], "the agents audit the dead-man clear")
finally:
    for p in procs:
        if p.poll() is None:
            p.terminate()
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
    if namespaces:
        with open(os.path.join(tmp, "del.batch"), "w") as f:
            f.write("\n".join("netns del " + ns for ns in namespaces) + "\n")
        subprocess.run(["ip", "-force", "-batch", os.path.join(tmp, "del.batch")], capture_output=True)
    shutil.rmtree(tmp, ignore_errors=True)
print("fleet netns: all checks passed")
