"""chaos-agent's Debian package: `cpack -G DEB` builds it, it installs into a fresh root, and purge
removes it and the NAT rule an agent left behind.

usage: deb_package.py BUILD_DIR

1. cpack -G DEB in BUILD_DIR (into a temp dir): one package, chaos-agent_VERSION_ARCH.deb.
2. Its control data: Depends names iptables, /etc/default/chaos-agent is a conffile, the
   maintainer scripts are valid sh.
3. dpkg --root=ROOT --force-script-chrootless installs it into an empty root (its own dpkg
   database; the maintainer scripts see DPKG_ROOT and start nothing): the binary runs and
   prints its version, the unit runs /usr/bin/chaos-agent with ExecStopPost cleanup and reads
   /etc/default/chaos-agent, the man page and the default config are there.
4. Inside a network namespace this test creates (never the host's rules): the installed agent
   starts with --intercept and is killed with SIGKILL, leaving its NAT rule; `dpkg --purge`
   (prerm runs chaos-agent cleanup) removes the rule, the files, the conffile and the state.
Exit 77 (skip) without root, dpkg or cpack; step 4 also needs ip and iptables.
"""
import glob
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "../chaos_agent/clients"))
from harness import check, run, skip  # noqa: E402

build = os.path.abspath(sys.argv[1])


if os.geteuid() != 0:
    skip("dpkg --root and the network namespace need root")
for tool in ("cpack", "dpkg", "dpkg-deb"):
    if shutil.which(tool) is None:
        skip(tool + " is not installed")

tmp = tempfile.mkdtemp(prefix="chaos-agent-deb-")
ns = None
try:
    # 1. The package.
    run("cpack", "-G", "DEB", "--config", os.path.join(build, "CPackConfig.cmake"), "-B", tmp, cwd=tmp, timeout=300)
    debs = glob.glob(os.path.join(tmp, "*.deb"))
    check(len(debs) == 1 and os.path.basename(debs[0]).startswith("chaos-agent_"), "cpack -G DEB made one chaos-agent package: %s" % debs)
    deb = debs[0]

    # 2. Control data.
    control = run("dpkg-deb", "-f", deb).stdout
    check("Package: chaos-agent" in control and "iptables" in control.split("Depends:")[1].split("\n")[0],
          "control: package chaos-agent, depends on iptables")
    ctl = os.path.join(tmp, "control")
    run("dpkg-deb", "-e", deb, ctl)
    check(open(os.path.join(ctl, "conffiles")).read().split() == ["/etc/default/chaos-agent"],
          "/etc/default/chaos-agent is a conffile")
    for script in ("postinst", "prerm", "postrm"):
        path = os.path.join(ctl, script)
        check(os.access(path, os.X_OK) and run("sh", "-n", path, check=False).returncode == 0,
              script + " is an executable, valid sh script")
    listing = run("dpkg-deb", "-c", deb).stdout
    for f in ("./usr/bin/chaos-agent", "./usr/lib/systemd/system/chaos-agent.service", "./etc/default/chaos-agent",
              "./usr/share/man/man1/chaos-agent.1", "./usr/share/doc/chaos-agent/chaos-agent.md"):
        check(f in listing, "the package holds " + f)
    check("spotsim" not in listing.replace("chaos-agent", ""), "nothing of the simulator is in the package")

    # 3. Install into an empty root.
    root = os.path.join(tmp, "root")
    for d in ("var/lib/dpkg/info", "var/lib/dpkg/updates", "var/lib/dpkg/triggers"):
        os.makedirs(os.path.join(root, d))
    open(os.path.join(root, "var/lib/dpkg/status"), "w").close()
    dpkg = ["dpkg", "--root=" + root, "--force-script-chrootless", "--force-depends", "--log=/dev/null"]
    run(*dpkg, "-i", deb, timeout=120)
    status = run("dpkg-query", "--root=" + root, "-W", "-f=${Status}", "chaos-agent").stdout
    check(status == "install ok installed", "dpkg --root installed it: " + status)
    agent = os.path.join(root, "usr/bin/chaos-agent")
    version = run(agent, "--version").stdout.strip()
    check(version.startswith("chaos-agent "), "the installed binary runs: " + version)
    unit = open(os.path.join(root, "usr/lib/systemd/system/chaos-agent.service")).read()
    check("ExecStart=/usr/bin/chaos-agent serve" in unit and "$CHAOS_AGENT_OPTS" in unit,
          "the unit runs /usr/bin/chaos-agent with the options of /etc/default/chaos-agent")
    check("ExecStopPost=/usr/bin/chaos-agent cleanup --state-file /run/chaos-agent/state.json --force" in unit,
          "the unit runs cleanup after the agent stops, whatever the reason")
    check("EnvironmentFile=-/etc/default/chaos-agent" in unit, "the unit reads /etc/default/chaos-agent")
    default = open(os.path.join(root, "etc/default/chaos-agent")).read()
    check('CHAOS_AGENT_OPTS="--intercept --intercept-exempt mark' in default, "the default config: " +
          [l for l in default.splitlines() if l.startswith("CHAOS")][0])
    man = open(os.path.join(root, "usr/share/man/man1/chaos-agent.1")).read()
    check(man.startswith(".TH CHAOS-AGENT 1") and '.SH "chaos-agent serve"' in man and "--max-duration" in man,
          "the man page has every subcommand's --help")
    check(os.path.isdir(os.path.join(root, "var/log/chaos-agent")), "postinst made /var/log/chaos-agent")

    # 4. Purge removes an agent's leftover rule, inside a network namespace.
    if shutil.which("ip") is None or shutil.which("iptables") is None:
        skip("ip or iptables is not installed: the purge-removes-rules step is skipped")
    ns = "chaos-agent-deb-%d" % os.getpid()
    if run("ip", "netns", "add", ns, check=False).returncode != 0:
        skip("cannot create a network namespace here")
    run("ip", "netns", "exec", ns, "ip", "link", "set", "lo", "up")
    state = os.path.join(root, "run/chaos-agent/state.json")
    ready = os.path.join(tmp, "ready.json")
    p = subprocess.Popen(["ip", "netns", "exec", ns, agent, "serve", "--intercept", "--upstream", "none",
                          "--listen", "127.0.0.1:0", "--control", "unix:" + os.path.join(root, "run/chaos-agent/control.sock"),
                          "--state-file", state, "--ready-file", ready],
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    for _ in range(200):
        if os.path.exists(ready) or p.poll() is not None:
            break
        time.sleep(0.05)
    check(os.path.exists(ready), "the installed agent started with --intercept")
    pid = json.load(open(ready))["pid"]
    os.kill(pid, signal.SIGKILL)
    p.wait(timeout=10)

    def rules():
        out = run("ip", "netns", "exec", ns, "iptables", "-t", "nat", "-S", "OUTPUT").stdout
        return [l for l in out.splitlines() if "chaos-agent" in l]

    check(len(rules()) == 1 and os.path.exists(state), "SIGKILL left the NAT rule and the state file")
    run("ip", "netns", "exec", ns, *dpkg, "--purge", "chaos-agent", timeout=120)
    check(rules() == [], "dpkg --purge removed the rule (prerm ran chaos-agent cleanup)")
    status = run("dpkg-query", "--root=" + root, "-W", "-f=${Status}", "chaos-agent", check=False)
    check(status.returncode != 0 or "not-installed" in status.stdout, "the package is purged")
    for f in ("usr/bin/chaos-agent", "usr/lib/systemd/system/chaos-agent.service", "etc/default/chaos-agent",
              "run/chaos-agent", "var/log/chaos-agent"):
        check(not os.path.exists(os.path.join(root, f)), "gone after purge: /" + f)
finally:
    if ns:
        subprocess.run(["ip", "netns", "del", ns], capture_output=True)
    shutil.rmtree(tmp, ignore_errors=True)
print("deb package: ok")
