#!/usr/bin/python3
"""vigil impact end to end (docs/impact.md).

The example cases and outcomes give the documented counts (checked in the
exact file); published files never show a count from 1 to k-1, hold no
identifier of any subject, case, event, merchant or report, and the attack
of impact_attack.py recovers none of their hidden cells; two members' exact
files merge into coalition totals that are the sums, published just as
soundly; bad input is refused with the place named and nothing written.

    impact_test.py VIGIL REPO
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from impact_attack import attack  # noqa: E402

vigil, repo = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
tmp = tempfile.mkdtemp()
failures, checks = [], 0


def check(name, ok, detail=""):
    global checks
    checks += 1
    if not ok:
        failures.append(name)
        print(f"FAIL {name}" + (f": {detail}" if detail else ""))


def run(*args):
    return subprocess.run([vigil, *args], cwd=tmp, capture_output=True, text=True)


def small_numbers(doc):
    """Every published count from 1 to k-1 (there must be none)."""
    k, found = doc["k"], []

    def see(where, v):
        if isinstance(v, int) and 1 <= v < k:
            found.append((where, v))
    for name, t in doc["tables"].items():
        for r in t["rows"]:
            for i, v in enumerate(r["cells"]):
                see(f"{name}.{r['period']}[{i}]", v)
            see(f"{name}.{r['period']}.total", r["total"])
        for i, v in enumerate(t["column_totals"]):
            see(f"{name}.column_totals[{i}]", v)
        see(f"{name}.total", t["total"])
    for name in ("time_to_report", "report_to_feedback"):
        see(name, doc[name]["cases"])
        for x in doc[name]["by_typology"]:
            see(f"{name}.{x['typology']}", x["cases"])
    for r in doc["rule_precision"]:
        for x in [r] + r["versions"]:
            see(r["rule"], x["confirmed"])
            see(r["rule"], x["false_positives"])
            for p in x["periods"]:
                see(f"{r['rule']}.{p['period']}", p["confirmed"])
                see(f"{r['rule']}.{p['period']}", p["false_positives"])
    for key in ("cases_investigated", "cases_prosecuted", "convictions", "children_safeguarded",
                "reports_filed"):
        see(f"headline.{key}", doc["headline"][key])
    return found


def identifiers(cases_dir, outcomes):
    ids = set()
    for f in os.listdir(cases_dir):
        c = json.load(open(os.path.join(cases_dir, f)))
        ids.add(c["case_id"])
        ids.add(c["subject"]["value"])
        for t in c["transactions"]:
            ids.add(t["event"])
            for key in ("customer_id", "account_id", "merchant_key", "cpty_key", "account_number"):
                if key in t["data"]:
                    ids.add(str(t["data"][key]))
    for line in open(outcomes):
        o = json.loads(line)
        for key in ("reference", "merchant"):
            if key in o:
                ids.add(o[key])
    return {i for i in ids if len(i) >= 5}


def sound(name, path, cases_dirs, outcomes_files):
    doc = json.load(open(path))
    check(f"{name}: format", doc["format"] == "vigil.impact/1" and
          list(doc)[:2] == ["format", "headline"], str(list(doc)[:3]))
    found = small_numbers(doc)
    check(f"{name}: no count below k published", not found, str(found[:5]))
    recovered = attack(doc)
    check(f"{name}: no hidden cell recoverable", not recovered, str(recovered[:5]))
    text = open(path).read()
    leaked = set()
    for d, o in zip(cases_dirs, outcomes_files):
        for i in identifiers(d, o):
            if i in text:
                leaked.add(i)
    check(f"{name}: no identifier", not leaked, str(sorted(leaked)[:5]))
    return doc


# The attack itself works: primary suppression alone gives cells away.
weak = {"k": 10, "tables": {"t": {"columns": ["A", "B"], "rows": [
    {"period": "p", "cells": ["<10", 20], "total": 27}], "column_totals": ["<10", 20], "total": 27}},
    "time_to_report": {"cases": 0, "by_typology": []},
    "report_to_feedback": {"cases": 0, "by_typology": []}, "rule_precision": []}
check("attack recovers by subtraction", (0, 7) in attack(weak), str(attack(weak)))
weak["tables"]["t"]["rows"][0] = {"period": "p", "cells": ["<10", "<10", ], "total": 18}
weak["tables"]["t"]["columns"] = ["A", "B"]
weak["tables"]["t"]["column_totals"] = ["<10", "<10"]
weak["tables"]["t"]["total"] = 18
check("attack recovers from the bounds of <k", len(attack(weak)) >= 2, str(attack(weak)))

# The example: cases of the coalition pack over the example events.
events = os.path.join(repo, "examples/coalition/events.jsonl")
outcomes = os.path.join(repo, "examples/reporting/outcomes.jsonl")
r = run("eval", "--rules", os.path.join(repo, "rules/coalition/rules.vgl"), "--events", events,
        "--explain=fired")
open(os.path.join(tmp, "results.jsonl"), "w").write(r.stdout)
r = run("case", "--results", "results.jsonl", "--events", events, "-o", "cases")
check("vigil case", r.returncode == 0, r.stderr)
r = run("impact", "--cases", "cases", "--outcomes", outcomes, "-o", "impact.json",
        "--exact", "exact.json")
check("impact exit 0", r.returncode == 0, r.stderr)
check("impact summary", "wrote impact.json (k = 10" in r.stderr, r.stderr)
doc = sound("example", os.path.join(tmp, "impact.json"), [os.path.join(tmp, "cases")], [outcomes])
check("example: everything small is hidden", doc["headline"]["cases_investigated"] == "<10")
ex = json.load(open(os.path.join(tmp, "exact.json")))
T = ex["tables"]


def total(table):
    return sum(n for row in T[table].values() for n in row.values())


check("exact: cases", total("cases") == 6 and T["cases"]["2026-03"]["multiple"] == 3, str(T["cases"]))
check("exact: alerts", total("alerts") == 20)
check("exact: reports filed", total("reports_filed") == 4 and T["reports_filed"]["2026-03"]["T4"] == 1)
check("exact: confirmed and false positives", total("confirmed") == 4 and
      total("false_positives") == 2)
check("exact: investigations", total("investigations") == 3 and
      T["investigations"]["2026-04"] == {"multiple": 1} and T["investigations"]["2026-05"] == {"T2": 1})
check("exact: prosecutions (charges or conviction)", total("prosecutions") == 2 and
      T["prosecutions"]["2026-06"] == {"multiple": 1} and T["prosecutions"]["2026-09"] == {"T4": 1})
check("exact: convictions", total("convictions") == 1)
check("exact: children safeguarded", total("children_safeguarded") == 2)
check("exact: merchants terminated", total("merchants_terminated") == 2)
check("exact: referrals by country", T["referrals"] == {"2026-03": {"US": 1}, "2026-04": {"PH": 2}},
      str(T["referrals"]))
# case-70ba…: first alert 2026-03-02T09:12, report filed 2026-03-27: 24 days 14 hours.
check("exact: time to report", ex["alert_to_report"]["multiple"].get("590") == 1,
      str(ex["alert_to_report"]))
# case-db85…: reported 03-15, investigation 03-29: 14 days.
check("exact: report to feedback", ex["report_to_feedback"]["T4"] == {"336": 1},
      str(ex["report_to_feedback"]))
# Counted under the version of the coalition pack's rule set.
pack_version = json.load(open(os.path.join(repo, "rules/coalition/pack.json")))["version"]
r34 = ex["rules"]["coalition.cse/r34_facilitator_fan_in"]
check("exact: rule counts", r34 == {pack_version: {"2026-03": {"confirmed": 1, "false_positives": 0}}},
      str(r34))
r = run("impact", "--cases", "cases", "--outcomes", outcomes, "-o", "again.json")
check("same bytes run after run", open(os.path.join(tmp, "impact.json")).read() ==
      open(os.path.join(tmp, "again.json")).read())
r = run("impact", "--cases", "cases", "--outcomes", outcomes, "-o", "weekly.json", "--period",
        "week", "--k", "3")
wk = json.load(open(os.path.join(tmp, "weekly.json")))
check("weekly periods", r.returncode == 0 and wk["k"] == 3 and
      all(re.match(r"^\d{4}-W\d\d$", row["period"]) for row in wk["tables"]["cases"]["rows"]) and
      [row["period"] for row in wk["tables"]["cases"]["rows"]] == ["2026-W10", "2026-W11", "2026-W12"],
      r.stderr + str([row["period"] for row in wk["tables"]["cases"]["rows"]]))
sound("weekly k=3", os.path.join(tmp, "weekly.json"), [os.path.join(tmp, "cases")], [outcomes])

# Two members, merged by the coalition's aggregator.
gen = os.path.join(repo, "bench/gen_reporting.py")
for m, seed, n in (("a", 1, 1500), ("b", 2, 1200)):
    subprocess.run(["/usr/bin/python3", gen, "--subjects", str(n), "--countries", "20", "--out",
                    os.path.join(tmp, f"m{m}"), "--outcomes", os.path.join(tmp, f"m{m}.jsonl"),
                    "--seed", str(seed), "--member", m, "--rules", "12"], check=True)
    r = run("impact", "--cases", f"m{m}", "--outcomes", f"m{m}.jsonl", "-o", f"{m}.json",
            "--exact", f"{m}.exact.json")
    check(f"member {m}", r.returncode == 0, r.stderr)
    sound(f"member {m}", os.path.join(tmp, f"{m}.json"), [os.path.join(tmp, f"m{m}")],
          [os.path.join(tmp, f"m{m}.jsonl")])
r = run("impact", "merge", "a.exact.json", "b.exact.json", "-o", "coalition.json", "--exact",
        "coalition.exact.json")
check("merge exit 0", r.returncode == 0, r.stderr)
coal = sound("coalition", os.path.join(tmp, "coalition.json"),
             [os.path.join(tmp, "ma"), os.path.join(tmp, "mb")],
             [os.path.join(tmp, "ma.jsonl"), os.path.join(tmp, "mb.jsonl")])
a, b, c = (json.load(open(os.path.join(tmp, f))) for f in
           ("a.exact.json", "b.exact.json", "coalition.exact.json"))
check("merged counts are the sums", all(
    c["tables"][t].get(p, {}).get(col, 0) ==
    a["tables"][t].get(p, {}).get(col, 0) + b["tables"][t].get(p, {}).get(col, 0)
    for t in c["tables"] for p in set(a["tables"][t]) | set(b["tables"][t])
    for col in set(a["tables"][t].get(p, {})) | set(b["tables"][t].get(p, {}))))
check("merged members", coal["members"] == 2 and c["members"] == 2)
inv = sum(n for row in c["tables"]["investigations"].values() for n in row.values())
check("coalition headline", coal["headline"]["cases_investigated"] == inv and inv >= 10, str(inv))
pub = coal["rule_precision"][0]
check("precision published with its movement", isinstance(pub["precision"], float) and
      any(isinstance(p["change"], float) for p in pub["periods"]), json.dumps(pub)[:300])
r = run("impact", "merge", "a.json", "b.json", "-o", "bad.json")
check("published files are not merged", r.returncode == 1 and "published impact file" in r.stderr and
      not os.path.exists(os.path.join(tmp, "bad.json")), r.stderr)
run("impact", "--cases", "ma", "--outcomes", "ma.jsonl", "-o", "aw.json", "--exact", "aw.exact.json",
    "--period", "week")
r = run("impact", "merge", "a.exact.json", "aw.exact.json", "-o", "bad.json")
check("periods must agree", r.returncode == 1 and "counts by month, another by week" in r.stderr,
      r.stderr)

# Bad input: the place named, nothing written.
lines = open(outcomes).read().splitlines()


def refused(name, bad_lines, want, cases="cases"):
    path = os.path.join(tmp, "bad.jsonl")
    open(path, "w").write("\n".join(bad_lines) + "\n")
    r = run("impact", "--cases", cases, "--outcomes", "bad.jsonl", "-o", "bad.json")
    check(name, r.returncode == 1 and want in r.stderr, r.stderr)
    check(f"{name}: nothing written", not os.path.exists(os.path.join(tmp, "bad.json")))


unknown = lines[:3] + ['{"case_id": "case-00000000000000000000000000000000", "outcome": "confirmed", '
                       '"date": "2026-03-01"}']
refused("unknown case", unknown,
        "bad.jsonl:4: member 'case_id': no case 'case-00000000000000000000000000000000'")
refused("unknown outcome", [lines[0].replace('"confirmed"', '"arrested"')],
        "bad.jsonl:1: member 'outcome': unknown outcome \"arrested\"")
refused("bad date", [lines[0].replace('"2026-03-26"', '"26/03/2026"')],
        "bad.jsonl:1: member 'date': expected a date")
refused("report without reference", [re.sub(r', "reference": "[^"]*"', "", lines[1])],
        "bad.jsonl:1: member 'reference': missing")
refused("referral to no country", [lines[3].replace('"PH"', '"UK"')],
        "bad.jsonl:1: member 'country': 'UK' is not a country code")
refused("unknown member", [lines[0].replace('}', ', "customer": "x"}')],
        "bad.jsonl:1: member 'customer': not a member of a vigil.outcomes/1 file")
refused("confirmed and false positive", [lines[0], lines[0].replace('"confirmed"', '"false_positive"')],
        "bad.jsonl:2: case 'case-70baac82f4fd138a6de257bece29e7df' is false_positive here but "
        "confirmed at line 1")
refused("malformed line", [lines[0], "{"], "bad.jsonl:2:")
shutil.copytree(os.path.join(tmp, "cases"), os.path.join(tmp, "dup"))
first = sorted(os.listdir(os.path.join(tmp, "dup")))[0]
shutil.copy(os.path.join(tmp, "dup", first), os.path.join(tmp, "dup", "zz.json"))
refused("duplicate case ids", lines, "duplicate case id", cases="dup")
r = run("impact", "--cases", "cases", "--outcomes", "missing.jsonl", "-o", "bad.json")
check("missing outcomes file", r.returncode == 1 and "missing.jsonl" in r.stderr, r.stderr)
r = run("impact", "--cases", "cases", "--outcomes", outcomes, "-o", "bad.json", "--k", "1")
check("k below 2 is bad usage", r.returncode == 2 and "--k" in r.stderr, r.stderr)

r = run("impact", "--cases", "cases", "--outcomes", outcomes, "-o", "bad.json", "-o", "other.json")
check("an option given twice is bad usage", r.returncode == 2 and "-o is given twice" in r.stderr,
      r.stderr)

shutil.rmtree(tmp)
print(f"impact_test: {checks - len(failures)} passed, {len(failures)} failed")
sys.exit(1 if failures else 0)
