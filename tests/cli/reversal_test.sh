#!/usr/bin/env bash
# Duplicates and reversals from the command line (docs/language.md,
# "Duplicates and reversals"): the example of eight transfers with the fourth
# reversed, across a snapshot restore, from a format-1 snapshot, and the
# declaration's errors. Usage: reversal_test.sh VIGIL DATA_DIR
set -u
vigil=$1 data=$2/reversal
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
source "$(dirname "$0")/../lib/checks.sh"  # check, contains

line() {  # line NAME N TEXT: line N of the output is TEXT
  local got
  got=$(sed -n "$2p" "$tmp/out")
  if [ "$got" = "$3" ]; then
    pass=$((pass + 1))
  else
    fail=$((fail + 1))
    echo "FAIL $1: line $2 is"
    echo "  $got"
    echo "  expected"
    echo "  $3"
  fi
}

allow() { echo "{\"event\":\"$1\",\"decision\":\"allow\",\"score\":0,\"fired\":[],\"shadow\":[],\"tags\":[]${2:-}}"; }
fired() {
  echo "{\"event\":\"$1\",\"decision\":\"review\",\"score\":0,\"fired\":[{\"rule\":\"test.reversal/eight_in_30d\",\"version\":\"1.0.0\",\"severity\":\"medium\",\"reason\":\"$2 transfers in 30 days\",\"tags\":[]}],\"shadow\":[],\"tags\":[]${3:-}}"
}

# events.jsonl: transfers e1..e8 three days apart, rv4 (reversing e4's
# network_ref) after e5, then e2 delivered again and rv4 delivered again.
check example 0 "$vigil" eval --rules "$data/rules.vgl" --events "$data/events.jsonl"
line example 6 "$(allow rv4 ',"reversal":"applied"')"
line example 9 "$(allow e8)"  # 7 transfers in 30 days: the fourth was taken back
line example 10 "$(allow e2 ',"duplicate":true')"
line example 11 "$(allow rv4 ',"duplicate":true')"

# Without the reversal the eighth transfer fires.
grep -v REVERSAL "$data/events.jsonl" >"$tmp/no_reversal.jsonl"
check without_reversal 0 "$vigil" eval --rules "$data/rules.vgl" --events "$tmp/no_reversal.jsonl"
line without_reversal 8 "$(fired e8 8)"

# A duplicate of a transfer: recorded once. e2 twice in a row: the second
# delivery evaluates over the state (2 transfers, not 3).
{ sed -n 1,2p "$data/events.jsonl"; sed -n 2p "$data/events.jsonl"; sed -n 3p "$data/events.jsonl"; } \
  >"$tmp/dup.jsonl"
for i in 4 5 7 8 9 10; do sed -n "${i}p" "$data/events.jsonl"; done | grep -v REVERSAL >>"$tmp/dup.jsonl"
check duplicate 0 "$vigil" eval --rules "$data/rules.vgl" --events "$tmp/dup.jsonl"
line duplicate 3 "$(allow e2 ',"duplicate":true')"
line duplicate 9 "$(fired e8 8)"  # the duplicate did not make it 9
line duplicate 10 "$(allow e2 ',"duplicate":true')"  # again at the end: its window ends at its time

# The same id at another time is another event (a test's `repeat`).
sed -n 2p "$data/events.jsonl" | sed 's/2026-05-06T10:00:00Z/2026-05-25T10:00:00Z/' >"$tmp/later.jsonl"
cat "$tmp/dup.jsonl" "$tmp/later.jsonl" >"$tmp/same_id.jsonl"
check same_id_other_time 0 "$vigil" eval --rules "$data/rules.vgl" --events "$tmp/same_id.jsonl"
line same_id_other_time 11 "$(fired e2 9)"

# A reversal of a payment never seen: unknown, nothing taken back.
echo '{"event_id":"rv9","event_time":"2026-05-25T10:00:00Z","event_type":"REVERSAL","customer_id":7,"network_ref":"r99","amount":20}' >"$tmp/unknown.jsonl"
cat "$tmp/no_reversal.jsonl" "$tmp/unknown.jsonl" >"$tmp/unknown_all.jsonl"
check unknown_original 0 "$vigil" eval --rules "$data/rules.vgl" --events "$tmp/unknown_all.jsonl"
line unknown_original 10 "$(fired rv9 8 ',"reversal":"unknown"')"  # its own count: 8, without itself

# What-if: a reversal evaluated without recording takes nothing back.
check no_record 0 "$vigil" eval --rules "$data/rules.vgl" --events "$data/events.jsonl" --no-record
line no_record 6 "$(allow rv4)"

# Across a snapshot restore: the first 5 events, save, restore, the rest.
sed -n 1,5p "$data/events.jsonl" >"$tmp/a.jsonl"
sed -n '6,$p' "$data/events.jsonl" >"$tmp/b.jsonl"
check snapshot_save 0 "$vigil" eval --rules "$data/rules.vgl" --events "$tmp/a.jsonl" --state "$tmp/s.snap"
check snapshot_restore 0 "$vigil" eval --rules "$data/rules.vgl" --events "$tmp/b.jsonl" --state "$tmp/s.snap"
line snapshot_restore 1 "$(allow rv4 ',"reversal":"applied"')"
line snapshot_restore 4 "$(allow e8)"
line snapshot_restore 5 "$(allow e2 ',"duplicate":true')"
line snapshot_restore 6 "$(allow rv4 ',"duplicate":true')"

# A format-1 snapshot (written by vigil 1.0 with before_reversals.vgl after
# e1..e4) still loads and its events still count; they carry no ids or
# references, so a reversal of one of them finds nothing.
cp "$data/v1.snap" "$tmp/v1.snap"
sed -n '5,9p' "$data/events.jsonl" >"$tmp/after_v1.jsonl"
check v1_snapshot 0 "$vigil" eval --rules "$data/rules.vgl" --events "$tmp/after_v1.jsonl" --state "$tmp/v1.snap"
line v1_snapshot 2 "$(allow rv4 ',"reversal":"unknown"')"
line v1_snapshot 5 "$(fired e8 8)"
check v1_snapshot_rewritten 0 head -c 12 "$tmp/v1.snap"
# (saved in the current format, 3 since baselines: docs/state.md)
if [ "$(od -An -tu4 -j8 -N4 "$tmp/v1.snap" | tr -d ' ')" = 3 ]; then
  pass=$((pass + 1))
else
  fail=$((fail + 1))
  echo "FAIL v1_snapshot_rewritten: the saved snapshot is not format 3"
fi

# The declaration's errors.
head -10 "$data/errors.vgl" >"$tmp/header.vgl"
bad() {  # bad NAME DECLARATION...: the header plus the declarations
  { cat "$tmp/header.vgl"; printf '%s\n' "${@:2}"; } >"$tmp/$1.vgl"
}
check errors 1 "$vigil" check "$data/errors.vgl"
contains errors err "errors.vgl:11:10: error[E3020]: reversal field 'amount' is decimal, not a string or int"
contains errors err "errors.vgl:12:1: error[E2030]: a second reversal declaration"
contains errors err "= help: a compilation has one; the first is at"
bad unknown_field 'reversal network_rfe when event_type == "REVERSAL"'
check unknown_field 1 "$vigil" check "$tmp/unknown_field.vgl"
contains unknown_field err "unknown_field.vgl:11:10: error[E2001]: unknown field 'network_rfe' in the reversal declaration"
contains unknown_field err "= help: did you mean 'network_ref'?"
bad aggregate 'reversal network_ref when count(by: customer_id, within: 1h) > 2'
check aggregate 1 "$vigil" check "$tmp/aggregate.vgl"
contains aggregate err "aggregate.vgl:11:27: error[E3021]: a reversal's condition reads an aggregate"
bad not_bool 'reversal network_ref when amount'
check not_bool 1 "$vigil" check "$tmp/not_bool.vgl"
contains not_bool err "not_bool.vgl:11:27: error[E3002]: a reversal's condition must be a bool"

# `reversal` stays an ordinary name elsewhere.
printf 'ruleset t.r version "1.0.0"\nschema s version 1 {\n  ts: time\n  reversal: bool\n}\nuses schema s\nrule r {\n  when reversal\n  then score 1\n}\n' >"$tmp/name.vgl"
check reversal_is_a_name 0 "$vigil" check "$tmp/name.vgl"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
