#!/usr/bin/env bash
# The performance table of docs/performance.md, from one command:
#
#   bash bench/run.sh                 the table: 10, 100, 1,000 and 10,000 rules,
#                                     stateless and with velocity rules, and the
#                                     load time of a 1,000,000-entry list
#   bash bench/run.sh table 100 1000  the table for some sizes only
#   bash bench/run.sh gbench [N...]   Google Benchmark's stateless loops (vigil_eval_bench)
#   bash bench/run.sh velocity        2,000,000 velocity events, 1 and 2 threads (vigil_velocity_bench)
#   bash bench/run.sh lsp             vigil lsp: keystroke to diagnostics, coalition pack and 10,000 rules
#   bash bench/run.sh limits          time and peak memory on the inputs of docs/limits.md
#                                     (100,000 rules, regex budget, huge strings, repeats, lists)
#
# It builds vigil in release mode, generates each workload once with the
# seeded generator ../shared/bench/gen.py (cached in build/bench-data), writes
# the hand-written evaluator of each stateless workload (bench/handwritten_gen.py)
# and builds it into build/bench/vigil_perf, then prints one row per workload.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
gen=$root/../shared/bench/gen.py
data=$root/build/bench-data
mode=${1:-table}
[ $# -gt 0 ] && shift
sizes=("$@")

workload() {  # workload NAME ARGS... : generates build/bench-data/NAME once
  local name=$1
  shift
  if [ ! -f "$data/$name/meta.json" ]; then
    echo "generating $name (once)..." >&2
    python3 "$gen" "$@" --seed 1 --out "$data/$name" >/dev/null 2>&1
  fi
}

build() {
  VIGIL_BUILD_TYPE=Release bash "$root/tools/build.sh" >/dev/null
}

case $mode in
  table)
    [ ${#sizes[@]} -gt 0 ] || sizes=(10 100 1000 10000)
    mkdir -p "$data/handwritten"
    for n in "${sizes[@]}"; do
      workload "r$n" --rules "$n" --events 200000
      workload "v$n" --rules "$n" --events 200000 --velocity
      out=$data/handwritten/r$n.cpp
      [ -f "$out" ] || python3 "$root/bench/handwritten_gen.py" "$data/r$n" "$out"
    done
    build
    perf=$root/build/bench/vigil_perf
    echo "vigil $(git -C "$root" describe --always --dirty 2>/dev/null || echo '?'), $(nproc) cores, $(date -u +%F)"
    "$perf" --header
    for n in "${sizes[@]}"; do "$perf" --workload "$data/r$n"; done
    for n in "${sizes[@]}"; do "$perf" --velocity "$data/v$n"; done
    "$perf" --list-load 1000000
    ;;
  gbench)
    [ ${#sizes[@]} -gt 0 ] || sizes=(100)
    for n in "${sizes[@]}"; do workload "r$n" --rules "$n" --events 200000; done
    build
    for n in "${sizes[@]}"; do "$root/build/bench/vigil_eval_bench" --workload "$data/r$n"; done
    ;;
  lsp)
    build
    /usr/bin/python3 "$root/bench/lsp_bench.py" "$root/build/vigil" "$root" "${sizes[@]}"
    ;;
  velocity)
    workload vel100 --rules 100 --events 2000000 --velocity
    build
    "$root/build/bench/vigil_velocity_bench" --workload "$data/vel100"
    ;;
  limits)
    build
    /usr/bin/python3 "$root/bench/limits_bench.py" "$root/build/vigil" "$data/limits"
    ;;
  *)
    echo "usage: bench/run.sh [table [N...] | gbench [N...] | velocity | lsp [N...] | limits]" >&2
    exit 2
    ;;
esac
