#!/usr/bin/env python3
"""rules/coalition/schema.vgl has exactly the event fields of section 2 of
../shared/domain/INDICATORS.md (2.1 to 2.6; 2.7 holds generator labels that
the engine must ignore), so members' data maps to it directly.

A field of the tables must be in the schema, and a schema field must be a
field of the tables or a field that section 2 names in its text (for example
`customer_age_band`, given next to `customer_birth_year`). The fields after the
"# Report data" comment are not event features: no rule reads them, each is
documented in rules/coalition/README.md, and none repeats a catalogue field.
The fields after the "# Merchant record" comment belong to the second event
kind, the acquirer's daily merchant record (R35, which section 2 does not
describe): each is documented in the README and none repeats a catalogue field.
Usage: schema_fields_test.py REPO   (the catalogue from $VIGIL_SHARED or REPO/../shared;
exit 77 when it is absent)
"""
import os
import re
import sys


def main():
    repo = sys.argv[1]
    shared = os.environ.get("VIGIL_SHARED") or os.path.join(repo, "..", "shared")
    catalogue = os.path.join(shared, "domain", "INDICATORS.md")
    if not os.path.exists(catalogue):
        print("no catalogue at %s: skipped" % catalogue)
        return 77
    text = open(catalogue).read()
    section = text[text.index("## 2. Transaction event schema"):text.index("### 2.7")]
    table = set(re.findall(r"^\| \d+ \| `([a-z0-9_]+)` \|", section, re.M))
    mentioned = set(re.findall(r"`([a-z][a-z0-9_]+)`", section))
    schema = open(os.path.join(repo, "rules/coalition/schema.vgl")).read()
    schema, _, report_block = schema.partition("  # Report data")
    schema, _, merchant_block = schema.partition("  # Merchant record")
    fields = set(re.findall(r"^  ([a-z][a-z0-9_]*):", schema, re.M))
    merchant = set(re.findall(r"^  ([a-z][a-z0-9_]*):", merchant_block, re.M))
    report = set(re.findall(r"^  ([a-z][a-z0-9_]*):", report_block, re.M))
    readme = open(os.path.join(repo, "rules/coalition/README.md")).read()
    rules = open(os.path.join(repo, "rules/coalition/rules.vgl")).read()
    bad = False
    for f in sorted(report):
        if f in table or f in fields:
            print("report field %s repeats a catalogue field" % f)
            bad = True
        if "`%s`" % f not in readme:
            print("report field %s is not documented in rules/coalition/README.md" % f)
            bad = True
        if re.search(r"\b%s\b" % f, rules):
            print("report field %s is read by a rule: declare it with the features" % f)
            bad = True
    for f in sorted(merchant):
        if f in table or f in fields:
            print("merchant record field %s repeats a catalogue field" % f)
            bad = True
        if "`%s`" % f not in readme:
            print("merchant record field %s is not documented in rules/coalition/README.md" % f)
            bad = True
    if not merchant:
        print("no merchant record fields after '# Merchant record' (R35 reads them)")
        bad = True
    if len(report) < 10:
        print("only %d report fields after '# Report data'" % len(report))
        bad = True
    missing = sorted(table - fields)
    unknown = sorted(fields - table - mentioned)
    if missing:
        print("fields of section 2 missing from the schema: " + ", ".join(missing))
    if unknown:
        print("schema fields that section 2 does not name: " + ", ".join(unknown))
    if len(table) < 40:
        print("only %d fields found in the catalogue's tables" % len(table))
        return 1
    print("%d fields of section 2, %d in the schema, %d merchant record fields, %d report fields" %
          (len(table), len(fields), len(merchant), len(report)))
    return 1 if missing or unknown or bad else 0


if __name__ == "__main__":
    sys.exit(main())
