"""Writes N seeded payment events (few cards and merchants, so that their
windows overlap across chunks of the stream), with a malformed line and a
blank line among them when asked; with --troubled, every 97th event is
delivered twice (a duplicate), every 131st is two hours late and every
499th forty days ahead (an outlier). Usage: gen_events.py N [--bad] [--troubled]"""
import random
import sys

n = int(sys.argv[1])
bad = "--bad" in sys.argv[2:]
troubled = "--troubled" in sys.argv[2:]
rng = random.Random(16)
t = 1772323200  # 2026-03-01T00:00:00Z
for i in range(1, n + 1):
    t += rng.randint(0, 40)
    if bad and i == n // 3:
        print('{"txn_id":"bad1","ts":"2026-03-01T00:00:00Z","amount":"lots"}')
        continue
    if bad and i == n // 2:
        print("")
        print('{"txn_id":"bad2",')
        continue
    ts = t
    if troubled and i % 131 == 0:
        ts = t - 7200
    if troubled and i % 499 == 0:
        ts = t + 40 * 86400
    line = ('{"txn_id":"t%d","ts":%d000000,"card_id":"c%d","merchant_id":"m%d","amount":%d.%02d,"channel":"%s"}'
            % (i, ts, rng.randint(1, 60), rng.randint(1, 25), rng.randint(1, 400), rng.randint(0, 99),
               rng.choice(["ecom", "pos", "atm"])))
    print(line)
    if troubled and i % 97 == 0:
        print(line)
