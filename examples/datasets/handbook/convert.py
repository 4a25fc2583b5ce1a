#!/usr/bin/python3
"""The Fraud Detection Handbook's card simulator (transactions.csv[.gz]) to JSON Lines.

  convert.py CSV OUT_DIR [--limit N] [--feedback-delay-days D | --no-feedback]

Writes OUT_DIR/events.jsonl (schema card_tx, examples/datasets/handbook/schema.vgl)
in event-time order, OUT_DIR/labels.csv (one row per transaction event, in the
same order: event_id,time_us,fraud,scenario,customer_id,terminal_id) for the
scorer, and convert-report.json / rejects.jsonl (examples/datasets/common.py).
The labels never go into the events: rules cannot read them.

Delayed feedback (scenario 2): a bank learns that a transaction was fraud when
the card holder disputes it, days later. For each transaction labelled fraud,
an event of kind "FRAUD_CONFIRMED" with the transaction's terminal and customer
is written D days (default 7, as the handbook assumes) after it, in its place
in the stream. Rules count those per terminal: the state is updated with the
delay, and nothing is known before it.
"""
import argparse
import csv
import datetime
import gzip
import heapq
import json
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import common  # noqa: E402

COLUMNS = ["TRANSACTION_ID", "TX_DATETIME", "CUSTOMER_ID", "TERMINAL_ID", "TX_AMOUNT",
           "TX_TIME_SECONDS", "TX_TIME_DAYS", "TX_FRAUD", "TX_FRAUD_SCENARIO"]
DATETIME = re.compile(r"(\d{4}-\d\d-\d\d)[ T](\d\d):(\d\d):(\d\d)")
EPOCH = datetime.date(1970, 1, 1)
DAY_US = 86_400_000_000
REORDER_US = 3_600_000_000  # rows up to an hour out of order are put back in place


class Times:
    """'YYYY-MM-DD HH:MM:SS' to microseconds since the epoch (UTC), dates cached."""

    def __init__(self):
        self.days = {}

    def parse(self, text):
        m = DATETIME.fullmatch(text)
        if not m:
            return None
        date, hh, mm, ss = m.groups()
        day = self.days.get(date)
        if day is None:
            try:
                day = (datetime.date.fromisoformat(date) - EPOCH).days
            except ValueError:
                return None
            self.days[date] = day
        h, mi, s = int(hh), int(mm), int(ss)
        if h > 23 or mi > 59 or s > 59:
            return None
        return day * DAY_US + (h * 3600 + mi * 60 + s) * 1_000_000


def rfc3339(us):
    t = datetime.datetime(1970, 1, 1) + datetime.timedelta(microseconds=us)
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def open_csv(path):
    if path.endswith(".gz"):
        return gzip.open(path, "rt", encoding="utf-8", newline="")
    return open(path, encoding="utf-8", newline="")


def convert(src, out_dir, limit=None, feedback_delay_days=7):
    os.makedirs(out_dir, exist_ok=True)
    bad = common.BadData(os.path.basename(src))
    times = Times()
    reorder = common.Reorderer(REORDER_US, bad)
    feedback = []  # heap of (time_us, seq, json line)
    rows = events = 0
    with open_csv(src) as f, \
            common.AtomicFile(os.path.join(out_dir, "events.jsonl")) as ev, \
            common.AtomicFile(os.path.join(out_dir, "labels.csv")) as lab:
        lab.write("event_id,time_us,fraud,scenario,customer_id,terminal_id\n")
        reader = csv.reader(f)
        header = next(reader, None)
        if header != COLUMNS:
            raise SystemExit(f"{src}: line 1: expected the columns {','.join(COLUMNS)}, "
                             f"found {','.join(header or [])}")

        def emit(ready):
            nonlocal events
            for time_us, line, label in ready:
                while feedback and feedback[0][0] <= time_us:
                    ev.write(heapq.heappop(feedback)[2])
                    events += 1
                ev.write(line)
                lab.write(label)
                events += 1

        for row in reader:
            line = reader.line_num
            if limit is not None and rows >= limit:
                break
            rows += 1
            if len(row) != len(COLUMNS):
                bad.note("wrong_column_count", line, f"{len(row)} columns")
                bad.reject(line, [f"{len(row)} columns, expected {len(COLUMNS)}"])
                continue
            tx_id = common.read_int(row[0], "TRANSACTION_ID", line, bad)
            if row[1] == "":
                bad.note("empty:TX_DATETIME", line)
                time_us = None
            else:
                time_us = times.parse(row[1])
                if time_us is None:
                    bad.note("bad_time:TX_DATETIME", line, repr(row[1]))
            customer = common.read_int(row[2], "CUSTOMER_ID", line, bad)
            terminal = common.read_int(row[3], "TERMINAL_ID", line, bad)
            amount = common.read_decimal(row[4], "TX_AMOUNT", line, bad)
            fraud = common.read_category(row[7], "TX_FRAUD", {"0", "1"}, line, bad)
            scenario = common.read_category(row[8], "TX_FRAUD_SCENARIO", {"0", "1", "2", "3"},
                                            line, bad)
            missing = [name for name, v in (("TRANSACTION_ID", tx_id), ("TX_DATETIME", time_us),
                                            ("CUSTOMER_ID", customer), ("TERMINAL_ID", terminal))
                       if v is None]
            if missing:
                # Without an id, a time or its keys a row cannot be an event a
                # rule or the scorer could use: it is written to rejects.jsonl.
                bad.reject(line, [f"no usable {name}" for name in missing])
                continue
            fields = [f'"event_id":"t{tx_id}"', f'"tx_time":"{rfc3339(time_us)}"',
                      '"kind":"TX"', f'"customer_id":{customer}', f'"terminal_id":{terminal}']
            if amount is not None:
                fields.append(f'"amount":{amount}')
            text = "{" + ",".join(fields) + "}\n"
            label = f"t{tx_id},{time_us},{fraud or ''},{scenario or ''},{customer},{terminal}\n"
            emit(reorder.push(time_us, line, (time_us, text, label)))
            if feedback_delay_days is not None and fraud == "1":
                at = time_us + feedback_delay_days * DAY_US
                heapq.heappush(feedback, (at, line, json.dumps({
                    "event_id": f"f{tx_id}", "tx_time": rfc3339(at), "kind": "FRAUD_CONFIRMED",
                    "customer_id": customer, "terminal_id": terminal},
                    separators=(",", ":")) + "\n"))
        emit(reorder.drain())
        # Confirmations due after the last transaction are not written: no
        # transaction follows that could use them.
    return bad.write(out_dir, rows, events)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("csv")
    ap.add_argument("out_dir")
    ap.add_argument("--limit", type=int, help="convert only the first N rows")
    ap.add_argument("--feedback-delay-days", type=int, default=7)
    ap.add_argument("--no-feedback", action="store_true")
    a = ap.parse_args()
    convert(a.csv, a.out_dir, a.limit, None if a.no_feedback else a.feedback_delay_days)


if __name__ == "__main__":
    main()
