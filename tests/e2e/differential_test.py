#!/usr/bin/env python3
"""Differential test of the optimised evaluator against a reference interpreter.

vigil evaluates rules through its rule index (eval/rule_index.hpp): field
atoms are decided for all rules at once by class bitmaps and only the rest of
each condition is evaluated. This test writes random rule sets and random
events, runs `vigil eval`, and compares every event's fired rules with a
plain Python interpreter of the language's semantics (three-valued logic,
missing fields, exact decimals), written from LANGUAGE.md and independent
of vigil's code.

The random conditions favour what the index handles (several atoms on the
same field, ranges, sets, negations, missing values, int64 extremes), mixed
with what it leaves to the evaluator (`or`, field-to-field comparisons,
string functions, `is missing`).

    differential_test.py VIGIL [SEEDS] [RULES] [EVENTS]
"""
import json
import os
import random
import subprocess
import sys
import tempfile
from decimal import Decimal

STRINGS = ["PH", "US", "GB", "ecom", "atm", "a", "SHOP 1", "SQ *X", ""]
INTS = [-9223372036854775807, -5, -1, 0, 1, 2, 3, 5, 4829, 5967, 9223372036854775807]
DECIMALS = ["-2.25", "0.00", "0.50", "1.00", "1.01", "99.99", "100.00", "250.00"]
FIELDS = {"s1": "string", "s2": "string", "s3": "string", "n1": "int", "n2": "int",
          "d1": "decimal", "b1": "bool"}


# ---------------------------------------------------------------- expressions
# An expression is (text, fn) where fn(event) -> True, False or None (unknown).

def cmp(op, a, b):
    return {"==": a == b, "!=": a != b, "<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b}[op]


def const(field, rnd):
    kind = FIELDS[field]
    if kind == "string":
        v = rnd.choice(STRINGS)
        return json.dumps(v), v
    if kind == "int":
        v = rnd.choice(INTS)
        return str(v), v
    v = rnd.choice(DECIMALS)
    return v, Decimal(v)


def atom(rnd):
    field = rnd.choice([f for f in FIELDS if f != "b1"])
    kind = FIELDS[field]
    shape = rnd.random()
    if shape < 0.45:
        ops = ["==", "!="] if kind == "string" else ["==", "!=", "<", "<=", ">", ">="]
        op = rnd.choice(ops)
        text, v = const(field, rnd)
        def fn(e, field=field, op=op, v=v):
            x = e.get(field)
            return None if x is None else cmp(op, x, v)
        return "%s %s %s" % (field, op, text), fn
    if shape < 0.8:
        members = [const(field, rnd) for _ in range(rnd.randint(1, 4))]
        negated = rnd.random() < 0.35
        values = {v for _, v in members}
        text = "%s %s {%s}" % (field, "not in" if negated else "in",
                               ", ".join(t for t, _ in members))
        def fn(e, field=field, values=values, negated=negated):
            x = e.get(field)
            return None if x is None else ((x in values) != negated)
        return text, fn
    # `not (atom)`
    inner_text, inner = atom(rnd)
    def fn(e, inner=inner):
        t = inner(e)
        return None if t is None else not t
    return "not (%s)" % inner_text, fn


def other(rnd):
    shape = rnd.randrange(5)
    if shape == 0:
        a, b = rnd.sample(["s1", "s2", "s3"], 2)
        op = rnd.choice(["==", "!="])
        def fn(e, a=a, b=b, op=op):
            x, y = e.get(a), e.get(b)
            return None if x is None or y is None else cmp(op, x, y)
        return "%s %s %s" % (a, op, b), fn
    if shape == 1:
        f = rnd.choice(["s1", "s2", "s3"])
        word = rnd.choice(["SHOP", "SQ", "a", "P"])
        fname = rnd.choice(["contains", "starts_with"])
        def fn(e, f=f, word=word, fname=fname):
            x = e.get(f)
            if x is None:
                return None
            return word in x if fname == "contains" else x.startswith(word)
        return '%s(%s, "%s")' % (fname, f, word), fn
    if shape == 2:
        f = rnd.choice(list(FIELDS))
        missing = rnd.random() < 0.5
        def fn(e, f=f, missing=missing):
            return (e.get(f) is None) == missing
        return "%s is %s" % (f, "missing" if missing else "present"), fn
    if shape == 3:
        def fn(e):
            return e.get("b1")
        return "b1", fn
    # a disjunction of two atoms
    (ta, fa), (tb, fb) = atom(rnd), atom(rnd)
    def fn(e, fa=fa, fb=fb):
        x, y = fa(e), fb(e)
        if x is True or y is True:
            return True
        return None if x is None or y is None else False
    return "(%s or %s)" % (ta, tb), fn


def condition(rnd):
    parts = [atom(rnd) if rnd.random() < 0.75 else other(rnd) for _ in range(rnd.randint(1, 4))]
    def fn(e, fns=[f for _, f in parts]):
        result = True
        for f in fns:
            t = f(e)
            if t is False:
                return False
            if t is None:
                result = None
        return result
    return " and ".join(t for t, _ in parts), fn


def event(rnd, i):
    e = {"txn_id": "e%d" % i}
    for field, kind in FIELDS.items():
        if rnd.random() < 0.15:
            continue  # missing
        if kind == "string":
            e[field] = rnd.choice(STRINGS + ["zz", "SHOP", "PHX"])
        elif kind == "int":
            e[field] = rnd.choice(INTS + [4, -2, 6000])
        elif kind == "decimal":
            e[field] = Decimal(rnd.choice(DECIMALS + ["0.49", "100.01", "-3.00"]))
        else:
            e[field] = rnd.random() < 0.5
    return e


def to_json(e):
    return "{" + ", ".join("%s: %s" % (json.dumps(k), str(v) if isinstance(v, Decimal)
                                       else json.dumps(v)) for k, v in e.items()) + "}"


def run(vigil, seed, rule_count, event_count, tmp):
    rnd = random.Random(seed)
    rules = [condition(rnd) for _ in range(rule_count)]
    lines = ['ruleset diff.s%d version "1.0.0"' % seed, "", "schema t version 1 {",
             "  txn_id: string @key"]
    lines += ["  %s: %s" % (f, k) for f, k in FIELDS.items()]
    lines += ["}", "", "uses schema t", ""]
    for i, (text, _) in enumerate(rules):
        lines.append("rule r%d {\n  when %s\n  then score 1\n}" % (i, text))
    rules_path = os.path.join(tmp, "rules_%d.vgl" % seed)
    with open(rules_path, "w") as f:
        f.write("\n".join(lines) + "\n")
    events = [event(rnd, i) for i in range(event_count)]
    events_path = os.path.join(tmp, "events_%d.jsonl" % seed)
    with open(events_path, "w") as f:
        f.writelines(to_json(e) + "\n" for e in events)
    out = subprocess.run([vigil, "eval", "--rules", rules_path, "--events", events_path],
                         capture_output=True, text=True)
    if out.returncode != 0:
        print(out.stderr)
        return 1, 0
    results = [json.loads(l) for l in out.stdout.splitlines()]
    if len(results) != len(events):
        print("seed %d: %d results for %d events" % (seed, len(results), len(events)))
        return 1, 0
    failures = fired_total = 0
    for e, r in zip(events, results):
        got = [f["rule"].split("/")[1] for f in r["fired"]]
        want = ["r%d" % i for i, (_, fn) in enumerate(rules) if fn(e) is True]
        fired_total += len(want)
        if got != want:
            failures += 1
            if failures <= 5:
                print("seed %d, event %s: vigil fired %s, the reference %s" %
                      (seed, to_json(e), sorted(set(got) - set(want)),
                       sorted(set(want) - set(got))))
    return failures, fired_total


def main():
    vigil = sys.argv[1]
    seeds = int(sys.argv[2]) if len(sys.argv) > 2 else 4
    rule_count = int(sys.argv[3]) if len(sys.argv) > 3 else 400
    event_count = int(sys.argv[4]) if len(sys.argv) > 4 else 2000
    failed = 0
    with tempfile.TemporaryDirectory() as tmp:
        for seed in range(1, seeds + 1):
            failures, fired = run(vigil, seed, rule_count, event_count, tmp)
            print("seed %d: %d rules, %d events, %d firings, %d events differ" %
                  (seed, rule_count, event_count, fired, failures))
            # A run where nothing fires would compare nothing.
            if failures or fired < event_count // 10:
                failed = 1
    return failed


if __name__ == "__main__":
    sys.exit(main())
