#!/usr/bin/env python3
"""The build enforces the layering (docs/architecture.md): a wrong-way include fails to compile.

    check_layers.py BUILD_DIR SOURCE_DIR

For every layer, tests/layering/CMakeLists.txt declares a probe object linked to that layer's
library alone; its command line in BUILD_DIR/compile_commands.json carries exactly the include
paths any target of that layer gets. With it this script compiles one-line sources
(-fsyntax-only):
  - one header of each layer the layer may use (itself and everything below it) must compile;
  - one header of each other layer must fail with "file not found" for that very header.
It also checks that no compile command anywhere puts a source folder on the include path (the
include roots live in BUILD_DIR/include and hold one folder each).
"""
import json
import os
import re
import shlex
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor

# The layer graph: each layer and the layers it links directly. A new layer (or a new edge)
# goes here, in tests/layering/CMakeLists.txt and in docs/architecture.md.
LINKS = {
    "common": [],
    "core": ["common"],
    "scenario": ["core"],
    "calibrate": ["scenario"],
    "model": ["scenario"],
    "chaos": ["model"],
    "policy": ["model"],
    "run": ["chaos", "policy"],
    "record": ["run"],
    "gameday": ["record"],
    "chaos-agent": ["common"],
}
# Named cases (layer, header, compiles?) besides the matrix: the wrong-way includes the layering
# exists to stop, and right-way ones.
NAMED = [
    ("scenario", "sim/model/world.h", False),   # the compiler reaching into the model
    ("model", "sim/record/schema.h", False),    # the model reaching up into recording
    ("model", "sim/chaos/runtime.h", False),    # the model reaching into a layer above it
    ("chaos", "sim/policy/lua_policy.h", False),  # siblings do not see each other
    ("core", "sim/scenario/scenario.h", False),  # core includes nothing of ours but common/
    ("run", "chaos-agent/agent.h", False),      # chaos-agent is beside the simulator
    ("chaos-agent", "sim/core/time.h", False),
    ("common", "sim/core/engine.h", False),     # common is below everything of ours
    ("common", "chaos-agent/agent.h", False),
    ("chaos-agent", "common/yaml_reader.h", True),  # chaos-agent reads its plans with common's reader
    ("model", "sim/model/world.h", True),
    ("chaos", "sim/model/world.h", True),
    ("record", "sim/run/runner.h", True),
]


TOP_LEVEL = {"common", "chaos-agent"}  # layers in a top-level folder; the others are sim/<layer>


def folder(layer):
    return layer if layer in TOP_LEVEL else "sim/" + layer


def below(layer):
    """The layer itself and every layer it reaches through its links."""
    seen, todo = set(), [layer]
    while todo:
        cur = todo.pop()
        if cur not in seen:
            seen.add(cur)
            todo.extend(LINKS[cur])
    return seen


def representative(src, layer):
    """The smallest header directly in the layer's folder (cheap to compile, robust to renames)."""
    d = os.path.join(src, folder(layer))
    hs = [f for f in os.listdir(d) if f.endswith(".h")]
    if not hs:
        sys.exit(f"check_layers: no header in {d}")
    hs.sort(key=lambda f: (os.path.getsize(os.path.join(d, f)), f))
    return folder(layer) + "/" + hs[0]


def probe_commands(build):
    with open(os.path.join(build, "compile_commands.json")) as f:
        entries = json.load(f)
    out = {}
    for e in entries:
        m = re.search(r"layering/probe_([a-z-]+)\.cpp$", e["file"])
        if m:
            args = e["arguments"] if "arguments" in e else shlex.split(e["command"])
            out[m.group(1)] = (e["directory"], args, e["file"])
    return out, entries


def syntax_only(args, source_file, new_source):
    """The probe's compile command, turned into a -fsyntax-only check of new_source."""
    out, skip = [], False
    for i, a in enumerate(args):
        if skip:
            skip = False
            continue
        if i == 0 and os.path.basename(a) == "ccache":
            continue
        if a in ("-o", "-MT", "-MF", "-MQ"):
            skip = True
            continue
        if a in ("-c", "-MD", "-MMD") or a == source_file or a.endswith("/" + os.path.basename(source_file)):
            continue
        out.append(a)
    return out + ["-fsyntax-only", new_source]


def include_dirs(args):
    dirs, nxt = [], False
    for a in args:
        if nxt:
            dirs.append(a)
            nxt = False
        elif a in ("-I", "-isystem", "-iquote", "-idirafter"):
            nxt = True
        else:
            for flag in ("-I", "-isystem", "-iquote", "-idirafter"):
                if a.startswith(flag) and len(a) > len(flag):
                    dirs.append(a[len(flag):])
                    break
    return dirs


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: check_layers.py BUILD_DIR SOURCE_DIR")
    build, src = os.path.realpath(sys.argv[1]), os.path.realpath(sys.argv[2])
    probes, entries = probe_commands(build)
    missing = [l for l in LINKS if l not in probes]
    if missing:
        sys.exit(f"check_layers: no probe in compile_commands.json for {missing} (tests/layering/CMakeLists.txt)")
    failures = []

    # No compile command puts a source folder on the include path.
    for e in entries:
        args = e["arguments"] if "arguments" in e else shlex.split(e["command"])
        for d in include_dirs(args):
            real = os.path.realpath(os.path.join(e["directory"], d))
            if (real == src or real.startswith(src + os.sep)) and not real.startswith(build + os.sep):
                failures.append(f"{e['file']}: include path {d} is a source folder: every layer would see it")
                break

    reps = {l: representative(src, l) for l in LINKS}
    jobs = []  # (layer, [headers], expect_ok)
    for layer in LINKS:
        ok = below(layer)
        jobs.append((layer, [reps[l] for l in sorted(ok)] + [h for (p, h, c) in NAMED if p == layer and c], True))
        for other in sorted(set(LINKS) - ok):
            jobs.append((layer, [reps[other]], False))
        for p, h, c in NAMED:
            if p == layer and not c:
                jobs.append((layer, [h], False))

    with tempfile.TemporaryDirectory(prefix="layering.") as tmp:
        def run(i_job):
            i, (layer, headers, expect_ok) = i_job
            for h in headers:
                if not os.path.isfile(os.path.join(src, h)):
                    return f"{h} does not exist: update NAMED in tests/layering/check_layers.py"
            path = os.path.join(tmp, f"case{i}.cpp")
            with open(path, "w") as f:
                f.writelines(f'#include "{h}"\n' for h in headers)
            directory, args, source_file = probes[layer]
            cmd = syntax_only(args, source_file, path)
            p = subprocess.run(cmd, cwd=directory, capture_output=True, text=True)
            if expect_ok:
                if p.returncode != 0:
                    return f"layer {layer} must be able to include {', '.join(headers)}; it failed:\n{p.stderr[-3000:]}"
                return None
            h = headers[0]
            if p.returncode == 0:
                return f"wrong-way include compiled: layer {layer} can include {h} (it must not link {folder(h.split('/')[1] if h.startswith('sim/') else h.split('/')[0])})"
            if not re.search(re.escape(h) + r"(: No such file or directory|' file not found)", p.stderr):
                return f"layer {layer} including {h} failed, but not because the header is out of reach:\n{p.stderr[-3000:]}"
            return None

        with ThreadPoolExecutor(max_workers=2) as pool:
            results = list(pool.map(run, enumerate(jobs)))
    failures += [r for r in results if r]

    right = sum(1 for j in jobs if j[2])
    wrong = len(jobs) - right
    print(f"layering: {len(LINKS)} layers, {right} right-way compiles, {wrong} wrong-way includes checked")
    for layer in LINKS:
        print(f"  {layer:12s} sees {', '.join(sorted(below(layer) - {layer})) or '(nothing of ours)'}")
    for f in failures:
        print("FAIL:", f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
