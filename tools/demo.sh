#!/usr/bin/env bash
# The main job: installs what is needed, builds vigil, and evaluates the
# example rule pack over the example events, printing one decision per event.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bash "$root/tools/setup.sh"
bash "$root/tools/build.sh"
"$root/build/vigil" check "$root/rules/examples/card_rules.vgl"
"$root/build/vigil" eval --rules "$root/rules/examples/card_rules.vgl" \
  --events "$root/examples/events.jsonl"
