#!/usr/bin/env bash
# Every aggregate value vigil computes on a prefix of the handbook's events
# (the first 120,000 rows: 12 days, with delayed fraud confirmations) agrees
# with the plain Python reference of check_aggregates.py; and the check does
# see a difference: with the confirmation window overridden to 1 day, vigil's
# values are no longer the reference's, and the check must fail.
# The full check (1.75 M events) is the separate command of docs/datasets.md.
#   aggregates_test.sh VIGIL REPO
set -euo pipefail
vigil=$1
repo=$2
shared=${VIGIL_SHARED:-$repo/../shared}/external
csv=$shared/fraud-handbook-sim/transactions.csv.gz
if [ ! -f "$csv" ]; then
  echo "SKIP: the handbook data set is not at $csv (set VIGIL_SHARED)"
  exit 77
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
here=$repo/examples/datasets/handbook
/usr/bin/python3 "$here/convert.py" "$csv" "$tmp" --limit 120000 2>/dev/null
confirmations=$(grep -c FRAUD_CONFIRMED "$tmp/events.jsonl")
[ "$confirmations" -gt 0 ] || { echo "FAIL: the prefix has no fraud confirmation"; exit 1; }
out=$(/usr/bin/python3 "$here/check_aggregates.py" "$vigil" "$tmp/events.jsonl" 2>&1)
echo "$out" | tail -n 3
echo "$out" | grep -q "120,000 payments, 2,640,000 aggregate values compared, 0 differ" ||
  { echo "FAIL: vigil's aggregates differ from the reference"; exit 1; }
printf 'override datasets.handbook {\n  set TERMINAL_MEMORY = 1d\n}\n' >"$tmp/shorter.vgl"
if out=$(/usr/bin/python3 "$here/check_aggregates.py" "$vigil" "$tmp/events.jsonl" \
           --with "$tmp/shorter.vgl" 2>&1); then
  echo "FAIL: the check passed although vigil's confirmation window was changed"; exit 1
fi
echo "$out" | grep -q "confirmed: vigil" ||
  { echo "FAIL: the check did not name the differing value"; echo "$out" | tail -n 3; exit 1; }
echo "$out" | tail -n 1
echo "2 passed, 0 failed"
