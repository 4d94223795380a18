"""The DaemonSet image and manifest, checked statically (no image is built: this machine's CI may
reach no registry). usage: image_static.py REPO

packaging/Dockerfile: multi-stage on Debian 12 (a build stage, a debian:12-slim final stage),
the final stage runs as a non-root uid, gives only cap_net_admin (file capabilities on the agent
and on iptables), installs the binary where the manifest runs it, and its package list is in
Debian 12. examples/gameday/daemonset.yaml: every container of the agent's pod runs as that uid,
non-root, drops ALL capabilities and adds NET_ADMIN only, does not set
allowPrivilegeEscalation: false (which would drop the file capabilities), runs the binary the
image installs, and uses the host network.
"""
import os
import re
import shlex
import sys

import yaml

repo = sys.argv[1]


def check(cond, what):
    if not cond:
        print("FAIL: " + what, file=sys.stderr)
        raise SystemExit(1)
    print("ok: " + what)


text = open(os.path.join(repo, "packaging/Dockerfile")).read()
# Logical lines: continuations joined, comments dropped.
lines = []
for raw in re.sub(r"\\\n", " ", text).splitlines():
    s = raw.strip()
    if s and not s.startswith("#"):
        lines.append(s)
instr = [(l.split(None, 1)[0].upper(), l.split(None, 1)[1] if " " in l else "") for l in lines]
check(all(k in {"FROM", "WORKDIR", "COPY", "RUN", "USER", "ENTRYPOINT", "CMD", "ARG", "ENV", "LABEL"} for k, _ in instr),
      "only plain Dockerfile instructions: %s" % sorted({k for k, _ in instr}))
froms = [a for k, a in instr if k == "FROM"]
check(len(froms) == 2 and froms[0].startswith("debian:12 ") and froms[1].startswith("debian:12-slim"),
      "two stages: %s" % froms)
final = instr[[i for i, (k, _) in enumerate(instr) if k == "FROM"][1]:]
users = [a for k, a in final if k == "USER"]
check(len(users) == 1 and users[0].split(":")[0] not in ("0", "root"), "the final stage runs as a non-root uid: %s" % users)
uid = int(users[0].split(":")[0])
runs = " ".join(a for k, a in final if k == "RUN")
caps = re.findall(r"setcap\s+(\S+)", runs)
check(caps and all(c == "cap_net_admin+ep" for c in caps), "only cap_net_admin is granted: %s" % caps)
check("chaos-agent" in runs and "xtables-nft-multi" in runs, "the agent and iptables (nft) carry the capability")
copies = [a for k, a in final if k == "COPY"]
check(any(a.startswith("--from=build ") for a in copies), "the final stage copies only from the build stage")
entry = [a for k, a in final if k == "ENTRYPOINT"]
binary = yaml.safe_load(entry[0])[0] if entry else ""
check(binary == "/usr/local/bin/chaos-agent", "the entrypoint is the agent: %s" % binary)
build_runs = " ".join(a for k, a in instr[:len(instr) - len(final)] if k == "RUN")
check("scripts/install-deps" in build_runs and "--preset release" in build_runs and "/out/usr/local/bin/chaos-agent" in build_runs,
      "the build stage uses install-deps and the release preset, and installs the binary")
pkgs = re.search(r"apt-get install -y --no-install-recommends ([^&]+)", runs).group(1).split()
check(set(pkgs) <= {"iptables", "libcap2-bin", "libyaml-cpp0.7", "libssl3"}, "runtime packages: %s" % pkgs)

version = re.search(r"^project\(spotsim VERSION ([0-9.]+)", open(os.path.join(repo, "CMakeLists.txt")).read(), re.M).group(1)
docs = list(yaml.safe_load_all(open(os.path.join(repo, "examples/gameday/daemonset.yaml"))))
ds = [d for d in docs if d and d.get("kind") == "DaemonSet"][0]
pod = ds["spec"]["template"]["spec"]
check(pod.get("hostNetwork") is True, "the pod uses the node's network (its metadata traffic)")
containers = pod.get("containers", []) + pod.get("initContainers", [])
check(len(containers) >= 2, "the agent and its cleanup init container")
for c in containers:
    sc = c.get("securityContext", {})
    name = c["name"]
    check(sc.get("runAsUser") == uid and sc.get("runAsNonRoot") is True, name + ": runs as the image's uid %d, non-root" % uid)
    check(sc.get("capabilities") == {"drop": ["ALL"], "add": ["NET_ADMIN"]}, name + ": drops ALL, adds NET_ADMIN only")
    check(sc.get("allowPrivilegeEscalation") is not False and sc.get("privileged") is not True,
          name + ": not privileged, file capabilities still apply")
    check(c["command"][0] == binary, name + ": runs " + binary)
    check(c["image"].rsplit(":", 1)[-1] == version, name + ": the image tag is the project version " + version)
print("image and manifest: ok")
