#!/usr/bin/env bash
# The coalition pack's alerts carried to report files, as docs/reporting.md
# shows: events -> vigil eval --explain=fired -> vigil case -> vigil report,
# through every example profile. (report_fiu_test.sh validates the same
# reports against the FIUs' schemas when they are available.)
# Usage: report_e2e_test.sh VIGIL TEST_DIR REPO
set -u
vigil=$1 here=$2 repo=$3
profiles=$repo/examples/reporting
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
source "$here/../lib/checks.sh"

"$vigil" eval --rules "$repo/rules/coalition/rules.vgl" --events "$repo/examples/coalition/events.jsonl" \
  --explain=fired >"$tmp/results.jsonl" 2>"$tmp/eval.err"
check case 0 "$vigil" case --results "$tmp/results.jsonl" --events "$repo/examples/coalition/events.jsonl" \
  -o "$tmp/cases"
cases=$(ls "$tmp/cases" | wc -l)
if [ "$cases" -ge 3 ]; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: only $cases cases"; fi

for p in goaml-ae goaml-generic goaml-lk fincen-sar; do
  kind=goaml
  [ "$p" = fincen-sar ] && kind=fincen-sar
  mkdir -p "$tmp/$p" "$tmp/$p.again"
  check "report_$p" 0 "$vigil" report $kind --profile "$profiles/$p.json" --case "$tmp/cases" \
    --lookup "customer=$profiles/customers.jsonl" --date 2026-03-31 -o "$tmp/$p"
  contains "report_$p" err "$cases of $cases reports written"
  # Deterministic: the same cases give the same bytes.
  "$vigil" report $kind --profile "$profiles/$p.json" --case "$tmp/cases" \
    --lookup "customer=$profiles/customers.jsonl" --date 2026-03-31 -o "$tmp/$p.again" 2>/dev/null
  if diff -r "$tmp/$p" "$tmp/$p.again" >/dev/null; then pass=$((pass + 1)); else
    fail=$((fail + 1)); echo "FAIL report_$p: two runs differ"; fi
done

# What the reports say, case by case (the customers of examples/coalition).
case_of() {  # case_of CUSTOMER_ID: the case file of that subject
  grep -l "\"value\": \"$1\"" "$tmp"/cases/*.json | head -1 | xargs -n1 basename | sed 's/\.json$//'
}
sextortion=$(case_of 100477120)  # a minor paying a sextortion payee: a victim (T4)
corridor=$(case_of 100234987)    # live-streaming payments to PH (T1)
cp "$tmp/goaml-ae/$sextortion.xml" "$tmp/ae-t4.xml"
contains t4_victim ae-t4.xml "The customer appears to be a victim of financially motivated sextortion, not an offender"
contains t4_indicator ae-t4.xml "<indicator>STDNT</indicator>"
cp "$tmp/fincen-sar/$sextortion.xml" "$tmp/us-t4.xml"
contains t4_fincen_note us-t4.xml "<FilingInstitutionNotetoFinCEN>FIN-2025-SEXTORTION</FilingInstitutionNotetoFinCEN>"
contains t4_fincen_class us-t4.xml "<OtherSuspiciousActivityTypeText>SEXTORTION</OtherSuspiciousActivityTypeText>"
cp "$tmp/goaml-ae/$corridor.xml" "$tmp/ae-t1.xml"
contains t1_indicator ae-t1.xml "<indicator>CSAM1</indicator>"
contains t1_foreign ae-t1.xml "<foreign_currency_code>AUD</foreign_currency_code>"
contains t1_rules ae-t1.xml "Rules that fired:"
contains t1_evidence ae-t1.xml "count(by: customer_id, within: 30d, where: small_corridor_transfer) = "
cp "$tmp/fincen-sar/$corridor.xml" "$tmp/us-t1.xml"
contains t1_fincen_parties us-t1.xml 'PartyCount="6"'
contains t1_fincen_note us-t1.xml "<FilingInstitutionNotetoFinCEN>OCSE-FIN-2021-NTC3</FilingInstitutionNotetoFinCEN>"
# No tipping off: no rule of the coalition pack blocks or declines a payment,
# so a suspicion never shows to the customer as a refused payment.
decisions=$(grep -hoE '^[[:space:]]*decide[[:space:]]+[A-Za-z_]+' "$repo"/rules/coalition/*.vgl | awk '{print $2}' | sort -u | tr '\n' ' ')
if [ "$decisions" = "report review " ]; then pass=$((pass + 1)); else
  fail=$((fail + 1)); echo "FAIL no_tipping_off: the coalition pack decides: $decisions"; fi
summary
