#!/usr/bin/env bash
# The example profiles' reports against the FIUs' own schemas, with vigil's
# validation (--xsd) and independently with xmllint. The schemas are test
# fixtures that are never committed: they are read from $VIGIL_SHARED/reporting
# or REPO/../shared/reporting, and the test is skipped (exit 77) without them.
# Usage: report_fiu_test.sh VIGIL TEST_DIR REPO
set -u
vigil=$1 here=$2 repo=$3
data=$here/data golden=$here/golden profiles=$repo/examples/reporting
shared=${VIGIL_SHARED:-$repo/../shared}/reporting
if [ ! -d "$shared" ]; then
  echo "SKIP: $shared not found: the reports were not validated against the FIU schemas (set VIGIL_SHARED)"
  exit 77
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
source "$here/../lib/checks.sh"

lookups=(--lookup "customer=$data/customers.jsonl")
declare -A xsd=(
  [goaml-ae]=goaml-ae-5.0.2/goAMLSchema.xsd
  [goaml-generic]=goaml-generic-5.0.1/goAMLSchema.xsd
  [goaml-lk]=goaml-lk/goAMLSchema-Version_2.0.xsd
  [fincen-sar]=fincen-sarx/EFL_SARXBatchSchema.xsd
)
for p in goaml-ae goaml-generic goaml-lk fincen-sar; do
  kind=goaml
  [ "$p" = fincen-sar ] && kind=fincen-sar
  check "vigil_xsd_$p" 0 "$vigil" report $kind --profile "$profiles/$p.json" --case "$data/case-1001.json" \
    "${lookups[@]}" --date 2026-03-10 -o "$tmp/$p.xml" --xsd "$shared/${xsd[$p]}"
  contains "vigil_xsd_$p" err "1 of 1 report written, each valid against"
  check "xmllint_$p" 0 xmllint --noout --schema "$shared/${xsd[$p]}" "$golden/case-1001.$p.xml"
done

# The UAE schema as issued: its ^...$ name patterns reject every real name
# (REPORTING.md §1.5); vigil says where, and writes nothing.
check unmodified_ae 1 "$vigil" report goaml --profile "$profiles/goaml-ae.json" --case "$data/case-1001.json" \
  "${lookups[@]}" --date 2026-03-10 -o "$tmp/u.xml" --xsd "$shared/goaml-ae-5.0.2/goAMLSchema.unmodified.xsd"
contains unmodified_ae err "$tmp/u.xml:38: /report/transaction[1]/t_from_my_client/from_account/account_name: Element 'account_name': [facet 'pattern'] The value 'Zoe Al-Mansoori' is not accepted by the pattern '^[a-zA-Z0-9 .'-]*\$'."
absent unmodified_ae "$tmp/u.xml"

# A report for one FIU does not pass another FIU's schema: validity is
# always relative to the profile's own XSD.
check cross_fiu 1 "$vigil" report goaml --profile "$profiles/goaml-ae.json" --case "$data/case-1001.json" \
  "${lookups[@]}" --date 2026-03-10 -o "$tmp/c.xml" --xsd "$shared/${xsd[goaml-lk]}"
contains cross_fiu err "/report/rentity_id: Element 'rentity_id': [facet 'pattern'] The value '1001' is not accepted by the pattern '[0-9]{1,3}'."
# The coalition pack's alerts over examples/coalition: every case, through
# every profile, valid against its FIU's schema (vigil's --xsd, then xmllint).
"$vigil" eval --rules "$repo/rules/coalition/rules.vgl" --events "$repo/examples/coalition/events.jsonl" \
  --explain=fired >"$tmp/results.jsonl" 2>/dev/null
"$vigil" case --results "$tmp/results.jsonl" --events "$repo/examples/coalition/events.jsonl" \
  -o "$tmp/cases" 2>/dev/null
cases=$(ls "$tmp/cases" | wc -l)
for p in goaml-ae goaml-generic goaml-lk fincen-sar; do
  kind=goaml
  [ "$p" = fincen-sar ] && kind=fincen-sar
  mkdir -p "$tmp/e2e-$p"
  check "e2e_$p" 0 "$vigil" report $kind --profile "$profiles/$p.json" --case "$tmp/cases" \
    --lookup "customer=$profiles/customers.jsonl" --date 2026-03-31 -o "$tmp/e2e-$p" --xsd "$shared/${xsd[$p]}"
  contains "e2e_$p" err "$cases of $cases reports written, each valid against"
  check "e2e_xmllint_$p" 0 xmllint --noout --schema "$shared/${xsd[$p]}" "$tmp/e2e-$p"/*.xml
done
summary
