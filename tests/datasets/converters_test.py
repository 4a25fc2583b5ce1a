#!/usr/bin/python3
"""The data set converters on small fixtures written for this test (no row of
the real data sets): each kind of bad data gets its named count, rows that
cannot be events are in rejects.jsonl with their line, events leave in
event-time order, and vigil reads every event written.

  converters_test.py VIGIL REPO
"""
import json
import os
import subprocess
import sys
import tempfile

VIGIL, REPO = sys.argv[1], sys.argv[2]
DATASETS = os.path.join(REPO, "examples", "datasets")
failures = []
passed = 0


def check(what, got, want):
    global passed
    if got == want:
        passed += 1
    else:
        failures.append(f"{what}: got {got!r}, expected {want!r}")


def run(script, *args):
    p = subprocess.run(["/usr/bin/python3", os.path.join(DATASETS, script), *args],
                       capture_output=True, text=True)
    if p.returncode != 0:
        failures.append(f"{script} exited {p.returncode}: {p.stderr}")
    return p


def lines(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(x) for x in f]


def vigil_reads_all(what, rules, events, late=0):
    """vigil parses every event written; those out of order beyond its lateness
    are evaluated and counted as late."""
    p = subprocess.run([VIGIL, "eval", "--rules", rules, "--events", events],
                       capture_output=True, text=True)
    n = sum(1 for _ in open(events, encoding="utf-8"))
    want = f"{n} events evaluated, 0 skipped"
    if late:
        want += f", {late} late (not recorded in the aggregates' state)"
    check(f"{what}: vigil eval's summary", p.stderr.strip().splitlines()[-1], want)


def report(out):
    with open(os.path.join(out, "convert-report.json"), encoding="utf-8") as f:
        return json.load(f)


HANDBOOK = """TRANSACTION_ID,TX_DATETIME,CUSTOMER_ID,TERMINAL_ID,TX_AMOUNT,TX_TIME_SECONDS,TX_TIME_DAYS,TX_FRAUD,TX_FRAUD_SCENARIO
0,2018-04-01 00:00:10,1,10,20.00,10,0,0,0
1,2018-04-01 00:00:20,2,11,,20,0,0,0
2,2018-04-01 00:00:30,3,12," 1,234.50",30,0,0,0
3,2018-04-01 00:00:40,4,13,abc,40,0,0,0
4,2018-04-01 00:00:50,5,14,30.10000000000001,50,0,0,0
5,2018-04-01 00:00:45,6,15,10.00,45,0,0,0
6,2018-04-01 00:01:00,7,16,10.00,60,0,7,0
7,2018-04-01 00:01:10,8,17,10.00,70,0,1,9
8,,9,18,10.00,80,0,0,0
9,2018-04-01 25:00:00,9,18,10.00,90,0,0,0
10,2018-04-01 00:02:00,,19,10.00,120,0,0,0
11,2018-04-01 00:02:10,1,10
12,2018-04-01 03:00:00,1,10,10.00,10800,0,1,2
13,2018-04-01 00:30:00,2,11,10.00,1800,0,0,0
14,2018-04-09 00:00:00,3,12,10.00,691200,8,0,0
15,2018-04-01 00:01:05,4,13,10.00,65,0,0,0
"""

PAYSIM = """step,type,amount,nameOrig,oldbalanceOrg,newbalanceOrig,nameDest,oldbalanceDest,newbalanceDest,isFraud,isFlaggedFraud
3,TRANSFER,500.00,C1,500.00,0.0,C2,0.0,0.0,1,0
1,PAYMENT,10.00,C3,100.00,90.00,M4,0.0,0.0,0,0
2,WIRE,10.00,C5,100.00,90.00,C6,0.0,0.0,0,0
3,CASH_OUT,500.00,C7,"1,000.00",500.00,C8,0.0,500.00,1,0
,CASH_IN,10.00,C9,0.0,10.00,C10,0.0,0.0,0,0
2,CASH_IN,,C11,0.0,10.00,C12,0.0,0.0,0,0
4,PAYMENT,10.00,C13,100.00,90.00,M14,0.0,0.0,yes,0
4,PAYMENT,10.00,C15
"""

NODES = """nodeid,isFraud,init_balance,fraudStep
1,0,100.00,-1
2,1,100.00,3
3,0,100.00,-1
3,0,100.00,-1
4,2,100.00,-1
"""

AMLSIM = """sourceNodeId,targetNodeId,value,time
1,2,10.00,1
2,3,9.50,2
3,1,,2
1,99,5.00,3
2,1,4.00,2
3,2,6.00,x
1,3,7.00,1
2,3,1.00
"""


with tempfile.TemporaryDirectory() as tmp:
    # ---------------------------------------------------------------- handbook
    src = os.path.join(tmp, "handbook.csv")
    with open(src, "w", encoding="utf-8") as f:
        f.write(HANDBOOK)
    out = os.path.join(tmp, "hb")
    p = run("handbook/convert.py", src, out)
    r = report(out)
    check("handbook: bad data counts", r["bad_data"], {
        "bad_time:TX_DATETIME": 1, "empty:CUSTOMER_ID": 1, "empty:TX_AMOUNT": 1,
        "empty:TX_DATETIME": 1, "float_noise:TX_AMOUNT": 1, "not_a_number:TX_AMOUNT": 1,
        "number_as_string:TX_AMOUNT": 1, "out_of_order:beyond_window": 1,
        "out_of_order:reordered": 2, "unknown_category:TX_FRAUD": 1,
        "unknown_category:TX_FRAUD_SCENARIO": 1, "wrong_column_count": 1})
    check("handbook: rows", r["rows"], 16)
    check("handbook: rejected rows", r["rejected_rows"], 4)
    rejects = lines(os.path.join(out, "rejects.jsonl"))
    check("handbook: rejected lines", [x["line"] for x in rejects], [10, 11, 12, 13])
    check("handbook: a reject says why", rejects[0]["reasons"], ["no usable TX_DATETIME"])
    for kind in ("empty:TX_AMOUNT", "out_of_order:reordered", "wrong_column_count"):
        check(f"handbook: stderr names {kind}", kind in p.stderr, True)
    events = lines(os.path.join(out, "events.jsonl"))
    tx = [e for e in events if e["kind"] == "TX"]
    check("handbook: events written", r["events"], len(events))
    check("handbook: transactions", len(tx), 12)
    ids = [e["event_id"] for e in tx]
    # Rows 5 (00:00:45) and 13 (00:30, within the hour's window of 03:00) go
    # back in their places; row 15 arrives after days had left: it is written
    # at once, at its own time, out of order, and counted as beyond the window
    # (vigil judges lateness per key: its customer and terminal are not late).
    check("handbook: event order", ids,
          ["t0", "t1", "t2", "t3", "t5", "t4", "t6", "t7", "t13", "t12", "t15", "t14"])
    by_id = {e["event_id"]: e for e in events}
    check("handbook: an empty amount is missing", "amount" in by_id["t1"], False)
    check("handbook: a number as text is read", by_id["t2"]["amount"], 1234.5)
    check("handbook: float noise is read", by_id["t4"]["amount"], 30.1)
    check("handbook: a fraud's confirmation 7 days later",
          [(e["event_id"], e["tx_time"], e["terminal_id"]) for e in events
           if e["kind"] == "FRAUD_CONFIRMED"],
          [("f7", "2018-04-08T00:01:10Z", 17), ("f12", "2018-04-08T03:00:00Z", 10)])
    with open(os.path.join(out, "labels.csv"), encoding="utf-8") as f:
        labels = f.read().splitlines()
    check("handbook: a label per transaction, in order", [x.split(",")[0] for x in labels[1:]], ids)
    check("handbook: labels keep unknown values", labels[1:][ids.index("t7")].split(",")[2:4],
          ["1", "9"])
    vigil_reads_all("handbook", os.path.join(DATASETS, "handbook", "rules.vgl"),
                    os.path.join(out, "events.jsonl"))
    run("handbook/convert.py", src, os.path.join(tmp, "hb_prefix"), "--limit", "3")
    check("handbook: --limit", report(os.path.join(tmp, "hb_prefix"))["rows"], 3)
    run("handbook/convert.py", src, os.path.join(tmp, "hb_nofb"), "--no-feedback")
    check("handbook: --no-feedback", sum(
        1 for e in lines(os.path.join(tmp, "hb_nofb", "events.jsonl"))
        if e["kind"] != "TX"), 0)

    # ---------------------------------------------------------------- paysim
    src = os.path.join(tmp, "paysim.csv")
    with open(src, "w", encoding="utf-8") as f:
        f.write(PAYSIM)
    out = os.path.join(tmp, "ps")
    run("paysim/convert.py", src, out)
    r = report(out)
    check("paysim: bad data counts", r["bad_data"], {
        "empty:amount": 1, "empty:step": 1, "number_as_string:oldbalanceOrg": 1,
        "out_of_order:reordered": 3, "unknown_category:isFraud": 1,
        "unknown_category:type": 1, "wrong_column_count": 1})
    check("paysim: rejected rows", [x["line"] for x in lines(os.path.join(out, "rejects.jsonl"))],
          [6, 9])
    events = lines(os.path.join(out, "events.jsonl"))
    check("paysim: step order, ties in file order", [e["event_id"] for e in events],
          ["p3", "p4", "p7", "p2", "p5", "p8"])
    check("paysim: a balance written as text", events[4]["orig_balance_before"], 1000.0)
    check("paysim: the unknown type is kept", events[1]["type"], "WIRE")
    check("paysim: no label in the events", any("isFraud" in e or "fraud" in e for e in events),
          False)
    vigil_reads_all("paysim", os.path.join(DATASETS, "paysim", "rules.vgl"),
                    os.path.join(out, "events.jsonl"))

    # ---------------------------------------------------------------- amlsim
    run_dir = os.path.join(tmp, "run")
    os.makedirs(run_dir)
    with open(os.path.join(run_dir, "nodes.csv"), "w", encoding="utf-8") as f:
        f.write(NODES)
    with open(os.path.join(run_dir, "transactions.csv"), "w", encoding="utf-8") as f:
        f.write(AMLSIM)
    out = os.path.join(tmp, "am")
    run("amlsim/convert.py", run_dir, out)
    r = report(out)
    check("amlsim: bad data counts", r["bad_data"], {
        "empty:value": 1, "nodes:duplicate_nodeid": 1, "not_a_number:time": 1,
        "out_of_order:beyond_window": 1, "out_of_order:reordered": 1,
        "unknown_account": 1, "unknown_category:nodes:isFraud": 1, "wrong_column_count": 1})
    check("amlsim: rejected rows", [x["line"] for x in lines(os.path.join(out, "rejects.jsonl"))],
          [7, 9])
    events = lines(os.path.join(out, "events.jsonl"))
    # Line 6 (step 2, after step 3) goes back in place; line 8 (step 1, after
    # step 2 had left) is written at once, at its own time, beyond the window.
    check("amlsim: two postings per transfer, in step order", [e["posting_id"] for e in events],
          ["t2o", "t2i", "t3o", "t3i", "t4o", "t4i", "t6o", "t6i", "t8o", "t8i", "t5o", "t5i"])
    check("amlsim: the credit is the receiver's", (events[1]["account_id"],
                                                   events[1]["counterparty_id"],
                                                   events[1]["direction"]), (2, 1, "IN"))
    with open(os.path.join(out, "accounts.csv"), encoding="utf-8") as f:
        check("amlsim: accounts once each", f.read().splitlines(),
              ["account_id,fraud,fraud_step", "1,0,-1", "2,1,3", "3,0,-1", "4,2,-1"])
    with open(os.path.join(out, "transfers"), encoding="utf-8") as f:
        check("amlsim: transfers converted", f.read().strip(), "6")
    vigil_reads_all("amlsim", os.path.join(DATASETS, "amlsim", "rules.vgl"),
                    os.path.join(out, "events.jsonl"), late=2)

for failure in failures:
    print("FAIL", failure)
print(f"{passed} passed, {len(failures)} failed")
sys.exit(1 if failures else 0)
