#!/usr/bin/env bash
# vigil report from the command line. Usage: report_test.sh VIGIL TEST_DIR REPO
# Golden files: VIGIL_UPDATE_GOLDEN=1 rewrites them from the current output.
# Validation against the FIUs' own schemas is in report_fiu_test.sh.
set -u
vigil=$1 here=$2 repo=$3
data=$here/data golden=$here/golden profiles=$repo/examples/reporting
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
source "$here/../lib/checks.sh"

lookups=(--lookup "customer=$data/customers.jsonl")
report() {  # report KIND PROFILE OUT [ARGS...]
  local kind=$1 profile=$2 out=$3
  shift 3
  "$vigil" report "$kind" --profile "$profiles/$profile.json" --case "$data/case-1001.json" \
    "${lookups[@]}" --date 2026-03-10 -o "$out" "$@"
}

# Golden reports: one per example profile, from the same case.
for p in goaml-ae goaml-generic goaml-lk fincen-sar; do
  kind=goaml
  [ "$p" = fincen-sar ] && kind=fincen-sar
  check "golden_$p" 0 report $kind $p "$tmp/$p.xml"
  same "golden_$p" "$tmp/$p.xml" "$golden/case-1001.$p.xml"
  contains "golden_$p" err "1 of 1 report written"
done
report goaml goaml-ae "$tmp/x.xml" 2>"$tmp/err"
contains warnings err "case-1001.json: warning: /report/transaction[1]/t_from_my_client/from_account/signatory/t_person/first_name: transliterated 'Zoë' to 'Zoe'"
report goaml goaml-lk "$tmp/x.xml" 2>"$tmp/err"
contains warnings_lk err "warning: /report/transaction[2]/t_from_my_client/from_account/signatory/t_person/last_name: removed \"-\" (outside [A-Za-z]): 'Al-Mansoori' became 'AlMansoori'"

# Standard output when there is no -o; the same bytes.
check stdout 0 "$vigil" report goaml --profile "$profiles/goaml-ae.json" --case "$data/case-1001.json" \
  "${lookups[@]}" --date 2026-03-10
same stdout "$tmp/out" "$golden/case-1001.goaml-ae.xml"

# Validation inside the command: a schema written for this test.
check xsd_invalid 1 report goaml goaml-ae "$tmp/invalid.xml" --xsd "$data/tiny-goaml.xsd"
contains xsd_invalid err "$tmp/invalid.xml:3: /report/rentity_id: Element 'rentity_id': [facet 'maxInclusive'] The value '1001' is greater than the maximum value allowed ('999')."
contains xsd_invalid err "the report does not validate against \"$data/tiny-goaml.xsd\" (1 error): no report written"
absent xsd_invalid "$tmp/invalid.xml"
echo "previous" >"$tmp/kept.xml"
check xsd_invalid_keeps_old 1 report goaml goaml-ae "$tmp/kept.xml" --xsd "$data/tiny-goaml.xsd"
contains xsd_invalid_keeps_old kept.xml "previous"
check xsd_valid_local 0 report goaml goaml-lk "$tmp/lk.xml" --xsd "$data/tiny-goaml.xsd"
check xsd_missing 2 report goaml goaml-ae "$tmp/m.xml" --xsd "$tmp/nope.xsd"
contains xsd_missing err "cannot load the schema \"$tmp/nope.xsd\""
absent xsd_missing "$tmp/m.xml"

# Bad profiles.
sed 's/"narrative":/"narative":/' "$profiles/goaml-ae.json" >"$tmp/bad-member.json"
check bad_profile_member 2 "$vigil" report goaml --profile "$tmp/bad-member.json" --case "$data/case-1001.json"
contains bad_profile_member err "bad-member.json: member 'narrative': missing (found 'narative': a misspelling?)"
sed 's/"counterparty_funds_code": "POSMS"/"counterparty_fund_code": "POSMS"/' "$profiles/goaml-ae.json" >"$tmp/bad-member2.json"
check bad_profile_member2 2 "$vigil" report goaml --profile "$tmp/bad-member2.json" --case "$data/case-1001.json"
contains bad_profile_member2 err "bad-member2.json: member 'goaml.channels[0].counterparty_funds_code': missing (found 'counterparty_fund_code': a misspelling?)"
printf '{"format": "vigil.report-profile/1",\n  "kind": "goaml",\n}\n' >"$tmp/bad-json.json"
check bad_profile_json 2 "$vigil" report goaml --profile "$tmp/bad-json.json" --case "$data/case-1001.json"
contains bad_profile_json err "bad-json.json:3:1:"
sed 's/"time_zone": "Asia\/Dubai"/"time_zone": "Mars\/Olympus"/' "$profiles/goaml-ae.json" >"$tmp/bad-zone.json"
check bad_profile_zone 2 "$vigil" report goaml --profile "$tmp/bad-zone.json" --case "$data/case-1001.json" "${lookups[@]}"
contains bad_profile_zone err "bad-zone.json: member 'time_zone': "
check wrong_kind 2 "$vigil" report fincen-sar --profile "$profiles/goaml-ae.json" --case "$data/case-1001.json"
contains wrong_kind err "the profile is for 'goaml' reports; use \`vigil report goaml\`"
check missing_profile 2 "$vigil" report goaml --profile "$tmp/none.json" --case "$data/case-1001.json"
contains missing_profile err "cannot read the profile \"$tmp/none.json\""

# Bad cases.
printf '{"format": "vigil.case/1"}\n' >"$tmp/bad-case.json"
check bad_case 2 report goaml goaml-ae "$tmp/out1.xml" --case "$tmp/bad-case.json"
contains bad_case err "bad-case.json: member 'case_id': missing"
absent bad_case "$tmp/out1.xml"
printf '{"format": "vigil.case/1",\n  "case_id": \n' >"$tmp/trunc-case.json"
check truncated_case 2 report goaml goaml-ae "$tmp/out1.xml" --case "$tmp/trunc-case.json"
contains truncated_case err "trunc-case.json:3:"

# Missing mandatory data: the element and the field that should have supplied it.
printf '{"customer_id": 999}\n' >"$tmp/other-customers.jsonl"
check missing_data 2 "$vigil" report goaml --profile "$profiles/goaml-ae.json" --case "$data/case-1001.json" \
  --lookup "customer=$tmp/other-customers.jsonl" --date 2026-03-10 -o "$tmp/md.xml"
contains missing_data err "case-1001.json: error: /report/transaction[1]/t_from_my_client/from_account/branch: no value: lookup 'customer' ($tmp/other-customers.jsonl) has no record with customer_id 1001 (event 'e-1001-01') (goaml.parties.client.element.branch)"
contains missing_data err "8 errors: no report written"
absent missing_data "$tmp/md.xml"
sed 's/"merchant_name": "STREAMHUB LIVE",//' "$data/case-1001.json" >"$tmp/no-merchant.json"
check missing_event_field 2 report goaml goaml-generic "$tmp/mf.xml" --case "$tmp/no-merchant.json"
contains missing_event_field err "error: /report/transaction[1]/t_to/to_entity/name: no value: event 'e-1001-01' has no field 'merchant_name' (goaml.parties.merchant.element.name)"
contains missing_event_field err "error: /report/transaction[1]/transaction_description: no value: event 'e-1001-01' has no field 'merchant_name' (goaml.channels[0].description)"
contains missing_event_field err "2 errors: no report written"
absent missing_event_field "$tmp/mf.xml"

# Lookups.
check lookup_missing 2 "$vigil" report goaml --profile "$profiles/goaml-ae.json" --case "$data/case-1001.json" -o "$tmp/l.xml"
contains lookup_missing err "the profile reads lookup 'customer' (records keyed by customer_id): give it with --lookup customer=FILE.jsonl"
check lookup_unknown 2 "$vigil" report goaml --profile "$profiles/goaml-ae.json" --case "$data/case-1001.json" \
  "${lookups[@]}" --lookup "kyc=$data/customers.jsonl"
contains lookup_unknown err "--lookup kyc=$data/customers.jsonl: the profile declares no lookup 'kyc'"
cat "$data/customers.jsonl" "$data/customers.jsonl" >"$tmp/dup.jsonl"
check lookup_duplicate 2 "$vigil" report goaml --profile "$profiles/goaml-ae.json" --case "$data/case-1001.json" \
  --lookup "customer=$tmp/dup.jsonl"
contains lookup_duplicate err "dup.jsonl:2: a second record with customer_id 1001 (the first is on line 1)"
printf '{"id": 1}\n' >"$tmp/nokey.jsonl"
check lookup_no_key 2 "$vigil" report goaml --profile "$profiles/goaml-ae.json" --case "$data/case-1001.json" \
  --lookup "customer=$tmp/nokey.jsonl"
contains lookup_no_key err "nokey.jsonl:1: the record has no 'customer_id' (the key of lookup 'customer')"

# A directory of cases: one report per case, named by its id.
mkdir -p "$tmp/cases" "$tmp/reports"
cp "$data/case-1001.json" "$tmp/cases/a.json"
sed 's/case-0123456789abcdef0123456789abcdef/case-ffffffffffffffffffffffffffffffff/' "$data/case-1001.json" >"$tmp/cases/b.json"
check batch 0 "$vigil" report goaml --profile "$profiles/goaml-ae.json" --case "$tmp/cases" "${lookups[@]}" \
  --date 2026-03-10 -o "$tmp/reports"
contains batch err "2 of 2 reports written"
same batch "$tmp/reports/case-0123456789abcdef0123456789abcdef.xml" "$golden/case-1001.goaml-ae.xml"
if [ -f "$tmp/reports/case-ffffffffffffffffffffffffffffffff.xml" ]; then pass=$((pass + 1)); else
  fail=$((fail + 1)); echo "FAIL batch: second report missing"; fi
check batch_needs_dir 2 "$vigil" report goaml --profile "$profiles/goaml-ae.json" --case "$tmp/cases" "${lookups[@]}"
contains batch_needs_dir err "-o must name an existing directory"

# Usage.
check usage_kind 2 "$vigil" report fintrac --profile x --case y
contains usage_kind err "unknown report kind 'fintrac' (goaml or fincen-sar)"
check usage_no_case 2 "$vigil" report goaml --profile "$profiles/goaml-ae.json"
contains usage_no_case err "--case is required"
check usage_bad_date 2 report goaml goaml-ae "$tmp/d.xml" --date 10/03/2026
contains usage_bad_date err "--date: expected YYYY-MM-DD, found \"10/03/2026\""
check usage_bad_lookup 2 "$vigil" report goaml --profile p --case c --lookup customer
contains usage_bad_lookup err "--lookup: expected NAME=FILE, found \"customer\""
check default_date 0 "$vigil" report goaml --profile "$profiles/goaml-ae.json" --case "$data/case-1001.json" "${lookups[@]}"
contains default_date out "<submission_date>$(TZ=Asia/Dubai date +%Y-%m-%d)T00:00:00</submission_date>"

summary
