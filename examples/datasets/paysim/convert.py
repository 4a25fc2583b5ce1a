#!/usr/bin/python3
"""The PaySim sample (paysim_sample.csv) to JSON Lines in event-time order.

  convert.py CSV OUT_DIR [--limit N]

The sample's rows are shuffled by construction (its README), so they are read
whole (33,000 rows), put in step order (ties in file order) and each row that
arrived before a row of an earlier step is counted as 'out_of_order:reordered'.
Writes OUT_DIR/events.jsonl (schema mobile_tx), OUT_DIR/labels.csv
(event_id,step,type,amount,fraud, in event order) and convert-report.json /
rejects.jsonl (examples/datasets/common.py). isFraud never goes into the events.
"""
import argparse
import csv
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import common  # noqa: E402

COLUMNS = ["step", "type", "amount", "nameOrig", "oldbalanceOrg", "newbalanceOrig", "nameDest",
           "oldbalanceDest", "newbalanceDest", "isFraud", "isFlaggedFraud"]
TYPES = {"CASH_IN", "CASH_OUT", "DEBIT", "PAYMENT", "TRANSFER"}
HOUR_US = 3_600_000_000
BASE_US = 1_483_228_800_000_000  # 2017-01-01T00:00:00Z: step N is N hours after it


def rfc3339(us):
    import datetime
    t = datetime.datetime(1970, 1, 1) + datetime.timedelta(microseconds=us)
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def convert(src, out_dir, limit=None):
    os.makedirs(out_dir, exist_ok=True)
    bad = common.BadData(os.path.basename(src))
    reorder = common.Reorderer(float("inf"), bad)  # the whole file, then in step order
    rows = 0
    with open(src, encoding="utf-8", newline="") as f:
        reader = csv.reader(f)
        header = next(reader, None)
        if header != COLUMNS:
            raise SystemExit(f"{src}: line 1: expected the columns {','.join(COLUMNS)}, "
                             f"found {','.join(header or [])}")
        for row in reader:
            line = reader.line_num
            if limit is not None and rows >= limit:
                break
            rows += 1
            if len(row) != len(COLUMNS):
                bad.note("wrong_column_count", line, f"{len(row)} columns")
                bad.reject(line, [f"{len(row)} columns, expected {len(COLUMNS)}"])
                continue
            step = common.read_int(row[0], "step", line, bad)
            kind = common.read_category(row[1], "type", TYPES, line, bad)
            amount = common.read_decimal(row[2], "amount", line, bad)
            orig = row[3] or None
            dest = row[6] or None
            if orig is None:
                bad.note("empty:nameOrig", line)
            if dest is None:
                bad.note("empty:nameDest", line)
            balances = [common.read_decimal(row[i], COLUMNS[i], line, bad) for i in (4, 5, 7, 8)]
            fraud = common.read_category(row[9], "isFraud", {"0", "1"}, line, bad)
            flagged = common.read_category(row[10], "isFlaggedFraud", {"0", "1"}, line, bad)
            if step is None:
                bad.reject(line, ["no usable step"])
                continue
            event = {"event_id": f"p{line}", "ts": rfc3339(BASE_US + step * HOUR_US),
                     "step": step, "type": kind, "orig": orig, "dest": dest,
                     "bank_flag": None if flagged is None else flagged == "1"}
            text = json.dumps({k: v for k, v in event.items() if v is not None},
                              separators=(",", ":"))
            numbers = [("amount", amount), ("orig_balance_before", balances[0]),
                       ("orig_balance_after", balances[1]), ("dest_balance_before", balances[2]),
                       ("dest_balance_after", balances[3])]
            extra = "".join(f',"{k}":{v}' for k, v in numbers if v is not None)
            text = text[:-1] + extra + "}\n"
            label = f"p{line},{step},{kind or ''},{amount or ''},{fraud or ''}\n"
            reorder.push(step, line, (text, label))
    events = 0
    with common.AtomicFile(os.path.join(out_dir, "events.jsonl")) as ev, \
            common.AtomicFile(os.path.join(out_dir, "labels.csv")) as lab:
        lab.write("event_id,step,type,amount,fraud\n")
        for text, label in reorder.drain():
            ev.write(text)
            lab.write(label)
            events += 1
    return bad.write(out_dir, rows, events)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("csv")
    ap.add_argument("out_dir")
    ap.add_argument("--limit", type=int, help="convert only the first N rows")
    a = ap.parse_args()
    convert(a.csv, a.out_dir, a.limit)


if __name__ == "__main__":
    main()
