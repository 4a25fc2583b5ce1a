#!/usr/bin/env bash
# Dates and baselines from the command line (docs/language.md, "Dates" and
# "Baselines"), and snapshots across the format change (docs/state.md).
# Usage: baseline_test.sh VIGIL DATA_DIR
set -u
vigil=$1 data=$2/baseline
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
source "$(dirname "$0")/../lib/checks.sh"  # check, contains, lacks, same

equal() {  # equal NAME GOT WANT: two values are the same
  if [ "$2" = "$3" ]; then
    pass=$((pass + 1))
  else
    fail=$((fail + 1))
    echo "FAIL $1: got '$2', expected '$3'"
  fi
}

# One run over every event: c1 pays about 10.00 for 50 days, then about 20.00.
# c1's payments are up to 20 days apart, more than the default skew bound
# allows for a stream of a few customers (docs/state.md, outliers): 90d.
check full 0 "$vigil" eval --max-skew 90d --rules "$data/rules.vgl" --events "$data/events.jsonl"
cp "$tmp/out" "$tmp/full"
# e7: the last 30 days (e6 10.00, e7 20.00) against days 31-90 (e1..e5: median 10.00).
contains escalation_fires full '"event":"e7"'
contains escalation_reason full '"reason":"7 in 90 days, median 15.000000 after 10.000000"'
# e1..e6: no earlier window (missing) or no rise: escalation fires on e7 first.
equal escalation_first_on_e7 "$(grep -n 'test.baseline/escalation' "$tmp/full" | head -1 | cut -d: -f1)" 7
# f2: 50.00 against c2's own earlier average (10.00), itself left out; the account is
# 10 days old (opened "2026-02-20", a date alone); the previous payment was a day before.
contains spike full '"reason":"50.00 against 10.000000"'
contains young_account full '"reason":"opened 10 days ago, previous payment 1d ago"'
contains first_payment_has_no_previous full '"reason":"opened 9 days ago, previous payment (missing) ago"'

# A bad date is an error naming the line and the field; the good lines are evaluated.
printf '%s\n' '{"event_id":"x1","event_time":"2026-03-01T09:00:00Z","customer_id":"c9","account_open_date":"2026-02-30","amount":1.00}' \
  '{"event_id":"x2","event_time":"2026-03-01T09:00:00Z","customer_id":"c9","account_open_date":"2026-02-28","amount":1.00}' >"$tmp/bad.jsonl"
check bad_date 0 "$vigil" eval --max-skew 90d --rules "$data/rules.vgl" --events "$tmp/bad.jsonl"
contains bad_date_named err "bad.jsonl:1: field 'account_open_date': \"2026-02-30\" is not a date: day 30 does not exist (2026-02 has 28 days)"
contains bad_date_others_evaluated out '"event":"x2"'

# Split in two runs over a snapshot: the same results as one run.
head -5 "$data/events.jsonl" >"$tmp/a.jsonl"
tail -n +6 "$data/events.jsonl" >"$tmp/b.jsonl"
check split_first 0 "$vigil" eval --max-skew 90d --rules "$data/rules.vgl" --events "$tmp/a.jsonl" --state "$tmp/s.snap"
cp "$tmp/out" "$tmp/split"
check split_second 0 "$vigil" eval --max-skew 90d --rules "$data/rules.vgl" --events "$tmp/b.jsonl" --state "$tmp/s.snap"
cat "$tmp/out" >>"$tmp/split"
same split_equals_one_run "$tmp/split" "$tmp/full"
equal saved_as_format_3 "$(od -An -tu4 -j8 -N4 "$tmp/s.snap" | tr -d ' ')" 3

# A format-2 snapshot (written by vigil before baselines, with before.vgl, after
# e1..e6): its 90-day count goes on (e7 is the 7th payment in 90 days), the new
# baselines start empty (no escalation on e7), and it is saved back as format 3.
cp "$data/v2.snap" "$tmp/v2.snap"
tail -n +7 "$data/events.jsonl" >"$tmp/after_v2.jsonl"
check v2_snapshot 0 "$vigil" eval --max-skew 90d --rules "$data/rules.vgl" --events "$tmp/after_v2.jsonl" --state "$tmp/v2.snap"
contains v2_count_goes_on out '"reason":"7 payments in 90 days"'
lacks v2_baselines_start_empty out '"reason":"7 in 90 days, median'
equal v2_saved_as_format_3 "$(od -An -tu4 -j8 -N4 "$tmp/v2.snap" | tr -d ' ')" 3

summary
