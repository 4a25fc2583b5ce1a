#!/usr/bin/python3
"""`vigil case` on long streams: memory is bounded by the open cases, not by
the length of the input (docs/case.md, "Streaming").

Generates streams of payment events in the coalition pack's schema at a fixed
rate (10,000 events a day over 50,000 customers; about 2% are small corridor
transfers, on which the pack's feature and velocity rules alert), evaluates
them with `vigil eval --explain=fired`, keeps the alerts, and times
`vigil case` over each, printing one row per stream length: events, alerts,
cases written, wall and CPU seconds (the wall time includes syncing the case
files to disk), peak RSS. Open cases saturate once the stream is
longer than the case window (30 days), so peak RSS should stop growing while
the streams keep growing.

Usage: case_stream.py VIGIL REPO [EVENTS...]   (default 100000 300000 1000000)
The streams are written under build/bench-data/case-stream (once).
"""
import json
import os
import random
import subprocess
import sys
import time

MEASURE = ("import resource, subprocess, sys\n"
           "r = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)\n"
           "sys.stderr.write(r.stderr.decode())\n"
           "u = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
           "print(u.ru_utime + u.ru_stime, u.ru_maxrss)\n"
           "sys.exit(r.returncode)\n")
PER_DAY = 10000
CUSTOMERS = 50000
COUNTRIES_HR = ["PH", "TH", "CO", "MX", "IN"]


def generate(path, events):
    rnd = random.Random(7)
    t0 = 1772323200  # 2026-03-01T00:00:00Z
    with open(path, "w") as f:
        for i in range(events):
            t = t0 + i * 86400 // PER_DAY
            cust = rnd.randrange(CUSTOMERS)
            # A fifth of the customers send corridor transfers now and then.
            corridor = cust % 5 == 0 and rnd.random() < 0.10
            e = {
                "event_id": "e%09d" % i,
                "event_time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t)),
                "customer_id": 200000000 + cust,
                "account_id": 500000000 + cust,
                "customer_residence": "AU",
                "account_age_days": 900,
                "direction": "OUT",
                "auth_result": "APPROVED",
                "currency": "AUD",
                "customer_local_offset_min": 600,
            }
            if corridor:
                e.update({"event_type": "TRANSFER_OUT", "channel": "MSB_REMIT",
                          "amount": "%d.00" % rnd.randrange(20, 250),
                          "cpty_key": "b%05d" % rnd.randrange(100000),
                          "cpty_type": "INDIVIDUAL",
                          "cpty_country": rnd.choice(COUNTRIES_HR),
                          "remittance_text": rnd.choice(["hi", "school fees", "gift", "rent"])})
            else:
                e.update({"event_type": "AUTH", "channel": "CARD_CP", "mcc": 5411,
                          "amount": "%d.%02d" % (rnd.randrange(5, 200), rnd.randrange(100)),
                          "merchant_key": "m%04d" % rnd.randrange(5000),
                          "merchant_country": "AU"})
            e["amount_base"] = int(float(e["amount"]) * 66)
            line = json.dumps(e, separators=(",", ":"))
            line = line.replace('"amount":"%s"' % e["amount"], '"amount":%s' % e["amount"])
            f.write(line + "\n")


def main():
    vigil, repo = sys.argv[1:3]
    sizes = [int(x) for x in sys.argv[3:]] or [100000, 300000, 1000000]
    data = os.path.join(repo, "build", "bench-data", "case-stream")
    os.makedirs(data, exist_ok=True)
    rules = os.path.join(repo, "rules", "coalition", "rules.vgl")
    print("| events | alerts | cases written | vigil case s (wall) | CPU s | events/s (CPU) | "
          "peak RSS MiB |")
    print("|---:|---:|---:|---:|---:|---:|---:|")
    for n in sizes:
        events = os.path.join(data, "events-%d.jsonl" % n)
        alerts = os.path.join(data, "alerts-%d.jsonl" % n)
        if not os.path.exists(alerts):
            generate(events + ".tmp", n)
            os.replace(events + ".tmp", events)
            with open(alerts + ".tmp", "w") as out:
                ev = subprocess.Popen([vigil, "eval", "--rules", rules, "--events", events,
                                       "--explain=fired"], stdout=subprocess.PIPE,
                                      stderr=subprocess.DEVNULL, text=True)
                for line in ev.stdout:
                    if '"fired":[{' in line:
                        out.write(line)
                if ev.wait() != 0:
                    raise SystemExit("vigil eval failed")
            os.replace(alerts + ".tmp", alerts)
        with open(alerts) as f:
            count = sum(1 for _ in f)
        out = os.path.join(data, "cases-%d" % n)
        subprocess.run(["rm", "-rf", out], check=True)
        # A fresh Python process runs vigil case alone, so that its children's
        # peak RSS is vigil case's.
        start = time.monotonic()
        run = subprocess.run([sys.executable, "-c", MEASURE, vigil, "case", "--results", alerts,
                              "--events", events, "-o", out], capture_output=True, text=True)
        seconds = time.monotonic() - start
        if run.returncode != 0:
            raise SystemExit(run.stderr)
        cpu, peak_kib = float(run.stdout.split()[-2]), int(run.stdout.split()[-1])
        written = len(os.listdir(out))
        subprocess.run(["rm", "-rf", out], check=True)
        print("| %d | %d | %d | %.1f | %.1f | %.0f | %.0f |" %
              (n, count, written, seconds, cpu, n / max(cpu, 1e-3), peak_kib / 1024))
    return 0


if __name__ == "__main__":
    sys.exit(main())
