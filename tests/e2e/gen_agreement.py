#!/usr/bin/env python3
"""End-to-end agreement with the workload generator's oracle.

Generates a seeded workload with ../shared/bench/gen.py, runs `vigil eval` on
it, and checks that for every event vigil fires exactly the rules that
expected.jsonl lists, in rule order. Exit 77 (skipped) when the generator is
not beside the checkout.

With --split-state (velocity workloads), the events are evaluated in two
runs of `vigil eval --state FILE`: the first saves the aggregates' state and
exits, the second restores it and goes on. The results must be those of one
uninterrupted run.

With --cache DIR, a workload is generated once and kept in DIR under the
SHA-256 of gen.py and of its arguments (the generator is seeded, so the
same key means the same files): CI's two trees and the velocity tests with
and without --split-state share each workload instead of generating it four
times (14 to 16 s of Python each for the larger ones).
"""
import fcntl
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile


def generate(gen, args, out):
    subprocess.run([sys.executable, gen] + args + ["--out", out], check=True,
                   stderr=subprocess.DEVNULL)


def cached_workload(gen, args, cache):
    """The directory of the workload gen.py makes with args, generated into cache
    unless it is there already. The files appear whole or not at all (written
    to a temporary directory, then renamed); a lock keeps two tests from
    generating one workload at once."""
    key = hashlib.sha256()
    with open(gen, "rb") as f:
        key.update(f.read())
    key.update(json.dumps(args).encode())
    os.makedirs(cache, exist_ok=True)
    final = os.path.join(cache, key.hexdigest()[:32])
    with open(os.path.join(cache, ".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not os.path.isdir(final):
            work = tempfile.mkdtemp(dir=cache, prefix=".new-")
            try:
                generate(gen, args, work)
                os.chmod(work, 0o755)
                os.rename(work, final)
            except BaseException:
                shutil.rmtree(work, ignore_errors=True)
                raise
    return final


def main():
    argv = sys.argv[1:]
    cache = None
    if "--cache" in argv:
        i = argv.index("--cache")
        cache = argv[i + 1]
        del argv[i:i + 2]
    vigil, gen, rules, events = argv[0], argv[1], argv[2], argv[3]
    extra = [a for a in argv[4:] if a != "--split-state"]
    split = "--split-state" in argv[4:]
    if not os.path.exists(gen):
        print("generator not found at %s: skipped" % gen)
        return 77
    gen_args = ["--rules", rules, "--events", events, "--seed", "1"] + extra
    with tempfile.TemporaryDirectory() as out:
        if cache is None:
            generate(gen, gen_args, out)
            workload = out
        else:
            workload = cached_workload(gen, gen_args, cache)
        rules_file = os.path.join(workload, "rules.vgl")
        events_file = os.path.join(workload, "events.jsonl")
        parts = [events_file]
        state = []
        if split:
            with open(events_file) as f:
                lines = f.readlines()
            half = len(lines) // 2
            parts = [os.path.join(out, "a.jsonl"), os.path.join(out, "b.jsonl")]
            for path, chunk in zip(parts, (lines[:half], lines[half:])):
                with open(path, "w") as f:
                    f.writelines(chunk)
            state = ["--state", os.path.join(out, "state.snap")]
        got = []
        for part in parts:
            run = subprocess.run([vigil, "eval", "--rules", rules_file, "--events", part,
                                  "--on-error", "fail"] + state, capture_output=True, text=True)
            if run.returncode != 0:
                print(run.stderr)
                print("vigil eval exited with %d" % run.returncode)
                return 1
            got += [json.loads(line) for line in run.stdout.splitlines() if line.strip()]
        with open(os.path.join(workload, "expected.jsonl")) as f:
            want = [json.loads(line) for line in f if line.strip()]
    if len(got) != len(want):
        print("vigil wrote %d results for %d events" % (len(got), len(want)))
        return 1
    mismatches = 0
    firings = 0
    for g, w in zip(got, want):
        fired = [r["rule"].split("/", 1)[1] for r in g["fired"]]
        firings += len(fired)
        if g["event"] != w["txn_id"] or fired != w["fired"]:
            mismatches += 1
            if mismatches <= 10:
                print("event %s: vigil fired %s, expected %s" % (w["txn_id"], fired, w["fired"]))
    print("%d events, %d firings, %d mismatches" % (len(want), firings, mismatches))
    return 1 if mismatches else 0


if __name__ == "__main__":
    sys.exit(main())
