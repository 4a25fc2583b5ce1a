#!/usr/bin/env bash
# Where `vigil eval` spends its time, by stage (docs/performance.md, "End to
# end"): perf samples of one run over a workload on one thread, grouped by
# the function they fall in. Needs perf (software clock: works in VMs).
#   bash bench/profile_eval.sh VIGIL WORKLOAD_DIR [eval options...]
set -euo pipefail
vigil=$1 dir=$2
shift 2
data=$(mktemp) out=$(mktemp)
trap 'rm -f "$data" "$out"' EXIT
perf record -q -e cpu-clock -F 4000 -o "$data" "$vigil" eval --rules "$dir/rules.vgl" \
  --events "$dir/events.jsonl" "$@" >"$out" 2>/dev/null
perf report -i "$data" --no-children --sort dso,symbol --stdio 2>/dev/null |
  /usr/bin/python3 "$(dirname "$0")/profile_stages.py"
