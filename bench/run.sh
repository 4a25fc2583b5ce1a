#!/usr/bin/env bash
# Builds vigil (release), generates the workloads with ../shared/bench/gen.py
# (seeded, cached in build/bench-data) and runs the benchmarks.
#
#   bench/run.sh [RULES...]   stateless evaluation (default: 100 rules)
#   bench/run.sh velocity     100 rules + the velocity rules over 2,000,000
#                             events of ~100,000 cards, one and two threads
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
gen=$root/../shared/bench/gen.py
VIGIL_BUILD_TYPE=Release bash "$root/tools/build.sh" >/dev/null
if [ "${1:-}" = "velocity" ]; then
  data=$root/build/bench-data/vel100
  if [ ! -f "$data/meta.json" ]; then
    echo "generating the velocity workload (a few minutes, once)..." >&2
    python3 "$gen" --rules 100 --events 2000000 --velocity --seed 1 --out "$data" >/dev/null
  fi
  "$root/build/bench/vigil_velocity_bench" --workload "$data"
  exit 0
fi
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(100)
for rules in "${sizes[@]}"; do
  data=$root/build/bench-data/r${rules}
  if [ ! -f "$data/events.jsonl" ]; then
    python3 "$gen" --rules "$rules" --events 200000 --seed 1 --out "$data" 2>/dev/null
  fi
  "$root/build/bench/vigil_eval_bench" --workload "$data"
done
