#!/usr/bin/env bash
# vigil on the Fraud Detection Handbook's 1.75 M card transactions (docs/performance.md,
# "Public data sets"): the handbook pack (examples/datasets/handbook) evaluated by
# `vigil eval` with --threads 1 and --threads 2, JSON in and out.
#   datasets_bench.sh VIGIL DATA_DIR
# Prints events/s (wall clock and CPU time, user + system) with the 1-minute
# load average just before each run (other work on the machine slows the wall
# clock, not the CPU time), the peak memory with and without
# recording the aggregates' state (--no-record), their difference (the state's
# memory), and the size of the state's snapshot at the end (--state).
set -euo pipefail
vigil=$1
data=$2
root=$(cd "$(dirname "$0")/.." && pwd)
csv=${VIGIL_SHARED:-$root/../shared}/external/fraud-handbook-sim/transactions.csv.gz
[ -f "$csv" ] || { echo "no handbook data set at $csv (set VIGIL_SHARED)" >&2; exit 1; }
rules=$root/examples/datasets/handbook/rules.vgl
mkdir -p "$data"
if [ ! -f "$data/events.jsonl" ]; then
  echo "converting the handbook data set (once)..." >&2
  /usr/bin/python3 "$root/examples/datasets/handbook/convert.py" "$csv" "$data" 2>/dev/null
fi
n=$(wc -l <"$data/events.jsonl")
measure() {  # measure LABEL ARGS...: one vigil eval, output discarded
  local label=$1
  shift
  local load
  load=$(cut -d' ' -f1 /proc/loadavg)
  /usr/bin/time -f "%e %U %S %M" -o "$data/time.txt" "$vigil" eval --rules "$rules" \
    --events "$data/events.jsonl" "$@" >/dev/null 2>"$data/eval.log"
  read -r wall user sys rss <"$data/time.txt"
  /usr/bin/python3 -c "import sys; n, w, c, r = int(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3]) + float(sys.argv[4]), int(sys.argv[5]); \
print(f'| {sys.argv[6]} | {n:,} | {w:.1f} | {n / w:,.0f} | {n / c:,.0f} | {r / 1024:,.0f} MiB | {sys.argv[7]} |')" \
    "$n" "$wall" "$user" "$sys" "$rss" "$label" "$load"
  echo "$rss" >"$data/rss.$label"
}
echo "vigil $(git -C "$root" describe --always --dirty 2>/dev/null || echo '?'), $(nproc) cores, load $(cut -d' ' -f1 /proc/loadavg), $(date -u +%F)"
echo "| run | events | wall s | events/s (wall) | events/s (CPU) | peak memory | load |"
echo "|---|---:|---:|---:|---:|---:|---:|"
for threads in 1 2; do
  rm -f "$data/state.bin"  # --state loads a snapshot that exists: start without one
  measure "recording, --threads $threads" --threads "$threads" --state "$data/state.bin"
  measure "--no-record, --threads $threads" --threads "$threads" --no-record
done
size=$(stat -c %s "$data/state.bin")  # the snapshot written at the end of the last run
rec=$(cat "$data/rss.recording, --threads 1")
norec=$(cat "$data/rss.--no-record, --threads 1")
/usr/bin/python3 -c "import sys; r, n, s = (int(x) for x in sys.argv[1:4]); \
print(f'state: {(r - n) / 1024:,.0f} MiB of peak memory more than without recording (4,990 customers, 10,000 terminals), snapshot {s / 1e6:,.1f} MB')" \
  "$rec" "$norec" "$size"
