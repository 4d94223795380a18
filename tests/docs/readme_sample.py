#!/usr/bin/env python3
"""The README's sample report is the real output of `spotsim run` on the bundled scenario.

usage: readme_sample.py SPOTSIM check|update   (run from the repository root)

The block after the marker line `<!-- readme-sample: SCENARIO -->` in README.md must equal what
`spotsim run SCENARIO` prints, except the wall-clock time and thread count of the first line
(they depend on the machine). `update` rewrites the block from a real run (scripts/update-readme-sample).
"""
import re
import subprocess
import sys

SPOTSIM, MODE = sys.argv[1], sys.argv[2]
README = "README.md"
MARKER = re.compile(r"<!-- readme-sample: (\S+) -->\n```\n(.*?)```\n", re.S)
TIMING = re.compile(r"\(([0-9]+ events), [0-9.]+ s on [0-9]+ threads\)")


def normalize(text):
    return TIMING.sub(r"(\1, X s on N threads)", text)


readme = open(README).read()
m = MARKER.search(readme)
if not m:
    sys.exit(f"{README}: no '<!-- readme-sample: SCENARIO -->' marker followed by a ``` block")
scenario = m.group(1)
p = subprocess.run([SPOTSIM, "run", scenario], capture_output=True, text=True)
if p.returncode != 0:
    sys.exit(f"spotsim run {scenario}: exit {p.returncode}\n{p.stdout}\n{p.stderr}")
if MODE == "update":
    readme = readme[:m.start(2)] + p.stdout + readme[m.end(2):]
    open(README, "w").write(readme)
    print(f"{README}: sample output of {scenario} updated")
    sys.exit(0)
if normalize(m.group(2)) != normalize(p.stdout):
    import difflib
    diff = "".join(difflib.unified_diff(normalize(m.group(2)).splitlines(True), normalize(p.stdout).splitlines(True),
                                        "README.md", f"spotsim run {scenario}"))
    sys.exit(f"README.md's sample output is stale; run scripts/update-readme-sample\n{diff}")
print("ok")
