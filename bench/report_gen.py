#!/usr/bin/env python3
"""Deterministic workload for the report benchmark (bench/run.sh report).

Writes into --out DIR:
  events.jsonl     EVENTS payment events in the coalition schema
                   (rules/coalition/schema.vgl), in time order
  customers.jsonl  the KYC extract the example profiles read with
                   --lookup customer=... (examples/reporting/README.md)
  meta.json        parameters and counts

ALERTS of the events are small remittances to individuals in a high-risk
corridor with a cover-story memo, ten per suspect customer over about four
weeks: each fires the coalition pack's r01 and r02 (and, as they accumulate,
its frequency and late-night rules), so each is an alert and each customer
becomes one case. Over a year, about one case in six is open at any time. The other events are domestic card purchases at grocers by
other customers, on which no rule fires. Every name, account and identifier
is invented.

Standard library only; the same arguments give the same bytes.

Usage: report_gen.py --events 1000000 --alerts 100000 --seed 1 --out DIR
"""
import argparse
import hashlib
import json
import os
import random
import sys
from datetime import datetime, timedelta, timezone

START = datetime(2026, 1, 1, tzinfo=timezone.utc)
SPAN_DAYS = 365  # a year: cases open and close all along, as in a bank
PER_SUSPECT = 10  # alerts per suspect customer: one case each
AUD_USD = 0.66
FIRST = ["Graham", "Aroha", "Oliver", "Maria", "Jürgen", "Zoë", "Marc-André", "Priya", "Liam",
         "Sofía", "Chloé", "Noah", "Amélie", "Lucas", "Ngaio", "Isla", "Mateo", "Ava"]
LAST = ["Whitcombe", "Walker", "Brandt", "Nguyen", "Weiß", "O'Connor", "Tremblay", "Sharma",
        "Smith", "García", "Dubois", "Jones", "Müller", "Silva", "Te Rangi", "Brown", "López"]
PAYEES = ["Jasmine Reyes", "Angelica Bautista", "Maricel Santos", "Rowena Cruz", "Liza Mendoza"]
MEMOS = ["school fees", "for medicine", "hospital bills", "tuition", "birthday gift", "rent"]
CITIES = [("Adelaide", "5000"), ("Perth", "6000"), ("Brisbane", "4000"), ("Hobart", "7000")]


def iso(t):
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def h256(text):
    return hashlib.sha256(text.encode()).hexdigest()


def suspect(rng, n):
    first, last = rng.choice(FIRST), rng.choice(LAST)
    city, postcode = rng.choice(CITIES)
    born = datetime(1950 + rng.randrange(45), 1 + rng.randrange(12), 1 + rng.randrange(28))
    return {
        "customer_id": 200000000 + n,
        "account_id": 70000000 + n,
        "account_open_date": "2012-04-01T00:00:00Z",
        "account_age_days": 5000,
        "customer_birth_year": born.year,
        "customer_age_band": "40-49",
        "is_minor_account": False,
        "customer_residence": "AU",
        "customer_risk_rating": "LOW",
        "customer_local_offset_min": 600,
        "customer_first_name": first,
        "customer_last_name": last,
        "customer_birth_date": born.strftime("%Y-%m-%dT00:00:00Z"),
        "customer_nationality": "AU",
        "customer_id_number": "PA%07d" % n,
        "customer_street": "%d Example Street" % (1 + n % 200),
        "customer_city": city,
        "customer_postcode": postcode,
        "customer_phone": "+614915%05d" % (n % 100000),
        "customer_email": "customer%d@example.com.au" % n,
        "account_number": "062000 %08d" % n,
    }


def transfer(rng, who, n, k, t):
    amount_base = rng.randrange(2000, 18000)
    payee = (n * 7 + k) % 40
    e = {"event_id": "evt-%08d" % 0, "event_time": iso(t)}
    e.update(who)
    e.update({
        "ip_country": "AU",
        "amount": "%.2f" % (amount_base / 100 / AUD_USD),
        "currency": "AUD",
        "amount_base": amount_base,
        "fx_rate_id": 20260101,
        "auth_result": "APPROVED",
        "event_type": "TRANSFER_OUT",
        "channel": "MSB_REMIT",
        "direction": "OUT",
        "cpty_key": h256("payee-%d-%d" % (n, payee)),
        "cpty_type": "INDIVIDUAL",
        "cpty_country": "PH",
        "cpty_agent_bic": "GCSHPHM2",
        "cpty_agent_name": "GCash",
        "cpty_name": PAYEES[payee % len(PAYEES)],
        "cpty_account": "0917%07d" % (n * 40 + payee),
        "remittance_text": rng.choice(MEMOS),
        "purpose_code": "GIFT",
        "network_ref": "UETR-BENCH-%d-%d" % (n, k),
    })
    return e


def purchase(rng, c, t):
    amount = rng.randrange(500, 15000) / 100
    return {
        "event_id": "",
        "event_time": iso(t),
        "customer_id": 300000000 + c,
        "account_id": 80000000 + c,
        "account_age_days": 3000,
        "customer_age_band": "30-39",
        "is_minor_account": False,
        "customer_residence": "AU",
        "customer_local_offset_min": 600,
        "amount": "%.2f" % amount,
        "currency": "AUD",
        "amount_base": int(amount * AUD_USD * 100),
        "auth_result": "APPROVED",
        "event_type": "AUTH",
        "channel": "CARD_CP",
        "direction": "OUT",
        "mcc": 5411,
        "merchant_id": "M%06d" % (c % 5000),
        "merchant_key": h256("merchant-%d" % (c % 5000)),
        "merchant_name": "GROCER %d" % (c % 5000),
        "merchant_country": "AU",
    }


def kyc(rng, n):
    return {
        "customer_id": 200000000 + n,
        "gender": rng.choice(["F", "M"]),
        "occupation": "Engineer",
        "id_type": "PASSPORT",
        "id_issued": "2020-01-15",
        "id_expires": "2030-01-14",
        "branch": "Adelaide",
        "account_currency": "AUD",
        "phone_prefix": "61",
    }


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--events", type=int, default=1000000)
    ap.add_argument("--alerts", type=int, default=100000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    if a.alerts > a.events or a.alerts % PER_SUSPECT:
        sys.exit("--alerts must be a multiple of %d and at most --events" % PER_SUSPECT)
    rng = random.Random(a.seed)
    os.makedirs(a.out, exist_ok=True)
    # (time, kind, payload) for every event; sorted once, then numbered.
    plan = []
    suspects = a.alerts // PER_SUSPECT
    for n in range(suspects):
        t = START + timedelta(seconds=rng.randrange((SPAN_DAYS - 30) * 86400))
        for k in range(PER_SUSPECT):
            # Late evening, 2 to 3 days apart: one case per customer.
            plan.append((t, 0, n, k))
            t += timedelta(seconds=rng.randrange(2 * 86400, 3 * 86400))
    background = max(1, (a.events - a.alerts) // 18)
    for i in range(a.events - a.alerts):
        t = START + timedelta(seconds=rng.randrange(SPAN_DAYS * 86400))
        plan.append((t, 1, rng.randrange(background), 0))
    plan.sort(key=lambda p: (p[0], p[1], p[2], p[3]))
    people = {}
    with open(os.path.join(a.out, "events.jsonl"), "w") as f:
        for i, (t, kind, n, k) in enumerate(plan):
            if kind == 0:
                who = people.get(n)
                if who is None:
                    who = people[n] = suspect(random.Random(a.seed * 1000003 + n), n)
                e = transfer(rng, who, n, k, t)
            else:
                e = purchase(rng, n, t)
            e["event_id"] = "evt-%08d" % i
            line = json.dumps(e, ensure_ascii=False, separators=(",", ":"))
            # Amounts as JSON numbers with two decimals, as a core system writes them.
            f.write(line.replace('"amount":"', '"amount":').replace('","currency"', ',"currency"') + "\n")
    with open(os.path.join(a.out, "customers.jsonl"), "w") as f:
        for n in range(suspects):
            f.write(json.dumps(kyc(random.Random(a.seed * 7 + n), n), separators=(",", ":")) + "\n")
    meta = {"events": a.events, "alerts": a.alerts, "suspects": suspects,
            "background_customers": background, "seed": a.seed}
    with open(os.path.join(a.out, "meta.json"), "w") as f:
        json.dump(meta, f, indent=2)
        f.write("\n")


if __name__ == "__main__":
    main()
