#!/usr/bin/python3
"""An attacker's try at a published impact file (docs/impact.md, "Suppression").

Rebuilds every linear relation the file publishes (each table's rows,
columns and totals; the cases behind each time; each rule's periods and
totals, and a rule as the sum of its versions), gives each cell the bounds a
reader knows (a number exactly, "<k" in [0, k-1], "suppressed" in [k, ∞)),
and narrows them by propagation over the equations until nothing moves:
first plain subtraction (an equation with one hidden cell gives it away),
then the bounds. A hidden cell whose bounds meet is recovered.

    impact_attack.py IMPACT.json   prints what it recovered; exit 1 if anything
"""
import json
import sys

INF = float("inf")


def equations(doc):
    """(cells, equations): cells as published values, equations as
    (total index, [part indices])."""
    cells, eqs = [], []

    def add(v):
        cells.append(v)
        return len(cells) - 1

    for name, t in doc["tables"].items():
        rows = []
        for r in t["rows"]:
            parts = [add(v) for v in r["cells"]]
            total = add(r["total"])
            eqs.append((total, parts))
            rows.append((parts, total))
        col_totals = [add(v) for v in t["column_totals"]]
        for c, ct in enumerate(col_totals):
            eqs.append((ct, [parts[c] for parts, _ in rows]))
        grand = add(t["total"])
        eqs.append((grand, [total for _, total in rows]))
        eqs.append((grand, col_totals))
    for name in ("time_to_report", "report_to_feedback"):
        t = doc[name]
        eqs.append((add(t["cases"]), [add(x["cases"]) for x in t["by_typology"]]))

    def row(x):
        c = [add(p["confirmed"]) for p in x["periods"]]
        f = [add(p["false_positives"]) for p in x["periods"]]
        ct, ft = add(x["confirmed"]), add(x["false_positives"])
        eqs.append((ct, c))
        eqs.append((ft, f))
        return c, f, ct, ft

    for rule in doc["rule_precision"]:
        rc, rf, rct, rft = row(rule)
        versions = [row(v) for v in rule["versions"]]
        for i in range(len(rc)):
            eqs.append((rc[i], [v[0][i] for v in versions]))
            eqs.append((rf[i], [v[1][i] for v in versions]))
        eqs.append((rct, [v[2] for v in versions]))
        eqs.append((rft, [v[3] for v in versions]))
    return cells, eqs


def attack(doc):
    k = doc["k"]
    cells, eqs = equations(doc)
    lo, hi = [], []
    for v in cells:
        if isinstance(v, int):
            lo.append(v), hi.append(v)
        elif v == f"<{k}":
            lo.append(0), hi.append(k - 1)
        elif v == "suppressed":
            lo.append(k), hi.append(INF)
        else:
            raise ValueError(f"unexpected cell {v!r}")
    changed = True
    passes = 0
    while changed and passes < 200:
        changed, passes = False, passes + 1
        for total, parts in eqs:
            s_lo = sum(lo[p] for p in parts)
            s_hi = sum(hi[p] for p in parts)
            if s_lo > lo[total]:
                lo[total], changed = s_lo, True
            if s_hi < hi[total]:
                hi[total], changed = s_hi, True
            for p in parts:
                o_lo = s_lo - lo[p]
                o_hi = sum(hi[q] for q in parts if q != p) if hi[p] == INF else s_hi - hi[p]
                new_lo = lo[total] - o_hi
                new_hi = hi[total] - o_lo
                if new_lo > lo[p]:
                    lo[p], changed = new_lo, True
                if new_hi < hi[p]:
                    hi[p], changed = new_hi, True
    return [(i, lo[i]) for i, v in enumerate(cells)
            if not isinstance(v, int) and lo[i] == hi[i]]


if __name__ == "__main__":
    doc = json.load(open(sys.argv[1]))
    found = attack(doc)
    for i, v in found:
        print(f"recovered cell {i}: {v}")
    print(f"{len(found)} hidden cells recovered")
    sys.exit(1 if found else 0)
