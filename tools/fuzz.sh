#!/usr/bin/env bash
# Builds the libFuzzer targets (fuzz/) with clang, ASan and UBSan in
# build-asan/ (the tree `tools/test.sh --sanitize` also uses, configured by
# tools/asan_configure.sh, so CI compiles it once) and runs each for SECONDS
# (default 60), one per core at a time, on seeds taken from the
# repository's rule files, events, a real snapshot and pack, C ABI call
# sequences (fuzz/capi_seeds.py), hostile JSON lines (fuzz/seeds/), the
# language server's golden sessions, golden case files, the example FIU
# profiles, the example referral policy and outcomes, an exact impact file
# and the referral packages vigil refer makes of the golden cases. A crash, a leak, a
# hang (over 10 s for one input) or a broken invariant (such as vigil
# accepting an event line the strict JSON reference rejects) fails the script
# and leaves the input in build-asan/crash-*.
#   tools/fuzz.sh [SECONDS]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bash "$root/tools/setup.sh"
seconds=${1:-60}
build=$root/build-asan
bash "$root/tools/asan_configure.sh"
cmake --build "$build" -j "$(nproc 2>/dev/null || echo 2)" --target vigil fuzz_compile fuzz_event fuzz_snapshot fuzz_pack fuzz_lsp fuzz_capi fuzz_event_json fuzz_case fuzz_report \
  fuzz_referral_policy fuzz_referral_verify fuzz_outcomes fuzz_impact_exact
corpus=$build/corpus
rm -rf "$corpus"
mkdir -p "$corpus/compile" "$corpus/event" "$corpus/snapshot" "$corpus/pack" "$corpus/lsp" "$corpus/capi" "$corpus/event_json" "$corpus/case" "$corpus/report" \
  "$corpus/referral_policy" "$corpus/referral_verify" "$corpus/outcomes" "$corpus/impact_exact"
find "$root/rules" "$root/tests/golden" -name '*.vgl' -exec cp {} "$corpus/compile/" \;
split -l 1 -d "$root/examples/events.jsonl" "$corpus/event/line-"
"$build/vigil" eval --rules "$root/rules/examples/card_rules.vgl" --events "$root/examples/events.jsonl" \
  --state "$corpus/snapshot/seed.snap" >/dev/null 2>&1 || true
# A real pack, whole (first byte odd: taken as is).
if "$build/vigil" pack build "$root/rules/coalition" -o "$corpus/coalition.vgp" >/dev/null 2>&1; then
  { printf '\001'; cat "$corpus/coalition.vgp"; } > "$corpus/pack/seed"
fi
# Editor sessions for the language server, from its golden cases.
/usr/bin/python3 "$root/fuzz/lsp_seeds.py" "$root" "$corpus/lsp"
/usr/bin/python3 "$root/fuzz/capi_seeds.py" "$corpus/capi"
cp "$root"/fuzz/seeds/event_json/* "$corpus/event_json/"
split -l 1 -d "$root/examples/events.jsonl" "$corpus/event_json/example-"
# Case files: the golden ones that fit in an input.
find "$root/tests/cli/data/case/golden" -name '*.json' -size -64k -exec cp {} "$corpus/case/" \;
# Reports: a case file through each example profile (first byte even, choosing
# the profile), and each example profile on the test case (first byte odd).
i=0
for f in "$root/tests/report/data/case-1001.json" "$corpus"/case/*.json; do
  for p in 0 2 4 6; do
    { printf "\\$(printf '%03o' $p)"; cat "$f"; } > "$corpus/report/case-$i-$p"
  done
  i=$((i + 1))
done
for f in "$root"/examples/reporting/*.json; do
  { printf '\001'; cat "$f"; } > "$corpus/report/profile-$(basename "$f")"
done
# Referral policies: the example, and each top-level member left out in turn.
cp "$root/examples/reporting/referral.json" "$corpus/referral_policy/example.json"
/usr/bin/python3 - "$root/examples/reporting/referral.json" "$corpus/referral_policy" <<'PY'
import json, sys
policy = json.load(open(sys.argv[1]))
for key in policy:
    if key != "format":
        json.dump({k: v for k, v in policy.items() if k != key}, open(f"{sys.argv[2]}/without-{key}.json", "w"))
PY
# Outcomes: the example file whole and line by line (they name the golden cases).
cp "$root/examples/reporting/outcomes.jsonl" "$corpus/outcomes/example.jsonl"
split -l 1 -d "$root/examples/reporting/outcomes.jsonl" "$corpus/outcomes/line-"
# An exact impact file of the golden cases, and referral packages of them
# (each package's files joined by NUL bytes, after a mode byte: 0 as signed,
# 1 signed afresh by the fuzzer).
seedwork=$(mktemp -d)
"$build/vigil" impact --cases "$root/tests/cli/data/case/golden" \
  --outcomes "$root/examples/reporting/outcomes.jsonl" -o "$seedwork/impact.json" \
  --exact "$corpus/impact_exact/golden.json" >/dev/null 2>&1 || true
(cd "$seedwork" && "$build/vigil" pack keygen signer >/dev/null 2>&1) || true
printf '%064x\n' 7 >"$seedwork/id.key"
"$build/vigil" refer --cases "$root/tests/cli/data/case/golden" \
  --policy "$root/examples/reporting/referral.json" --id-key "$seedwork/id.key" \
  --signing-key "$seedwork/signer.key" --created 2026-01-31T00:00:00Z -o "$seedwork/referrals" \
  >/dev/null 2>&1 || true
for p in "$seedwork"/referrals/*/; do
  for mode in 0 1; do
    { printf "\\$(printf '%03o' $mode)"
      for f in manifest.json entities.ftm.jsonl evidence.jsonl summary.md; do cat "$p$f"; printf '\000'; done
      cat "$p/signatures"; } >"$corpus/referral_verify/$(basename "$p")-$mode"
  done
done
rm -rf "$seedwork"
[ -n "$(ls "$corpus/impact_exact")" ] && [ -n "$(ls "$corpus/referral_verify")" ] || {
  echo "tools/fuzz.sh: the impact and referral seeds were not made" >&2
  exit 1
}
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
# One fuzzer per core at a time (libFuzzer runs on one thread: one after the
# other, each left the other core idle), every target still for SECONDS; the
# output is printed in the usual order once all are done.
targets=(compile event snapshot pack lsp capi event_json case report referral_policy
  referral_verify outcomes impact_exact)
logs=$build/fuzz-logs
rm -rf "$logs"
mkdir -p "$logs"
fuzz_one() {
  local target=$1 extra=()
  case $target in event_json | referral_policy | outcomes | impact_exact) extra=(-dict="$root/fuzz/json.dict") ;; esac
  local status=0
  (cd "$build" && "./fuzz/fuzz_$target" -max_total_time="$seconds" -timeout=10 -max_len=65536 \
     -print_final_stats=1 "${extra[@]}" "$corpus/$target") >"$logs/$target.log" 2>&1 || status=$?
  echo "$status" >"$logs/$target.status"
}
jobs=$(nproc 2>/dev/null || echo 2)
running=0
for target in "${targets[@]}"; do
  if [ "$running" -ge "$jobs" ]; then
    wait -n
    running=$((running - 1))
  fi
  fuzz_one "$target" &
  running=$((running + 1))
done
wait
failed=()
for target in "${targets[@]}"; do
  echo "fuzz_$target: ${seconds}s"
  tail -12 "$logs/$target.log"
  [ "$(cat "$logs/$target.status")" = 0 ] || failed+=("fuzz_$target")
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "tools/fuzz.sh: failed: ${failed[*]} (their whole output is in $logs/)" >&2
  exit 1
fi
