#!/usr/bin/python3
"""The scorers on tiny hand-made labelled fixtures whose recall, precision,
false-positive rate and alerts per 1,000 are worked out by hand here.

  scorers_test.py REPO
"""
import datetime
import json
import os
import subprocess
import sys
import tempfile

REPO = sys.argv[1]
DATASETS = os.path.join(REPO, "examples", "datasets")
failures = []
passed = 0


def check(what, got, want):
    global passed
    if got == want:
        passed += 1
    else:
        failures.append(f"{what}: got {got!r}, expected {want!r}")


def result(event, fired=(), shadow=(), ruleset="x"):
    """A result line as vigil eval writes it (only the members the scorers read)."""
    rule = lambda r: {"rule": f"{ruleset}/{r}", "reason": "", "tags": []}  # noqa: E731
    return json.dumps({"event": event, "decision": "review" if fired else "allow", "score": 0,
                       "fired": [rule(r) for r in fired], "shadow": [rule(r) for r in shadow],
                       "tags": []}, separators=(",", ":")) + "\n"


def write(path, text):
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def score(script, out, *args):
    p = subprocess.run(["/usr/bin/python3", os.path.join(DATASETS, script), out, *args],
                       capture_output=True, text=True)
    if p.returncode != 0:
        failures.append(f"{script} exited {p.returncode}: {p.stderr}")
        return None
    with open(os.path.join(out, "score.json"), encoding="utf-8") as f:
        return json.load(f)


def rules(s):
    return {r["rule"]: r for r in s["rules"]}


def us(text):
    return int(datetime.datetime.fromisoformat(text + "+00:00").timestamp()) * 1_000_000


PACK = "(pack: any enforced rule)"

with tempfile.TemporaryDirectory() as tmp:
    # ---------------------------------------------------------------- handbook
    # t0 is in the warm-up (not scored). Scored: t1..t10; fraud: t1 (s1),
    # t2 and t3 (s2, terminal 20), t4 (s3, customer 4); six legitimate.
    out = os.path.join(tmp, "hb")
    os.makedirs(out)
    rows = [("t0", "2018-04-15T00:00:00", 1, 1, 1, 10),
            ("t1", "2018-05-01T00:00:00", 1, 1, 1, 10),
            ("t2", "2018-05-01T01:00:00", 1, 2, 2, 20),
            ("t3", "2018-05-01T02:00:00", 1, 2, 3, 20),
            ("t4", "2018-05-02T00:00:00", 1, 3, 4, 30),
            ("t5", "2018-05-02T01:00:00", 0, 0, 5, 40),
            ("t6", "2018-05-02T02:00:00", 0, 0, 6, 41),
            ("t7", "2018-05-02T03:00:00", 0, 0, 7, 42),
            ("t8", "2018-05-02T04:00:00", 0, 0, 8, 43),
            ("t9", "2018-05-02T05:00:00", 0, 0, 9, 44),
            ("t10", "2018-05-04T12:00:00", 0, 0, 4, 30)]
    write(os.path.join(out, "labels.csv"), "event_id,time_us,fraud,scenario,customer_id,terminal_id\n"
          + "".join(f"{i},{us(t)},{f},{s},{c},{m}\n" for i, t, f, s, c, m in rows))
    write(os.path.join(out, "results.jsonl"),
          result("t0", ["h1_large_amount"]) + result("t1", ["h1_large_amount"])
          + result("f1") + result("t2", ["h3_compromised_terminal"]) + result("t3")
          + result("t4", shadow=["h4_daily_spend_spike"]) + result("t5", ["h1_large_amount"])
          + result("t6") + result("t7") + result("t8") + result("t9")
          + result("t10", ["h2_amount_spike"]))
    s = score("handbook/score.py", out)
    if s:
        r = rules(s)
        check("handbook: scored", (s["scored"], s["positives"], s["negatives"]), (10, 4, 6))
        check("handbook: h1", (r["h1_large_amount"]["alerts"], r["h1_large_amount"]["precision"],
                               r["h1_large_amount"]["recall"],
                               r["h1_large_amount"]["false_positive_rate"],
                               r["h1_large_amount"]["alerts_per_1000"]),
              (2, 0.5, 0.25, 0.1667, 200.0))
        check("handbook: h1 per scenario", r["h1_large_amount"]["recall_by"],
              {"1": 1.0, "2": 0.0, "3": 0.0})
        check("handbook: h3 per scenario", r["h3_compromised_terminal"]["recall_by"],
              {"1": 0.0, "2": 0.5, "3": 0.0})
        check("handbook: a shadow rule is scored alone",
              r["h4_daily_spend_spike"]["recall_by"], {"1": 0.0, "2": 0.0, "3": 1.0})
        check("handbook: the pack", (r[PACK]["alerts"], r[PACK]["precision"], r[PACK]["recall"],
                                     r[PACK]["false_positive_rate"], r[PACK]["alerts_per_1000"],
                                     r[PACK]["recall_by"]),
              (4, 0.5, 0.5, 0.3333, 400.0, {"1": 1.0, "2": 0.5, "3": 0.0}))
        check("handbook: compromised terminals",
              s["entities"]["scenario 2"],
              {"kind": "terminal", "compromised": 1, "alerted": 1, "recall": 1.0,
               "median_days_to_first_alert": 0.0})
        check("handbook: compromised cards, detected 2.5 days after their first fraud",
              s["entities"]["scenario 3"],
              {"kind": "customer", "compromised": 1, "alerted": 1, "recall": 1.0,
               "median_days_to_first_alert": 2.5})
    # Results that do not follow the labels are an error, not a wrong score.
    write(os.path.join(out, "results.jsonl"), result("t0") + result("t2"))
    p = subprocess.run(["/usr/bin/python3", os.path.join(DATASETS, "handbook/score.py"), out],
                       capture_output=True, text=True)
    check("handbook: results out of step with the labels", (p.returncode != 0,
                                                            "differ at event 't2'" in p.stderr),
          (True, True))

    # ---------------------------------------------------------------- paysim
    # Fraud: two pairs (p1+p2 alerted, p3+p4 not). Legitimate: p5..p8, one
    # alerted by an enforced rule (p6) and one by a shadow rule only (p5).
    out = os.path.join(tmp, "ps")
    os.makedirs(out)
    write(os.path.join(out, "labels.csv"), "event_id,step,type,amount,fraud\n"
          "p1,1,TRANSFER,100.00,1\np2,1,CASH_OUT,100.00,1\np3,2,TRANSFER,50.00,1\n"
          "p4,2,CASH_OUT,50.00,1\np5,3,PAYMENT,10.00,0\np6,3,TRANSFER,999.00,0\n"
          "p7,4,CASH_IN,5.00,0\np8,4,DEBIT,5.00,0\n")
    write(os.path.join(out, "results.jsonl"),
          result("p1", ["p1_account_drain"]) + result("p2", ["p2_transfer_then_cash_out"])
          + result("p3") + result("p4") + result("p5", shadow=["p4_mule_receiver"])
          + result("p6", ["p2_transfer_then_cash_out"]) + result("p7") + result("p8"))
    s = score("paysim/score.py", out)
    if s:
        r = rules(s)
        check("paysim: the pack", (r[PACK]["alerts"], r[PACK]["precision"], r[PACK]["recall"],
                                   r[PACK]["false_positive_rate"], r[PACK]["alerts_per_1000"],
                                   r[PACK]["recall_by"],
                                   r[PACK]["estimated_false_positives_full_data"]),
              (3, 0.6667, 0.5, 0.25, 375.0, {"TRANSFER": 0.5, "CASH_OUT": 0.5}, 256))
        check("paysim: p2", (r["p2_transfer_then_cash_out"]["precision"],
                             r["p2_transfer_then_cash_out"]["recall_by"]),
              (0.5, {"TRANSFER": 0.0, "CASH_OUT": 0.5}))
        check("paysim: a shadow rule's false positive", (r["p4_mule_receiver"]["false_positives"],
                                                        r["p4_mule_receiver"]["precision"]),
              (1, 0.0))
        check("paysim: fraud pairs", s["fraud_pairs"], {"pairs": 2, "alerted": 1})

    # ---------------------------------------------------------------- amlsim
    # Accounts 1 and 2 launder (1 from step 2 on); 3, 4 and 5 are normal.
    out = os.path.join(tmp, "am")
    os.makedirs(out)
    write(os.path.join(out, "accounts.csv"),
          "account_id,fraud,fraud_step\n1,1,2\n2,1,-1\n3,0,-1\n4,0,-1\n5,0,-1\n")
    write(os.path.join(out, "transfers"), "4\n")
    postings = [("t1o", 1, 1), ("t1i", 2, 1), ("t2o", 2, 2), ("t2i", 3, 2),
                ("t3o", 3, 3), ("t3i", 4, 3), ("t4o", 4, 4), ("t4i", 5, 4)]
    write(os.path.join(out, "events.jsonl"), "".join(
        json.dumps({"posting_id": i, "account_id": a, "step": st}) + "\n" for i, a, st in postings))
    write(os.path.join(out, "results.jsonl"),
          result("t1o", ["a1_fan_in"]) + result("t1i") + result("t2o")
          + result("t2i", ["a3_pass_through"]) + result("t3o", shadow=["a4_repeated_amount"])
          + result("t3i") + result("t4o") + result("t4i", ["a1_fan_in"]))
    s = score("amlsim/score.py", out, "--run", "fanin200")
    if s:
        r = rules(s)
        check("amlsim: accounts", (s["positives"], s["negatives"]), (2, 3))
        check("amlsim: a1", (r["a1_fan_in"]["alerted_accounts"], r["a1_fan_in"]["precision"],
                             r["a1_fan_in"]["recall"], r["a1_fan_in"]["false_positive_rate"],
                             r["a1_fan_in"]["alerts_per_1000"]),
              (2, 0.5, 0.5, 0.3333, 500.0))
        check("amlsim: the pack", (r[PACK]["alerted_accounts"], r[PACK]["precision"],
                                   r[PACK]["recall"], r[PACK]["false_positive_rate"],
                                   r[PACK]["alerts_per_1000"], r[PACK]["recall_by"]),
              (3, 0.3333, 0.5, 0.6667, 750.0, {"fan-in": 0.5}))
        check("amlsim: a shadow rule is not in the pack", r["a4_repeated_amount"]["alerted_accounts"],
              1)
        check("amlsim: timeliness", s["timeliness"],
              {"laundering_accounts_with_fraud_step": 1, "alerted": 1,
               "alerted_before_fraud_step": 1, "median_steps_from_fraud_step": -1})

for failure in failures:
    print("FAIL", failure)
print(f"{passed} passed, {len(failures)} failed")
sys.exit(1 if failures else 0)
