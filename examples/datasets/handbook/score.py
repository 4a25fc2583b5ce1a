#!/usr/bin/python3
"""Scores vigil's results on the handbook data set against its labels.

  score.py OUT_DIR [--score-from 2018-05-01]

Reads OUT_DIR/labels.csv (convert.py) and OUT_DIR/results.jsonl (vigil eval),
writes OUT_DIR/score.json and prints the table. Per transaction: recall per
scenario, precision, false-positive rate, alerts per 1,000 transactions; per
entity: compromised terminals (scenario 2) and cards (scenario 3) with an alert
at or after their first fraud, and the median delay to it. Only transactions
from --score-from on are scored (the handbook's 30-day warm-up, so baselines
exist); earlier ones are still evaluated, which is what builds the baselines.
"""
import argparse
import csv
import datetime
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import common  # noqa: E402
import common_score  # noqa: E402

SCENARIOS = ["1", "2", "3"]
ENTITY = {"2": "terminal", "3": "customer"}


def score(out_dir, score_from):
    start = datetime.datetime.fromisoformat(score_from).replace(
        tzinfo=datetime.timezone.utc).timestamp() * 1_000_000
    tally = common_score.Tally(SCENARIOS)
    positives = {s: 0 for s in SCENARIOS}
    negatives = scored = 0
    first_fraud = {s: {} for s in ENTITY}  # scenario -> entity -> first fraud time
    first_alert = {s: {} for s in ENTITY}  # scenario -> entity -> first alert at or after it
    with open(os.path.join(out_dir, "labels.csv"), encoding="utf-8") as f:
        labels = csv.reader(f)
        next(labels)
        for event, fired, shadow in common.results(os.path.join(out_dir, "results.jsonl")):
            if isinstance(event, str) and event.startswith("f"):
                continue  # a fraud confirmation, not a transaction
            label = next(labels, None)
            if label is None or label[0] != event:
                raise SystemExit(f"score.py: results and labels differ at event {event!r} "
                                 f"(labels: {label and label[0]!r}): re-run convert and eval")
            time_us = int(label[1])
            if time_us < start:
                continue
            scored += 1
            fraud = label[2] == "1"
            scenario = label[3]
            if fraud:
                positives[scenario] = positives.get(scenario, 0) + 1
            else:
                negatives += 1
            names = list(fired) + list(shadow) + ([common_score.PACK] if fired else [])
            tally.add(names, fraud, scenario)
            keys = {"terminal": label[5], "customer": label[4]}
            for s, kind in ENTITY.items():
                entity = keys[kind]
                if fraud and scenario == s and entity not in first_fraud[s]:
                    first_fraud[s][entity] = time_us
                if fired and entity in first_fraud[s] and entity not in first_alert[s]:
                    first_alert[s][entity] = time_us - first_fraud[s][entity]
    for s in list(positives):
        if s not in SCENARIOS:
            print(f"score.py: {positives[s]} fraud rows with scenario {s!r} are counted in "
                  "no scenario's recall", file=sys.stderr)
    result = tally.table({s: positives[s] for s in SCENARIOS}, negatives, scored, "transaction")
    result["score_from"] = score_from
    result["entities"] = {}
    for s, kind in ENTITY.items():
        delays = [d / 86_400_000_000 for d in first_alert[s].values()]
        result["entities"][f"scenario {s}"] = {
            "kind": kind,
            "compromised": len(first_fraud[s]),
            "alerted": len(first_alert[s]),
            "recall": common.ratio(len(first_alert[s]), len(first_fraud[s])),
            "median_days_to_first_alert": (None if not delays
                                           else round(common_score.median(delays), 2)),
        }
    common.write_json(os.path.join(out_dir, "score.json"), result)
    return result


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("out_dir")
    ap.add_argument("--score-from", default="2018-05-01")
    a = ap.parse_args()
    result = score(a.out_dir, a.score_from)
    print(f"handbook: {result['scored']:,} transactions scored from {a.score_from} "
          f"({result['positives']:,} fraud, {result['negatives']:,} legitimate)")
    print(common_score.markdown(result, "scenario"))
    for name, e in result["entities"].items():
        rec = "n/a" if e["recall"] is None else f"{100 * e['recall']:.1f} %"
        print(f"{name}: {e['alerted']} of {e['compromised']} compromised {e['kind']}s alerted "
              f"({rec}), median {e['median_days_to_first_alert']} days after their first fraud")


if __name__ == "__main__":
    main()
