#!/usr/bin/env bash
# Builds the libFuzzer targets (fuzz/) with clang, ASan and UBSan in
# build-asan/ (the tree `tools/test.sh --sanitize` also uses, configured by
# tools/asan_configure.sh, so CI compiles it once) and runs each for SECONDS (default 60) on seeds taken from the
# repository's rule files, events, a real snapshot and pack, C ABI call
# sequences (fuzz/capi_seeds.py), hostile JSON lines (fuzz/seeds/), the
# language server's golden sessions, golden case files and the example FIU
# profiles. A crash, a leak, a
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
cmake --build "$build" -j "$(nproc 2>/dev/null || echo 2)" --target vigil fuzz_compile fuzz_event fuzz_snapshot fuzz_pack fuzz_lsp fuzz_capi fuzz_event_json fuzz_case fuzz_report
corpus=$build/corpus
rm -rf "$corpus"
mkdir -p "$corpus/compile" "$corpus/event" "$corpus/snapshot" "$corpus/pack" "$corpus/lsp" "$corpus/capi" "$corpus/event_json" "$corpus/case" "$corpus/report"
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
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
for target in compile event snapshot pack lsp capi event_json case report; do
  extra=()
  [ "$target" = event_json ] && extra=(-dict="$root/fuzz/json.dict")
  echo "fuzz_$target: ${seconds}s"
  (cd "$build" && "./fuzz/fuzz_$target" -max_total_time="$seconds" -timeout=10 -max_len=65536 \
     -print_final_stats=1 "${extra[@]}" "$corpus/$target" 2>&1 | tail -12)
done
