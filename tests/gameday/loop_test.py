"""The game-day loop end to end (examples/gameday/, docs/gameday-loop.md).

Three chaos-agents on loopback (temp dirs, ephemeral ports, unix control sockets), each with a
real termination handler (drain_client.py on botocore) as its watched workload: web-1 drains in
1 s, web-2 in 2 s, web-3 never finishes. The example plan runs twice with `chaos-agent gameday`:
the first drill's audits are calibrated (`spotsim calibrate --gameday`), the simulator predicts
the second (`spotsim predict`), and `spotsim compare` checks it against the second drill's audits
(exit 0). A calibration whose drains are too slow for the notice must fail the check (exit 1),
and malformed audits, plans and calibrations exit 2 with FILE:LINE and no output file.

Usage: loop_test.py SPOTSIM CHAOS_AGENT REPO_ROOT
       (GAMEDAY_LOOP_SAVE=DIR also saves both drills' audits there, paths as on a VM)
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time

SPOTSIM, AGENT, ROOT = sys.argv[1], sys.argv[2], sys.argv[3]
HERE = os.path.dirname(os.path.abspath(__file__))
EXAMPLE = os.path.join(ROOT, "examples", "gameday")
CLIENTS = {"web-1": ["--drain", "1.0"], "web-2": ["--drain", "2.0"], "web-3": ["--stuck"]}


def check(cond, what):
    if not cond:
        print("FAIL: " + what, file=sys.stderr)
        sys.exit(1)
    print("ok: " + what)


def wait_for(path, proc, what, timeout=60):
    deadline = time.time() + timeout
    while not os.path.exists(path):
        if proc.poll() is not None:
            raise RuntimeError("%s exited (%s): %s" % (what, proc.returncode, proc.stderr.read() if proc.stderr else ""))
        if time.time() > deadline:
            raise RuntimeError(what + " did not become ready")
        time.sleep(0.05)


def run(args, **kw):
    print("$ " + " ".join(args), flush=True)
    return subprocess.run(args, capture_output=True, text=True, timeout=kw.pop("timeout", 300), **kw)


def plan_for(dir_):
    """The example plan with its control sockets in this drill's temp dir."""
    with open(os.path.join(EXAMPLE, "drill.yaml")) as f:
        text = f.read()
    text = text.replace("unix:/run/chaos-agent-", "unix:" + dir_ + "/")
    path = os.path.join(dir_, "drill.yaml")
    with open(path, "w") as f:
        f.write(text)
    return path


def drill(base, n):
    d = os.path.join(base, "drill-%d" % n)
    os.makedirs(d)
    agents, clients, audits = [], [], []
    try:
        for i, (name, client_args) in enumerate(sorted(CLIENTS.items())):
            vm = os.path.join(d, name)
            os.makedirs(vm)
            with open(os.path.join(vm, "identity.yaml"), "w") as f:
                f.write("aws: {instance-id: i-0%015x, instance-type: m5.large, availability-zone: us-east-1a}\n" % (i + 1))
            audit = os.path.join(vm, "audit.jsonl")
            ready = os.path.join(vm, "ready.json")
            agent = subprocess.Popen(
                [AGENT, "serve", "--listen", "127.0.0.1:0", "--control", "unix:" + os.path.join(vm, "control.sock"),
                 "--upstream", "none", "--identity", os.path.join(vm, "identity.yaml"), "--audit", audit,
                 "--state-file", os.path.join(vm, "state.json"), "--ready-file", ready, "--vm-name", name,
                 "--workload", "pidfile:" + os.path.join(vm, "client.pid")],
                stderr=subprocess.PIPE, text=True)
            agents.append(agent)
            audits.append(audit)
            wait_for(ready, agent, "chaos-agent " + name)
            with open(ready) as f:
                port = json.load(f)["metadata_port"]
            client = subprocess.Popen(
                [sys.executable, os.path.join(HERE, "drain_client.py"), "--endpoint", "http://127.0.0.1:%d" % port,
                 "--pidfile", os.path.join(vm, "client.pid"), "--ready", os.path.join(vm, "client.ready")] + client_args,
                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
            clients.append(client)
            # Reap the handler as soon as it exits, as init does on a VM: the agent watches the pid,
            # and a zombie child of this test would still look alive to it.
            threading.Thread(target=client.wait, daemon=True).start()
        for name, client in zip(sorted(CLIENTS), clients):
            wait_for(os.path.join(d, name, "client.ready"), client, "drain client " + name)
        plan = plan_for(d)
        out = run([AGENT, "gameday", plan, "--report", os.path.join(d, "report.json")], timeout=120)
        print(out.stdout + out.stderr)
        check(out.returncode == 0, "drill %d: chaos-agent gameday ran the example plan (exit %d)" % (n, out.returncode))
    finally:
        for c in clients:
            if c.poll() is None:
                c.kill()
            c.wait()
        for a in agents:
            if a.poll() is None:
                a.terminate()
            try:
                a.wait(timeout=20)
            except subprocess.TimeoutExpired:
                a.kill()
                a.wait()
    save = os.environ.get("GAMEDAY_LOOP_SAVE")  # refreshes examples/gameday/loop/ (see its README)
    if save:
        os.makedirs(os.path.join(save, "drill-%d" % n), exist_ok=True)
        for name, audit in zip(sorted(CLIENTS), audits):
            with open(audit) as f:
                text = f.read().replace(d + "/", "/run/chaos-agent-")
            with open(os.path.join(save, "drill-%d" % n, name + ".jsonl"), "w") as f:
                f.write(text)
    return plan, audits


def main():
    base = tempfile.mkdtemp(prefix="gameday-loop-")
    try:
        # The agent accepts the expect: block (shape-checked, otherwise ignored).
        dry = run([AGENT, "gameday", os.path.join(EXAMPLE, "drill.yaml"), "--dry-run"])
        check(dry.returncode == 0, "chaos-agent loads the example plan with its expect: block")

        _, audits1 = drill(base, 1)
        cal = os.path.join(base, "calibration.yaml")
        args = [SPOTSIM, "calibrate", "--out", cal]
        for a in audits1:
            args += ["--gameday", a]
        out = run(args)
        check(out.returncode == 0, "calibrate --gameday on the first drill (exit %d: %s)" % (out.returncode, out.stderr))
        text = open(cal).read()
        print(text)
        check("  notices: 3\n" in text, "calibration: 3 notices")
        check("  never_detected: 0.0%" in text, "calibration: every notice was read")
        check("  never_drained: 33.3%" in text, "calibration: web-3's handler never drained (1 of 3)")
        check(re.search(r"  drain_time: \{lognormal: \{median: [0-9.]+s, sigma: [0-9.]+\}\}", text) is not None,
              "calibration: drain time as a fitted lognormal (2 timed drains)")

        plan2, audits2 = drill(base, 2)
        pred = os.path.join(base, "prediction.json")
        out = run([SPOTSIM, "predict", os.path.join(EXAMPLE, "fleet.yaml"), "--plan", plan2, "--calibration", cal,
                   "--replications", "200", "--threads", "2", "--out", pred])
        check(out.returncode == 0, "predict the second drill (exit %d: %s)" % (out.returncode, out.stderr))
        p = json.load(open(pred))
        check(p["metrics"]["notices"] == {"unit": "count", "mean": 3.0, "lo": 3.0, "hi": 3.0, "samples": 200,
                                          "observable": True}, "predicted: exactly 3 notices")
        check(p["metrics"]["drained_in_time"]["lo"] <= 2 <= p["metrics"]["drained_in_time"]["hi"],
              "predicted interval of drained_in_time holds 2")

        junit = os.path.join(base, "compare.xml")
        out = run([SPOTSIM, "compare", pred] + audits2 + ["--junit", junit, "--json", os.path.join(base, "compare.json")])
        print(out.stdout + out.stderr)
        check(out.returncode == 0, "compare: the second drill is within the plan's tolerances (exit %d)" % out.returncode)
        check(re.search(r"^notices +3 +\[3, 3\] +3 +yes +0 +ok$", out.stdout, re.M) is not None, "compare: notices row")
        check(re.search(r"^drained_in_time .* 2 +yes +interval +ok$", out.stdout, re.M) is not None, "compare: drained_in_time row")
        check("tolerances: 6 checked, 0 exceeded" in out.stdout, "compare: 6 tolerances, none exceeded")
        xml = open(junit).read()
        check('tests="6"' in xml and 'failures="0"' in xml, "compare: JUnit with 6 passing testcases")
        c = json.load(open(os.path.join(base, "compare.json")))
        check(c["metrics"]["not_drained"]["observed"] == 1, "compare JSON: 1 notice not drained (web-3)")

        # A model that is wrong must fail the check: drains of 30 s cannot fit an 8 s notice.
        bad_cal = os.path.join(base, "slow.yaml")
        with open(bad_cal, "w") as f:
            f.write(re.sub(r"  drain_time: .*\n", "  drain_time: 30s\n", text))
        bad_pred = os.path.join(base, "slow.json")
        out = run([SPOTSIM, "predict", os.path.join(EXAMPLE, "fleet.yaml"), "--plan", plan2, "--calibration", bad_cal,
                   "--replications", "50", "--threads", "2", "--out", bad_pred])
        check(out.returncode == 0, "predict with the slow calibration")
        bad_junit = os.path.join(base, "slow.xml")
        out = run([SPOTSIM, "compare", bad_pred] + audits2 + ["--junit", bad_junit])
        print(out.stdout)
        check(out.returncode == 1, "compare exits 1 when the observation leaves a tolerance (got %d)" % out.returncode)
        check("exceeded: drained_in_time: observed 2, predicted mean 0 [0, 0]" in out.stdout, "compare names the metric")
        check('failures="' in open(bad_junit).read() and 'failures="0"' not in open(bad_junit).read(),
              "JUnit marks the exceeded tolerance as a failure")

        # Malformed input: FILE:LINE, exit 2, no output file.
        garbage = os.path.join(base, "garbage.jsonl")
        with open(audits2[0]) as f:
            lines = f.readlines()
        with open(garbage, "w") as f:
            f.writelines(lines[:3] + ['{"ts_us": 5, "event": "inject", "injection": "x", "kind": "preempt"}\n'] + lines[3:])
        out_json = os.path.join(base, "never.json")
        out = run([SPOTSIM, "compare", pred, garbage, "--json", out_json])
        check(out.returncode == 2 and out.stderr.startswith(garbage + ":4: error: notice_s:"),
              "compare: a malformed audit line gives FILE:LINE and the field, exit 2 (%r)" % out.stderr)
        check(not os.path.exists(out_json), "compare: no partial output")
        never_cal = os.path.join(base, "never.yaml")
        out = run([SPOTSIM, "calibrate", "--gameday", garbage, "--out", never_cal])
        check(out.returncode == 2 and out.stderr.startswith(garbage + ":4: error:"), "calibrate: exit 2 on the same line")
        check(not os.path.exists(never_cal), "calibrate: no partial output")
        bad_plan = os.path.join(base, "bad-plan.yaml")
        with open(plan2) as f:
            ptext = f.read()
        with open(bad_plan, "w") as f:
            f.write(ptext.replace("  drained_in_time: interval", "  drained_in_time: soon"))
        out = run([SPOTSIM, "predict", os.path.join(EXAMPLE, "fleet.yaml"), "--plan", bad_plan, "--calibration", cal,
                   "--out", out_json])
        check(out.returncode == 2 and re.match(re.escape(bad_plan) + r":\d+:20: error: expect.drained_in_time: ", out.stderr),
              "predict: a bad tolerance gives FILE:LINE:COL and the path, exit 2 (%r)" % out.stderr)
        check(not os.path.exists(out_json), "predict: no partial output")
        with open(bad_plan, "w") as f:
            f.write(ptext.replace("  notices: 0", "  notices: [0]"))
        out = run([AGENT, "gameday", bad_plan, "--dry-run"])
        check(out.returncode == 2 and "expect.notices: expected a tolerance" in out.stderr,
              "chaos-agent validates the shape of expect: (exit 2)")
    finally:
        shutil.rmtree(base, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
