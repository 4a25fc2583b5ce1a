#!/usr/bin/env bash
# vigil eval end to end (JSON Lines in, results out to a file) on one workload,
# on one thread and on every core (docs/performance.md, "End to end"). Prints
# one table row: events/s by the wall clock and by CPU time (user + sys, what
# a loaded machine inflates least), the scaling, whether the outputs of one
# thread and of every core are byte-identical, and the firings in the output
# against the generator's count.
#   bash bench/e2e_bench.sh VIGIL WORKLOAD_DIR [eval options...]
# VIGIL_E2E_REPEAT=N reads the workload's events N times over (stateless
# workloads only: a repeated velocity stream would go back in time). A run
# of 200,000 events lasts about 0.15 s, of which starting (compiling the
# rules, making the threads and their chunks) is about a tenth and does not
# scale; a replay of months of events is the run the threads are for.
# Each count is the fastest of VIGIL_E2E_RUNS (3) runs, one thread and every
# core alternated, so that a passing change of the machine's load (or the
# kernel writing back a file just made) falls on both alike; every run's
# output must be byte-identical to the first one-thread run's.
set -euo pipefail
vigil=$1 dir=$2
shift 2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cores=$(nproc)
repeat=${VIGIL_E2E_REPEAT:-1}
input=$dir/events.jsonl
if [ "$repeat" -gt 1 ]; then
  if grep -q '"velocity": true' "$dir/meta.json"; then
    echo "e2e_bench: VIGIL_E2E_REPEAT is for stateless workloads" >&2
    exit 2
  fi
  input=$tmp/events.jsonl
  for _ in $(seq "$repeat"); do cat "$dir/events.jsonl"; done >"$input"
  # On disk before the first run: the kernel's write-back of the new file
  # took a core from whichever run it fell on (a two-thread run at 1.08x
  # one thread in one table run, 1.64x in the next).
  sync "$input"
fi
events=$(wc -l <"$input")
want=$(sed -n 's/.*"firings": *\([0-9]*\).*/\1/p' "$dir/meta.json")
want=$((want * repeat))
rules=$(sed -n 's/.*"rules": *\([0-9]*\).*/\1/p' "$dir/meta.json" | head -1)
run() {  # run THREADS OPTIONS...: sets wall and cpu (seconds), output in $tmp/out.THREADS
  local t0 t1 threads=$1
  shift
  t0=$(date +%s.%N)
  # bash's `time` reads the child's CPU time to the millisecond (GNU time
  # prints hundredths: a 0.15 s run would move by 7% a step).
  local TIMEFORMAT='%3U %3S'
  { time "$vigil" eval --threads "$threads" --rules "$dir/rules.vgl" \
    --events "$input" "$@" >"$tmp/out.$threads" 2>"$tmp/err.$threads"; } 2>"$tmp/time"
  t1=$(date +%s.%N)
  wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
  cpu=$(awk '{ printf "%.3f", $1 + $2 }' "$tmp/time")
}
rate() { awk -v n="$events" -v s="$1" 'BEGIN { printf "%.2fM", n / s / 1e6 }'; }
lt() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a < b) }'; }
runs=${VIGIL_E2E_RUNS:-3}
if ! [[ $runs =~ ^[1-9][0-9]*$ ]]; then
  echo "e2e_bench: VIGIL_E2E_RUNS must be a whole number of at least 1, not '$runs'" >&2
  exit 2
fi
wall1=1e9 cpu1=1e9 wall2=1e9 same=identical
for k in $(seq "$runs"); do
  run 1 "$@"
  lt "$wall" "$wall1" && wall1=$wall
  lt "$cpu" "$cpu1" && cpu1=$cpu
  if [ "$k" = 1 ]; then
    mv "$tmp/out.1" "$tmp/first"
  elif ! cmp -s "$tmp/first" "$tmp/out.1"; then
    same=DIFFERENT
  fi
  run "$cores" "$@"
  lt "$wall" "$wall2" && wall2=$wall
  cmp -s "$tmp/first" "$tmp/out.$cores" || same=DIFFERENT
done
mv "$tmp/first" "$tmp/out.1"
# Firings: the rules in each result's "fired" and "shadow" lists, not those
# its evidence record repeats; `--output decisions` lists none.
if grep -q '"fired":' "$tmp/out.1"; then
  fired=$(sed 's/,"explain":.*//' "$tmp/out.1" | { grep -o '"rule":' || true; } | wc -l)
else
  fired="(not in this output)"
fi
results=$(wc -l <"$tmp/out.1")
kind=stateless
[ "$repeat" -gt 1 ] && kind="stateless, the events $repeat times ($events)"
grep -q '"velocity": true' "$dir/meta.json" && kind=velocity
load=$(cut -d' ' -f1 /proc/loadavg)
printf '| %s | %s%s | %s | %s | %s (%s) | %sx | %s | %s results, %s firings, %s expected | %s |\n' \
  "$rules" "$kind" "${*:+ $*}" "$(rate "$wall1")" "$(rate "$cpu1")" "$(rate "$wall2")" "$cores" \
  "$(awk -v a="$wall1" -v b="$wall2" 'BEGIN { printf "%.2f", a / b }')" "$same" "$results" "$fired" \
  "$want" "$load"
