#!/usr/bin/env python3
"""The example hosts give the same decisions as `vigil eval` on the example pack.

    hosts_test.py VIGIL LIBRARY C_HOST REPO [HOSTS]

HOSTS is a comma-separated subset of c_host,python_host,jvm_host (default: all).
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile


def results(cmd, events):
    with open(events, "rb") as f:
        run = subprocess.run(cmd, stdin=f, capture_output=True)
    if run.returncode != 0:
        raise SystemExit("%s failed (%d): %s" % (cmd[0], run.returncode, run.stderr.decode()))
    out = []
    for line in run.stdout.decode().splitlines():
        # Every member must agree, "event" (the event's id, docs/language.md) included.
        out.append(json.loads(line))
    return out


def main():
    vigil, lib, c_host, repo = sys.argv[1:5]
    wanted = set((sys.argv[5] if len(sys.argv) > 5 else "c_host,python_host,jvm_host").split(","))
    rules = repo + "/rules/examples/card_rules.vgl"
    events = repo + "/examples/events.jsonl"
    want = results([vigil, "eval", "--rules", rules, "--events", "-"], events)
    hosts = {
        "c_host": [c_host, lib, rules],
        "python_host": [sys.executable, repo + "/examples/python_host/vigil_host.py", lib, rules],
    }
    # The JVM host is compiled here with javac against Debian's JNA.
    jna = "/usr/share/java/jna.jar"
    classes = tempfile.mkdtemp()
    try:
        if "jvm_host" in wanted:
            subprocess.run(["javac", "-cp", jna, "-d", classes,
                            repo + "/examples/jvm_host/VigilHost.java"], check=True)
            # A relative library path, as a user types it, must work too.
            hosts["jvm_host"] = ["java", "-cp", jna + os.pathsep + classes, "VigilHost",
                                 os.path.relpath(lib), rules]
        hosts = {k: v for k, v in hosts.items() if k in wanted}
        failed = run_hosts(hosts, events, want)
    finally:
        shutil.rmtree(classes, ignore_errors=True)
    print("%d passed, %d failed" % (len(hosts) - failed, failed))
    return 1 if failed else 0


def run_hosts(hosts, events, want):
    failed = 0
    for name, cmd in hosts.items():
        got = results(cmd, events)
        if got != want:
            failed += 1
            print("%s disagrees with vigil eval" % name)
        else:
            print("%s: %d results agree with vigil eval" % (name, len(got)))
    return failed


if __name__ == "__main__":
    sys.exit(main())
