#!/usr/bin/env python3
"""The docs' examples are run as written: a doc that no longer matches the programs fails this test.

usage: docs_exec.py SPOTSIM SPOTVIZ CHAOS_AGENT SPOTSIM_BENCH   (run from the repository root; DOCS_TEST_VERBOSE=1
       prints every command with its exit code and time)

What it checks, in README.md and docs/*.md:
- Every fenced ```sh block with a line that runs `spotsim`, `spotsim-bench`, `spotviz` or `chaos-agent`
  (also as build/<dir>/spotsim, build/<dir>/chaos-agent/chaos-agent, ...) is run, line by line, with those
  names mapped onto the binaries given on the command line. Other lines of such a block (curl,
  scripts/demo, systemctl, ...) are never run, except `mkdir -p DIR` and `cp SRC DST` inside the
  temp dir. A line fails on a non-zero exit; exit 1 is allowed only when the
  line's comment says the command fails an expectation ("exit 1 if an expectation fails"). A quoted
  string in a line's comment (`chaos-agent status   # "no live injections"`) must appear in its output.
- Every ```yaml block that is a complete scenario (a line `spotsim: 1`) is written to a temp file and
  checked with `spotsim validate`; a fragment marked `wrap` is validated inside a small scenario,
  a plan marked `plan` with `chaos-agent gameday --dry-run`; other fragments are skipped.

An HTML comment on the line(s) just before a block (blank lines allowed) steers it:
  <!-- docs-test: skip REASON -->          not run (the reason is printed)
  <!-- docs-test: synopsis -->             a usage synopsis with placeholders: not run
  <!-- docs-test: file NAME -->            (yaml) also saved as NAME for the doc's later sh blocks
  <!-- docs-test: wrap PATH -->            (yaml) a fragment: validated inside a small scenario at
                                           PATH ("." top level, "fleets.web", "pools.m5-1a"; see
                                           WRAP_BASE); with `each-line` every line separately
  <!-- docs-test: plan -->                 (yaml) a game-day plan: `chaos-agent gameday --dry-run`
  <!-- docs-test: setup COMMAND -->        run first (same rules as a block line; `chaos-agent
                                           serve` runs in the background until the doc is done)
  <!-- docs-test: needs root -->           run only as root or in a user namespace (else skipped)
  <!-- docs-test: needs display -->        spotviz: run with --screenshot under xvfb-run (spotviz
                                           lines always are; this marks the block for readers)
  <!-- docs-test: skip-line COMMAND -->    lines running COMMAND (build/<dir>/ ignored), alone or with
                                           arguments, are not run (say why in a note); in a yaml
                                           block with each-line: entries starting with COMMAND
  <!-- docs-test: note TEXT -->             for readers of the markdown source; ignored
Several directives may share one comment, separated by ';'.

Isolation: each doc's blocks run in a fresh temp directory holding copies of scenarios/ and
examples/ (so outputs never land in the repository; the test fails if the repository changed).
The whole test re-runs itself in new network and mount namespaces (as root, or else in a user
namespace when the kernel allows; as root it refuses to run without): only a loopback interface
exists (no traffic leaves the machine, NAT rules installed by `chaos-agent serve --intercept` die
with the namespace) and /run and /var/log are private tmpfs mounts.
"""
import glob
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time

TIMEOUT = 60  # seconds per command
KNOWN = {"skip", "synopsis", "file", "setup", "needs", "note", "skip-line", "wrap", "each-line", "plan"}
FENCE = re.compile(r"^```(\w*)[^\n]*\n(.*?)^```[ \t]*$", re.M | re.S)
DIRECTIVE = re.compile(r"<!--\s*docs-test:\s*(.*?)\s*-->")
PROGRAM = re.compile(r"(?:(?<=^)|(?<=\s))(?:build/[\w.-]+/)?(chaos-agent/chaos-agent|chaos-agent|spotsim-bench|spotsim|spotviz)(?=\s|$)")
PRIVATE_XVFB = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "common", "private_xvfb.py")
EXIT1_OK = re.compile(r"exit 1 (if|when) an? (expectation|expect)", re.I)


def line_kind(cmd):
    """'program' if the line runs spotsim/spotviz/chaos-agent (first word, after VAR=x and xvfb-run -a),
    'mkdir' for `mkdir -p DIR...` (a relative DIR, or under /run or /var/log, which are private
    when the test runs isolated), 'cp' for `cp SRC DST` (relative paths: inside the temp dir),
    None for anything else: such lines are never run."""
    try:
        words = shlex.split(cmd)
    except ValueError:
        return None
    while words and re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*=.*", words[0]):
        words = words[1:]
    if words[:2] == ["xvfb-run", "-a"]:
        words = words[2:]
    if not words:
        return None
    if PROGRAM.fullmatch(words[0]):
        return "program"
    if words[0] == "cp" and len(words) == 3 and all(not os.path.isabs(w) and ".." not in w.split("/") for w in words[1:]):
        return "cp"
    if words[:2] == ["mkdir", "-p"] and len(words) > 2 and all(
            not os.path.isabs(d) or (os.environ.get("DOCS_TEST_ISOLATED") and re.match(r"/(run|var/log)/", d))
            for d in words[2:]) and all(".." not in d.split("/") for d in words[2:]):
        return "mkdir"
    return None


def split_comment(line):
    """(command, comment) of one shell line: the comment starts at an unquoted ' #'."""
    quote = None
    for i, c in enumerate(line):
        if quote:
            if c == quote:
                quote = None
        elif c in "'\"":
            quote = c
        elif c == "#" and (i == 0 or line[i - 1].isspace()):
            return line[:i].rstrip(), line[i + 1:].strip()
    return line.rstrip(), ""


class Block:
    def __init__(self, doc, line, lang, body, directives):
        self.doc, self.line, self.lang, self.body = doc, line, lang, body
        self.directives = directives  # list of (word, argument)

    def has(self, word):
        return any(w == word for w, _ in self.directives)

    def arg(self, word):
        return next((a for w, a in self.directives if w == word), None)

    def where(self):
        return f"{self.doc}:{self.line}"


def blocks_of(doc):
    text = open(doc).read()
    out = []
    for m in FENCE.finditer(text):
        # Directives: HTML comments on the lines right before the fence (blank lines allowed).
        before = text[:m.start()].rstrip("\n").split("\n")
        directives = []
        while before:
            last = before[-1].strip()
            if not last:
                before.pop()
                continue
            d = DIRECTIVE.fullmatch(last)
            if not d:
                break
            for part in d.group(1).split(";"):
                word, _, arg = part.strip().partition(" ")
                if word:
                    directives.append((word, arg.strip()))
            before.pop()
        line = text.count("\n", 0, m.start()) + 1
        out.append(Block(doc, line, m.group(1), m.group(2), directives))
    return out


def logical_lines(body):
    lines, cur = [], ""
    for raw in body.split("\n"):
        if raw.rstrip().endswith("\\"):
            cur += raw.rstrip()[:-1] + " "
            continue
        lines.append(cur + raw)
        cur = ""
    if cur:
        lines.append(cur)
    return lines


class Runner:
    def __init__(self, spotsim, spotviz, agent, bench):
        self.bins = {"spotsim": spotsim, "spotviz": spotviz, "chaos-agent": agent, "chaos-agent/chaos-agent": agent,
                     "spotsim-bench": bench}
        self.failures, self.ran, self.validated, self.skipped = [], 0, 0, []
        self.xvfb = shutil.which("Xvfb") and shutil.which("xauth")
        self.root = os.geteuid() == 0
        self.background = []
        self.shots = 0

    def fail(self, block, msg):
        self.failures.append(f"{block.where()}: {msg}")

    def skip(self, block, why):
        self.skipped.append(f"{block.where()} ({block.lang}): {why}")

    # -- commands ----------------------------------------------------------------------------
    def rewrite(self, cmd, work):
        """Map program names onto the binaries; spotviz gets --screenshot on an X server of its own
        (`xvfb-run -a` as the docs write it becomes tests/common/private_xvfb.py, which cannot pick a
        display another test is using)."""
        cmd = PROGRAM.sub(lambda m: shlex.quote(self.bins[m.group(1)]), cmd, count=1)
        viz = shlex.quote(self.bins["spotviz"])
        if viz in cmd and "--screenshot" not in cmd:
            self.shots += 1
            cmd = cmd.replace(viz, f"{viz} --screenshot {shlex.quote(os.path.join(work, f'docs-shot-{self.shots}.png'))}", 1)
        if viz in cmd:
            # VAR=x assignments stay in front: the wrapper passes its environment on.
            m = re.match(r"((?:[A-Za-z_][A-Za-z0-9_]*=\S*\s+)*)(?:xvfb-run -a\s+)?(.*)", cmd, re.S)
            cmd = f"{m.group(1)}{shlex.quote(sys.executable)} {shlex.quote(PRIVATE_XVFB)} -- {m.group(2)}"
        return cmd

    def run_line(self, block, line, work, env):
        cmd, comment = split_comment(line)
        kind = line_kind(cmd)
        if kind is None:
            return True
        if kind == "cp":
            src, dst = shlex.split(cmd)[1:]
            shutil.copy(os.path.join(work, src), os.path.join(work, dst))
            return True
        if kind == "mkdir":
            for d in shlex.split(cmd)[2:]:
                os.makedirs(d if os.path.isabs(d) else os.path.join(work, d), exist_ok=True)
            return True
        if re.search(r"&&|\|\||;|\||`|\$\(", cmd):
            self.fail(block, f"`{cmd}`: only simple commands (with > redirection) are run; mark the block skip")
            return False
        snippets = re.findall(r'"([^"]+)"', comment)
        allowed = {0, 1} if EXIT1_OK.search(comment) else {0}
        bare = re.sub(r"(^|\s)build/[\w.-]+/", r"\1", cmd).strip()
        for w, a in block.directives:
            if w == "skip-line" and (bare == a or bare.startswith(a + " ")):
                self.skipped.append(f"{block.where()} (line): `{cmd.strip()}`: {block.arg('note') or 'skip-line'}")
                return True
        real = self.rewrite(cmd, work)
        if re.search(r"chaos-agent\S*\s+serve\b", real) or re.search(r"chaos-agent\S*\s+serve\b", cmd):
            return self.start_agent(block, cmd, real, work, env)
        t0 = time.monotonic()
        try:
            p = subprocess.run(["bash", "-c", real], cwd=work, env=env, capture_output=True, text=True,
                               timeout=TIMEOUT, stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired:
            self.fail(block, f"`{cmd}` did not finish in {TIMEOUT} s")
            return False
        self.ran += 1
        out = p.stdout + p.stderr
        if os.environ.get("DOCS_TEST_VERBOSE"):
            print(f"  {block.where()}: exit {p.returncode} in {time.monotonic() - t0:.1f} s: {cmd}")
        if p.returncode not in allowed:
            self.fail(block, f"`{cmd}` exited {p.returncode}"
                      f"{' (the doc allows exit 1)' if 1 in allowed else ''}\n{indent(out)}")
            return False
        shot = re.search(r"--screenshot (\S+)", real)
        png = os.path.join(work, shlex.split(shot.group(1))[0]) if shot else None
        if png and not (os.path.exists(png) and os.path.getsize(png) > 0):
            self.fail(block, f"`{cmd}` wrote no screenshot\n{indent(out)}")
            return False
        for s in snippets:
            if s not in out:
                self.fail(block, f"`{cmd}`: the output no longer contains \"{s}\"\n{indent(out)}")
                return False
        return True

    def start_agent(self, block, cmd, real, work, env):
        if not self.root:
            self.fail(block, f"`{cmd}` needs root: mark the block `<!-- docs-test: needs root -->`")
            return False
        ready = os.path.join(work, f"agent-ready-{len(self.background)}.json")
        log = open(os.path.join(work, f"agent-{len(self.background)}.log"), "w+")
        p = subprocess.Popen(["bash", "-c", f"exec {real} --ready-file {shlex.quote(ready)}"], cwd=work, env=env,
                             stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        self.background.append((p, log))
        deadline = time.monotonic() + 30
        while not os.path.exists(ready):
            if p.poll() is not None or time.monotonic() > deadline:
                log.seek(0)
                self.fail(block, f"`{cmd}` did not start (exit {p.poll()})\n{indent(log.read())}")
                return False
            time.sleep(0.05)
        self.ran += 1
        return True

    def stop_agents(self, block):
        for p, log in self.background:
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
                try:
                    p.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    p.kill()
                    p.wait()
            if p.returncode not in (0, -signal.SIGTERM):
                log.seek(0)
                self.fail(block, f"chaos-agent serve exited {p.returncode} when stopped\n{indent(log.read())}")
            log.close()
        self.background = []

    # -- blocks ------------------------------------------------------------------------------
    def run_doc(self, doc, blocks):
        work = tempfile.mkdtemp(prefix="docs-test-")
        try:
            for d in ("scenarios", "examples"):
                shutil.copytree(d, os.path.join(work, d), symlinks=True)
            env = dict(os.environ)
            last = None
            for b in blocks:
                last = b
                self.run_block(b, work, env)
            if last:
                self.stop_agents(last)
        finally:
            shutil.rmtree(work, ignore_errors=True)

    def run_block(self, b, work, env):
        for w, _ in b.directives:
            if w not in KNOWN:
                self.fail(b, f"unknown directive `docs-test: {w}` (known: {', '.join(sorted(KNOWN))})")
                return
        if b.lang == "yaml":
            if b.arg("file"):
                open(os.path.join(work, b.arg("file")), "w").write(b.body)
            if b.has("skip"):
                self.skip(b, b.arg("skip") or "marked skip")
            elif b.has("plan"):
                self.validate(b, work, [self.bins["chaos-agent"], "gameday"], ["--dry-run"], b.body)
            elif re.search(r"^spotsim:\s*1\s*$", b.body, re.M):
                self.validate(b, work, [self.bins["spotsim"], "validate"], [], b.body)
            elif b.has("wrap"):
                pieces = entries(b.body) if b.has("each-line") else [b.body]
                for piece in pieces:
                    if any(w == "skip-line" and piece.startswith(a) for w, a in b.directives):
                        self.skipped.append(f"{b.where()} (entry): `{piece.split(chr(10))[0]}`: {b.arg('note') or 'skip-line'}")
                        continue
                    text = wrap(b.arg("wrap"), piece)
                    if text is None:
                        self.fail(b, "`wrap` needs PyYAML (python3-yaml)")
                        return
                    self.validate(b, work, [self.bins["spotsim"], "validate"], [], text)
            elif re.search(r"(^|[\s,{\[])\.\.\.([\s,}\]]|$)", b.body):
                self.skip(b, "a sketch (it has `...`)")
            else:
                self.skip(b, f"a fragment: {b.arg('note') or 'no spotsim: 1 and no wrap'}")
            return
        if b.lang != "sh":
            return
        lines = logical_lines(b.body)
        if not any(line_kind(split_comment(l)[0]) == "program" for l in lines):
            return
        if b.has("skip"):
            self.skip(b, b.arg("skip") or "marked skip")
            return
        if b.has("synopsis"):
            self.skip(b, "usage synopsis")
            return
        if any(w == "needs" and a == "root" for w, a in b.directives) and not self.root:
            self.skip(b, "needs root; not root")
            return
        if any(re.search(r"(^|\s)(\S*/)?spotviz(\s|$)", split_comment(l)[0]) for l in lines) and not self.xvfb:
            self.skip(b, "needs a display; no Xvfb")
            return
        for w, a in b.directives:
            if w == "setup" and not self.run_line(b, a, work, env):
                return
        for l in lines:
            if not self.run_line(b, l, work, env):
                return

    def validate(self, b, work, command, options, text):
        # In scenarios/, so that relative paths (traces/...) resolve as for a bundled scenario.
        path = os.path.join(work, "scenarios", f"docs-block-{os.path.basename(b.doc)}-{b.line}.yaml")
        open(path, "w").write(text)
        p = subprocess.run(command + [path] + options, cwd=work, capture_output=True, text=True, timeout=TIMEOUT)
        self.validated += 1
        if p.returncode != 0:
            self.fail(b, f"block does not validate (`{' '.join(os.path.basename(c) for c in command)}`, "
                      f"exit {p.returncode})\n{indent(p.stdout + p.stderr)}"
                      + ("" if text == b.body else f"  validated as:\n{indent(text)}"))


# The scenario a fragment is wrapped into (`wrap PATH`): pools m5-1a/m5-1b (AWS us-east-1a/b), the
# fleets `web` and `batch` over them. PATH is where the fragment's keys go ("." for the top level); maps merge
# key by key, anything else replaces.
WRAP_BASE = """
spotsim: 1
name: docs-fragment
duration: 7d
replications: 1
pools:
  m5-1a: {provider: aws, region: us-east-1, zone: us-east-1a, instance_type: m5.xlarge,
          vcpus: 4, spot_price: 0.058, on_demand_price: 0.192, capacity: 500, interruption: {rate: 0.05/h}}
  m5-1b: {provider: aws, region: us-east-1, zone: us-east-1b, instance_type: m5.xlarge,
          vcpus: 4, spot_price: 0.058, on_demand_price: 0.192, capacity: 500, interruption: {rate: 0.05/h}}
fleets:
  web: {pools: [m5-1a, m5-1b], target: 10, boot_time: 90s}
  batch: {pools: [m5-1a, m5-1b], target: 4, boot_time: 90s}
"""


def entries(body):
    """The top-level entries of a YAML fragment: a line at column 0 with its indented continuation."""
    out = []
    for line in body.strip("\n").split("\n"):
        if out and (line[:1].isspace() or not line.strip()):
            out[-1] += "\n" + line
        else:
            out.append(line)
    return out


def wrap(path, fragment):
    try:
        import yaml
    except ImportError:
        return None

    def merge(a, b):
        for k, v in b.items():
            a[k] = merge(a[k], v) if isinstance(a.get(k), dict) and isinstance(v, dict) else v
        return a
    doc = yaml.safe_load(WRAP_BASE)
    node = doc
    for key in ([] if path in (None, "", ".") else path.split(".")):
        node = node.setdefault(key, {})
    merge(node, yaml.safe_load(fragment) or {})
    return yaml.safe_dump(doc, sort_keys=False)


def indent(text, limit=3000):
    text = text if len(text) <= limit else text[:limit] + "\n..."
    return "".join("    | " + l + "\n" for l in text.rstrip("\n").split("\n"))


def isolate():
    """Re-run in new network + mount namespaces (loopback only; private /run and /var/log): as root
    directly, otherwise in a user namespace if the kernel allows one. Returns only when it cannot."""
    if os.environ.get("DOCS_TEST_ISOLATED") or not shutil.which("unshare"):
        return
    ns = ["--net", "--mount"] if os.geteuid() == 0 else ["--user", "--map-root-user", "--net", "--mount"]
    if subprocess.run(["unshare"] + ns + ["true"], capture_output=True).returncode != 0:
        return
    env = dict(os.environ, DOCS_TEST_ISOLATED="1")
    setup = ("set -e; ip link set lo up; mount --make-rprivate /; "
             "mount -t tmpfs tmpfs /run; mount -t tmpfs tmpfs /var/log; exec \"$@\"")
    args = ["unshare"] + ns + ["--", "sh", "-c", setup, "sh", sys.executable] + sys.argv
    os.execvpe("unshare", args, env)


def main():
    if len(sys.argv) < 5:
        sys.exit(__doc__)
    for b in sys.argv[1:5]:
        if not os.access(b, os.X_OK):
            sys.exit(f"not an executable: {b}")
    isolate()
    if os.geteuid() == 0 and not os.environ.get("DOCS_TEST_ISOLATED"):
        sys.exit("as root the test runs only in its own network and mount namespaces, and `unshare` failed")
    bins = [os.path.abspath(b) for b in sys.argv[1:5]]
    r = Runner(*bins)
    docs = ["README.md"] + sorted(glob.glob("docs/*.md"))
    before = subprocess.run(["git", "status", "--porcelain"], capture_output=True, text=True).stdout
    t0 = time.monotonic()
    for doc in docs:
        r.run_doc(doc, blocks_of(doc))
    after = subprocess.run(["git", "status", "--porcelain"], capture_output=True, text=True).stdout
    if after != before:
        r.failures.append(f"the docs' commands changed the repository:\n{indent(after)}")
    print(f"docs: {r.ran} commands run, {r.validated} YAML blocks (or entries) validated, "
          f"{len(r.skipped)} blocks skipped ({time.monotonic() - t0:.1f} s)")
    for s in r.skipped:
        print(f"  skipped {s}")
    if r.failures:
        print(f"\n{len(r.failures)} doc(s) differ from the programs:\n")
        for f in r.failures:
            print(f"FAIL {f}\n")
        sys.exit(1)
    print("ok")


if __name__ == "__main__":
    main()
