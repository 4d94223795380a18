#!/usr/bin/python3
"""Headless screenshot test of one spotviz panel.

Runs `spotviz --screenshot` on an X server of its own (tests/common/private_xvfb.py) with Mesa llvmpipe, then checks the image with a
tolerance: not blank, the panel's expected colours present in the plot area, and at most a small
fraction of pixels differing from the committed reference tests/viz/reference/<case>.png.
There is no silent skip: without Xvfb or a display the test fails and says why.

  screenshot_test.py --spotviz BIN [--spotsim BIN] --case NAME --out PNG [--update-reference]
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
SMALL = os.path.join(DATA, "viz-small.yaml")
JOBS = os.path.join(DATA, "viz-jobs.yaml")
# Kubernetes node pools under the cluster autoscaler, an on-demand base, a fallback fleet, a storm
# and a cliff at the same moment, pods evicted and killed (issue 16: what spotviz shows is true).
K8S = os.path.join(DATA, "viz-k8s.yaml")
# One image per case, at 640x400 (keeps the committed references small): checked for expected
# colours, then compared with tests/viz/reference/<case>.png with a tolerance.
SIZE = (640, 400)
# Inputs made by the spotsim binary of this build (--spotsim), in the --out directory:
#   "@ts"    `spotsim run viz-small.yaml --out` at the default record level (time series only)
#   "@sweep" `spotsim sweep viz-small.yaml` over the fleet target and pool small-a's rate
#   "@pareto" the same sweep with `--pareto max:fleet.web.availability_pct,cost.total` stored
_GRID = ["--grid", "fleets.web.target=20,30,40", "--grid", "pools.small-a.interruption.rate=0.02/h,0.08/h,0.2/h"]
GENERATED = {
    "@ts": ["run", os.path.abspath(SMALL)],
    "@sweep": ["sweep", os.path.abspath(SMALL), *_GRID],
    "@pareto": ["sweep", os.path.abspath(SMALL), *_GRID, "--pareto", "max:fleet.web.availability_pct,cost.total"],
}

# Per case: (panel, inputs, [(rgb, min fraction of the plot area, what it is)][, (width, height)]);
# a case that needs room to be legible (many Gantt lanes) gives its own size.
CASES = {
    "timeline": ("timeline", [SMALL], [((52, 120, 220), 0.05, "spot layer of pool small-a"),
                                       ((40, 170, 160), 0.04, "spot layer of pool small-b"),
                                       ((90, 190, 90), 0.03, "spot layer of pool small-c"),
                                       ((230, 40, 40), 0.0005, "eviction markers")]),
    # The default recording (no events): the stack from the pools' running-VM series, no markers,
    # and the hint to record events.
    "timeline_ts": ("timeline", ["@ts"], [((52, 120, 220), 0.05, "spot layer of pool small-a"),
                                          ((40, 170, 160), 0.04, "spot layer of pool small-b"),
                                          ((90, 190, 90), 0.03, "spot layer of pool small-c"),
                                          ((255, 217, 77), 0.001, "record-events hint")]),
    "cost": ("cost", [SMALL], [((80, 170, 250), 0.002, "cumulative cost line"),
                               ((250, 140, 40), 0.002, "all-on-demand counterfactual line")]),
    # VM lanes in their pool's spot colour (pool jobs-a: the first spot hue), jobs on them.
    "workloads": ("workloads", [JOBS], [((52, 120, 220), 0.02, "running spot VM bars (pool jobs-a)"),
                                        ((90, 200, 120), 0.01, "job bars on VM lanes")]),
    # Lanes tall enough for a label on each VM: its zone and purchase type ("us-east-1a spot").
    "workloads_lanes": ("workloads", [JOBS], [((52, 120, 220), 0.05, "running spot VM bars (pool jobs-a)"),
                                              ((255, 255, 255), 0.009, "VM labels (zone, purchase type)")],
                        (1200, 900)),
    # Nodes by pool and purchase type (on-demand base orange, spot green/purple), pods on them, runs
    # of pods evicted by drains or killed with their nodes in red.
    "workloads_k8s": ("workloads", [K8S], [((245, 130, 30), 0.003, "on-demand system nodes (pool od-a)"),
                                           ((90, 190, 90), 0.05, "spot nodes (pool spot-b)"),
                                           ((120, 225, 215), 0.005, "pods on node lanes"),
                                           ((255, 60, 100), 0.002, "pods evicted or killed")], (960, 720)),
    # The target line follows the cluster autoscaler (16 → 12), the fallback band covers only the
    # batch fleet's fallback during the cliff, the cliff and the storm have their own colours and
    # labels on separate lines.
    "timeline_k8s": ("timeline", [K8S], [((245, 130, 30), 0.03, "on-demand base layer (pool od-a)"),
                                         ((240, 240, 240), 0.002, "target line"),
                                         ((175, 175, 175), 0.0003, "cliff label"),
                                         ((170, 100, 240), 0.0003, "storm label")]),
    # Event kinds by name: the cluster autoscaler's scale-down terminates nodes ("terminate", not "kind 6").
    "events_k8s": ("events", [K8S], [((230, 40, 40), 0.0005, "eviction rows"),
                                     ((110, 190, 255), 0.0005, "terminate rows (named, in their colour)")]),
    "events": ("events", [SMALL], [((230, 40, 40), 0.0005, "eviction rows"),
                                   ((250, 190, 30), 0.0005, "notice rows")]),
    "topology": ("topology", [SMALL], [((255, 40, 40), 0.01, "the hottest pool"),
                                       ((44, 47, 58), 0.05, "zone boxes")]),
    "compare": ("compare", [SMALL, os.path.join(DATA, "viz-small-b.yaml")],
                [((80, 170, 250), 0.002, "run A"), ((250, 140, 40), 0.002, "run B")]),
    # No --pareto: the first metrics that vary (fleet.web.interruptions, replacements).
    "sweeps": ("sweeps", ["@sweep"], [((250, 140, 40), 0.0002, "Pareto front")]),
    # The stored --pareto pair (availability maximised, cost minimised) is what shows first.
    "sweeps_pareto": ("sweeps", ["@pareto"], [((250, 140, 40), 0.0005, "Pareto front")]),
    "sweeps_empty": ("sweeps", [SMALL], [((30, 32, 38), 0.05, "empty state (no sweep in a scenario run)")]),
    "live": ("live", [SMALL], [((41, 74, 122), 0.002, "sliders")]),
}
# Fraction of pixels allowed to differ from the reference by more than TOL levels.
MAX_DIFF = 0.02
TOL = 24


def fail(msg):
    print(f"FAIL: {msg}", file=sys.stderr)
    sys.exit(1)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--spotviz", required=True)
    ap.add_argument("--spotsim", help="simulator binary, for the cases reading spotsim output files")
    ap.add_argument("--case", required=True, choices=sorted(CASES))
    ap.add_argument("--out", required=True)
    ap.add_argument("--update-reference", action="store_true")
    a = ap.parse_args()

    if not shutil.which("Xvfb") or not shutil.which("xauth"):
        fail("Xvfb or xauth not found: install xvfb and xauth (scripts/install-deps) — "
             "screenshot tests need a display and never skip silently")
    panel, inputs, expects = CASES[a.case][:3]
    size = CASES[a.case][3] if len(CASES[a.case]) > 3 else SIZE
    # spotviz shows the paths it was given: run it in a directory of its own with bare file names,
    # so the image does not depend on where the checkout or the build is.
    out = os.path.abspath(a.out)
    work = out[:-len(".png")] + ".d"
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    files = []
    for f in inputs:
        if f not in GENERATED:
            os.symlink(os.path.abspath(f), os.path.join(work, os.path.basename(f)))
            files.append(os.path.basename(f))
            continue
        if not a.spotsim:
            fail(f"case {a.case} needs --spotsim to make its input")
        h5 = f"viz-small-{f[1:]}.h5"
        cmd = [os.path.abspath(a.spotsim), *GENERATED[f], "--out", h5, "-q", "--threads", "2"]
        p = subprocess.run(cmd, cwd=work, capture_output=True, text=True, timeout=300)
        if p.returncode != 0:
            fail(f"spotsim exited {p.returncode}\ncommand: {' '.join(cmd)}\nstderr:\n{p.stderr}")
        files.append(h5)
    env = dict(os.environ, GALLIUM_DRIVER="llvmpipe", LIBGL_ALWAYS_SOFTWARE="1")

    cmd = [sys.executable, XVFB, "--screen", "1600x1200x24", "--", os.path.abspath(a.spotviz), "--screenshot", out,
           "--panel", panel, "--size", f"{size[0]}x{size[1]}", "--threads", "2", *files]
    if os.path.exists(out):
        os.remove(out)
    p = subprocess.run(cmd, cwd=work, env=env, capture_output=True, text=True, timeout=300)
    if p.returncode != 0:
        fail(f"spotviz exited {p.returncode}\ncommand: {' '.join(cmd)}\nstderr:\n{p.stderr}")
    if not os.path.exists(out):
        fail(f"spotviz wrote no {out}\nstderr:\n{p.stderr}")
    img = pngcheck.read_png(out)
    if img.shape[:2] != (size[1], size[0]):
        fail(f"image is {img.shape[1]}x{img.shape[0]}, expected {size[0]}x{size[1]}")
    n = pngcheck.distinct_colors(img)
    if n < 20:
        fail(f"image looks blank: only {n} distinct colours")
    plot_area = img[50:, :]  # below the header and tabs
    for rgb, min_frac, what in expects:
        frac = pngcheck.fraction_near(plot_area, rgb, tol=30)
        print(f"{a.case}: {what} {rgb}: {frac:.4f} of pixels (need >= {min_frac})")
        if frac < min_frac:
            fail(f"{a.case}: expected {what} (colour {rgb}) in at least {min_frac:.2%} of the plot area, "
                 f"found {frac:.2%}; see {a.out}")

    ref = os.path.join(HERE, "reference", f"{a.case}.png")
    if a.update_reference:
        shutil.copyfile(a.out, ref)
        print(f"updated {ref}")
    elif not os.path.exists(ref):
        fail(f"no reference image {ref}; create it with --update-reference and review it")
    else:
        diff = pngcheck.diff_fraction(img, pngcheck.read_png(ref), tol=TOL)
        print(f"{a.case}: {diff:.4f} of pixels differ from {ref} (allowed {MAX_DIFF})")
        if diff > MAX_DIFF:
            fail(f"{a.case}: {diff:.2%} of pixels differ from the reference {ref} by more than {TOL} levels; "
                 f"compare {a.out} with it (regenerate with --update-reference if the change is intended)")
    print(f"{a.case}: ok")


if __name__ == "__main__":
    main()
