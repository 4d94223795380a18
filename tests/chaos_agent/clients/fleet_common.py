"""Shared by the fleet tests: test certificates made with the openssl CLI in a temp dir (never
committed), remote agents (`chaos-agent serve --remote-control`), a raw mTLS client for replay
tests, and small checks."""
import http.server
import json
import os
import socket
import ssl
import subprocess
import sys
import threading
import time

from harness import check, stop_process  # noqa: F401 (check is re-exported to the fleet tests)


def make_certs(d, agent_ips=()):
    """CA, coordinator, agent, intruder (right CA, name not allowed), an agent and a coordinator
    from another CA, and "wrong-name-agent" (right CA, but its certificate names 192.0.2.1, an
    address no test dials). EC P-256 keys generated now, in `d`. The agent certificates name
    `agent_ips` (IP SANs): the coordinator checks that an agent's certificate names the address
    it dialed."""
    def run(*a):
        subprocess.run(["openssl"] + list(a), check=True, capture_output=True, cwd=d)

    def key(name):
        run("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", name + ".key")

    for ca, cn in (("ca", "test game-day CA"), ("other-ca", "some other CA")):
        key(ca)
        run("req", "-x509", "-new", "-key", ca + ".key", "-subj", "/CN=" + cn, "-days", "2", "-out", ca + ".pem")
    ips = "".join(",IP:" + ip for ip in agent_ips)
    for name, cn, ca, extra in (("coordinator", "gameday-coordinator", "ca", ""), ("agent", "chaos-agent", "ca", ips),
                                ("intruder", "intruder", "ca", ""), ("rogue-agent", "chaos-agent", "other-ca", ips),
                                ("rogue-coordinator", "gameday-coordinator", "other-ca", ""),
                                ("wrong-name-agent", "chaos-agent", "ca", ",IP:192.0.2.1")):
        key(name)
        run("req", "-new", "-key", name + ".key", "-subj", "/CN=" + cn, "-out", name + ".csr")
        with open(os.path.join(d, name + ".ext"), "w") as f:
            f.write("subjectAltName=DNS:%s%s\nextendedKeyUsage=serverAuth,clientAuth\n" % (cn, extra))
        run("x509", "-req", "-in", name + ".csr", "-CA", ca + ".pem", "-CAkey", ca + ".key", "-CAcreateserial",
            "-days", "2", "-extfile", name + ".ext", "-out", name + ".pem")
    return {n: (os.path.join(d, n + ".pem"), os.path.join(d, n + ".key"))
            for n in ("coordinator", "agent", "intruder", "rogue-agent", "rogue-coordinator", "wrong-name-agent")} | {
        "ca": os.path.join(d, "ca.pem")}


class RemoteAgent:
    """One `chaos-agent serve --upstream none --remote-control ADDR:PORT`, optionally inside a
    network namespace (prefix = ["ip", "netns", "exec", NS])."""

    def __init__(self, binary, d, name, ip, certs, cert="agent", prefix=(), port=8443, extra=()):
        self.name, self.ip, self.port = name, ip, port
        self.dir = os.path.join(d, name)
        os.makedirs(self.dir, exist_ok=True)
        self.audit = os.path.join(self.dir, "audit.jsonl")
        self.ready = os.path.join(self.dir, "ready.json")
        crt, key = certs[cert]
        args = list(prefix) + [binary, "serve", "--listen", ip + ":8169", "--upstream", "none",
                               "--control", "unix:" + os.path.join(self.dir, "control.sock"),
                               "--state-file", os.path.join(self.dir, "state.json"), "--audit", self.audit,
                               "--ready-file", self.ready, "--vm-name", name,
                               "--remote-control", "%s:%d" % (ip, port), "--tls-ca", certs["ca"],
                               "--tls-cert", crt, "--tls-key", key,
                               "--allow-coordinator", "gameday-coordinator"] + list(extra)
        env = dict(os.environ, ASAN_OPTIONS="detect_leaks=0")
        self.proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env)

    def wait_ready(self, timeout=30):
        deadline = time.time() + timeout
        while not os.path.exists(self.ready):
            if self.proc.poll() is not None:
                raise RuntimeError("agent %s exited: %s" % (self.name, self.proc.stderr.read()))
            if time.time() > deadline:
                raise RuntimeError("agent %s not ready" % self.name)
            time.sleep(0.02)

    def events(self):
        with open(self.audit) as f:
            return [json.loads(l) for l in f if l.strip()]

    def stop(self):
        stop_process(self.proc)


def tls_client(certs, who="coordinator"):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.load_verify_locations(certs["ca"])
    ctx.load_cert_chain(*certs[who])
    return ctx


def raw_request(ctx, ip, port, raw, timeout=5):
    """Sends `raw` (a whole HTTP request) on a new TLS connection; returns (status, body) or
    (0, error text)."""
    try:
        with socket.create_connection((ip, port), timeout=timeout) as s:
            with ctx.wrap_socket(s) as t:
                t.sendall(raw)
                data = b""
                while b"\r\n\r\n" not in data:
                    chunk = t.recv(65536)
                    if not chunk:
                        break
                    data += chunk
                head, _, body = data.partition(b"\r\n\r\n")
                if not head:
                    return 0, "connection closed"
                length = 0
                for line in head.split(b"\r\n")[1:]:
                    k, _, v = line.partition(b":")
                    if k.strip().lower() == b"content-length":
                        length = int(v)
                while len(body) < length:
                    chunk = t.recv(65536)
                    if not chunk:
                        break
                    body += chunk
                return int(head.split(b" ")[1]), body.decode()
    except (ssl.SSLError, OSError) as e:
        return 0, str(e)


def signed_request(method, path, body=None, nonce=None, ts_ms=None):
    body_bytes = json.dumps(body).encode() if body is not None else b""
    nonce = nonce or os.urandom(16).hex()
    ts_ms = ts_ms if ts_ms is not None else int(time.time() * 1000)
    head = "%s %s HTTP/1.1\r\nHost: agent\r\nX-Chaos-Nonce: %s\r\nX-Chaos-Time: %d\r\nContent-Length: %d\r\n" % (
        method, path, nonce, ts_ms, len(body_bytes))
    if body is not None:
        head += "Content-Type: application/json\r\n"
    return (head + "\r\n").encode() + body_bytes


class Health:
    """A health endpoint on loopback that answers 200 until fail() is called."""

    def __init__(self, ip="127.0.0.1"):
        outer = self
        self.ok = True

        class H(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                code = 200 if outer.ok else 500
                self.send_response(code)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *a):
                pass

        self.server = http.server.ThreadingHTTPServer((ip, 0), H)
        self.url = "http://%s:%d/healthz" % (ip, self.server.server_address[1])
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def fail(self):
        self.ok = False

    def close(self):
        self.server.shutdown()


def notice_visible(ip, port=8169, timeout=1.0):
    """What an IMDSv1 client sees: is the AWS spot notice there?"""
    import http.client
    try:
        c = http.client.HTTPConnection(ip, port, timeout=timeout)
        c.request("GET", "/latest/meta-data/spot/instance-action", headers={"Host": "169.254.169.254"})
        status = c.getresponse().status
        c.close()
        return status == 200
    except OSError:
        return False


def wait_until(cond, timeout, step=0.02):
    """Seconds until cond() held, or None."""
    t0 = time.time()
    while time.time() - t0 < timeout:
        if cond():
            return time.time() - t0
        time.sleep(step)
    return None
