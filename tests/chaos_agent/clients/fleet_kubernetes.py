"""`chaos-agent gameday PLAN --kubernetes SELECTOR` against a fake Kubernetes API server (HTTPS
on loopback, its certificate from a test cluster CA made here with the openssl CLI) and real
agents (`chaos-agent serve --remote-control`) on 127.0.5.x.

The fake checks the bearer token and the labelSelector, serves the pods in two pages
(limit/continue) -- four Running and Ready, one Pending, one Running but not Ready (a real agent
listens at its IP: it must never be contacted), one terminating -- and the nodes' labels. Checked:
the targets and their labels, the plan's select: on them, a game day against the discovered
agents (not-ready pods reported unreachable with the reason), --kubernetes-all-namespaces, and the
clear errors (exit 2) for 403 (naming the missing RBAC rule), 401, 410 between pages, a wrong CA
and a certificate for another address (TLS handshake), no token, a selector that matches nothing,
malformed JSON, --inventory with --kubernetes. And examples/kubernetes/: the RBAC
is read-only and fits the Job, whose selector matches the DaemonSet's pods and whose plan runs
(--dry-run) against the fake."""
import http.server
import json
import os
import shutil
import ssl
import subprocess
import sys
import tempfile
import threading
import urllib.parse

sys.path.insert(0, os.path.dirname(__file__))
from fleet_common import RemoteAgent, check, make_certs, notice_visible, wait_until

binary = sys.argv[1]
repo = sys.argv[2]
API_IP = "127.0.5.1"
TOKEN = "good-token"


def cluster_certs(d):
    """The cluster's CA and the API server's certificate (IP SAN = API_IP), made now."""
    def run(*a):
        subprocess.run(["openssl"] + list(a), check=True, capture_output=True, cwd=d)
    run("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", "cluster-ca.key")
    run("req", "-x509", "-new", "-key", "cluster-ca.key", "-subj", "/CN=test cluster CA", "-days", "2", "-out", "cluster-ca.pem")
    run("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", "apiserver.key")
    run("req", "-new", "-key", "apiserver.key", "-subj", "/CN=kube-apiserver", "-out", "apiserver.csr")
    with open(os.path.join(d, "apiserver.ext"), "w") as f:
        f.write("subjectAltName=IP:%s,DNS:kubernetes.default.svc\nextendedKeyUsage=serverAuth\n" % API_IP)
    run("x509", "-req", "-in", "apiserver.csr", "-CA", "cluster-ca.pem", "-CAkey", "cluster-ca.key", "-CAcreateserial",
        "-days", "2", "-extfile", "apiserver.ext", "-out", "apiserver.pem")
    return os.path.join(d, "cluster-ca.pem"), os.path.join(d, "apiserver.pem"), os.path.join(d, "apiserver.key")


def pod(name, node, ip, phase="Running", ready=True, annotations=None, terminating=False):
    p = {"metadata": {"name": name, "namespace": "gameday",
                      "labels": {"app": "chaos-agent", "controller-revision-hash": "7d9f"}},
         "spec": {"nodeName": node} if node else {},
         "status": {"phase": phase}}
    if annotations:
        p["metadata"]["annotations"] = annotations
    if terminating:
        p["metadata"]["deletionTimestamp"] = "2026-12-04T20:00:00Z"
    if ip:
        p["status"]["podIP"] = ip
    if phase == "Running":
        p["status"]["conditions"] = [{"type": "Initialized", "status": "True"},
                                     {"type": "Ready", "status": "True" if ready else "False",
                                      **({} if ready else {"reason": "ContainersNotReady",
                                                           "message": "containers with unready status: [agent]"})}]
    return p


PODS = [
    pod("agent-0", "node-a", "127.0.5.10"),
    pod("agent-1", "node-b", "127.0.5.11", annotations={"chaos-agent.spotsim.io/remote-control-port": "9443"}),
    pod("agent-pending", "node-e", None, phase="Pending"),
    pod("agent-2", "node-c", "127.0.5.12"),
    pod("agent-3", "node-d", "127.0.5.13"),
    pod("agent-unready", "node-f", "127.0.5.15", ready=False),
    pod("agent-terminating", "node-a", "127.0.5.10", terminating=True),
]
NODES = {
    "node-a": {"topology.kubernetes.io/zone": "z-a", "topology.kubernetes.io/region": "r-1",
               "node.kubernetes.io/instance-type": "m5.large", "eks.amazonaws.com/nodegroup": "spot-a"},
    "node-b": {"topology.kubernetes.io/zone": "z-a", "node.kubernetes.io/instance-type": "m5.large",
               "eks.amazonaws.com/nodegroup": "spot-a"},
    "node-c": {"topology.kubernetes.io/zone": "z-b", "node.kubernetes.io/instance-type": "c5.xlarge",
               "eks.amazonaws.com/nodegroup": "spot-b"},
    "node-d": {"failure-domain.beta.kubernetes.io/zone": "z-b", "cloud.google.com/gke-nodepool": "pool-d"},
    "node-e": {"topology.kubernetes.io/zone": "z-b"},
    "node-f": {"topology.kubernetes.io/zone": "z-a"},
}


class FakeApiServer:
    """GET /api/v1/namespaces/gameday/pods and /api/v1/pods (two pages) and /api/v1/nodes/NAME over
    TLS. Tokens: good-token (everything), pods-only-token (403 on nodes), forbidden-token (403 on
    pods), garbage-token (malformed JSON), slow-token (410 for the second page); anything else 401."""

    def __init__(self, cert, key, ip=API_IP):
        outer = self
        self.requests = []

        class H(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def answer(self, code, body):
                data = body if isinstance(body, bytes) else json.dumps(body).encode()
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def status(self, code, reason, message):
                self.answer(code, {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                                   "message": message, "reason": reason, "code": code})

            def do_GET(self):
                url = urllib.parse.urlsplit(self.path)
                q = urllib.parse.parse_qs(url.query)
                auth = self.headers.get("Authorization", "")
                token = auth[len("Bearer "):] if auth.startswith("Bearer ") else ""
                outer.requests.append({"path": url.path, "query": q, "token": token})
                if token not in ("good-token", "pods-only-token", "forbidden-token", "garbage-token", "slow-token"):
                    return self.status(401, "Unauthorized", "Unauthorized")
                if url.path in ("/api/v1/namespaces/gameday/pods", "/api/v1/pods"):
                    if token == "forbidden-token":
                        return self.status(403, "Forbidden", 'pods is forbidden: User "system:serviceaccount:gameday:'
                                           'gameday-coordinator" cannot list resource "pods" in API group "" in the '
                                           'namespace "gameday"')
                    if token == "garbage-token":
                        return self.answer(200, b'{"kind": "PodList", "items": [{"metadata": ')
                    if q.get("labelSelector") != ["app=chaos-agent"]:
                        return self.answer(200, {"kind": "PodList", "apiVersion": "v1", "metadata": {}, "items": []})
                    if q.get("continue") == ["page-2"] and token == "slow-token":  # read after the token expired
                        return self.status(410, "Expired", "The provided continue parameter is too old to display a "
                                           "consistent list result. You can start a new list without the continue parameter.")
                    if q.get("continue") == ["page-2"]:
                        return self.answer(200, {"kind": "PodList", "apiVersion": "v1",
                                                 "metadata": {"resourceVersion": "42"}, "items": PODS[3:]})
                    return self.answer(200, {"kind": "PodList", "apiVersion": "v1",
                                             "metadata": {"resourceVersion": "42", "continue": "page-2",
                                                          "remainingItemCount": len(PODS) - 3},
                                             "items": PODS[:3]})
                if url.path.startswith("/api/v1/nodes/"):
                    name = url.path[len("/api/v1/nodes/"):]
                    if token == "pods-only-token":
                        return self.status(403, "Forbidden", 'nodes "%s" is forbidden: User "system:serviceaccount:'
                                           'gameday:gameday-coordinator" cannot get resource "nodes" in API group "" at '
                                           'the cluster scope' % name)
                    if name not in NODES:
                        return self.status(404, "NotFound", 'nodes "%s" not found' % name)
                    return self.answer(200, {"kind": "Node", "apiVersion": "v1",
                                             "metadata": {"name": name, "labels": NODES[name]},
                                             "status": {"images": [{"names": ["x"] * 3}]}})
                return self.status(404, "NotFound", "the server could not find the requested resource")

            def log_message(self, *a):
                pass

        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(cert, key)
        self.server = http.server.ThreadingHTTPServer((ip, 0), H)
        self.server.socket = ctx.wrap_socket(self.server.socket, server_side=True)
        self.port = self.server.server_address[1]
        self.url = "https://%s:%d" % (ip, self.port)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()


tmp = tempfile.mkdtemp(prefix="chaos-k8s-")
agents = []
api = None
try:
    # The agents' certificate names their pod IPs: the coordinator checks the address it dials.
    certs = make_certs(tmp, ["127.0.5.10", "127.0.5.11", "127.0.5.12", "127.0.5.13", "127.0.5.15"])
    cluster_ca, api_cert, api_key = cluster_certs(tmp)
    api = FakeApiServer(api_cert, api_key)

    def serviceaccount(name, token=TOKEN, ca=cluster_ca, namespace="gameday"):
        d = os.path.join(tmp, name)
        os.makedirs(d)
        if token is not None:
            open(os.path.join(d, "token"), "w").write(token + "\n")
        shutil.copy(ca, os.path.join(d, "ca.crt"))
        open(os.path.join(d, "namespace"), "w").write(namespace)
        return d

    sa = serviceaccount("sa")
    for name, ip, port in (("agent-0", "127.0.5.10", 8443), ("agent-1", "127.0.5.11", 9443),
                           ("agent-2", "127.0.5.12", 8443), ("agent-3", "127.0.5.13", 8443),
                           ("agent-unready", "127.0.5.15", 8443)):
        agents.append(RemoteAgent(binary, tmp, name, ip, certs, port=port))
    for a in agents:
        a.wait_ready()
    by_name = {a.name: a for a in agents}

    def plan(name, body):
        path = os.path.join(tmp, name + ".yaml")
        with open(path, "w") as f:
            f.write("name: %s\nprovider: aws\nmax_duration: 10m\n"
                    "tls: {ca: %s, cert: %s, key: %s}\n" % (name, certs["ca"], *certs["coordinator"]) + body)
        return path

    env = dict(os.environ, ASAN_OPTIONS="detect_leaks=0")
    env.pop("KUBERNETES_SERVICE_HOST", None)
    env.pop("KUBERNETES_SERVICE_PORT", None)

    def gameday(path, *extra, sa_dir=sa, find_api="flag", selector="app=chaos-agent", timeout=60):
        args = [binary, "gameday", path, "--kubernetes", selector, "--kubernetes-serviceaccount", sa_dir]
        e = dict(env)
        if find_api == "env":  # as a pod finds the API server
            e.update(KUBERNETES_SERVICE_HOST=API_IP, KUBERNETES_SERVICE_PORT=str(api.port))
        elif find_api == "flag":
            args += ["--kubernetes-api", api.url]
        p = subprocess.run(args + list(extra), capture_output=True, text=True, env=e, timeout=timeout)
        print(p.stdout + p.stderr)
        return p.returncode, p.stdout, p.stderr

    # --- discovery: every pod, its labels, two pages, the token and the selector ---------------
    storm = "chaos:\n  - {at: 0s, storm: {fraction: 100%, notice: 120s}}\n"
    rc, out, err = gameday(plan("all", storm), "--dry-run", find_api="env")
    check(rc == 0, "a dry run with --kubernetes succeeds (%d)" % rc)
    check("7 pod(s) via https://%s:%d, 4 Running and Ready" % (API_IP, api.port) in out,
          "seven pods found through KUBERNETES_SERVICE_HOST/PORT, four of them ready")
    lines = {l.split()[0]: l for l in out.splitlines() if l.startswith("  agent-")}
    check(sorted(lines) == sorted(p["metadata"]["name"] for p in PODS), "every pod is a target: %s" % sorted(lines))
    check("127.0.5.10:8443  ready  {app: chaos-agent, controller-revision-hash: 7d9f, instance_type: m5.large, "
          "namespace: gameday, node: node-a, pool: spot-a, region: r-1, zone: z-a}" in lines["agent-0"],
          "agent-0: pod IP and default port; pod labels plus namespace, node, zone, region, instance_type, pool")
    check("127.0.5.11:9443  ready" in lines["agent-1"], "agent-1: the port from its annotation")
    check("pool: pool-d" in lines["agent-3"] and "zone: z-b" in lines["agent-3"] and "instance_type" not in lines["agent-3"],
          "agent-3: the beta zone label and a GKE pool label; no instance type when the node has none")
    check("not ready, left out: pod phase Pending, not Running" in lines["agent-pending"], "the Pending pod is listed, not ready")
    check("not ready, left out: pod is Running but not Ready (ContainersNotReady: containers with unready status: [agent])"
          in lines["agent-unready"], "the unready pod is listed with the kubelet's reason")
    check("not ready, left out: pod is terminating" in lines["agent-terminating"], "the terminating pod is listed, not ready")
    check("inventory: 7 targets; select {} (all): 7 selected" in out, "all seven are in the plan's inventory")
    pods_reqs = [r for r in api.requests if r["path"].endswith("/pods")]
    check(len(pods_reqs) == 2 and pods_reqs[1]["query"].get("continue") == ["page-2"] and
          all(r["query"].get("labelSelector") == ["app=chaos-agent"] and r["token"] == TOKEN and
              r["query"].get("limit") == ["500"] for r in pods_reqs),
          "two pages, each with the label selector, the limit and the service account's token")
    node_reqs = sorted(r["path"] for r in api.requests if "/nodes/" in r["path"])
    check(node_reqs == ["/api/v1/nodes/node-%s" % c for c in "abcdef"], "each node that runs a pod is read once: %s" % node_reqs)

    before = len(api.requests)
    rc, out, err = gameday(plan("all-ns", storm), "--dry-run", "--kubernetes-all-namespaces")
    listed = [r["path"] for r in api.requests[before:] if r["path"].endswith("/pods")]
    check(rc == 0 and "gameday/agent-0  127.0.5.10:8443  ready" in out and listed == ["/api/v1/pods"] * 2,
          "--kubernetes-all-namespaces: /api/v1/pods, targets named NAMESPACE/POD")

    # --- the plan's select: on the discovered labels -----------------------------------------
    rc, out, err = gameday(plan("zone-b", "select: {zone: z-b, pool: [spot-b, pool-d]}\n" + storm), "--dry-run")
    check(rc == 0 and "select {pool: [spot-b, pool-d], zone: z-b}: 2 selected" in out and
          "agent-2  127.0.5.12:8443" in out and "agent-3  127.0.5.13:8443" in out,
          "select: {zone: z-b, pool: [...]} picks agent-2 and agent-3")
    rc, out, err = gameday(plan("none", "select: {zone: z-c}\n" + storm), "--dry-run")
    check(rc == 2 and "selects none of the 7 targets" in err, "a select: that matches no discovered target is refused")

    # --- a game day against the discovered agents (zone z-a) ----------------------------------
    p = plan("drill-a", "duration: 2s\nselect: {zone: z-a}\n" + storm)
    rc, out, err = gameday(p, "--report", p + ".json", "--junit", p + ".xml")
    check(rc == 3, "a drill with not-ready pods in its selection exits 3, as with a VM that is down (%d)" % rc)
    rep = json.load(open(p + ".json"))
    t = rep["targets"]
    check(sorted(t) == ["agent-0", "agent-1", "agent-terminating", "agent-unready"],
          "zone z-a: agent-0, agent-1 and the two not-ready pods were reached: %s" % sorted(t))
    check(t["agent-0"]["status"] == "ok" and t["agent-1"]["status"] == "ok", "the two ready agents were driven")
    check(t["agent-1"]["address"] == "127.0.5.11:9443", "over the annotated port")
    check(t["agent-unready"]["status"] == "unreachable" and "not Ready" in t["agent-unready"]["error"] and
          t["agent-terminating"]["status"] == "unreachable" and "terminating" in t["agent-terminating"]["error"],
          "not-ready pods are reported unreachable with the reason, not dropped")
    check(all(s["status"] == 200 for n in ("agent-0", "agent-1") for s in t[n]["sent"]), "both notices were accepted")
    check(t["agent-0"]["labels"]["zone"] == "z-a" and t["agent-0"]["labels"]["node"] == "node-a", "labels in the report")
    check(rep["groups"]["zone=z-a"]["targets"] == 4 and rep["groups"]["zone=z-a"]["not_ok"] == 2, "per-zone figures")
    disc = rep["discovery"]["kubernetes"]
    check(disc["pods"] == 7 and disc["ready"] == 4 and sorted(disc["not_ready"]) ==
          ["agent-pending", "agent-terminating", "agent-unready"] and disc["list_requests"] == 2,
          "the report records the discovery")
    check(not any(e["event"] in ("remote", "remote_refused") for e in by_name["agent-unready"].events()),
          "the agent of the not-ready pod was never contacted")
    check(any(e["event"] == "inject" for e in by_name["agent-0"].events()) and
          any(e["event"] == "inject" for e in by_name["agent-1"].events()), "agent-0 and agent-1 got their notice")
    check(not any(e["event"] == "inject" for a in ("agent-2", "agent-3") for e in by_name[a].events()),
          "zone z-b's agents got nothing")
    check(wait_until(lambda: not notice_visible("127.0.5.10"), 5) is not None, "the drill cleared its notices")
    check('name="agent-unready"' in open(p + ".xml").read(), "JUnit names the not-ready pod")

    # --- examples/kubernetes/: read-only RBAC, the Job's selector and plan ------------------
    import yaml
    rbac = list(yaml.safe_load_all(open(os.path.join(repo, "examples/kubernetes/rbac.yaml"))))
    rules = [(tuple(r["resources"]), tuple(r["verbs"])) for d in rbac if d["kind"] in ("Role", "ClusterRole")
             for r in d["rules"]]
    check(sorted(rules) == [(("nodes",), ("get",)), (("pods",), ("get", "list"))],
          "the RBAC grants pods get/list and nodes get, nothing else: %s" % rules)
    job_docs = list(yaml.safe_load_all(open(os.path.join(repo, "examples/kubernetes/coordinator.yaml"))))
    job = [d for d in job_docs if d["kind"] == "Job"][0]
    pod_spec = job["spec"]["template"]["spec"]
    sa_name = [d for d in rbac if d["kind"] == "ServiceAccount"][0]["metadata"]["name"]
    check(pod_spec["serviceAccountName"] == sa_name and all(
        any(sub["name"] == sa_name for sub in d["subjects"]) for d in rbac if d["kind"].endswith("Binding")),
        "the Job runs as the service account the bindings name")
    check(job["spec"]["backoffLimit"] == 0 and pod_spec["restartPolicy"] == "Never", "the Job never retries a drill")
    cmd = pod_spec["containers"][0]["command"]
    selector = cmd[cmd.index("--kubernetes") + 1]
    ds = [d for d in yaml.safe_load_all(open(os.path.join(repo, "examples/gameday/daemonset.yaml"))) if d and d["kind"] == "DaemonSet"][0]
    tmpl = ds["spec"]["template"]
    key, _, value = selector.partition("=")
    check(tmpl["metadata"]["labels"].get(key) == value, "the Job's selector %s matches the DaemonSet's pods" % selector)
    agent_cmd = tmpl["spec"]["containers"][0]["command"]
    check(agent_cmd[agent_cmd.index("--remote-control") + 1].endswith(":" + tmpl["metadata"]["annotations"][
        "chaos-agent.spotsim.io/remote-control-port"]), "the DaemonSet's port annotation is the port its agent listens on")
    cm = [d for d in job_docs if d["kind"] == "ConfigMap"][0]
    example_plan = os.path.join(tmp, "example-plan.yaml")
    with open(example_plan, "w") as f:
        f.write(cm["data"]["fleet-plan.yaml"])
    rc, out, err = gameday(example_plan, "--dry-run")
    check(rc == 0 and "fleet plan spot-pool-storm" in out and "7 selected" in out, "the example's plan runs on the discovered pods")

    # --- clear errors, exit 2 -----------------------------------------------------------------
    def refused(what, needle, *extra, **kw):
        rc, out, err = gameday(plan("err", storm), "--dry-run", *extra, **kw)
        check(rc == 2 and needle in err, "%s: exit 2 and '%s' (%d)" % (what, needle, rc))
        return err

    err = refused("403 on pods", "Missing RBAC rule: a Role in namespace gameday with {apiGroups: [\"\"], resources: "
                  "[\"pods\"], verbs: [\"get\", \"list\"]}", sa_dir=serviceaccount("sa-forbidden", "forbidden-token"))
    check("cannot list resource \"pods\"" in err, "the API server's own message is quoted")
    refused("403 on nodes", "resources: [\"nodes\"], verbs: [\"get\"]}", sa_dir=serviceaccount("sa-pods-only", "pods-only-token"))
    rc, out, err = gameday(plan("nonodes", storm), "--dry-run", "--kubernetes-no-nodes",
                           sa_dir=os.path.join(tmp, "sa-pods-only"))
    check(rc == 0 and "zone:" not in out and "node: node-a" in out, "--kubernetes-no-nodes: no nodes read, no zone labels")
    refused("401", "rejected the service account token (401 Unauthorized", sa_dir=serviceaccount("sa-bad", "stolen"))
    refused("wrong CA", "TLS handshake with the API server %s failed: certificate verify failed" % api.url,
            sa_dir=serviceaccount("sa-wrong-ca", ca=certs["ca"]))
    impostor = FakeApiServer(api_cert, api_key, ip="127.0.5.2")  # a certificate for API_IP, served elsewhere
    refused("certificate for another address", "TLS handshake with the API server %s failed: certificate verify failed "
            "(IP address mismatch)" % impostor.url, "--kubernetes-api", impostor.url, find_api="none")
    impostor.close()
    refused("no token", "no service account token: cannot read", sa_dir=serviceaccount("sa-no-token", token=None))
    refused("410 between pages", "the pod list changed too much while it was read page by page (410 Gone",
            sa_dir=serviceaccount("sa-slow", "slow-token"))
    refused("malformed JSON", "not a pod list: malformed JSON", sa_dir=serviceaccount("sa-garbage", "garbage-token"))
    refused("nothing matches", "no pod in namespace gameday matches the label selector 'app=nothing'", selector="app=nothing")
    refused("not in a pod", "KUBERNETES_SERVICE_HOST is not set", find_api="none")
    refused("--inventory too", "--kubernetes and --inventory both name the targets", "--inventory", p)
    rc, out, err = gameday(plan("twice", storm + 'targets:\n  - {name: x, address: "127.0.0.1:1"}\n'), "--dry-run")
    check(rc == 2 and "targets: given twice: here and --kubernetes app=chaos-agent (namespace gameday)" in err,
          "a plan with its own targets: and --kubernetes is refused")
finally:
    for a in agents:
        a.stop()
    if api:
        api.close()
    shutil.rmtree(tmp, ignore_errors=True)
print("fleet kubernetes: all checks passed")
