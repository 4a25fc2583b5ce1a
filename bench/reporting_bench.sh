#!/usr/bin/env bash
# vigil refer and vigil impact at the scale of a referral operation
# (docs/performance.md, "Referral packages and impact"):
#
#   bench/reporting_bench.sh VIGIL DATA_DIR [SUBJECTS] [IMPACT_CASES]
#
# Generates (once, cached in DATA_DIR) SUBJECTS case files across 130
# countries (default 153,000) with bench/gen_reporting.py, and a year of a
# large member's cases and outcomes (default 60,000 cases), then runs each
# command pinned to one core (taskset -c 0) and prints wall-clock time, CPU
# time and peak memory. A tenth of the subjects is run too, to show that
# memory grows with the subjects (a small record each), not with the data.
set -euo pipefail
vigil=$1 data=$2 subjects=${3:-153000} impact_cases=${4:-60000}
root=$(cd "$(dirname "$0")/.." && pwd)
gen=$root/bench/gen_reporting.py
mkdir -p "$data"
generate() {  # generate NAME SUBJECTS [--outcomes]
  local name=$1 n=$2
  if [ ! -f "$data/$name.done" ]; then
    echo "generating $name ($n subjects, once)..." >&2
    rm -rf "${data:?}/$name"
    /usr/bin/python3 "$gen" --subjects "$n" --countries 130 --out "$data/$name" \
      --outcomes "$data/$name.outcomes.jsonl" --seed 7 --member big
    touch "$data/$name.done"
  fi
}
generate "refer-$subjects" "$subjects"
tenth=$((subjects / 10))
generate "refer-$tenth" "$tenth"
generate "impact-$impact_cases" "$impact_cases"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && "$vigil" pack keygen signer >/dev/null 2>&1)
printf '%064x\n' 12345 >"$work/id.key"
measure() {  # measure LABEL COMMAND...: one line of figures
  local label=$1
  shift
  /usr/bin/time -f "%e %U %S %M" -o "$work/time" taskset -c 0 "$@" >"$work/out" 2>"$work/err" || {
    cat "$work/err" >&2
    return 1
  }
  awk -v label="$label" '{ printf "%-48s %7.1f s wall %7.1f s CPU %6.0f MiB peak\n", label, $1, $2 + $3, $4 / 1024 }' \
    "$work/time"
}
echo "vigil $(git -C "$root" describe --always --dirty 2>/dev/null || echo '?'), one core (taskset -c 0), $(date -u +%F)"
for n in "$tenth" "$subjects"; do
  size=$(du -sm "$data/refer-$n" | cut -f1)
  measure "refer: $n subjects, 130 countries ($size MiB)" \
    "$vigil" refer --cases "$data/refer-$n" --policy "$root/examples/reporting/referral.json" \
    --id-key "$work/id.key" --signing-key "$work/signer.key" --created 2026-01-31T00:00:00Z \
    -o "$work/referrals-$n"
  tail -1 "$work/out"
  out_size=$(du -sm "$work/referrals-$n" | cut -f1)
  echo "  packages: $(ls "$work/referrals-$n" | wc -l), $out_size MiB"
  rm -rf "$work/referrals-$n"
done
lines=$(wc -l <"$data/impact-$impact_cases.outcomes.jsonl")
measure "impact: $impact_cases cases, $lines outcomes, a year" \
  "$vigil" impact --cases "$data/impact-$impact_cases" \
  --outcomes "$data/impact-$impact_cases.outcomes.jsonl" -o "$work/impact.json" \
  --html "$work/impact.html" --period week
tail -1 "$work/err"
