#!/usr/bin/env bash
# Every aggregate value vigil computes on a sample of the handbook's events
# agrees with the plain Python reference of check_aggregates.py; and the check
# does see a difference: with the confirmation window overridden to 1 day,
# vigil's values are no longer the reference's, and the check must fail.
# The sample is the payments of every fourth customer (and the confirmations
# at their terminals) in the first 400,000 rows: 41 days, so that the
# baselines of days 31-90 (within 60d, offset 30d) hold payments, with delayed
# fraud confirmations. The full check (1.75 M events) is the separate command
# of docs/datasets.md.
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
/usr/bin/python3 "$here/convert.py" "$csv" "$tmp" --limit 400000 2>/dev/null
/usr/bin/python3 -c '
import json, sys
with open(sys.argv[1]) as f, open(sys.argv[2], "w") as out:
    for line in f:
        if json.loads(line)["customer_id"] % 4 == 0:
            out.write(line)
' "$tmp/events.jsonl" "$tmp/sample.jsonl"
confirmations=$(grep -c FRAUD_CONFIRMED "$tmp/sample.jsonl")
payments=$(grep -c '"kind":"TX"' "$tmp/sample.jsonl")
[ "$confirmations" -gt 0 ] || { echo "FAIL: the sample has no fraud confirmation"; exit 1; }
[ "$payments" -gt 50000 ] || { echo "FAIL: the sample has only $payments payments"; exit 1; }
out=$(/usr/bin/python3 "$here/check_aggregates.py" "$vigil" "$tmp/sample.jsonl" 2>&1) || true
echo "$out" | tail -n 3
# 29 values per payment: 18 per customer and terminal over 1, 7 and 30 days,
# 4 lets of the pack and 7 baselines.
want=$(/usr/bin/python3 -c 'import sys; n = int(sys.argv[1])
print(f"{n:,} payments, {29 * n:,} aggregate values compared, 0 differ")' "$payments")
echo "$out" | grep -qF "$want" ||
  { echo "FAIL: vigil's aggregates differ from the reference (expected: $want)"; exit 1; }
# The baselines were exercised, not only missing or zero.
for name in bm30 bp90 oc os om gap; do
  n=$(echo "$out" | grep -o " $name=[0-9,]*" | cut -d= -f2 | tr -d ,)
  [ "${n:-0}" -gt 1000 ] || { echo "FAIL: the baseline '$name' has a value on ${n:-0} payments"; exit 1; }
done
printf 'override datasets.handbook {\n  set TERMINAL_MEMORY = 1d\n}\n' >"$tmp/shorter.vgl"
if out=$(/usr/bin/python3 "$here/check_aggregates.py" "$vigil" "$tmp/sample.jsonl" \
           --with "$tmp/shorter.vgl" 2>&1); then
  echo "FAIL: the check passed although vigil's confirmation window was changed"; exit 1
fi
echo "$out" | grep -q "confirmed: vigil" ||
  { echo "FAIL: the check did not name the differing value"; echo "$out" | tail -n 3; exit 1; }
echo "$out" | grep -F "differ" | tail -n 1
echo "2 passed, 0 failed"
