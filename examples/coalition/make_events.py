#!/usr/bin/env python3
"""Writes examples/coalition/events.jsonl: a small synthetic payment stream in
the coalition pack's schema (rules/coalition/schema.vgl) on which the pack
alerts for several typologies, customers and countries, so that cases,
reports and referrals made from it have realistic data.

Every person, account, address, phone number, e-mail address, IP address
and identifier here is invented (e-mail domains are example.*, IP addresses
come from the documentation ranges of RFC 5737, phone numbers from ranges
reserved for fiction where countries have them). Keys that the coalition
shares as keyed hashes (cpty_key, merchant_key, device_key, wallet_key) are
SHA-256 of an invented identifier, except those that must match the pack's
example watchlists.

Deterministic: no clock, no randomness. The tests run it and compare its
output with the committed file.

Usage: make_events.py [OUT]   (default: events.jsonl next to this script)
"""
import datetime
import hashlib
import json
import os
import re
import sys

# USD per unit of each currency, for amount_base (USD cents), rate table 20260301.
FX = {"AUD": 0.66, "USD": 1.00, "GBP": 1.27, "CAD": 0.74, "PHP": 0.0178, "EUR": 1.09,
      "NZD": 0.61, "JPY": 0.0067}
FX_RATE_ID = 20260301

# From rules/coalition/lists/ (example values of the coalition's watchlists).
PRIVACY_TOOL = "aa11bb22cc33dd44ee55ff6600112233445566778899aabbccddeeff00112233"
STREAM_PLATFORM = "cc33dd44ee55ff66001122334455667788990011aabbccddeeff001122334455"
WATCH_MERCHANT = "9a8b7c6d5e4f30211203f4e5d6c7b8a99a8b7c6d5e4f30211203f4e5d6c7b8a9"
WATCH_BENEF = "1f0b7c2a9e4d4b7f8a1c3e5d7f9b1a3c5e7d9f1b3a5c7e9d1f3b5a7c9e1d3f5a"


def key(text):
    return hashlib.sha256(text.encode()).hexdigest()


CUSTOMERS = {
    # T1 corridor payer who also buys privacy tooling and then travels (T1, T6, T8).
    "whitcombe": dict(
        customer_id=100234987, account_id=55512001, account_number="062000 12345678",
        customer_first_name="Graham", customer_last_name="Whitcombe",
        customer_birth_date="1961-07-14T00:00:00Z", customer_birth_year=1961,
        customer_age_band="60+", customer_nationality="AU", customer_id_number="PA4471902",
        customer_street="14 Carrington Street", customer_city="Adelaide",
        customer_postcode="5000", customer_residence="AU", customer_phone="+61491570156",
        customer_email="g.whitcombe@example.com.au", customer_risk_rating="MED",
        account_open_date="2009-05-18T00:00:00Z", account_age_days=6135,
        is_minor_account=False, customer_local_offset_min=630, currency="AUD",
        ip_country="AU", ip_address="192.0.2.41", device="whitcombe-laptop"),
    # T4: a minor paying a sextortion payee abroad, then buying gift cards.
    "calloway": dict(
        customer_id=100477120, account_id=55530077, account_number="021000021 7730018812",
        customer_first_name="Ethan", customer_last_name="Calloway",
        customer_birth_date="2010-11-02T00:00:00Z", customer_birth_year=2010,
        customer_age_band="<18", customer_nationality="US", customer_id_number="M20391177",
        customer_street="2207 Larkspur Lane", customer_city="Columbus",
        customer_postcode="43215", customer_residence="US", customer_phone="+16145550143",
        customer_email="ethan.calloway@example.com", customer_risk_rating="LOW",
        account_open_date="2024-06-01T00:00:00Z", account_age_days=640,
        is_minor_account=True, customer_local_offset_min=-240, currency="USD",
        ip_country="US", ip_address="198.51.100.23", device="calloway-phone"),
    # T7: card purchases at a watch-listed merchant and a streaming platform.
    "brandt": dict(
        customer_id=100561234, account_id=55541190, account_number="GB29NWBK60161331926819",
        customer_first_name="Oliver", customer_last_name="Brandt",
        customer_birth_date="1979-02-23T00:00:00Z", customer_birth_year=1979,
        customer_age_band="40-49", customer_nationality="GB", customer_id_number="533390211",
        customer_street="41 Wharf Road", customer_city="Bristol", customer_postcode="BS1 6QD",
        customer_residence="GB", customer_phone="+447700900123",
        customer_email="o.brandt@example.co.uk", customer_risk_rating="LOW",
        account_open_date="2015-09-30T00:00:00Z", account_age_days=3830,
        is_minor_account=False, customer_local_offset_min=0, currency="GBP",
        ip_country="GB", ip_address="203.0.113.77", device="brandt-desktop"),
    # T3: small crypto purchases, then a send to a darknet wallet.
    "tremblay": dict(
        customer_id=100612345, account_id=55550321, account_number="00012-003-1234567",
        customer_first_name="Marc-André", customer_last_name="Tremblay",
        customer_birth_date="1988-05-09T00:00:00Z", customer_birth_year=1988,
        customer_age_band="30-39", customer_nationality="CA", customer_id_number="GA302871",
        customer_street="1180 rue Saint-Denis", customer_city="Montréal",
        customer_postcode="H2X 3J6", customer_residence="CA", customer_phone="+15145550187",
        customer_email="marc-andre.tremblay@example.ca", customer_risk_rating="MED",
        account_open_date="2021-01-12T00:00:00Z", account_age_days=1875,
        is_minor_account=False, customer_local_offset_min=-240, currency="CAD",
        ip_country="CA", ip_address="198.51.100.164", device="tremblay-phone"),
    # T2: a facilitator receiving small remittances from many senders abroad.
    "delacruz": dict(
        customer_id=100733210, account_id=55560458, account_number="003970012345",
        customer_first_name="Maricel", customer_last_name="Dela Cruz",
        customer_birth_date="1993-08-17T00:00:00Z", customer_birth_year=1993,
        customer_age_band="30-39", customer_nationality="PH", customer_id_number="P3370215A",
        customer_street="27 Mabini Street, Barangay 649", customer_city="Manila",
        customer_postcode="1007", customer_residence="PH", customer_phone="+639175550142",
        customer_email="maricel.dc@example.ph", customer_risk_rating="HIGH",
        account_open_date="2025-12-20T00:00:00Z", account_age_days=72,
        is_minor_account=False, customer_local_offset_min=480, currency="PHP",
        ip_country="PH", ip_address="203.0.113.9", device="delacruz-phone"),
    # T1 with a watch-listed beneficiary (and a name outside ASCII).
    "weiss": dict(
        customer_id=100845678, account_id=55570612, account_number="DE89370400440532013000",
        customer_first_name="Jürgen", customer_last_name="Weiß",
        customer_birth_date="1970-03-28T00:00:00Z", customer_birth_year=1970,
        customer_age_band="50-59", customer_nationality="DE", customer_id_number="C01X00T47",
        customer_street="Lindenstraße 12", customer_city="Köln", customer_postcode="50674",
        customer_residence="DE", customer_phone="+4915550112233",
        customer_email="j.weiss@example.de", customer_risk_rating="MED",
        account_open_date="2012-04-02T00:00:00Z", account_age_days=5080,
        is_minor_account=False, customer_local_offset_min=60, currency="EUR",
        ip_country="DE", ip_address="192.0.2.200", device="weiss-tablet"),
    # Hard negative: transfers to declared family in the Philippines.
    "walker": dict(
        customer_id=100911003, account_id=55580777, account_number="12-3456-0123456-00",
        customer_first_name="Aroha", customer_last_name="Walker",
        customer_birth_date="1985-12-01T00:00:00Z", customer_birth_year=1985,
        customer_age_band="40-49", customer_nationality="NZ", customer_id_number="LA118320",
        customer_street="8 Tory Street", customer_city="Wellington", customer_postcode="6011",
        customer_residence="NZ", customer_phone="+64215550199",
        customer_email="aroha.walker@example.co.nz", customer_risk_rating="LOW",
        account_open_date="2010-10-10T00:00:00Z", account_age_days=5620,
        is_minor_account=False, customer_local_offset_min=780, currency="NZD",
        ip_country="NZ", ip_address="192.0.2.88", device="walker-phone",
        declared_family_abroad=["PH"]),
}

CUSTOMER_FIELDS = [
    "customer_id", "account_id", "account_open_date", "account_age_days", "customer_birth_year",
    "customer_age_band", "is_minor_account", "customer_residence", "customer_risk_rating",
    "declared_family_abroad", "customer_local_offset_min", "customer_first_name",
    "customer_last_name", "customer_birth_date", "customer_nationality", "customer_id_number",
    "customer_street", "customer_city", "customer_postcode", "customer_phone",
    "customer_email", "account_number", "ip_country", "ip_address"]


def at(day, hhmm):
    """2026-03-<day> (days past March run on) at HH:MM UTC."""
    base = datetime.datetime(2026, 3, 1, tzinfo=datetime.timezone.utc)
    h, m = hhmm.split(":")
    return base + datetime.timedelta(days=day - 1, hours=int(h), minutes=int(m))


def base_event(who, when, amount, currency=None):
    c = CUSTOMERS[who]
    currency = currency or c["currency"]
    e = {"event_time": when.strftime("%Y-%m-%dT%H:%M:%SZ")}
    for f in CUSTOMER_FIELDS:
        if f in c:
            e[f] = c[f]
    e["amount"] = amount
    e["currency"] = currency
    e["amount_base"] = round(float(amount) * FX[currency] * 100)
    e["fx_rate_id"] = FX_RATE_ID
    e["auth_result"] = "APPROVED"
    e["device_key"] = key("device:" + c["device"])
    e["session_new_device"] = False
    return e


def transfer(who, when, amount, benef, memo, channel="MSB_REMIT", direction="OUT",
             currency=None, cpty_key=None):
    """benef: (name, country, account, agent BIC, agent name, type)."""
    name, country, account, bic, agent, kind = benef
    e = base_event(who, when, amount, currency)
    e.update({
        "event_type": "TRANSFER_OUT" if direction == "OUT" else "TRANSFER_IN",
        "channel": channel, "direction": direction,
        "cpty_key": cpty_key or key("account:" + account),
        "cpty_name_key": key("name:" + name.lower() + "|" + country),
        "cpty_type": kind, "cpty_country": country, "cpty_agent_bic": bic,
        "cpty_agent_name": agent, "cpty_name": name, "cpty_account": account,
        "remittance_text": memo, "purpose_code": "GIFT" if direction == "OUT" else "FAMI",
    })
    return e


def card(who, when, amount, merchant, mcc, channel="CARD_CNP", merchant_key=None,
         descriptor=None, travel_dest=None, currency=None):
    """merchant: (id, name, city, country)."""
    mid, name, city, country = merchant
    e = base_event(who, when, amount, currency)
    e.update({
        "event_type": "AUTH", "channel": channel, "direction": "OUT", "mcc": mcc,
        "merchant_id": mid, "merchant_key": merchant_key or key("merchant:" + mid),
        "merchant_name": name, "merchant_city": city, "merchant_country": country,
        "ecom_indicator": "ECI_05" if channel == "CARD_CNP" else None,
        "descriptor_text": descriptor or name, "is_recurring": False,
    })
    if travel_dest:
        e["travel_dest_country"] = travel_dest
    if e["ecom_indicator"] is None:
        del e["ecom_indicator"]
    return e


def crypto(who, when, amount, event_type, asset, wallet, tags, kiosk=None):
    e = base_event(who, when, amount)
    e.update({
        "event_type": event_type, "channel": "CVC_KIOSK" if kiosk else "VASP",
        "direction": "OUT", "crypto_asset": asset, "wallet_key": key("wallet:" + wallet),
        "wallet_risk_tags": tags, "cpty_account": wallet,
    })
    if kiosk:
        e["kiosk_id"] = kiosk
    return e


PH_BENEFICIARIES = [
    ("Jasmine Reyes", "PH", "09175550111", "GCSHPHM2", "GCash", "INDIVIDUAL"),
    ("Angelica Bautista", "PH", "09175550122", "GCSHPHM2", "GCash", "INDIVIDUAL"),
    ("Kristine Mendoza", "PH", "PH-ML-88120455", "MLHUPHM1", "M Lhuillier", "INDIVIDUAL"),
    ("Rowena Garcia", "PH", "PH-CB-55302211", "CEBUPHM1", "Cebuana Lhuillier", "INDIVIDUAL"),
    ("Lovely Santos", "PH", "09175550188", "PAYMPHM2", "PayMaya", "INDIVIDUAL"),
]


def stream():
    ev = []
    # --- Graham Whitcombe (AU): privacy tool, then corridor transfers late at night.
    ev.append(card("whitcombe", at(2, "09:12"), "14.99",
                   ("4451207781", "VPNSHIELD*MONTHLY", "AMSTERDAM", "NL"), 4816,
                   merchant_key=PRIVACY_TOOL))
    memos = ["school fees", "for medicine", "birthday gift", "hi", "allowance", "rent",
             "school fees", "load", "tuition"]
    amounts = ["120.00", "85.00", "150.00", "60.00", "95.50", "140.00", "110.00", "75.00",
               "130.00"]
    # 23:xx in Adelaide (UTC+10:30) is 12:30-13:30 UTC.
    days = [3, 4, 5, 6, 7, 10, 13, 16, 19]
    for i, day in enumerate(days):
        benef = PH_BENEFICIARIES[i % len(PH_BENEFICIARIES)]
        e = transfer("whitcombe", at(day, "12:%02d" % (35 + i)), amounts[i], benef, memos[i])
        e["network_ref"] = "UETR-AU-%06d" % (41000 + i)
        ev.append(e)
    ev.append(card("whitcombe", at(24, "02:10"), "1240.00",
                   ("PR0000981", "PHILIPPINE AIRLINES", "PASAY", "PH"), 3072,
                   travel_dest="PH"))
    ev.append(card("whitcombe", at(25, "22:05"), "58.40",
                   ("5512800331", "WOOLWORTHS 3301", "ADELAIDE", "AU"), 5411,
                   channel="CARD_CP"))

    # --- Ethan Calloway (US, minor): two payments to one payee in Nigeria within hours.
    payee = ("Chinedu Okafor", "NG", "NG-OPAY-8123456789", "OPAYNGLA", "OPay", "INDIVIDUAL")
    # The payee is new (no payment in the year before the first: R29).
    ev.append(transfer("calloway", at(10, "01:40"), "150.00", payee, "pls", channel="P2P_APP"))
    ev[-1]["cpty_prior_count_365d"] = 0
    ev.append(transfer("calloway", at(10, "03:55"), "300.00", payee, "last one",
                       channel="P2P_APP"))
    ev[-1]["cpty_prior_count_365d"] = 1
    for hhmm, amount in (("16:20", "50.00"), ("18:45", "50.00")):
        ev.append(card("calloway", at(11, hhmm), amount,
                       ("GC771023", "STEAM GIFT CARD", "BELLEVUE", "US"), 5945,
                       descriptor="STEAM GIFT CARD ONLINE"))
    ev.append(card("calloway", at(12, "20:30"), "6.49",
                   ("QS120077", "QUICKSTOP 118", "COLUMBUS", "US"), 5499, channel="CARD_CP"))

    # --- Oliver Brandt (GB): a streaming platform, then a watch-listed merchant.
    ev.append(card("brandt", at(8, "23:10"), "24.99",
                   ("CY2200451", "LIVECAMZ*STREAM", "LIMASSOL", "CY"), 7273,
                   merchant_key=STREAM_PLATFORM))
    ev.append(card("brandt", at(9, "00:02"), "39.00",
                   ("CY2209917", "HXV*MEDIA ACCESS", "LIMASSOL", "CY"), 5967,
                   merchant_key=WATCH_MERCHANT))
    ev.append(card("brandt", at(14, "12:30"), "31.20",
                   ("GB4400187", "TESCO STORES 2031", "BRISTOL", "GB"), 5411,
                   channel="CARD_CP"))

    # --- Marc-André Tremblay (CA): small crypto buys, then a send to a darknet wallet.
    for i, day in enumerate((14, 16, 18, 20)):
        ev.append(crypto("tremblay", at(day, "02:%02d" % (10 + i)), "140.00", "CRYPTO_BUY",
                         "BTC", "bc1q-tremblay-own-%d" % i, []))
    ev.append(crypto("tremblay", at(21, "03:30"), "520.00", "CRYPTO_SEND", "XMR",
                     "89zXmrDarkMarketWallet0001", ["DARKNET", "PRIVACY_EXCH"]))

    # --- Maricel Dela Cruz (PH): small remittances in from four senders abroad.
    senders = [
        ("Dale Hutchins", "US", "US-WU-3381204", "WUNIUS33", "Western Union", "INDIVIDUAL", "USD",
         "100.00"),
        ("Keith Marlowe", "GB", "GB-RIA-8810221", "RIAFGB22", "Ria Money Transfer", "INDIVIDUAL",
         "GBP", "80.00"),
        ("Bruce Tallis", "AU", "AU-WISE-2291844", "TRWIAUS1", "Wise", "INDIVIDUAL", "AUD",
         "150.00"),
        ("Heinz Vogler", "DE", "DE-MG-5530917", "MGRMDEFF", "MoneyGram", "INDIVIDUAL", "EUR",
         "90.00"),
    ]
    for i, (name, country, account, bic, agent, kind, cur, amount) in enumerate(senders):
        e = transfer("delacruz", at(15 + 2 * i, "06:%02d" % (15 + i)), amount,
                     (name, country, account, bic, agent, kind), "for you",
                     direction="IN", currency=cur)
        ev.append(e)

    # --- Jürgen Weiß (DE): a wire to a beneficiary on the coalition watchlist in Thailand.
    benef = ("Somchai Prasert", "TH", "TH-KBANK-0418822190", "KASITHBK", "Kasikornbank",
             "INDIVIDUAL")
    e = transfer("weiss", at(17, "19:45"), "480.00", benef, "Zahlung", channel="WIRE_SWIFT",
                 cpty_key=WATCH_BENEF)
    e["network_ref"] = "UETR-DE-0099"
    ev.append(e)

    # --- Aroha Walker (NZ): regular transfers to declared family in the Philippines.
    mother = ("Teresita Walker", "PH", "PH-BDO-00112233", "BNORPHMM", "BDO Unibank",
              "INDIVIDUAL")
    for day in (5, 19):
        ev.append(transfer("walker", at(day, "04:00"), "200.00", mother, "for mum",
                           channel="MSB_REMIT"))
    ev.append(card("walker", at(20, "03:15"), "87.30",
                   ("NZ7700123", "COUNTDOWN TORY ST", "WELLINGTON", "NZ"), 5411,
                   channel="CARD_CP"))

    ev.sort(key=lambda e: e["event_time"])
    out = []
    for n, e in enumerate(ev, 1):
        record = {"event_id": "evt-2026-%06d" % n}
        record.update(e)
        out.append(record)
    return out


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    path = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "events.jsonl")
    with open(path, "w", encoding="utf-8") as f:
        for e in stream():
            line = json.dumps(e, ensure_ascii=False, separators=(",", ":"))
            # Amounts are JSON numbers written exactly as a bank's feed has them
            # ("120.00"), which Python's float would shorten.
            line = re.sub(r'"amount":"(-?[0-9]+\.[0-9]+)"', r'"amount":\1', line)
            f.write(line + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
