#!/usr/bin/python3
"""Checks every aggregate value vigil computes on the handbook events against a
plain Python reference written for this check.

  check_aggregates.py VIGIL EVENTS_JSONL [--limit N] [--with OVERRIDE.vgl]

Runs `vigil eval` with aggregates_check.vgl (which prints, on every payment,
count, sum and average per customer and per terminal over 1, 7 and 30 days and
the pack's lets: the baseline without the current payment, the 24-hour sum,
the fraud confirmations per terminal over 7 days), reads its output as it
comes, and computes the same values from the events in plain Python: running
sums in integer cents over the window (t - w, t] of the events seen so far,
the average as an exact decimal rounded half-even to 6 places. It checks the
baselines per customer too, from docs/language.md's definitions (see
Baselines below). Every value of every payment must be equal. Exit 0 when all agree, 1 otherwise (the first
differences are printed).
"""
import argparse
import bisect
import collections
import json
import os
import subprocess
import sys
from decimal import ROUND_HALF_EVEN, Decimal

HERE = os.path.dirname(os.path.abspath(__file__))
DAY = 86_400_000_000
WINDOWS = {"1": DAY, "7": 7 * DAY, "30": 30 * DAY}
SIX = Decimal("0.000001")
CONFIRM_WINDOW = 7 * DAY  # TERMINAL_MEMORY in rules.vgl


class Window:
    """One key's payments and, per window length, where the window starts and its sum."""

    __slots__ = ("times", "cents", "start", "sums")

    def __init__(self):
        self.times, self.cents = [], []
        self.start = {w: 0 for w in WINDOWS}
        self.sums = {w: 0 for w in WINDOWS}

    def add(self, t, cents):
        self.times.append(t)
        self.cents.append(cents)
        for w, length in WINDOWS.items():
            self.sums[w] += cents
            i = self.start[w]
            while self.times[i] <= t - length:  # (t - w, t]: an event exactly w old is out
                self.sums[w] -= self.cents[i]
                i += 1
            self.start[w] = i
        first = self.start["30"]
        if first > 256:  # forget what no window can reach any more
            del self.times[:first], self.cents[:first]
            for w in WINDOWS:
                self.start[w] -= first

    def values(self, prefix):
        out = {}
        for w in WINDOWS:
            n = len(self.times) - self.start[w]
            s = Decimal(self.sums[w]).scaleb(-2)
            out[f"{prefix}c{w}"] = Decimal(n)
            out[f"{prefix}s{w}"] = s
            out[f"{prefix}a{w}"] = (s / n).quantize(SIX, rounding=ROUND_HALF_EVEN)
        return out


BASELINES = ("bm30", "ba30", "bp90", "oc", "os", "om", "gap")


def median_of(cents):
    """The middle value, or the mean of the two middle values for an even count,
    as an exact decimal rounded half-even to 6 places; None (missing) when empty."""
    n = len(cents)
    if n == 0:
        return None
    v = sorted(cents)
    if n % 2:
        return Decimal(v[n // 2]).scaleb(-2)
    return (Decimal(v[n // 2 - 1] + v[n // 2]) / 200).quantize(SIX, rounding=ROUND_HALF_EVEN)


def percentile_of(cents, p):
    """Nearest rank: the k-th smallest value with k = ceil(p / 100 * n), k = 1 for p = 0."""
    n = len(cents)
    if n == 0:
        return None
    k = max(1, -(-p * n // 100))
    return Decimal(sorted(cents)[k - 1]).scaleb(-2)


def parse_duration(text):
    """A duration as vigil prints it (`17s`, `3h`, `0s`) in microseconds."""
    for unit, micros in (("us", 1), ("ms", 1000), ("s", 1_000_000), ("m", 60_000_000),
                         ("h", 3_600_000_000), ("d", DAY)):
        if text.endswith(unit) and text[:-len(unit)].isdigit():
            return int(text[:-len(unit)]) * micros
    raise ValueError(f"not a duration: {text!r}")


class Baselines:
    """One customer's payments of the last 90 days, for the baselines of
    docs/language.md: (t - 30d, t] without the current payment (current: false:
    earlier payments with the same time are in), the 90th percentile over
    (t - 30d, t] with it, days 31-90 as (t - 90d, t - 30d] (an event exactly 90
    days old is out, one exactly 30 days old is in), and the time since the
    latest earlier payment in (t - 90d, t] (0 when it has the same time)."""

    __slots__ = ("times", "cents")
    KEEP = 90 * DAY

    def __init__(self):
        self.times, self.cents = [], []

    def values(self, t, cents):
        """The baseline values of a payment at t, then records it."""
        times = self.times
        if times and times[-1] > t:
            raise SystemExit("check_aggregates: the events are not in time order")
        recent = bisect.bisect_right(times, t - 30 * DAY)
        old = bisect.bisect_right(times, t - 90 * DAY)
        before = self.cents[recent:]
        earlier = self.cents[old:recent]
        n = len(before)
        out = {
            "bm30": median_of(before),
            "ba30": (Decimal(sum(before)).scaleb(-2) / n).quantize(SIX, rounding=ROUND_HALF_EVEN)
                    if n else None,
            "bp90": percentile_of(before + [cents], 90),
            "oc": Decimal(len(earlier)),
            "os": Decimal(sum(earlier)).scaleb(-2),
            "om": median_of(earlier),
            "gap": t - times[-1] if len(times) > old else None,
        }
        times.append(t)
        self.cents.append(cents)
        if old > 256:  # forget what no window can reach any more
            del times[:old], self.cents[:old]
        return out


def reference(events_path, limit):
    """Yields (event id, the expected values) for each payment, in stream order."""
    customers = collections.defaultdict(Window)
    terminals = collections.defaultdict(Window)
    confirmations = collections.defaultdict(collections.deque)
    baselines = collections.defaultdict(Baselines)
    from datetime import datetime
    with open(events_path, encoding="utf-8") as f:
        for n, line in enumerate(f):
            if limit is not None and n >= limit:
                return
            e = json.loads(line)
            t = int(datetime.fromisoformat(e["tx_time"].replace("Z", "+00:00")).timestamp()) * 1_000_000
            if e["kind"] == "FRAUD_CONFIRMED":
                confirmations[e["terminal_id"]].append(t)
                yield e["event_id"], None
                continue
            cents = int((Decimal(str(e["amount"])) * 100).to_integral_exact())
            c = customers[e["customer_id"]]
            c.add(t, cents)
            tm = terminals[e["terminal_id"]]
            tm.add(t, cents)
            values = c.values("c")
            values.update(tm.values("t"))
            values["prior_count"] = values["cc30"] - 1
            values["prior_sum"] = values["cs30"] - Decimal(cents).scaleb(-2)
            values["day_sum"] = values["cs1"]
            q = confirmations[e["terminal_id"]]
            while q and q[0] <= t - CONFIRM_WINDOW:
                q.popleft()
            values["confirmed"] = Decimal(len(q))
            values.update(baselines[e["customer_id"]].values(t, cents))
            yield e["event_id"], values


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("vigil")
    ap.add_argument("events")
    ap.add_argument("--limit", type=int, help="check only the first N events")
    ap.add_argument("--with", dest="extra", action="append", default=[],
                    help="a rule file compiled with the check (an override: the test that "
                         "the check sees a difference uses it)")
    a = ap.parse_args()
    events = a.events
    if a.limit is not None:
        # vigil reads exactly the prefix the reference reads.
        events = "-"
    cmd = [a.vigil, "eval", "--rules", os.path.join(HERE, "aggregates_check.vgl"), *a.extra,
           "--events", events]
    proc = subprocess.Popen(cmd, stdin=subprocess.PIPE if events == "-" else None,
                            stdout=subprocess.PIPE, text=True, bufsize=1 << 20)
    if events == "-":
        import threading

        def feed():
            with open(a.events, encoding="utf-8") as f:
                for n, line in enumerate(f):
                    if n >= a.limit:
                        break
                    proc.stdin.write(line)
            proc.stdin.close()
        threading.Thread(target=feed, daemon=True).start()
    payments = checked = mismatches = 0
    present = collections.Counter()  # payments on which a baseline has a value
    shown = 0
    for (event_id, expected), out in zip(reference(a.events, a.limit), proc.stdout):
        r = json.loads(out)
        if r["event"] != event_id:
            print(f"check_aggregates: vigil's result {r['event']!r} is not event {event_id!r}")
            return 1
        if expected is None:
            continue
        payments += 1
        reason = next((x["reason"] for x in r["fired"]
                       if x["rule"].endswith("/chk_all_aggregates")), None)
        if reason is None:
            print(f"check_aggregates: {event_id}: the check rule did not fire")
            mismatches += 1
            continue
        got = dict(item.split("=", 1) for item in reason.split(" "))
        for name, want in expected.items():
            checked += 1
            if want is not None and want != 0:
                present[name] += 1
            value = got.get(name)
            if want is None:  # a value the language defines as missing
                same = value == "(missing)"
            elif value is None or value == "(missing)":
                same = False
            elif name == "gap":
                same = parse_duration(value) == want
            else:
                same = Decimal(value) == want
            if not same:
                mismatches += 1
                if shown < 20:
                    shown += 1
                    print(f"check_aggregates: {event_id}: {name}: vigil {value}, reference {want}")
    for _ in proc.stdout:
        pass
    rc = proc.wait()
    if rc != 0:
        print(f"check_aggregates: vigil eval exited {rc}")
        return 1
    print(f"check_aggregates: {payments:,} payments, {checked:,} aggregate values compared, "
          f"{mismatches:,} differ")
    print("check_aggregates: payments with a non-zero baseline: " +
          " ".join(f"{name}={present[name]:,}" for name in BASELINES))
    return 0 if mismatches == 0 and payments > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
