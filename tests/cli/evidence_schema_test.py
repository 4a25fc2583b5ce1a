#!/usr/bin/python3
"""Every evidence record and case file the product emits validates against
its JSON Schema (docs/schemas/explain.schema.json, docs/schemas/case.schema.json),
checked with Debian's python3-jsonschema.

Records come from every way of making them: `vigil eval --explain` and
`--explain=fired` over the example and coalition packs (from rule files and
from a signed pack), `vigil explain --json`, and the C ABI
(vigil_session_explain, vigil_session_explain_ex) through ctypes. Also
checked here, on the records themselves:
  - a typical fired-only record of a coalition-pack alert is a few KB;
  - @pii values are masked unless allowed, and counts grouped by a @pii key
    are shown;
  - hashed lists never show the looked-up value;
  - explaining never changes the aggregates' state (C ABI: eval, explain,
    eval counts 2).

Usage: evidence_schema_test.py VIGIL LIBVIGIL REPO   (LIBVIGIL "" skips the C ABI part)
"""
import ctypes
import json
import os
import statistics
import subprocess
import sys
import tempfile

import jsonschema

FAILURES = []


def check(cond, what):
    if not cond:
        FAILURES.append(what)
        print("FAIL " + what)


def validators(repo):
    schemas = {}
    for name in ("explain.schema.json", "case.schema.json"):
        with open(os.path.join(repo, "docs", "schemas", name)) as f:
            schemas[name] = json.load(f)
    store = {s["$id"]: s for s in schemas.values()}
    make = {}
    for name, schema in schemas.items():
        jsonschema.Draft202012Validator.check_schema(schema)
        resolver = jsonschema.RefResolver.from_schema(schema, store=store)
        make[name] = jsonschema.Draft202012Validator(schema, resolver=resolver)
    return make["explain.schema.json"], make["case.schema.json"]


def validate(validator, record, where):
    errors = sorted(validator.iter_errors(record), key=lambda e: list(e.path))
    for e in errors[:3]:
        check(False, "%s: %s at %s" % (where, e.message[:300], "/".join(map(str, e.path))))
    return not errors


def run(args, **kw):
    r = subprocess.run(args, capture_output=True, text=True, **kw)
    if r.returncode != 0:
        raise SystemExit("%s failed (%d): %s" % (" ".join(args), r.returncode, r.stderr))
    return r.stdout


def eval_records(vigil, rules, events, mode, env=None):
    out = run([vigil, "eval", "--rules"] + rules + ["--events", events, mode], env=env)
    return [json.loads(line) for line in out.splitlines()]


def nodes(node):
    yield node
    for k in node.get("children", []):
        yield from nodes(k)


def all_nodes(record):
    for rule in record["rules"]:
        yield from nodes(rule["condition"])
    for let in record["lets"].values():
        yield from nodes(let["condition"])


def main():
    vigil, lib, repo = sys.argv[1:4]
    explain_v, case_v = validators(repo)
    count = 0
    coalition = [repo + "/rules/coalition/rules.vgl"]
    coalition_events = repo + "/examples/coalition/events.jsonl"
    examples = [repo + "/rules/examples/card_rules.vgl"]
    example_events = repo + "/examples/events.jsonl"
    fired_sizes = []
    with tempfile.TemporaryDirectory() as tmp:
        # vigil eval, both modes, two packs; a signed pack names its signer.
        run([vigil, "pack", "build", repo + "/rules/coalition", "-o", tmp + "/c.vgp"])
        run([vigil, "pack", "keygen", tmp + "/k"])
        run([vigil, "pack", "sign", tmp + "/c.vgp", "--key", tmp + "/k.key"])
        # Every rule of every event makes large records that python-jsonschema is
        # slow to check: the first events of the coalition stream suffice there.
        head = tmp + "/head.jsonl"
        with open(head, "w") as f:
            f.writelines(open(coalition_events).readlines()[:12])
        both = ("--explain", "--explain=fired")
        sources = [(coalition, head, ("--explain",)), (coalition, coalition_events, both[1:]),
                   (examples, example_events, both),
                   ([tmp + "/c.vgp"], coalition_events, both[1:]),
                   ([repo + "/tests/cli/data/small.vgl"], repo + "/tests/cli/data/events.jsonl",
                    both)]
        for rules, events, modes in sources:
            for mode in modes:
                for r in eval_records(vigil, rules, events, mode):
                    e = r["explain"]
                    validate(explain_v, e, "%s %s event %s" % (rules[0], mode, r["event"]))
                    count += 1
                    check(e["decision"] == r["decision"] and e["score"] == r["score"],
                          "evidence and result agree on the decision")
                    check(e["event"]["id"] == (r["event"] if isinstance(r["event"], str) else None),
                          "evidence names the event as the result does: %r" % r["event"])
                    if (rules == coalition and events == coalition_events and
                            mode == "--explain=fired" and r["fired"]):
                        fired_sizes.append(len(json.dumps(e, separators=(",", ":"),
                                                          ensure_ascii=False).encode()))
        signed = eval_records(vigil, [tmp + "/c.vgp"], coalition_events, "--explain=fired")
        pack = signed[0]["explain"]["rulesets"][0].get("pack", {})
        with open(tmp + "/k.pub") as f:
            pub = f.read().strip()
        with open(repo + "/rules/coalition/pack.json") as f:
            pack_version = json.load(f)["version"]
        check(pack.get("version") == pack_version and pack.get("signers") == [pub],
              "a signed pack's evidence names its version and signer: %r" % pack)
        plain = eval_records(vigil, coalition, coalition_events, "--explain=fired")
        check(plain[0]["explain"]["rulesets"][0]["sources_digest"] ==
              signed[0]["explain"]["rulesets"][0]["sources_digest"],
              "a rule set's sources digest is the same from its files and from its pack")

        # vigil explain --json.
        for line in open(coalition_events).read().splitlines()[:5]:
            for extra in ([], ["--fired"], ["--allow-pii"]):
                rec = json.loads(run([vigil, "explain", "--rules"] + coalition +
                                     ["--event", line, "--json"] + extra))
                validate(explain_v, rec, "vigil explain --json %s" % extra)
                count += 1

        # vigil case: every case file.
        results = tmp + "/results.jsonl"
        with open(results, "w") as f:
            f.write(run([vigil, "eval", "--rules"] + coalition +
                        ["--events", coalition_events, "--explain=fired"]))
        run([vigil, "case", "--results", results, "--events", coalition_events, "-o",
             tmp + "/cases"])
        cases = sorted(os.listdir(tmp + "/cases"))
        check(len(cases) >= 5, "the coalition example gives several cases: %d" % len(cases))
        for name in cases:
            with open(os.path.join(tmp, "cases", name)) as f:
                validate(case_v, json.load(f), "case " + name)
            count += 1

    # Sizes: a typical alert's fired-only record is a few KB.
    median = statistics.median(fired_sizes)
    print("fired-only coalition records: %d alerts, median %d bytes, largest %d bytes" %
          (len(fired_sizes), median, max(fired_sizes)))
    # Pack 2.0.0: R36's composite reads ten indicator lets and R10's escalation
    # four baseline aggregates, each expanded once in the records that use them.
    check(median <= 8192, "the median fired-only record is at most 8 KiB (%d)" % median)
    check(max(fired_sizes) <= 32768, "every fired-only record is at most 32 KiB (%d)" %
          max(fired_sizes))

    # Masking: by default no @pii value appears; counts grouped by a @pii key do.
    records = [r["explain"] for r in eval_records(vigil, coalition, coalition_events,
                                                  "--explain=fired") if r["fired"]]
    text = json.dumps(records, ensure_ascii=False)
    for secret in ("Whitcombe", "100234987", "school fees", "192.0.2.41"):
        check(secret not in text, "a @pii value (%s) is masked by default" % secret)
    aggregates = [n for r in records for n in all_nodes(r) if n["kind"] == "aggregate"]
    check(aggregates and all(n["value"] != "****" for n in aggregates
                             if n["aggregate"]["function"] in ("count", "distinct")),
          "counts grouped by customer_id (@pii) are shown")
    keys = [(k, v) for n in aggregates for k, v in n["aggregate"]["key"].items()]
    check(all(v == "****" for k, v in keys if k in ("customer_id", "account_id")) and
          any(k == "customer_id" for k, v in keys), "aggregate keys that are @pii are masked")
    # An aggregate over no events is 0 (count, sum, distinct) or missing (avg,
    # median, a window before the event that holds nothing): events is 0 then.
    check(all(n["aggregate"]["events"] >= 1 for n in aggregates
              if n["value"] not in ("0", "missing")),
          "aggregates say how many events they counted")
    check(all(n["aggregate"]["events"] == 0 for n in aggregates if n["value"] == "missing"),
          "aggregates that are missing over no events say they counted none")
    shown = [r["explain"] for r in eval_records(vigil, coalition, coalition_events,
                                                "--explain=fired",
                                                ) if r["fired"]]
    allowed = json.loads(run([vigil, "explain", "--rules"] + coalition + ["--event",
                             open(coalition_events).readline(), "--json", "--allow-pii"]))
    check(allowed["pii"] == "shown" and allowed["event"]["subject"]["value"] == "100234987",
          "--allow-pii shows the subject")
    del shown

    # Reasons: a count grouped by a @pii key is printed, not masked.
    r06 = [f for r in records for f in r["fired"] if f["rule"].endswith("r06_frequent_small_corridor")]
    check(r06 and all(f["reason"][0].isdigit() for f in r06),
          "r06's reason shows its count: %r" % [f["reason"] for f in r06][:1])

    if lib:
        count += hashed_list_and_abi(vigil, lib, repo, explain_v)
    else:  # sanitizer builds: Python cannot load an instrumented library
        print("C ABI records: skipped (no library given)")
    print("%d records validated; %d failures" % (count, len(FAILURES)))
    return 1 if FAILURES else 0


HASHED = """ruleset t.hashed version "1.0.0"
schema s version 1 {
  id: string @id
  ts: time @time
  card: string @key @pii @subject
  amount: decimal
}
uses schema s
list FLAGGED: hashed(normalize: "digits") set = {
  "%s"
}
rule flagged {
  title "card on the watchlist"
  severity high
  when card in FLAGGED
  then score 100 decide report reason "flagged card, {count(by: card, within: 1h)} uses"
}
rule burst {
  title "burst"
  severity medium
  when count(by: card, within: 1h) >= 2 and sum(amount, by: card, within: 1h) > 10
  then score 10 decide review reason "{count(by: card, within: 1h)} uses"
}
"""


def hashed_list_and_abi(vigil, lib, repo, explain_v):
    import hashlib
    card = "4111 1111 1111 1111"
    digest = hashlib.sha256(b"4111111111111111").hexdigest()
    source = (HASHED % digest).encode()
    v = ctypes.CDLL(lib)
    P = ctypes.c_void_p
    v.vigil_compiler_new.argtypes = [P, ctypes.POINTER(P)]
    v.vigil_compiler_add_source.argtypes = [P, ctypes.c_char_p, ctypes.c_size_t,
                                            ctypes.c_char_p, ctypes.c_size_t]
    v.vigil_compiler_build.argtypes = [P, ctypes.POINTER(P)]
    v.vigil_compiler_free.argtypes = [P]
    v.vigil_session_new.argtypes = [P, P, ctypes.POINTER(P)]
    v.vigil_event_new.argtypes = [P, ctypes.POINTER(P)]
    v.vigil_event_set_json.argtypes = [P, ctypes.c_char_p, ctypes.c_size_t]
    v.vigil_result_new.argtypes = [ctypes.POINTER(P)]
    v.vigil_session_eval.argtypes = [P, P, P]
    v.vigil_session_explain.argtypes = [P, P, P, ctypes.POINTER(ctypes.c_char_p),
                                        ctypes.POINTER(ctypes.c_size_t)]
    v.vigil_session_explain_ex.argtypes = [P, P, P, ctypes.c_uint32,
                                           ctypes.POINTER(ctypes.c_char_p),
                                           ctypes.POINTER(ctypes.c_size_t)]
    v.vigil_result_json.argtypes = [P, ctypes.POINTER(ctypes.c_char_p),
                                    ctypes.POINTER(ctypes.c_size_t)]
    for name in ("vigil_session_free", "vigil_event_free", "vigil_result_free",
                 "vigil_ruleset_release"):
        getattr(v, name).argtypes = [P]
    c, rs, s, e, r = P(), P(), P(), P(), P()
    assert v.vigil_compiler_new(None, ctypes.byref(c)) == 0
    assert v.vigil_compiler_add_source(c, b"t.vgl", 5, source, len(source)) == 0
    assert v.vigil_compiler_build(c, ctypes.byref(rs)) == 0, "the test rules compile"
    v.vigil_compiler_free(c)
    assert v.vigil_session_new(rs, None, ctypes.byref(s)) == 0
    assert v.vigil_event_new(rs, ctypes.byref(e)) == 0
    assert v.vigil_result_new(ctypes.byref(r)) == 0
    out, n = ctypes.c_char_p(), ctypes.c_size_t()
    count = 0

    def event(i):
        line = json.dumps({"id": "e%d" % i, "ts": "2026-03-01T10:0%d:00Z" % i, "card": card,
                           "amount": 6}).encode()
        assert v.vigil_event_set_json(e, line, len(line)) == 0

    def explain(flags=None):
        if flags is None:
            assert v.vigil_session_explain(s, e, r, ctypes.byref(out), ctypes.byref(n)) == 0
        else:
            assert v.vigil_session_explain_ex(s, e, r, flags, ctypes.byref(out),
                                              ctypes.byref(n)) == 0
        return json.loads(out.value[:n.value].decode())

    def aggregate(rec):
        return [x for x in all_nodes(rec) if x["kind"] == "aggregate"][0]

    event(1)
    assert v.vigil_session_eval(s, e, r) == 0
    assert v.vigil_result_json(r, ctypes.byref(out), ctypes.byref(n)) == 0
    res = json.loads(out.value[:n.value].decode())
    check(res["event"] == "e1", "vigil_result_json names the event: %r" % res["event"])
    for flags in (None, 0, 1):
        rec = explain(flags)
        validate(explain_v, rec, "C ABI explain flags=%r" % flags)
        count += 1
    rec = explain(1)
    check(rec["mode"] == "fired" and [x["rule"] for x in rec["rules"]] == ["t.hashed/flagged"],
          "VIGIL_EXPLAIN_FIRED_ONLY explains the fired rules only")
    text = json.dumps(rec)
    check(card not in text and "4111" not in text, "a hashed list never shows the value")
    lookup = [x for x in all_nodes(rec) if x["kind"] == "list"][0]
    check(lookup["list"]["name"] == "FLAGGED" and lookup["list"]["kind"] == "hashed" and
          lookup["value"] is True and "children" not in lookup and lookup["operand"] == "card",
          "a hashed lookup says the value matched, names the list, hides the value: %r" % lookup)
    check(rec["fired"][0]["reason"] == "flagged card, 1 uses",
          "a count grouped by a @pii key is shown in reasons: %r" % rec["fired"][0]["reason"])
    # Explaining, again and again, never records: the next event counts 2.
    event(2)
    assert v.vigil_session_eval(s, e, r) == 0
    rec = explain(1)
    check(aggregate(rec)["value"] == "2" and aggregate(rec)["aggregate"]["events"] == 2,
          "eval, explain, eval counts 2: %r" % aggregate(rec))
    check(json.dumps(explain(None)) and aggregate(explain(0))["value"] == "2",
          "explaining again still counts 2")
    event(3)
    assert v.vigil_session_eval(s, e, r) == 0
    check(aggregate(explain(1))["value"] == "3", "the third event counts 3")
    # explain_ex on an event the session did not evaluate last is refused.
    e2 = P()
    assert v.vigil_event_new(rs, ctypes.byref(e2)) == 0
    check(v.vigil_session_explain_ex(s, e2, r, 1, ctypes.byref(out), ctypes.byref(n)) != 0,
          "vigil_session_explain_ex refuses an event it did not evaluate last")
    check(v.vigil_session_explain_ex(s, e, r, 8, ctypes.byref(out), ctypes.byref(n)) != 0,
          "vigil_session_explain_ex refuses unknown flags")
    for h, f in ((e2, "vigil_event_free"), (e, "vigil_event_free"), (r, "vigil_result_free"),
                 (s, "vigil_session_free"), (rs, "vigil_ruleset_release")):
        getattr(v, f)(h)
    return count


if __name__ == "__main__":
    sys.exit(main())
