#!/usr/bin/python3
"""An AMLSim sample run (a folder with transactions.csv and nodes.csv) to JSON Lines.

  convert.py RUN_DIR OUT_DIR [--limit N]

A bank books each transfer twice: a debit on the sender's account and a credit
on the receiver's. So each row becomes two events, one per account (direction
OUT, then IN), and every aggregate keyed by account_id sees both the money in
and the money out of that account, which fan-in, fan-out and pass-through rules
need. Writes OUT_DIR/events.jsonl (schema posting), OUT_DIR/accounts.csv (the
labels: account_id,fraud,fraud_step), OUT_DIR/transfers (the number of rows
converted) and convert-report.json / rejects.jsonl (examples/datasets/common.py).
The labels never go into the events.
"""
import argparse
import csv
import datetime
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import common  # noqa: E402

TX_COLUMNS = ["sourceNodeId", "targetNodeId", "value", "time"]
NODE_COLUMNS = ["nodeid", "isFraud", "init_balance", "fraudStep"]
DAY_US = 86_400_000_000
BASE = datetime.datetime(2017, 1, 1)  # step N (a day) is N days after it


def day(step):
    return (BASE + datetime.timedelta(days=step)).strftime("%Y-%m-%dT00:00:00Z")


def read_header(reader, expected, path):
    header = next(reader, None)
    if header != expected:
        raise SystemExit(f"{path}: line 1: expected the columns {','.join(expected)}, "
                         f"found {','.join(header or [])}")


def convert(run_dir, out_dir, limit=None):
    os.makedirs(out_dir, exist_ok=True)
    bad = common.BadData(os.path.basename(os.path.normpath(run_dir)))
    nodes_path = os.path.join(run_dir, "nodes.csv")
    with open(nodes_path, encoding="utf-8", newline="") as f, \
            common.AtomicFile(os.path.join(out_dir, "accounts.csv")) as acc:
        reader = csv.reader(f)
        read_header(reader, NODE_COLUMNS, nodes_path)
        acc.write("account_id,fraud,fraud_step\n")
        seen = set()
        for row in reader:
            line = reader.line_num
            if len(row) != len(NODE_COLUMNS):
                bad.note("nodes:wrong_column_count", line, f"{len(row)} columns")
                continue
            node = common.read_int(row[0], "nodes:nodeid", line, bad)
            fraud = common.read_category(row[1], "nodes:isFraud", {"0", "1"}, line, bad)
            step = common.read_int(row[3], "nodes:fraudStep", line, bad)
            if node is None:
                continue
            if node in seen:
                bad.note("nodes:duplicate_nodeid", line, str(node))
                continue
            seen.add(node)
            acc.write(f"{node},{fraud or ''},{'' if step is None else step}\n")
    tx_path = os.path.join(run_dir, "transactions.csv")
    reorder = common.Reorderer(DAY_US, bad)  # a row a step late is put back in place
    rows = events = 0
    with open(tx_path, encoding="utf-8", newline="") as f, \
            common.AtomicFile(os.path.join(out_dir, "events.jsonl")) as ev:
        reader = csv.reader(f)
        read_header(reader, TX_COLUMNS, tx_path)

        def emit(ready):
            nonlocal events
            for text in ready:
                ev.write(text)
                events += 2

        for row in reader:
            line = reader.line_num
            if limit is not None and rows >= limit:
                break
            rows += 1
            if len(row) != len(TX_COLUMNS):
                bad.note("wrong_column_count", line, f"{len(row)} columns")
                bad.reject(line, [f"{len(row)} columns, expected {len(TX_COLUMNS)}"])
                continue
            src = common.read_int(row[0], "sourceNodeId", line, bad)
            dst = common.read_int(row[1], "targetNodeId", line, bad)
            amount = common.read_decimal(row[2], "value", line, bad)
            step = common.read_int(row[3], "time", line, bad)
            missing = [n for n, v in (("sourceNodeId", src), ("targetNodeId", dst), ("time", step))
                       if v is None]
            if missing:
                bad.reject(line, [f"no usable {n}" for n in missing])
                continue
            if src not in seen or dst not in seen:
                bad.note("unknown_account", line, f"{src} -> {dst}")
            money = "" if amount is None else f',"amount":{amount}'
            ts = day(step)
            text = (f'{{"posting_id":"t{line}o","ts":"{ts}","step":{step},"account_id":{src},'
                    f'"counterparty_id":{dst},"direction":"OUT"{money}}}\n'
                    f'{{"posting_id":"t{line}i","ts":"{ts}","step":{step},"account_id":{dst},'
                    f'"counterparty_id":{src},"direction":"IN"{money}}}\n')
            emit(reorder.push(step * DAY_US, line, text))
        emit(reorder.drain())
    with common.AtomicFile(os.path.join(out_dir, "transfers")) as t:
        t.write(f"{rows - bad.rejected}\n")
    return bad.write(out_dir, rows, events)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("run_dir")
    ap.add_argument("out_dir")
    ap.add_argument("--limit", type=int, help="convert only the first N transfers")
    a = ap.parse_args()
    convert(a.run_dir, a.out_dir, a.limit)


if __name__ == "__main__":
    main()
