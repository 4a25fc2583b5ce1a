#!/usr/bin/env bash
# The performance table of docs/performance.md, from one command:
#
#   bash bench/run.sh                 the table: 10, 100, 1,000 and 10,000 rules,
#                                     stateless and with velocity rules, and the
#                                     load time of a 1,000,000-entry list
#   bash bench/run.sh table 100 1000  the table for some sizes only
#                                     (then vigil eval end to end, bench/e2e_bench.sh,
#                                     and the C ABI with JSON events, vigil_capi_bench)
#   bash bench/run.sh profile [N]     where vigil eval spends its time at N rules (perf)
#   bash bench/run.sh gbench [N...]   Google Benchmark's stateless loops (vigil_eval_bench)
#   bash bench/run.sh velocity        2,000,000 velocity events, 1 and 2 threads (vigil_velocity_bench)
#   bash bench/run.sh lsp             vigil lsp: keystroke to diagnostics, coalition pack and 10,000 rules
#   bash bench/run.sh report [EVENTS ALERTS]
#                                     1,000,000 events with 100,000 alerts of the coalition pack
#                                     into cases and goAML reports, each command on one core
#   bash bench/run.sh cluster         200,000 velocity events over a Redis Cluster (3 primaries,
#                                     3 replicas, started on free loopback ports) beside the
#                                     embedded store, 1 and 2 threads, latency p50/p99
#                                     (vigil_cluster_bench); then two host processes evaluate
#                                     alternate events of a 200,000-event stream against a
#                                     cluster and must agree with the embedded engine on each,
#                                     and the kill -9 failover test is run 5 times for the loss
#                                     window (tests/redis)
#   bash bench/run.sh limits          time and peak memory on the inputs of docs/limits.md
#                                     (100,000 rules, regex budget, huge strings, repeats, lists)
#   bash bench/run.sh referral        vigil refer over 153,000 subjects in 130 countries, vigil impact
#                                     over a year of a large member's outcomes (one core)
#   bash bench/run.sh datasets        vigil eval on the Fraud Detection Handbook's 1.75 M transactions
#                                     (../shared/external): events/s and the state's memory
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
    echo
    echo "End to end: vigil eval, JSON Lines in, results to a file (bench/e2e_bench.sh)"
    echo "| rules | workload | 1 thread ev/s (wall) | 1 thread ev/s (CPU) | all cores ev/s (wall) | scaling | output | agree | load |"
    echo "|---:|---|---:|---:|---:|---:|---|---|---:|"
    for n in "${sizes[@]}"; do bash "$root/bench/e2e_bench.sh" "$root/build/vigil" "$data/r$n"; done
    for n in "${sizes[@]}"; do bash "$root/bench/e2e_bench.sh" "$root/build/vigil" "$data/v$n"; done
    bash "$root/bench/e2e_bench.sh" "$root/build/vigil" "$data/r${sizes[0]}" --output decisions
    # A replay long enough that starting is not what is measured (two-core target).
    for n in "${sizes[@]}"; do
      if [ "$n" = 100 ]; then
        VIGIL_E2E_REPEAT=10 bash "$root/bench/e2e_bench.sh" "$root/build/vigil" "$data/r$n"
      fi
    done
    bash "$root/bench/e2e_bench.sh" "$root/build/vigil" "$data/v${sizes[0]}" --explain=fired
    echo
    for n in "${sizes[@]}"; do "$root/build/bench/vigil_capi_bench" --workload "$data/r$n"; done
    ;;
  gbench)
    [ ${#sizes[@]} -gt 0 ] || sizes=(100)
    for n in "${sizes[@]}"; do workload "r$n" --rules "$n" --events 200000; done
    build
    for n in "${sizes[@]}"; do "$root/build/bench/vigil_eval_bench" --workload "$data/r$n"; done
    ;;
  profile)
    n=${sizes[0]:-100}
    workload "r$n" --rules "$n" --events 200000
    build
    echo "vigil eval over r$n on one thread ($(git -C "$root" describe --always --dirty 2>/dev/null || echo '?'), load $(cut -d' ' -f1 /proc/loadavg))"
    bash "$root/bench/profile_eval.sh" "$root/build/vigil" "$data/r$n" --threads 1
    ;;
  lsp)
    build
    /usr/bin/python3 "$root/bench/lsp_bench.py" "$root/build/vigil" "$root" "${sizes[@]}"
    ;;
  referral)
    build
    bash "$root/bench/reporting_bench.sh" "$root/build/vigil" "$data/reporting" "${sizes[@]}"
    ;;
  datasets)
    build
    bash "$root/bench/datasets_bench.sh" "$root/build/vigil" "$data/handbook"
    ;;
  velocity)
    workload vel100 --rules 100 --events 2000000 --velocity
    build
    "$root/build/bench/vigil_velocity_bench" --workload "$data/vel100"
    ;;
  report)
    # The path of docs/reporting.md at scale: eval --explain=fired, case, report.
    events=${sizes[0]:-1000000} alerts=${sizes[1]:-100000}
    dir=$data/report-$events-$alerts
    if [ ! -f "$dir/meta.json" ]; then
      echo "generating $events events with $alerts alerts (once)..." >&2
      python3 "$root/bench/report_gen.py" --events "$events" --alerts "$alerts" --seed 1 --out "$dir"
    fi
    build
    vigil=$root/build/vigil
    rm -rf "$dir/results.jsonl" "$dir/cases" "$dir/reports"
    mkdir -p "$dir/reports"
    echo "vigil $(git -C "$root" describe --always --dirty 2>/dev/null || echo '?'), $(nproc) cores, $(date -u +%F)"
    echo "$events events, $alerts alerts; each command pinned to one core (taskset -c 0)"
    printf '%-28s %10s %10s %10s %12s\n' stage "wall s" "user s" "sys s" "max RSS MB"
    stage() {  # stage NAME OUTPUT COMMAND...: runs and prints one row
      local name=$1 out=$2
      shift 2
      /usr/bin/time -f "%e %U %S %M" -o "$dir/time.txt" taskset -c 0 "$@" >"$out" 2>"$dir/$name.err" ||
        { echo "$name failed:" >&2; tail -5 "$dir/$name.err" >&2; exit 1; }
      read -r wall user sys rss <"$dir/time.txt"
      printf '%-28s %10s %10s %10s %12d\n' "$name" "$wall" "$user" "$sys" $((rss / 1024))
      cpu=$(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.2f", u + s }')
    }
    stage "eval --explain=fired" "$dir/results.jsonl" \
      "$vigil" eval --rules "$root/rules/coalition/rules.vgl" --events "$dir/events.jsonl" --explain=fired
    stage case /dev/null \
      "$vigil" case --results "$dir/results.jsonl" --events "$dir/events.jsonl" -o "$dir/cases"
    case_cpu=$cpu
    stage "report goaml (goaml-ae)" /dev/null \
      "$vigil" report goaml --profile "$root/examples/reporting/goaml-ae.json" --case "$dir/cases" \
      --lookup "customer=$dir/customers.jsonl" --date 2026-12-31 -o "$dir/reports"
    report_cpu=$cpu
    echo "$(ls "$dir/cases" | wc -l) cases, $(ls "$dir/reports" | wc -l) reports;" \
         "case + report: $(awk -v a="$case_cpu" -v b="$report_cpu" 'BEGIN { printf "%.1f", a + b }') s of CPU (target: under 60 s)"
    ;;
  cluster)
    workload vel100_200k --rules 100 --events 200000 --velocity
    build
    servers=$root/tests/redis/redis_servers.py
    echo "vigil $(git -C "$root" describe --always --dirty 2>/dev/null || echo '?'), $(nproc) cores, $(date -u +%F), $(redis-server --version | cut -d' ' -f3)"
    /usr/bin/python3 "$servers" cluster -- "$root/build/bench/vigil_cluster_bench" \
      --workload "$data/vel100_200k" --cluster '{nodes}'
    host=$root/build/examples/vigil_redis_host
    /usr/bin/python3 "$root/tests/redis/cluster_test.py" "$host" agreement 200000
    for run in 1 2 3 4 5; do
      /usr/bin/python3 "$root/tests/redis/cluster_test.py" "$host" failover | cut -c1-400
    done
    ;;
  limits)
    build
    /usr/bin/python3 "$root/bench/limits_bench.py" "$root/build/vigil" "$data/limits"
    ;;
  *)
    echo "usage: bench/run.sh [table [N...] | profile [N] | gbench [N...] | velocity | lsp [N...] | limits | report [EVENTS ALERTS] | cluster | referral [SUBJECTS [CASES]]]" >&2
    exit 2
    ;;
esac
