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
"""
import json
import os
import subprocess
import sys
import tempfile


def main():
    vigil, gen, rules, events = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
    extra = [a for a in sys.argv[5:] if a != "--split-state"]
    split = "--split-state" in sys.argv[5:]
    if not os.path.exists(gen):
        print("generator not found at %s: skipped" % gen)
        return 77
    with tempfile.TemporaryDirectory() as out:
        subprocess.run([sys.executable, gen, "--rules", rules, "--events", events, "--seed", "1",
                        "--out", out] + extra, check=True, stderr=subprocess.DEVNULL)
        rules_file = os.path.join(out, "rules.vgl")
        events_file = os.path.join(out, "events.jsonl")
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
        with open(os.path.join(out, "expected.jsonl")) as f:
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
