#!/usr/bin/python3
"""Case files and outcomes at the scale of a referral operation.

Writes vigil.case/1 files (docs/case.md) straight away, without running the
rules: SUBJECTS subjects (one case each, a few alerts and payments, KYC data
marked @pii in the coalition schema) spread over COUNTRIES countries with a
long tail, a share with no country at all (unassigned), and an outcomes file
(docs/impact.md) over a year: confirmed or false positive, reports filed,
referrals, merchants terminated, law-enforcement feedback. Seeded: the same
arguments give the same files.

    gen_reporting.py --subjects 153000 --countries 130 --out DIR [--seed 1]
                     [--outcomes FILE] [--member NAME]
"""
import argparse
import hashlib
import json
import os
import random

# 130 ISO 3166-1 alpha-2 codes (written out, not read from the system).
COUNTRIES = (
    "AE AL AM AO AR AT AU AZ BA BD BE BG BH BO BR BY CA CH CL CM CN CO CR CY CZ DE DK DO DZ EC "
    "EE EG ES ET FI FJ FR GB GE GH GR GT HK HN HR HU ID IE IL IN IQ IR IS IT JM JO JP KE KG KH "
    "KR KW KZ LA LB LK LT LU LV MA MD ME MK MM MN MO MT MU MX MY MZ NA NG NI NL NO NP NZ OM PA "
    "PE PG PH PK PL PT PY QA RO RS RU RW SA SE SG SI SK SN SV TH TJ TN TR TT TW TZ UA UG US UY "
    "UZ VE VN ZA ZM ZW BN BT CU GY"
).split()
TYPOLOGIES = ["T1", "T2", "T3", "T4", "T5", "T6", "T7", "T8"]
FIRST = ["Ana", "Ben", "Chen", "Dara", "Eli", "Femi", "Gita", "Hugo", "Iris", "Jon", "Kemal", "Lena"]
LAST = ["Alvarez", "Brennan", "Chowdhury", "Dimitrov", "Esposito", "Fischer", "Gallagher",
        "Haddad", "Ivanova", "Jensen", "Kowalski", "Lindqvist"]
EPOCH = 1767225600  # 2026-01-01T00:00:00Z


def iso(t):
    import time
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--subjects", type=int, required=True)
    ap.add_argument("--countries", type=int, default=130)
    ap.add_argument("--out", required=True)
    ap.add_argument("--outcomes")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--member", default="a")
    ap.add_argument("--rules", type=int, default=40)
    a = ap.parse_args()
    rnd = random.Random(a.seed)
    countries = COUNTRIES[:a.countries]
    # A long tail: a few countries hold most subjects, every country some.
    weights = [1.0 / (i + 1) ** 0.8 for i in range(len(countries))]
    rules = [(f"coalition.cse/r{i:02}_generated", TYPOLOGIES[i % len(TYPOLOGIES)])
             for i in range(a.rules)]
    os.makedirs(a.out, exist_ok=True)
    outcomes = open(a.outcomes, "w") if a.outcomes else None
    evt = 0
    for s in range(a.subjects):
        subject = str(100000000 + a.seed * 10000000 + s)
        home = countries[s % len(countries)] if s < len(countries) else rnd.choices(countries, weights)[0]
        unassigned = rnd.random() < 0.01
        opened = EPOCH + rnd.randrange(0, 330 * 86400)
        n_tx = rnd.randint(1, 4)
        n_alerts = rnd.randint(1, n_tx)
        fired_rules = rnd.sample(rules, rnd.randint(1, 3))
        typology = fired_rules[0][1]
        txs, alerts, total = [], [], 0
        first_event = None
        for t in range(n_tx):
            evt += 1
            event_id = f"evt-{a.member}-{evt:09}"
            first_event = first_event or event_id
            when = opened + t * rnd.randint(60, 86400)
            amount = rnd.randint(500, 50000)
            total += amount
            data = {
                "event_id": event_id, "event_time": iso(when), "customer_id": int(subject),
                "account_id": 50000000 + s, "amount": amount / 100, "currency": "USD",
                "direction": "OUT", "channel": rnd.choice(["CARD_CNP", "WIRE_SWIFT", "MSB_REMIT"]),
                "customer_first_name": rnd.choice(FIRST), "customer_last_name": rnd.choice(LAST),
                "customer_id_number": f"P{a.seed}{s:08}", "customer_email": f"user{s}@example.org",
                "account_number": f"AC{a.seed}{s:010}",
                "cpty_key": hashlib.sha256(f"cpty{s % 5000}".encode()).hexdigest(),
                "cpty_type": rnd.choice(["INDIVIDUAL", "ENTITY"]), "cpty_name": f"Counterparty {s % 5000}",
                "cpty_account": f"CP{s % 5000:08}", "cpty_country": rnd.choice(countries),
                "merchant_key": hashlib.sha256(f"m{s % 800}".encode()).hexdigest(),
                "merchant_name": f"MERCHANT {s % 800}", "merchant_country": rnd.choice(countries),
                "ip_country": home if rnd.random() < 0.8 else rnd.choice(countries),
            }
            if unassigned:
                for f in ("ip_country", "merchant_country", "cpty_country"):
                    del data[f]
            else:
                data["customer_residence"] = home
            txs.append({"event": event_id, "time": iso(when), "data": data})
            if t < n_alerts:
                fired = [{"rule": r, "version": "1.0.0", "severity": "high", "title": r,
                          "reason": "generated", "tags": [f"typology:{ty}"]} for r, ty in fired_rules]
                alerts.append({
                    "event": event_id, "time": iso(when), "decision": "report", "score": 40,
                    "fired": fired,
                    "evidence": {"format": "vigil.explain/2", "mode": "fired", "pii": "masked",
                                 "event": {"id": event_id, "id_field": "event_id", "time": iso(when),
                                           "subject": {"field": "customer_id", "value": "****"}},
                                 "decision": "report", "score": 40, "fired": fired}})
        case_id = "case-" + hashlib.sha256(
            f"vigil.case/1\ncustomer_id\n{subject}\n{first_event}".encode()).hexdigest()[:32]
        case = {
            "format": "vigil.case/1", "case_id": case_id,
            "subject": {"field": "customer_id", "value": subject}, "window": "30d",
            "opened": alerts[0]["time"], "last_alert": alerts[-1]["time"], "decision": "report",
            "decisions": ["allow", "review", "report", "block"],
            "rulesets": [{"name": "coalition.cse", "version": "1.0.0", "sources_digest": "0" * 64}],
            "alerts": alerts, "transactions": txs,
            "totals": [{"currency": "USD", "transactions": n_tx, "amount": f"{total / 100:.2f}"}],
            "typologies": sorted({ty for _, ty in fired_rules}),
            "rules": [{"rule": r, "version": "1.0.0", "severity": "high", "title": r,
                       "tags": [f"typology:{ty}"], "alerts": n_alerts} for r, ty in sorted(fired_rules)],
        }
        with open(os.path.join(a.out, case_id + ".json"), "w") as f:
            json.dump(case, f, separators=(",", ":"))
        if outcomes is None:
            continue
        day = 86400

        def out(kind, when, **extra):
            outcomes.write(json.dumps({"case_id": case_id, "outcome": kind,
                                       "date": iso(when)[:10], **extra}) + "\n")
        closed = opened + rnd.randint(1, 20) * day
        if rnd.random() < 0.7:
            out("confirmed", closed)
            filed = closed + rnd.randint(0, 10) * day
            out("report_filed", filed, reference=f"STR-{a.member}-{s}")
            if rnd.random() < 0.5:
                out("referred", filed + day, country=home)
            if rnd.random() < 0.15:
                out("merchant_terminated", filed + 2 * day,
                    merchant=hashlib.sha256(f"m{s % 800}".encode()).hexdigest())
            if rnd.random() < 0.35:
                inv = filed + rnd.randint(5, 60) * day
                out("investigation_opened", inv)
                if rnd.random() < 0.3:
                    out("charges", inv + rnd.randint(10, 90) * day)
                if rnd.random() < 0.1:
                    out("child_safeguarded", inv + rnd.randint(1, 30) * day, children=rnd.randint(1, 3))
        else:
            out("false_positive", closed)
    if outcomes:
        outcomes.close()


if __name__ == "__main__":
    main()
