#!/usr/bin/python3
"""Bad inputs give spotviz a message on stderr (and in the window) and an exit code; never a crash.

  bad_file_test.py --spotviz BIN --case NAME --out-dir DIR
"""
import argparse
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pngcheck  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
# An X server per run, race-free when tests run in parallel (xvfb-run -a is not).
XVFB = os.path.join(HERE, "..", "common", "private_xvfb.py")
DATA = os.path.join(HERE, "data")
POLICY_DATA = os.path.normpath(os.path.join(HERE, "..", "policy", "data"))

# name: (files, exit code, exact first stderr line)
CASES = {
    "missing": (["/nonexistent/run.h5"], 3, "spotviz: /nonexistent/run.h5: cannot open: No such file or directory"),
    "not_a_run": ([os.path.join(DATA, "not-a-run.txt")], 2,
                  f"spotviz: {DATA}/not-a-run.txt: not a spotsim run file or scenario (expected an HDF5 file "
                  "written by `spotsim run --out FILE.h5`, or a scenario .yaml)"),
    "bad_scenario": ([os.path.join(DATA, "bad-scenario.yaml")], 2, None),
    "garbage_h5": ([os.path.join(DATA, "garbage.h5")], 2, None),
    # The same front door as `spotsim validate/run`: a bad Lua policy is reported at load, in the
    # CLI's words (it used to surface only inside the run).
    "bad_policy": ([os.path.join(POLICY_DATA, "typo.yaml")], 2,
                   f"spotviz: {POLICY_DATA}/typo.lua:3: global function on_notce is not a hook (did you mean "
                   "on_notice?); the hooks are choose_pool, on_notice, on_eviction, on_capacity_error, on_tick, "
                   "on_job_event, on_running, on_rebalance (names starting with on_ are reserved for hooks)"),
}


def fail(msg):
    print(f"FAIL: {msg}", file=sys.stderr)
    sys.exit(1)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--spotviz", required=True)
    ap.add_argument("--case", required=True, choices=sorted(CASES) + ["no_display", "bad_panel"])
    ap.add_argument("--out-dir", required=True)
    a = ap.parse_args()
    os.makedirs(a.out_dir, exist_ok=True)
    env = dict(os.environ, GALLIUM_DRIVER="llvmpipe", LIBGL_ALWAYS_SOFTWARE="1")

    if a.case == "no_display":
        # Without any display spotviz must fail loudly with advice, not crash.
        env.pop("DISPLAY", None)
        env.pop("WAYLAND_DISPLAY", None)
        out = os.path.join(a.out_dir, "no-display.png")
        p = subprocess.run([a.spotviz, "--screenshot", out, os.path.join(DATA, "viz-small.yaml")], env=env,
                           capture_output=True, text=True, timeout=120)
        if p.returncode != 3:
            fail(f"expected exit 3 without a display, got {p.returncode}\nstderr:\n{p.stderr}")
        if "cannot open a display" not in p.stderr or "xvfb-run -a" not in p.stderr:
            fail(f"expected advice about the display on stderr, got:\n{p.stderr}")
        if os.path.exists(out):
            fail("a screenshot was written although no display exists")
        print("no_display: ok")
        return

    if a.case == "bad_panel":
        p = subprocess.run([a.spotviz, "--screenshot", "x.png", "--panel", "nope"], capture_output=True, text=True,
                           timeout=60)
        want = ("spotviz: --panel nope: no such panel (panels: timeline, cost, workloads, events, topology, "
                "compare, sweeps, live)")
        if p.returncode != 2 or p.stderr.strip() != want:
            fail(f"expected exit 2 and {want!r}, got {p.returncode} and {p.stderr!r}")
        print("bad_panel: ok")
        return

    if not shutil.which("Xvfb") or not shutil.which("xauth"):
        fail("Xvfb or xauth not found: install xvfb and xauth (scripts/install-deps)")
    files, code, first_line = CASES[a.case]
    out = os.path.join(a.out_dir, f"bad-{a.case}.png")
    if os.path.exists(out):
        os.remove(out)
    p = subprocess.run([sys.executable, XVFB, "--screen", "1600x1200x24", "--", a.spotviz, "--screenshot", out, "--size",
                        "800x300", *files], env=env, capture_output=True, text=True, timeout=120)
    if p.returncode != code:
        fail(f"expected exit {code}, got {p.returncode}\nstderr:\n{p.stderr}")
    lines = p.stderr.splitlines()
    if not lines:
        fail("nothing on stderr")
    if "Sanitizer" in p.stderr or "Segmentation" in p.stderr:
        fail(f"crash report on stderr:\n{p.stderr}")
    msg = [l for l in lines if not l.startswith("spotviz: running ")]
    if first_line is not None and msg[0] != first_line:
        fail(f"stderr line\n  {msg[0]!r}\nexpected\n  {first_line!r}")
    if first_line is None and not msg[0].startswith("spotviz: " + files[0]):
        fail(f"the message does not start with the file name: {msg[0]!r}")
    # The window shows the message too (red text on the dark background).
    img = pngcheck.read_png(out)
    red = pngcheck.fraction_near(img, (255, 115, 102), tol=40)
    if red < 0.0005:
        fail(f"no error message drawn in the window ({red:.4%} red pixels); see {out}")
    print(f"{a.case}: ok ({msg[0]})")


if __name__ == "__main__":
    main()
