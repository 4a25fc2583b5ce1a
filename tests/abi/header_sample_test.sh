#!/usr/bin/env bash
# The header's "A TYPICAL HOST" sample, compiled as it stands (header_sample.cmake),
# gives for an example event the decision and score `vigil eval` gives.
# Usage: header_sample_test.sh SAMPLE VIGIL REPO
set -euo pipefail
sample=$1 vigil=$2 repo=$3
cd "$repo"  # the sample names rules/examples/card_rules.vgl
line=$(grep '"txn_id":"t0003"' examples/events.jsonl)
got=$("$sample" "$line")
want=$(printf '%s\n' "$line" | "$vigil" eval --rules rules/examples/card_rules.vgl --events - 2>/dev/null |
       /usr/bin/python3 -c 'import json,sys; r=json.loads(sys.stdin.readline()); print(r["decision"], r["score"])')
echo "sample: $got; vigil eval: $want"
[ "$got" = "$want" ] && [ "${want%% *}" != allow ]
