#!/usr/bin/python3
"""Crash safety of state snapshots: SIGKILL `vigil eval --state FILE` at random
points while it loads, evaluates and saves, many times, and check after each
kill that FILE is the old snapshot or the new one, complete and loadable, and
that a temporary file left by the kill never trips a later run.

  kill_test.py VIGIL [--iterations N] [--max-iterations M] [--seed S]

vigil.h promise: save-atomic (vigil eval --state saves with the code behind
vigil_state_save).

The snapshot is made large (about 35 MB: a few keys with long distinct
strings, so loading stays quick) so that a kill can land in the middle of
writing it. Where each kill landed is read from the files it left:

  before the save   no temporary file, FILE unchanged (loading, evaluating,
                    building the snapshot in memory)
  writing           FILE.tmp shorter than its header says
  written           FILE.tmp complete, not yet renamed (fsync, close)
  renamed           FILE is the new snapshot (the rename happened)

The test runs at least N iterations and goes on (up to M) until every phase
has been hit; it fails when one never is. Exit 0 when every check held.
"""
import argparse
import hashlib
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time

RULES = """ruleset kill.test version "1.0.0"
schema s version 1 {
  ts: time
  card: string @key
  merchant: string
}
uses schema s
rule seen {
  title "how many events of this card the state holds"
  severity low
  when count(by: card, within: 3650d) >= 1
  then score 1 reason "{count(by: card, within: 3650d)}"
}
rule spread {
  title "many merchants"
  severity low
  when distinct(merchant, by: card, within: 3650d) > 100
  then score 1
}
"""
T0 = 1767225600000000  # 2026-01-01T00:00:00Z in microseconds
HEADER = 56  # magic 8, version 4, reserved 4, body length 8, SHA-256 32
PHASES = ("before the save", "writing", "written", "renamed")


def event(ts, card, merchant):
    return '{"ts":%d,"card":"%s","merchant":"%s"}\n' % (ts, card, merchant)


def complete(data):
    """The bytes are a whole snapshot: magic, length and checksum agree."""
    if len(data) < HEADER or data[:8] != b"VIGILST\0":
        return False
    length = int.from_bytes(data[16:24], "little")
    return len(data) == HEADER + length and hashlib.sha256(data[HEADER:]).digest() == data[24:56]


def identity(path):
    """Which file is at `path` (a temporary file left by an earlier kill stays
    the same file until a run replaces it), or None."""
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return None
    return (st.st_ino, st.st_mtime_ns, st.st_size)


def tmp_state(path, stale):
    """What the temporary file says about where the kill landed, or None when
    there is none or it is the one an earlier kill left (this run had not
    reached its save)."""
    if identity(path) in (None, stale):
        return None
    with open(path, "rb") as f:
        data = f.read()
    return "written" if complete(data) else "writing"


class Failure(Exception):
    pass


class Harness:
    def __init__(self, vigil, work):
        self.vigil, self.work = vigil, work
        self.rules = os.path.join(work, "r.vgl")
        self.state = os.path.join(work, "s.snap")
        self.tmp = self.state + ".tmp"
        with open(self.rules, "w") as f:
            f.write(RULES)

    def run(self, events, state, extra=()):
        path = os.path.join(self.work, "events.jsonl")
        with open(path, "w") as f:
            f.write(events)
        return subprocess.run([self.vigil, "eval", "--rules", self.rules, "--events", path,
                               "--state", state, *extra], capture_output=True, text=True)

    def build_initial_state(self):
        # 100 cards with 200 events each; every event brings a 2 KB merchant
        # name that `distinct` keeps: a 35 MB snapshot with few keys.
        lines = [event(T0 + i, "card-%03d" % (i % 100), ("m%06d" % i) * 250) for i in range(20000)]
        p = self.run("".join(lines), self.state)
        if p.returncode != 0:
            raise Failure(f"building the initial state failed:\n{p.stderr}")

    def probe_count(self, snapshot):
        """How many events of card 'probe' the snapshot holds (loading it with vigil)."""
        copy = os.path.join(self.work, "check.snap")
        shutil.copyfile(snapshot, copy)
        p = self.run(event(T0 + 10**12, "probe", "m"), copy, ["--no-record"])
        if p.returncode != 0:
            raise Failure(f"vigil cannot load the snapshot left by the kill:\n{p.stderr}")
        marker = '"reason":"'
        at = p.stdout.find(marker)
        if at < 0:
            raise Failure(f"no count in the check's output: {p.stdout[:300]}")
        # The check event counts itself (--no-record includes it in its window).
        return int(p.stdout[at + len(marker):].split('"', 1)[0]) - 1

    def start(self, i):
        path = os.path.join(self.work, "events.jsonl")
        with open(path, "w") as f:
            f.write(event(T0 + 10**9 + i, "probe", "m%d" % i))
        return subprocess.Popen([self.vigil, "eval", "--rules", self.rules, "--events", path,
                                 "--state", self.state], stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE, text=True)


def calibrate(h, i):
    """One run without a kill, polling the temporary file: when the save
    starts and ends, and how long the run takes (seconds from the start)."""
    start = time.monotonic()
    proc = h.start(i)
    appear = gone = None
    while proc.poll() is None:
        now = time.monotonic() - start
        exists = os.path.lexists(h.tmp)
        if exists and appear is None:
            appear = now
        if appear is not None and not exists and gone is None:
            gone = now
        time.sleep(0.001)
    total = time.monotonic() - start
    if proc.returncode != 0:
        raise Failure(f"a run without a kill failed:\n{proc.stderr.read()}")
    return appear or total * 0.8, gone or total, total


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("vigil")
    ap.add_argument("--iterations", type=int, default=40)
    ap.add_argument("--max-iterations", type=int, default=120)
    ap.add_argument("--seed", type=int, default=None)
    args = ap.parse_args()
    seed = args.seed if args.seed is not None else random.randrange(1 << 30)
    rng = random.Random(seed)
    print(f"seed {seed} (rerun with --seed {seed})")
    work = tempfile.mkdtemp(prefix="vigil-kill-")
    try:
        h = Harness(args.vigil, work)
        h.build_initial_state()
        print(f"snapshot: {os.path.getsize(h.state)} bytes")
        # Two runs without a kill: the probe card then has 2 events.
        save_start, save_end, total = calibrate(h, 0)
        save_start, save_end, total = calibrate(h, 1)
        count = 2
        print(f"a run takes {total:.2f} s; the save writes from {save_start:.2f} s to {save_end:.2f} s")
        hits = {p: 0 for p in PHASES}
        finished = 0
        i = 2
        while i < args.max_iterations and (i < args.iterations or min(hits.values()) == 0):
            with open(h.state, "rb") as f:
                old = f.read()
            stale = identity(h.tmp)
            # A third of the kills at any time of the run; the others at a
            # random moment after this run's temporary file appears, within
            # the time a save takes (timing on a busy machine varies too much
            # to aim from the start).
            anywhere = rng.random() < 1 / 3
            delay = rng.uniform(0, total) if anywhere else rng.uniform(0, 1.3 * (save_end - save_start))
            proc = h.start(i)
            begin = time.monotonic()
            if not anywhere:
                while proc.poll() is None and identity(h.tmp) in (None, stale):
                    time.sleep(0.0005)
                begin = time.monotonic()
            while proc.poll() is None and time.monotonic() - begin < delay:
                time.sleep(0.0005)
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            i += 1
            if proc.returncode == 0:  # finished before the kill
                finished += 1
            elif proc.returncode != -signal.SIGKILL:
                raise Failure(f"iteration {i}: exit {proc.returncode}:\n{proc.stderr.read()}")
            with open(h.state, "rb") as f:
                now = f.read()
            if not complete(now):
                raise Failure(f"iteration {i}: {h.state} is not a complete snapshot "
                              f"({len(now)} bytes) after a kill {delay:.3f} s into the run")
            left = tmp_state(h.tmp, stale)
            if now == old:
                phase = left or "before the save"
                if proc.returncode == 0:
                    raise Failure(f"iteration {i}: the run finished but the snapshot is unchanged")
            else:
                if left is not None:
                    raise Failure(f"iteration {i}: a new snapshot and a temporary file beside it")
                phase = "renamed"
                got = h.probe_count(h.state)
                if got != count + 1:
                    raise Failure(f"iteration {i}: the new snapshot holds {got} probe events, "
                                  f"expected {count + 1}")
                count = got
            if proc.returncode == -signal.SIGKILL:
                hits[phase] += 1
        # A temporary file left by the last kill must not trip a later run.
        proc = h.start(i)
        _, err = proc.communicate()
        if proc.returncode != 0:
            raise Failure(f"the run after the kills failed:\n{err}")
        if os.path.lexists(h.tmp):
            raise Failure(f"{h.tmp} is left after a run that finished")
        if h.probe_count(h.state) != count + 1:
            raise Failure("the last run's event is not in the snapshot")
        kills = sum(hits.values())
        print(f"{i - 2} runs: {kills} killed, {finished} finished before the kill; kills landed: " +
              ", ".join(f"{p} {n}" for p, n in hits.items()))
        missed = [p for p, n in hits.items() if n == 0]
        if missed:
            raise Failure(f"no kill landed in: {', '.join(missed)} (after {i - 2} runs)")
        print("every kill left the old snapshot or the new one, complete and loadable")
        return 0
    except Failure as e:
        print(f"FAIL: {e}")
        return 1
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
