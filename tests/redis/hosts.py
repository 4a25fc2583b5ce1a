"""Host processes (examples/redis_host) for the Redis tests, the seeded event
stream they evaluate, and the embedded engine their results are compared with.
"""
import json
import os
import random
import subprocess
import threading
import time

from redis_servers import _die_with_parent

HERE = os.path.dirname(os.path.abspath(__file__))
RULES = os.path.join(HERE, "velocity.vgl")
RULES_CARD = os.path.join(HERE, "velocity_card.vgl")
BASE_US = 1_767_225_600_000_000  # 2026-01-01T00:00:00Z
STEP_US = 2_000_000              # event time advances 2 s an event


def iso(us):
    s, frac = divmod(us, 1_000_000)
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(s)) + ".%06dZ" % frac


def stream(count, seed=1, cards=200, busy=0.1, start=0, jitter=True, step_us=STEP_US,
           corrections=False):
    """Events `start` .. `start + count - 1` of a seeded velocity stream: card
    c0 is busy (a `busy` share of the events), merchants m0..m7, amounts 5 to
    250. With `jitter`, one event in 50 comes up to 8 minutes late (within
    the lateness the tests use, 10 minutes) and one in 500 two hours late
    (too late to be recorded). With `corrections`, one event in 60 is an
    earlier event delivered again, one in 60 a REVERSAL of one of the card's
    recent payments (and one in 600 a reversal delivered again): see
    docs/language.md, "Duplicates and reversals"."""
    out = []
    recent = {}  # card -> its last payments
    for i in range(start, start + count):
        rnd = random.Random(seed * 1_000_003 + i)
        card = "c0" if rnd.random() < busy else "c%d" % rnd.randrange(1, cards)
        ts = BASE_US + i * step_us
        if jitter:
            r = rnd.random()
            if r < 0.02:
                ts -= rnd.randrange(1, 240) * step_us + 1
            elif r < 0.022:
                ts -= 2 * 3600 * 1_000_000 + 1
        event = {
            "ts": iso(ts), "txn_id": "t%d" % i, "card": card,
            "merchant": "m%d" % rnd.randrange(8),
            "amount": "%d.%02d" % (rnd.randrange(5, 250), rnd.randrange(100))}
        if corrections:
            event.update(kind="PAY", ref="n%d" % i)
            c = rnd.random()
            if c < 1 / 60 and out:
                out.append(out[rnd.randrange(max(0, len(out) - 50), len(out))])
                continue
            if c < 2 / 60 and recent.get(card):
                original = rnd.choice(recent[card])
                event.update(kind="REVERSAL", ref=original["ref"], merchant=original["merchant"],
                             amount=original["amount"], txn_id="v%d" % i)
                out.append(json.dumps(event, separators=(",", ":")))
                if c < 1 / 60 + 1 / 600:
                    out.append(out[-1])
                continue
            recent.setdefault(card, []).append(event)
            del recent[card][:-5]
        out.append(json.dumps(event, separators=(",", ":")))
    return out


class Host:
    """One vigil_redis_host process fed one event at a time (lockstep), or
    fed by a thread while another collects its lines (free running)."""

    def __init__(self, binary, rules, target, extra=()):
        self.args = [binary, "--rules", rules] + list(target) + ["--lateness-ms", "600000"] + \
            list(extra)
        self.p = subprocess.Popen(self.args, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True, bufsize=1,
                                  preexec_fn=_die_with_parent)
        self.lines = []
        self.sent = []
        self.stderr = ""

    def eval(self, event):
        self.p.stdin.write(event + "\n")
        self.p.stdin.flush()
        line = self.p.stdout.readline()
        if not line:
            raise RuntimeError("the host exited: %s" % self.p.stderr.read())
        return line.rstrip("\n")

    def run_free(self, events_source, stop):
        """Feeds events from the iterator until `stop` is set, in a thread;
        collects output lines in another. Call finish() to end."""
        def feed():
            try:
                for e in events_source:
                    if stop.is_set():
                        break
                    self.sent.append(e)
                    self.p.stdin.write(e + "\n")
            except BrokenPipeError:
                pass
            finally:
                try:
                    self.p.stdin.close()
                except BrokenPipeError:
                    pass

        def collect():
            for line in self.p.stdout:
                self.lines.append(line.rstrip("\n"))

        self.threads = [threading.Thread(target=feed), threading.Thread(target=collect)]
        for t in self.threads:
            t.start()

    def finish(self, timeout=120):
        """Closes the input, waits for the exit; returns (exit code, stats)."""
        if not getattr(self, "threads", None):
            self.p.stdin.close()
            rest = self.p.stdout.read()
            self.lines += [l for l in rest.split("\n") if l]
        for t in getattr(self, "threads", []):
            t.join(timeout)
        code = self.p.wait(timeout)
        self.stderr = self.p.stderr.read()
        stats = {}
        for line in self.stderr.splitlines():
            if line.startswith("{"):
                stats = json.loads(line)
        return code, stats

    def kill(self):
        if self.p.poll() is None:
            self.p.kill()
            self.p.wait()


def embedded(binary, rules, events):
    """The embedded engine's result line for each event, in order."""
    r = subprocess.run([binary, "--rules", rules, "--embedded", "--lateness-ms", "600000"],
                       input="\n".join(events) + "\n", capture_output=True, text=True,
                       timeout=600, preexec_fn=_die_with_parent)
    if r.returncode != 0:
        raise RuntimeError("the embedded host failed: " + r.stderr)
    lines = r.stdout.split("\n")[:-1]
    assert len(lines) == len(events), (len(lines), len(events))
    return lines


def fired(line):
    try:
        return len(json.loads(line).get("fired", []))
    except ValueError:
        return 0
