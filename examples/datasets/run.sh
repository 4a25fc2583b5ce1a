#!/usr/bin/env bash
# Runs a public data set end to end: convert its CSV to JSON Lines, evaluate
# its example pack with vigil eval, score the alerts against its labels.
#
#   bash examples/datasets/run.sh handbook|paysim|amlsim [--limit N] [--out DIR]
#
#   --limit N  only the first N rows of each CSV (a prefix: the ctest run uses it)
#   --out DIR  where to write (default $VIGIL_DATASETS_OUT, else ${TMPDIR:-/tmp}/vigil-datasets);
#              never the repository. One folder per data set (per run for amlsim):
#              events.jsonl, labels.csv, convert-report.json, rejects.jsonl,
#              results.jsonl, score.json
#
# The data is read from $VIGIL_SHARED/external, else <repo>/../shared/external.
# vigil is $VIGIL, else <repo>/build/vigil (built with tools/build.sh when missing).
# Exit 77 when the data is not there (ctest counts it as skipped).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
py=/usr/bin/python3
name=${1:-}
[ $# -gt 0 ] && shift
limit=()
out=${VIGIL_DATASETS_OUT:-${TMPDIR:-/tmp}/vigil-datasets}
while [ $# -gt 0 ]; do
  case $1 in
    --limit) limit=(--limit "$2"); shift 2 ;;
    --out) out=$2; shift 2 ;;
    *) echo "run.sh: unexpected argument '$1'" >&2; exit 2 ;;
  esac
done
case $name in
  handbook|paysim|amlsim) ;;
  *) echo "usage: bash examples/datasets/run.sh handbook|paysim|amlsim [--limit N] [--out DIR]" >&2
     exit 2 ;;
esac
shared=${VIGIL_SHARED:-$root/../shared}/external
if [ ! -d "$shared" ]; then
  echo "SKIP: no public data sets at $shared (set VIGIL_SHARED to the folder holding external/)" >&2
  exit 77
fi
vigil=${VIGIL:-$root/build/vigil}
if [ ! -x "$vigil" ]; then
  echo "building vigil into $root/build (once)..." >&2
  bash "$root/tools/build.sh" >/dev/null
fi

evaluate() {  # evaluate DIR RULES: vigil eval, with its events/s on stderr
  local dir=$1 rules=$2 start end
  start=$(date +%s%N)
  "$vigil" eval --rules "$rules" --events "$dir/events.jsonl" >"$dir/results.jsonl" 2>"$dir/eval.log"
  end=$(date +%s%N)
  tail -n 1 "$dir/eval.log" >&2
  $py - "$(wc -l <"$dir/results.jsonl")" "$start" "$end" >&2 <<'PY'
import sys
n, s = int(sys.argv[1]), (int(sys.argv[3]) - int(sys.argv[2])) / 1e9
print(f"vigil eval: {n:,} events in {s:.1f} s ({n / s:,.0f} events/s, 1 thread, "
      "JSON in and out, wall clock)")
PY
}

case $name in
  handbook)
    dir=$out/handbook
    mkdir -p "$dir"
    $py "$here/handbook/convert.py" "$shared/fraud-handbook-sim/transactions.csv.gz" "$dir" "${limit[@]}"
    evaluate "$dir" "$here/handbook/rules.vgl"
    $py "$here/handbook/score.py" "$dir" | tee "$dir/score.md"
    ;;
  paysim)
    dir=$out/paysim
    mkdir -p "$dir"
    $py "$here/paysim/convert.py" "$shared/paysim-sample/paysim_sample.csv" "$dir" "${limit[@]}"
    evaluate "$dir" "$here/paysim/rules.vgl"
    $py "$here/paysim/score.py" "$dir" | tee "$dir/score.md"
    ;;
  amlsim)
    for run in fanin200 cycle200 fanin200cycle200; do
      dir=$out/amlsim/$run
      mkdir -p "$dir"
      $py "$here/amlsim/convert.py" "$shared/amlsim-20k/$run" "$dir" "${limit[@]}"
      evaluate "$dir" "$here/amlsim/rules.vgl"
      $py "$here/amlsim/score.py" "$dir" --run "$run" | tee "$dir/score.md"
    done
    ;;
esac
echo "outputs in $out" >&2
