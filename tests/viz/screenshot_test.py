#!/usr/bin/python3
"""Headless screenshot test of one spotviz panel.

Runs `spotviz --screenshot` under `xvfb-run -a` with Mesa llvmpipe, then checks the image with a
tolerance: not blank, the panel's expected colours present in the plot area, and (for panels
with a committed reference) at most a small fraction of pixels differing from the reference.
There is no silent skip: without xvfb-run or a display the test fails and says why.

  screenshot_test.py --spotviz BIN --panel NAME --out PNG [--update-reference]
"""
import argparse
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pngcheck  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
SMALL = os.path.join(HERE, "data", "viz-small.yaml")
SIZE = (800, 500)
# Panels with a committed reference image (640x400 keeps them small).
REF_SIZE = (640, 400)
REFERENCED = {"timeline", "cost", "topology"}

# Per panel: extra arguments and [(rgb, min fraction of pixels, what it is)].
PANELS = {
    "timeline": ([SMALL], [((52, 120, 220), 0.05, "spot layer of pool small-a"),
                           ((40, 170, 160), 0.04, "spot layer of pool small-b"),
                           ((90, 190, 90), 0.03, "spot layer of pool small-c"),
                           ((230, 40, 40), 0.0005, "eviction markers")]),
    "cost": ([SMALL], [((80, 170, 250), 0.002, "cumulative cost line"),
                       ((250, 140, 40), 0.002, "all-on-demand counterfactual line")]),
    "workloads": ([SMALL], [((60, 140, 220), 0.05, "running VM bars"),
                            ((30, 32, 38), 0.01, "empty state for workload series")]),
    "events": ([SMALL], [((230, 40, 40), 0.0005, "eviction rows"),
                         ((250, 190, 30), 0.0005, "notice rows")]),
    "topology": ([SMALL], [((255, 40, 40), 0.01, "the hottest pool"),
                           ((44, 47, 58), 0.05, "zone boxes")]),
    "compare": ([SMALL, os.path.join(HERE, "data", "viz-small-b.yaml")],
                [((80, 170, 250), 0.002, "run A"), ((250, 140, 40), 0.002, "run B")]),
    "sweeps": ([SMALL], [((30, 32, 38), 0.05, "empty state (no sweep in a scenario run)")]),
    "live": ([SMALL], [((41, 74, 122), 0.005, "sliders")]),
}


def fail(msg):
    print(f"FAIL: {msg}", file=sys.stderr)
    sys.exit(1)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--spotviz", required=True)
    ap.add_argument("--panel", required=True, choices=sorted(PANELS))
    ap.add_argument("--out", required=True)
    ap.add_argument("--update-reference", action="store_true")
    a = ap.parse_args()

    xvfb = shutil.which("xvfb-run")
    if not xvfb:
        fail("xvfb-run not found: install xvfb and xauth (scripts/install-deps) — "
             "screenshot tests need a display and never skip silently")
    files, expects = PANELS[a.panel]
    env = dict(os.environ, GALLIUM_DRIVER="llvmpipe", LIBGL_ALWAYS_SOFTWARE="1")

    def shoot(out, size):
        cmd = [xvfb, "-a", "-s", "-screen 0 1600x1200x24", a.spotviz, "--screenshot", out, "--panel", a.panel,
               "--size", f"{size[0]}x{size[1]}", "--threads", "2", *files]
        if os.path.exists(out):
            os.remove(out)
        p = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)
        if p.returncode != 0:
            fail(f"spotviz exited {p.returncode}\ncommand: {' '.join(cmd)}\nstderr:\n{p.stderr}")
        if not os.path.exists(out):
            fail(f"spotviz wrote no {out}\nstderr:\n{p.stderr}")
        return pngcheck.read_png(out)

    img = shoot(a.out, SIZE)
    if img.shape[:2] != (SIZE[1], SIZE[0]):
        fail(f"image is {img.shape[1]}x{img.shape[0]}, expected {SIZE[0]}x{SIZE[1]}")
    n = pngcheck.distinct_colors(img)
    if n < 20:
        fail(f"image looks blank: only {n} distinct colours")
    plot_area = img[60:, :]  # below the header and tabs
    for rgb, min_frac, what in expects:
        frac = pngcheck.fraction_near(plot_area, rgb, tol=30)
        print(f"{a.panel}: {what} {rgb}: {frac:.4f} of pixels (need >= {min_frac})")
        if frac < min_frac:
            fail(f"{a.panel}: expected {what} (colour {rgb}) in at least {min_frac:.2%} of the plot area, "
                 f"found {frac:.2%}; see {a.out}")

    if a.panel in REFERENCED:
        ref = os.path.join(HERE, "reference", f"{a.panel}.png")
        small_out = a.out.replace(".png", "-ref.png")
        small = shoot(small_out, REF_SIZE)
        if a.update_reference:
            shutil.copyfile(small_out, ref)
            print(f"updated {ref}")
        elif not os.path.exists(ref):
            fail(f"no reference image {ref}; create it with --update-reference and review it")
        else:
            diff = pngcheck.diff_fraction(small, pngcheck.read_png(ref), tol=24)
            print(f"{a.panel}: {diff:.4f} of pixels differ from {ref} (allowed 0.02)")
            if diff > 0.02:
                fail(f"{a.panel}: {diff:.2%} of pixels differ from the reference {ref} by more than 24 levels; "
                     f"compare {small_out} with it (regenerate with --update-reference if the change is intended)")
    print(f"{a.panel}: ok")


if __name__ == "__main__":
    main()
