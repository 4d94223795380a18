"""Starts a chaos-agent on loopback for the real-client tests and drives it via its CLI.

Used by every client test (Python and, through run_js.py, Node): one agent per test, an
ephemeral port, a private control socket, --upstream none unless a fake upstream is given.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time


def stop_process(proc, timeout=10):
    """SIGTERM, then SIGKILL after `timeout` seconds; waits for the exit."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


class Agent:
    def __init__(self, binary, extra_args=(), control=None, token_file=None):
        self.binary = binary
        self.dir = tempfile.mkdtemp(prefix="chaos-agent-test-")
        self.control = control or "unix:" + os.path.join(self.dir, "control.sock")
        self.token_file = token_file
        if token_file:
            extra_args = ["--token-file", token_file] + list(extra_args)
        self.audit = os.path.join(self.dir, "audit.jsonl")
        ready = os.path.join(self.dir, "ready.json")
        args = [binary, "serve", "--listen", "127.0.0.1:0", "--control", self.control,
                "--upstream", "none", "--audit", self.audit,
                "--state-file", os.path.join(self.dir, "state.json"),
                "--ready-file", ready, "--vm-name", "test-vm"] + list(extra_args)
        self.proc = subprocess.Popen(args, stderr=subprocess.PIPE, text=True)
        deadline = time.time() + 20
        while not os.path.exists(ready):
            if self.proc.poll() is not None:
                raise RuntimeError("chaos-agent exited: " + self.proc.stderr.read())
            if time.time() > deadline:
                raise RuntimeError("chaos-agent did not become ready")
            time.sleep(0.02)
        with open(ready) as f:
            self.port = json.load(f)["metadata_port"]
        self.base = "http://127.0.0.1:%d" % self.port

    def cli(self, *args):
        token = ["--token-file", self.token_file] if self.token_file else []
        out = subprocess.run([self.binary] + list(args) + ["--control", self.control] + token,
                             capture_output=True, text=True, timeout=20)
        if out.returncode != 0:
            raise RuntimeError("chaos-agent %s failed (%d): %s" % (args, out.returncode, out.stderr))
        return out.stdout

    def inject(self, *args):
        return self.cli("inject", *args)

    def clear(self):
        return self.cli("clear")

    def audit_events(self):
        with open(self.audit) as f:
            return [json.loads(line) for line in f if line.strip()]

    def stop(self):
        stop_process(self.proc)
        rc = self.proc.returncode
        err = self.proc.stderr.read()
        shutil.rmtree(self.dir, ignore_errors=True)
        if rc not in (0, None):
            raise RuntimeError("chaos-agent exited with %s: %s" % (rc, err))

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


def check(cond, what):
    if not cond:
        print("FAIL: " + what, file=sys.stderr)
        sys.exit(1)
    print("ok: " + what)


SKIP = 77  # ctest SKIP_RETURN_CODE


def skip(why):
    print("SKIP: " + why)
    sys.exit(SKIP)


def run(*args, check=True, timeout=20, **kw):
    """Runs a command, output captured as text; raises when it fails (unless check=False)."""
    r = subprocess.run(list(args), capture_output=True, text=True, timeout=timeout, **kw)
    if check and r.returncode != 0:
        raise RuntimeError("%s failed (%d): %s %s" % (args, r.returncode, r.stdout, r.stderr))
    return r
