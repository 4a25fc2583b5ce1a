#!/usr/bin/python3
"""Scores vigil's results on the PaySim sample against isFraud.

  score.py OUT_DIR

Reads OUT_DIR/labels.csv and OUT_DIR/results.jsonl, writes OUT_DIR/score.json
and prints the table: per transaction, recall for TRANSFER and CASH_OUT fraud
rows (all fraud is of these two types), precision, false-positive rate and
alerts per 1,000 transactions; the false positives estimated for the full
PaySim file (x 256.36, the sample's legitimate-row ratio); and the fraud pairs
(a fraud TRANSFER and a fraud CASH_OUT of one step and amount) with at least
one alert.
"""
import argparse
import csv
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import common  # noqa: E402
import common_score  # noqa: E402

TYPES = ["TRANSFER", "CASH_OUT"]
FULL_DATA_FACTOR = 256.36  # legitimate rows of the full file per legitimate row here


def score(out_dir):
    tally = common_score.Tally(TYPES)
    positives = {t: 0 for t in TYPES}
    negatives = scored = 0
    pairs = {}  # (step, amount) -> [types seen among fraud rows, alerted]
    with open(os.path.join(out_dir, "labels.csv"), encoding="utf-8") as f:
        labels = csv.reader(f)
        next(labels)
        for event, fired, shadow in common.results(os.path.join(out_dir, "results.jsonl")):
            label = next(labels, None)
            if label is None or label[0] != event:
                raise SystemExit(f"score.py: results and labels differ at event {event!r}: "
                                 "re-run convert and eval")
            _, step, kind, amount, fraud = label
            fraud = fraud == "1"
            scored += 1
            if fraud:
                positives[kind] = positives.get(kind, 0) + 1
                pair = pairs.setdefault((step, amount), [set(), False])
                pair[0].add(kind)
                pair[1] = pair[1] or bool(fired)
            else:
                negatives += 1
            tally.add(list(fired) + list(shadow) + ([common_score.PACK] if fired else []),
                      fraud, kind)
    for kind in positives:
        if kind not in TYPES:
            print(f"score.py: {positives[kind]} fraud rows of type {kind!r} are counted in no "
                  "type's recall", file=sys.stderr)
    result = tally.table({t: positives[t] for t in TYPES}, negatives, scored, "transaction")
    for r in result["rules"]:
        r["estimated_false_positives_full_data"] = round(r["false_positives"] * FULL_DATA_FACTOR)
    full = [p for p in pairs.values() if p[0] >= set(TYPES)]
    result["fraud_pairs"] = {"pairs": len(full), "alerted": sum(1 for p in full if p[1])}
    common.write_json(os.path.join(out_dir, "score.json"), result)
    return result


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("out_dir")
    a = ap.parse_args()
    result = score(a.out_dir)
    print(f"paysim: {result['scored']:,} transactions ({result['positives']:,} fraud, "
          f"{result['negatives']:,} legitimate)")
    print(common_score.markdown(result, "recall"))
    for r in result["rules"]:
        print(f"{r['rule']}: about {r['estimated_false_positives_full_data']:,} false positives "
              "on the full PaySim file")
    p = result["fraud_pairs"]
    print(f"fraud pairs (TRANSFER + CASH_OUT, same step and amount): {p['alerted']:,} of "
          f"{p['pairs']:,} with at least one alert")


if __name__ == "__main__":
    main()
