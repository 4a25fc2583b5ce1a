#!/usr/bin/env bash
# Builds vigil (release), generates the stateless workloads with
# ../shared/bench/gen.py (seeded, cached in build/bench-data) and runs the
# evaluation benchmark on each. Usage: bench/run.sh [RULES...] (default: 100)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
gen=$root/../shared/bench/gen.py
VIGIL_BUILD_TYPE=Release bash "$root/tools/build.sh" >/dev/null
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(100)
for rules in "${sizes[@]}"; do
  data=$root/build/bench-data/r${rules}
  if [ ! -f "$data/events.jsonl" ]; then
    python3 "$gen" --rules "$rules" --events 200000 --seed 1 --out "$data" 2>/dev/null
  fi
  "$root/build/bench/vigil_eval_bench" --workload "$data"
done
