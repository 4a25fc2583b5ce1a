#!/usr/bin/python3
"""Scores vigil's results on an AMLSim run against its account labels.

  score.py OUT_DIR [--run NAME]

AMLSim labels accounts, not transfers (its README): an account is alerted when
a rule fires on a posting of that account (the keyed party). Per rule and for
the pack: recall (laundering accounts alerted / laundering accounts),
precision (laundering among alerted accounts), false-positive rate (normal
accounts alerted / normal accounts), alerts per 1,000 transfers; and, for
laundering accounts with fraudStep >= 0, how many steps after it the first
alert came. The typology is the run's (fanin200: fan-in, cycle200: cycle).
"""
import argparse
import csv
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import common  # noqa: E402
import common_score  # noqa: E402

TYPOLOGY = {"fanin200": "fan-in", "cycle200": "cycle", "fanin200cycle200": "fan-in + cycle"}


def score(out_dir, run):
    labels, fraud_step = {}, {}
    with open(os.path.join(out_dir, "accounts.csv"), encoding="utf-8") as f:
        for row in csv.DictReader(f):
            labels[row["account_id"]] = row["fraud"] == "1"
            if row["fraud_step"] not in ("", "-1"):
                fraud_step[row["account_id"]] = int(row["fraud_step"])
    with open(os.path.join(out_dir, "transfers"), encoding="utf-8") as f:
        transfers = int(f.read())
    alerted = {}  # rule -> set of accounts
    alerts = {}   # rule -> number of alerts (postings)
    first_alert = {}  # account -> first step a fired rule alerted it
    with open(os.path.join(out_dir, "events.jsonl"), encoding="utf-8") as f:
        for (event, fired, shadow), line in zip(common.results(
                os.path.join(out_dir, "results.jsonl")), f):
            if not fired and not shadow:
                continue
            posting = json.loads(line)
            if posting["posting_id"] != event:
                raise SystemExit(f"score.py: results and events differ at {event!r}: re-run eval")
            account = str(posting["account_id"])
            names = list(fired) + list(shadow) + ([common_score.PACK] if fired else [])
            for name in names:
                alerted.setdefault(name, set()).add(account)
                alerts[name] = alerts.get(name, 0) + 1
            if fired and account not in first_alert:
                first_alert[account] = posting["step"]
    typology = TYPOLOGY.get(run, run)
    positives = sum(labels.values())
    negatives = len(labels) - positives
    rows = []
    for name in sorted(n for n in alerted if n != common_score.PACK) + [common_score.PACK]:
        accounts = alerted.get(name, set())
        tp = sum(1 for a in accounts if labels.get(a))
        fp = len(accounts) - tp
        rows.append({
            "rule": name, "alerts": alerts.get(name, 0),
            "alerts_per_1000": common.ratio(1000 * alerts.get(name, 0), transfers),
            "alerted_accounts": len(accounts), "true_positives": tp, "false_positives": fp,
            "precision": common.ratio(tp, len(accounts)),
            "false_positive_rate": common.ratio(fp, negatives),
            "recall": common.ratio(tp, positives),
            "recall_by": {typology: common.ratio(tp, positives)},
        })
    delays = [first_alert[a] - s for a, s in fraud_step.items() if labels.get(a) and a in first_alert]
    result = {"unit": "account", "run": run, "transfers": transfers, "scored": transfers,
              "positives": positives, "positives_by": {typology: positives},
              "negatives": negatives, "rules": rows,
              "timeliness": {
                  "laundering_accounts_with_fraud_step": sum(1 for a in fraud_step if labels.get(a)),
                  "alerted": len(delays),
                  "alerted_before_fraud_step": sum(1 for d in delays if d < 0),
                  "median_steps_from_fraud_step": common_score.median(delays)}}
    common.write_json(os.path.join(out_dir, "score.json"), result)
    return result


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("out_dir")
    ap.add_argument("--run", default="")
    a = ap.parse_args()
    result = score(a.out_dir, a.run)
    print(f"amlsim {a.run}: {result['transfers']:,} transfers, {result['positives']:,} laundering "
          f"and {result['negatives']:,} normal accounts (scored per account)")
    print(common_score.markdown(result, "typology"))
    t = result["timeliness"]
    print(f"timeliness: {t['alerted']} of {t['laundering_accounts_with_fraud_step']} laundering "
          f"accounts with a fraudStep alerted, median {t['median_steps_from_fraud_step']} steps "
          f"after it ({t['alerted_before_fraud_step']} before it)")


if __name__ == "__main__":
    main()
