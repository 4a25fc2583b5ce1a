#!/usr/bin/env python3
"""docs/deployment.md can be followed on one machine: its ```sh blocks are run
in order with bash, beside a copy of rules/ and examples/, after writing the
files its paragraphs ending "File `PATH` ...:" announce. Every block must
succeed (the blocks check their own outcome with grep).

The document's ports (7000-7005 for the cluster, 6380-6381 and 26379-26381
for Sentinel) are replaced by free ones (other engineers run tests at the
same time), and build/ by the build directory. Every Redis server the blocks
start (daemonized, with a pid file) is killed at the end, on every way out,
and by a watchdog if this test itself is killed.

Usage: deployment_test.py BUILD_DIR REPO
"""
import ctypes
import glob
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from docs_test import blocks  # noqa: E402

CLUSTER_PORTS = [7000, 7001, 7002, 7003, 7004, 7005]
OTHER_PORTS = [6380, 6381, 26379, 26380, 26381]


def bindable(port):
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
            return True
        except OSError:
            return False


def free_ports(count, with_bus):
    """Ports free now; with_bus: port + 10,000 free as well (the cluster bus)."""
    out = []
    while len(out) < count:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        if port in out or (with_bus and (port + 10000 > 65535 or not bindable(port + 10000))):
            continue
        out.append(port)
    return out


def kill_pidfiles(work):
    for f in glob.glob(os.path.join(work, "**", "*.pid"), recursive=True):
        try:
            os.kill(int(open(f).read().strip()), signal.SIGKILL)
        except (ValueError, OSError):
            pass


def watchdog(work):
    """A child that kills the servers if this process dies without cleaning up."""
    libc = ctypes.CDLL(None)
    script = ("trap 'for f in $(find %s -name \"*.pid\"); do kill -9 $(cat $f) 2>/dev/null; done;"
              " exit 0' TERM; while :; do sleep 1; done" % work)
    return subprocess.Popen(["/bin/sh", "-c", script],
                            preexec_fn=lambda: libc.prctl(1, signal.SIGTERM))


def main():
    build, repo = os.path.abspath(sys.argv[1]), sys.argv[2]
    with open(os.path.join(repo, "docs", "deployment.md")) as f:
        text = f.read()
    mapping = dict(zip(CLUSTER_PORTS, free_ports(len(CLUSTER_PORTS), True)))
    mapping.update(zip(OTHER_PORTS, free_ports(len(OTHER_PORTS), False)))

    def localize(s):
        s = re.sub(r"(?<![0-9])(%s)(?![0-9])" % "|".join(map(str, mapping)),
                   lambda m: str(mapping[int(m.group(1))]), s)
        return re.sub(r"(?<![\w/.-])build/", build + "/", s)

    failures, count = [], 0
    work = tempfile.mkdtemp(prefix="vigil-deploy-")
    guard = watchdog(work)
    try:
        for tree in ("rules", "examples"):
            shutil.copytree(os.path.join(repo, tree), os.path.join(work, tree))
        for info, body, before in blocks(text):
            m = re.search(r"\b[Ff]ile `([^`]+)`.*:$", before)
            if m:
                with open(os.path.join(work, m.group(1)), "w") as f:
                    f.write(body)
                continue
            if info != "sh":
                continue
            script = localize(body)
            r = subprocess.run(["bash", "-e", "-o", "pipefail", "-c", script], cwd=work,
                               capture_output=True, text=True, timeout=180)
            count += 1
            if r.returncode != 0:
                failures.append("deployment.md: block %d exited %d:\n%s\n%s%s"
                                % (count, r.returncode, script, r.stdout, r.stderr))
                break
    finally:
        kill_pidfiles(work)
        guard.kill()
        guard.wait()
        shutil.rmtree(work, ignore_errors=True)
    for f in failures:
        print("FAIL " + f)
    if not failures:
        print("docs/deployment.md: %d blocks succeed" % count)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
