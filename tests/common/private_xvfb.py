#!/usr/bin/python3
"""Run one command on an X server of its own: a race-free `xvfb-run -a` for tests run in parallel.

  private_xvfb.py [--screen 1600x1200x24] -- COMMAND [ARGS...]

`xvfb-run -a` picks a display number by looking for /tmp/.X<n>-lock files; two started at the same
moment can pick the same number, and one command then talks to the other's server with the wrong
cookie ("cannot open a display"), or its cleanup fails (exit 5). Here Xvfb chooses a free display
itself and reports it on a pipe (-displayfd), so parallel tests never collide. The server listens on
its Unix socket only (-nolisten tcp) and is stopped when the command ends. The exit code is the
command's; 1 with a message if Xvfb cannot start.
"""
import os
import select
import shutil
import signal
import subprocess
import sys
import tempfile

USAGE = "usage: private_xvfb.py [--screen WxHxD] -- COMMAND [ARGS...]"


def start(screen="1600x1200x24", timeout=30.0):
    """Start Xvfb; returns (process, display string like ':7', temp dir holding its cookie file)."""
    xvfb = shutil.which("Xvfb")
    if not xvfb:
        raise RuntimeError("Xvfb not found: install xvfb (scripts/install-deps)")
    tmp = tempfile.mkdtemp(prefix="private-xvfb.")
    auth = os.path.join(tmp, "Xauthority")
    cookie = os.urandom(16).hex()
    # The server loads every cookie in its -auth file whatever display the entry names, so the cookie
    # goes in before the display number is known; the client's entry for that display follows.
    subprocess.run(["xauth", "-f", auth, "add", ":0", "MIT-MAGIC-COOKIE-1", cookie], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    r, w = os.pipe()
    proc = subprocess.Popen([xvfb, "-displayfd", str(w), "-nolisten", "tcp", "-auth", auth, "-screen", "0", screen],
                            pass_fds=(w,), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    os.close(w)
    num = b""
    try:
        while not num.endswith(b"\n"):
            ready, _, _ = select.select([r], [], [], timeout)
            if not ready:
                raise RuntimeError(f"Xvfb did not report a display within {timeout:.0f} s")
            chunk = os.read(r, 64)
            if not chunk:
                err = proc.stderr.read().decode(errors="replace") if proc.poll() is not None else ""
                raise RuntimeError(f"Xvfb exited before reporting a display:\n{err}")
            num += chunk
    except Exception:
        stop(proc, tmp)
        raise
    finally:
        os.close(r)
    display = ":" + num.decode().strip()
    subprocess.run(["xauth", "-f", auth, "add", display, "MIT-MAGIC-COOKIE-1", cookie], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return proc, display, tmp


def stop(proc, tmp):
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    shutil.rmtree(tmp, ignore_errors=True)


def main(argv):
    screen = "1600x1200x24"
    if argv[:1] == ["--screen"] and len(argv) >= 2:
        screen, argv = argv[1], argv[2:]
    if argv[:1] != ["--"] or len(argv) < 2:
        print(USAGE, file=sys.stderr)
        return 2
    try:
        proc, display, tmp = start(screen)
    except (RuntimeError, OSError, subprocess.CalledProcessError) as e:
        print(f"private_xvfb.py: {e}", file=sys.stderr)
        return 1
    try:
        env = dict(os.environ, DISPLAY=display, XAUTHORITY=os.path.join(tmp, "Xauthority"))
        return subprocess.run(argv[1:], env=env).returncode
    finally:
        stop(proc, tmp)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
