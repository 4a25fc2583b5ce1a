"""Writes a JSON Lines file with every edge of reading in blocks: lines of
random lengths across the reader's block boundaries, a BOM, CRLF lines,
blank and white lines, a malformed line, a line of exactly the line limit,
one a byte over it, one at the limit plus its CR (over it, as the CR counts),
and a last line with a CR and no '\\n'. Also writes what vigil eval must
give: the events evaluated in order, and the messages naming line numbers.
Usage: gen_edges.py OUT.jsonl WANT_EVENTS WANT_MESSAGES LIMIT"""
import random
import sys

out_path, events_path, messages_path, limit = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
rng = random.Random(17)
lines = []      # raw lines, without '\n'
events = []     # event ids evaluated, in order
messages = []   # (line number, message tail)


def event(i, pad, amount=None):
    if amount is None:
        amount = rng.randint(1, 900)
    return ('{"txn_id":"e%d","ts":%d,"card_id":"c%d","merchant_id":"m%d","amount":%d.25,'
            '"channel":"ecom","pad":"%s"}' % (i, 1772323200000000 + i * 1000000, i % 7, i % 5,
                                              amount, "x" * pad))


def sized(i, size):  # an event line of exactly `size` bytes
    return event(i, size - len(event(i, 0, 100)), 100)


n = 0
for i in range(1, 7001):
    kind = rng.random()
    if kind < 0.03:
        lines.append(rng.choice(["", "  ", "\t \t", "\r", " \r"]))
        continue
    n += 1
    line = event(n, rng.choice([0, 10, 100, 400, 1000, 3000]))
    if n == 1:
        line = "\ufeff" + line
    if kind < 0.15:
        line += "\r"
    lines.append(line)
    events.append("e%d" % n)
    if i == 3500:
        lines.append('{"txn_id":"broken",')
        messages.append((len(lines), "malformed JSON"))
# The limit: exactly at it (evaluated), a byte over, at it plus a CR.
n += 1
lines.append(sized(n, limit))
events.append("e%d" % n)
n += 1
lines.append(sized(n, limit + 1))
messages.append((len(lines), "line is longer than %d bytes" % limit))
n += 1
lines.append(sized(n, limit) + "\r")
messages.append((len(lines), "line is longer than %d bytes" % limit))
for _ in range(3):
    n += 1
    lines.append(event(n, rng.randint(0, 2000)))
    events.append("e%d" % n)
n += 1
last = event(n, 5) + "\r"  # no '\n' after it
events.append("e%d" % n)

with open(out_path, "wb") as f:
    for line in lines:
        f.write(line.encode() + b"\n")
    f.write(last.encode())
with open(events_path, "w") as f:
    f.write("".join(e + "\n" for e in events))
with open(messages_path, "w") as f:
    f.write("".join("%d: %s\n" % m for m in messages))
