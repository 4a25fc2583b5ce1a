#!/usr/bin/python3
"""vigil refer end to end (docs/referral.md).

The coalition pack's alerts over the example events become cases, then
signed per-country packages: the same bytes run after run; `vigil refer
verify` accepts each and refuses one changed byte in any file, a wrong key,
a missing or an extra file; no @pii value of the input is found in clear in
any keyed package; a subject lands in exactly one package; bad input (an
unknown country code, a missing key file, duplicate case ids, an output
folder that holds packages) is refused with the place named and nothing
written or overwritten.

    refer_test.py VIGIL REPO
"""
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

vigil, repo = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
tmp = tempfile.mkdtemp()
failures = []
checks = 0


def check(name, ok, detail=""):
    global checks
    checks += 1
    if not ok:
        failures.append(name)
        print(f"FAIL {name}" + (f": {detail}" if detail else ""))


def run(*args, cwd=tmp):
    return subprocess.run([vigil, *args], cwd=cwd, capture_output=True, text=True)


def tree(root):
    """path → sha256 of every file below root."""
    out = {}
    for d, _, files in os.walk(root):
        for f in files:
            p = os.path.join(d, f)
            out[os.path.relpath(p, root)] = hashlib.sha256(open(p, "rb").read()).hexdigest()
    return out


policy = os.path.join(repo, "examples/reporting/referral.json")
events = os.path.join(repo, "examples/coalition/events.jsonl")
r = run("eval", "--rules", os.path.join(repo, "rules/coalition/rules.vgl"), "--events", events,
        "--explain=fired")
open(os.path.join(tmp, "results.jsonl"), "w").write(r.stdout)
r = run("case", "--results", "results.jsonl", "--events", events, "-o", "cases")
check("vigil case", r.returncode == 0, r.stderr)
r = run("pack", "keygen", "signer")
check("keygen", r.returncode == 0, r.stderr)
run("pack", "keygen", "other")
# A referral key file of 64 hex digits, as `vigil list hash --key` reads it.
open(os.path.join(tmp, "id.key"), "w").write("5f" * 32 + "\n")

refer = ["refer", "--cases", "cases", "--policy", policy, "--id-key", "id.key",
         "--signing-key", "signer.key", "--created", "2026-01-31T00:00:00Z"]
r = run(*refer, "-o", "referrals")
check("refer exit 0", r.returncode == 0, r.stderr)
check("summary table", "package" in r.stdout and "subjects" in r.stdout and
      re.search(r"^PH\s+1\s", r.stdout, re.M) is not None and "unassigned" in r.stdout, r.stdout)
packages = sorted(os.listdir(os.path.join(tmp, "referrals")))
check("one package per country", packages == ["AU", "CA", "DE", "GB", "PH", "US"], str(packages))
for p in packages:
    files = sorted(os.listdir(os.path.join(tmp, "referrals", p)))
    check(f"{p} files", files == ["entities.ftm.jsonl", "evidence.jsonl", "manifest.json",
                                  "signatures", "summary.md"], str(files))

# Deterministic bytes.
r = run(*refer, "-o", "again")
check("same bytes run after run", tree(os.path.join(tmp, "referrals")) ==
      tree(os.path.join(tmp, "again")))

# Manifest contents.
cases = [json.load(open(os.path.join(tmp, "cases", f))) for f in sorted(os.listdir(os.path.join(tmp, "cases")))]
all_subjects = {(c["subject"]["field"], c["subject"]["value"]) for c in cases}
subject_ids = {}
total_alerts = 0
for p in packages:
    d = os.path.join(tmp, "referrals", p)
    m = json.load(open(os.path.join(d, "manifest.json")))
    check(f"{p} manifest", m["format"] == "vigil.referral/1" and m["jurisdiction"] == p and
          m["created"] == "2026-01-31T00:00:00Z" and m["tlp"].startswith("TLP:") and
          m["handling"] in ("H0", "H1", "H2", "H3") and m["sender"]["country"] == "AU" and
          m["rulesets"] and all(len(r["sources_digest"]) == 64 for r in m["rulesets"]))
    for f in m["files"]:
        check(f"{p} sha256 of {f['path']}",
              hashlib.sha256(open(os.path.join(d, f["path"]), "rb").read()).hexdigest() == f["sha256"])
    lines = [json.loads(l) for l in open(os.path.join(d, "entities.ftm.jsonl"))]
    check(f"{p} entity schemas", all(e["schema"] in ("Person", "LegalEntity", "BankAccount",
                                                     "Payment", "Company", "Organization")
                                     for e in lines))
    check(f"{p} payments counted", sum(e["schema"] == "Payment" for e in lines) ==
          m["counts"]["payments"])
    for e in lines:
        if e["id"].startswith("subject-"):
            subject_ids.setdefault(e["id"], []).append(p)
    ev = [json.loads(l) for l in open(os.path.join(d, "evidence.jsonl"))]
    check(f"{p} evidence records", len(ev) == m["counts"]["alerts"] and
          all(x["format"] == "vigil.explain/2" for x in ev))
    total_alerts += len(ev)
check("every subject in exactly one package", len(subject_ids) == len(all_subjects) and
      all(len(v) == 1 for v in subject_ids.values()), str(subject_ids))
check("every alert referred", total_alerts == sum(len(c["alerts"]) for c in cases))
check("plaintext for AU only", json.load(open(os.path.join(tmp, "referrals/AU/manifest.json")))
      ["identifiers"] == "plaintext" and json.load(open(os.path.join(
          tmp, "referrals/PH/manifest.json")))["identifiers"] == "keyed")
check("PH handling from the policy", json.load(open(os.path.join(
    tmp, "referrals/PH/manifest.json")))["tlp"] == "TLP:RED")

# No @pii value in clear in any keyed package: every byte of every file.
schema = open(os.path.join(repo, "rules/coalition/schema.vgl")).read()
pii_fields = set(re.findall(r"^\s*(\w+):[^#\n]*@pii", schema, re.M))
check("pii fields found", "customer_first_name" in pii_fields and "customer_id" in pii_fields)
pii, public = set(), set()
for line in open(events):
    e = json.loads(line)
    for k, v in e.items():
        vals = v if isinstance(v, list) else [v]
        for x in vals:
            (pii if k in pii_fields else public).add(str(x))
# A value that a non-PII field also holds (a country code) proves nothing.
pii = {v for v in pii - public if len(v) >= 3}
check("pii values collected", len(pii) > 50, str(len(pii)))


def leaks(folder):
    found = set()
    for rel in tree(folder):
        data = open(os.path.join(folder, rel), encoding="utf-8").read()
        for v in pii:
            if re.search(r"(?<![0-9A-Za-z])" + re.escape(v) + r"(?![0-9A-Za-z])", data):
                found.add(v)
    return found


for p in packages:
    m = json.load(open(os.path.join(tmp, "referrals", p, "manifest.json")))
    found = leaks(os.path.join(tmp, "referrals", p))
    if m["identifiers"] == "keyed":
        check(f"{p}: no @pii value in clear", not found, str(sorted(found)[:5]))
    else:
        # The grep finds clear values where the policy allows them.
        check(f"{p}: plaintext package holds names", "Whitcombe" in found, str(sorted(found)[:5]))

# Evidence evaluated with PII shown: keyed packages still hold none of it.
r = run("eval", "--rules", os.path.join(repo, "rules/coalition/rules.vgl"), "--events", events,
        "--explain=fired", "--allow-pii")
open(os.path.join(tmp, "results-pii.jsonl"), "w").write(r.stdout)
check("evidence with PII shown", '"pii":"shown"' in r.stdout.replace(" ", ""), r.stderr)
r = run("case", "--results", "results-pii.jsonl", "--events", events, "-o", "cases-pii")
check("cases with PII shown", r.returncode == 0, r.stderr)
r = run(*[a if a != "cases" else "cases-pii" for a in refer], "-o", "referrals-pii")
check("refer with PII shown", r.returncode == 0, r.stderr)
for p in packages:
    m = json.load(open(os.path.join(tmp, "referrals-pii", p, "manifest.json")))
    if m["identifiers"] == "keyed":
        found = leaks(os.path.join(tmp, "referrals-pii", p))
        check(f"{p} (PII shown in evidence): no @pii value in clear", not found, str(sorted(found)[:5]))

# The receiver's check.
for p in packages:
    r = run("refer", "verify", f"referrals/{p}", "--trust", "signer.pub")
    check(f"verify {p}", r.returncode == 0 and f"ok referrals/{p}" in r.stdout, r.stderr)
r = run("refer", "verify", "referrals/PH", "--trust", "other.pub")
check("wrong key refused", r.returncode == 1 and "not signed by a trusted key" in r.stderr, r.stderr)
for name in ["entities.ftm.jsonl", "evidence.jsonl", "manifest.json", "summary.md", "signatures"]:
    t = os.path.join(tmp, "tampered")
    shutil.rmtree(t, ignore_errors=True)
    shutil.copytree(os.path.join(tmp, "referrals/PH"), t)
    path = os.path.join(t, name)
    data = bytearray(open(path, "rb").read())
    i = len(data) // 2
    data[i] = (data[i] + 1) % 256 if data[i] not in (0x0a, 0x20) else 0x41
    open(path, "wb").write(bytes(data))
    r = run("refer", "verify", "tampered", "--trust", "signer.pub")
    want = {"manifest.json": "", "signatures": ""}.get(name, f"file '{name}' was changed")
    check(f"one byte changed in {name} refused", r.returncode == 1 and "refused" in r.stderr and
          want in r.stderr, r.stderr)
t = os.path.join(tmp, "tampered")
shutil.rmtree(t)
shutil.copytree(os.path.join(tmp, "referrals/PH"), t)
mp = os.path.join(t, "manifest.json")
text = open(mp).read()
open(mp, "w").write(text.replace('"TLP:RED"', '"TLP:CLEAR"'))
r = run("refer", "verify", "tampered", "--trust", "signer.pub")
check("marking changed in the manifest refused", r.returncode == 1 and
      "signature by key" in r.stderr and "not valid" in r.stderr, r.stderr)
shutil.rmtree(t)
shutil.copytree(os.path.join(tmp, "referrals/PH"), t)
os.remove(os.path.join(t, "summary.md"))
r = run("refer", "verify", "tampered", "--trust", "signer.pub")
check("missing file refused", r.returncode == 1 and "missing file 'summary.md'" in r.stderr, r.stderr)
shutil.rmtree(t)
shutil.copytree(os.path.join(tmp, "referrals/PH"), t)
open(os.path.join(t, "notes.txt"), "w").write("x")
r = run("refer", "verify", "tampered", "--trust", "signer.pub")
check("extra file refused", r.returncode == 1 and "unexpected file 'notes.txt'" in r.stderr, r.stderr)

# An output folder that holds packages: refused, nothing overwritten.
before = tree(os.path.join(tmp, "referrals"))
r = run(*refer, "-o", "referrals")
check("folder with packages refused", r.returncode == 1 and "not empty" in r.stderr and
      "referrals" in r.stderr, r.stderr)
check("nothing overwritten", tree(os.path.join(tmp, "referrals")) == before)


def refused(name, args, want, out="bad-out"):
    r = run(*args, "-o", out)
    check(name, r.returncode == 1 and want in r.stderr, r.stderr)
    check(f"{name}: nothing written", not os.path.exists(os.path.join(tmp, out)) and
          not any(".vigil-refer-" in f for f in os.listdir(tmp)))


def with_policy(edit):
    p = json.load(open(policy))
    edit(p)
    p["schema"] = os.path.join(repo, "rules/coalition/rules.vgl")
    path = os.path.join(tmp, "policy.json")
    json.dump(p, open(path, "w"), indent=2)
    return [a if a != policy else path for a in refer]


refused("unknown country code",
        with_policy(lambda p: p["jurisdictions"].update({"UK": {"tlp": "TLP:RED"}})),
        "member 'jurisdictions.UK': 'UK' is not an ISO 3166-1 alpha-2 country code")
refused("unknown sender country",
        with_policy(lambda p: p["sender"].update({"country": "XX"})),
        "member 'sender.country': 'XX' is not an ISO 3166-1 alpha-2 country code")
refused("bad TLP", with_policy(lambda p: p["default"].update({"tlp": "AMBER+LOOSE"})),
        "member 'default.tlp': 'AMBER+LOOSE' is not a TLP 2.0 marking")
refused("unknown field", with_policy(lambda p: p["precedence"][1].update({"field": "ip_cuntry"})),
        "member 'precedence[1].field': 'ip_cuntry' is not a field")
refused("missing key file", [a if a != "id.key" else "nope.key" for a in refer],
        "--id-key: cannot read a key from \"nope.key\"")
refused("bad signing key", [a if a != "signer.key" else "signer.pub" for a in refer],
        "--signing-key")
shutil.copytree(os.path.join(tmp, "cases"), os.path.join(tmp, "dup"))
first = sorted(os.listdir(os.path.join(tmp, "dup")))[0]
shutil.copy(os.path.join(tmp, "dup", first), os.path.join(tmp, "dup", "zz-copy.json"))
refused("duplicate case ids", [a if a != "cases" else "dup" for a in refer],
        "duplicate case id")

r = run(*refer, "--created", "2026-02-01T00:00:00Z", "-o", "twice")
check("an option given twice is bad usage", r.returncode == 2 and "--created is given twice" in r.stderr,
      r.stderr)

# A subject whose events name no country goes to `unassigned`, with reasons.
shutil.copytree(os.path.join(tmp, "cases"), os.path.join(tmp, "nocountry"))
pc = [c for c in cases if c["subject"]["value"] and c["totals"][0]["currency"] == "EUR"][0]
path = os.path.join(tmp, "nocountry", pc["case_id"] + ".json")
c = json.load(open(path))
for t in c["transactions"]:
    for f in ["customer_residence", "ip_country", "merchant_country", "cpty_country"]:
        t["data"].pop(f, None)
json.dump(c, open(path, "w"), indent=2)
r = run(*[a if a != "cases" else "nocountry" for a in refer], "-o", "with-unassigned")
check("unassigned run", r.returncode == 0, r.stderr)
d = os.path.join(tmp, "with-unassigned", "unassigned")
check("unassigned package", os.path.isdir(d))
if os.path.isdir(d):
    m = json.load(open(os.path.join(d, "manifest.json")))
    check("unassigned reasons", m["counts"]["subjects"] == 1 and
          any("KYC residence (customer_residence): no value" in x["reason"]
              for x in m["unassigned_reasons"]), json.dumps(m.get("unassigned_reasons")))
    r = run("refer", "verify", d, "--trust", "signer.pub")
    check("unassigned verifies", r.returncode == 0, r.stderr)

shutil.rmtree(tmp)
print(f"refer_test: {checks - len(failures)} passed, {len(failures)} failed")
sys.exit(1 if failures else 0)
