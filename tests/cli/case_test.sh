#!/usr/bin/env bash
# vigil case end to end (docs/case.md): the coalition pack's alerts over the
# example events become case files equal to the golden ones, byte for byte
# and run after run; every kind of bad input is refused with a message that
# names the place, and leaves nothing behind.
#   case_test.sh VIGIL REPO
#   VIGIL_UPDATE_GOLDEN=1 case_test.sh VIGIL REPO   rewrites tests/cli/data/case/golden
set -u
vigil=$1 repo=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
golden=$repo/tests/cli/data/case/golden
events=$repo/examples/coalition/events.jsonl
rules=$repo/rules/coalition/rules.vgl
source "$(dirname "$0")/../lib/checks.sh"  # check, contains

ok() {  # ok NAME CONDITION...
  local name=$1
  shift
  if "$@"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL $name"; fi
}

nothing_left() {  # no output folder and no staging folder next to it
  [ ! -e "$1" ] && [ -z "$(ls -A "$(dirname "$1")" | grep vigil-tmp)" ]
}

# ---------------------------------------------------------------- end to end
"$vigil" eval --rules "$rules" --events "$events" --explain=fired > "$tmp/results.jsonl" 2>/dev/null
check case_e2e 0 "$vigil" case --results "$tmp/results.jsonl" --events "$events" -o "$tmp/cases"
contains case_e2e err "6 cases written to $tmp/cases (20 alerts read; 0 cases below the minimum decision not written; at most 6 cases open at once)"
if [ "${VIGIL_UPDATE_GOLDEN:-}" = 1 ]; then
  rm -rf "$golden" && mkdir -p "$golden" && cp "$tmp"/cases/*.json "$golden"/
  echo "golden case files rewritten in $golden"
fi
ok golden_cases diff -r "$golden" "$tmp/cases"
check case_again 0 "$vigil" case --results "$tmp/results.jsonl" --events "$events" -o "$tmp/again/"
ok deterministic diff -r "$tmp/cases" "$tmp/again"
# Results with every rule explained give the same cases, evidence aside.
"$vigil" eval --rules "$rules" --events "$events" --explain > "$tmp/all.jsonl" 2>/dev/null
check case_from_all 0 "$vigil" case --results "$tmp/all.jsonl" --events "$events" -o "$tmp/all"
ok same_case_ids diff <(ls "$tmp/cases") <(ls "$tmp/all")
# Only alerts (results with fired rules) need their events; the rest may be gone.
grep '"fired":\[{' "$tmp/results.jsonl" > "$tmp/alerts.jsonl"
check case_alert_lines 0 "$vigil" case --results "$tmp/alerts.jsonl" --events "$events" -o "$tmp/alerts"
ok alerts_only_same diff -r "$tmp/cases" "$tmp/alerts"
# From standard input.
check case_stdin 0 sh -c "\"$vigil\" case --results - --events \"$events\" -o \"$tmp/stdin\" < \"$tmp/results.jsonl\""
ok stdin_same diff -r "$tmp/cases" "$tmp/stdin"

# Options: another subject, a shorter window, every case.
check case_account 0 "$vigil" case --results "$tmp/results.jsonl" --events "$events" -o "$tmp/acct" --subject account_id
contains case_account err "6 cases written"
ok account_subject grep -q '"field": "account_id"' "$tmp"/acct/*.json
check case_window 0 "$vigil" case --results "$tmp/results.jsonl" --events "$events" -o "$tmp/win" --case-window 2d
contains case_window err "11 cases written"
check case_all 0 "$vigil" case --results "$tmp/results.jsonl" --events "$events" -o "$tmp/every" --min-decision allow --case-window 1h
contains case_all err "cases below the minimum decision not written"
ok allow_cases grep -lq '"decision": "allow"' "$tmp"/every/*.json
check case_min_report 0 "$vigil" case --results "$tmp/results.jsonl" --events "$events" -o "$tmp/rep" --min-decision block
contains case_min_report err "0 cases written to $tmp/rep (20 alerts read; 6 cases below the minimum decision not written; at most 6 cases open at once)"

# A case file holds what the docs promise.
whitcombe=$(grep -l '"value": "100234987"' "$tmp"/cases/*.json)
ok whitcombe_found test -n "$whitcombe"
cp "$whitcombe" "$tmp/w.json"
contains whitcombe w.json '"typologies": ["T1","T6","T8"]'
contains whitcombe w.json '"currency": "AUD",'
# (2.0.0: R36's composite also alerts on the 58.40 grocery purchase of 25 March)
contains whitcombe w.json '"amount": "2278.89"'
contains whitcombe w.json '"customer_last_name":"Whitcombe"'
contains whitcombe w.json '"opened": "2026-03-02T09:12:00Z"'
contains whitcombe w.json '"rule": "coalition.cse/r23_travel_after_corridor"'

# ---------------------------------------------------------------- bad input
# Results without evidence records.
"$vigil" eval --rules "$rules" --events "$events" > "$tmp/plain.jsonl" 2>/dev/null
check no_evidence 1 "$vigil" case --results "$tmp/plain.jsonl" --events "$events" -o "$tmp/x1"
contains no_evidence err "vigil case: $tmp/plain.jsonl:1: the result has fired rules but no evidence record; run vigil eval with --explain or --explain=fired"
contains no_evidence err "vigil case: no case written"
ok no_evidence_nothing nothing_left "$tmp/x1"
# An evidence record of another format.
sed '1s/"format":"vigil.explain\/2"/"format":"vigil.explain\/1"/' "$tmp/results.jsonl" > "$tmp/v1.jsonl"
check old_evidence 1 "$vigil" case --results "$tmp/v1.jsonl" --events "$events" -o "$tmp/x2"
contains old_evidence err "$tmp/v1.jsonl:1: member 'explain.format': expected \"vigil.explain/2\", found \"vigil.explain/1\""
# An event id the events file does not have.
grep -v '"event_id":"evt-2026-000023"' "$events" > "$tmp/missing.jsonl"
check unknown_event 1 "$vigil" case --results "$tmp/results.jsonl" --events "$tmp/missing.jsonl" -o "$tmp/x3"
contains unknown_event err "$tmp/results.jsonl:23: event 'evt-2026-000023' is not in $tmp/missing.jsonl after line 21 (results must follow the order of the events they came from, and name them by the member 'event_id')"
ok unknown_event_nothing nothing_left "$tmp/x3"
# Results in another order than the events.
tac "$tmp/results.jsonl" > "$tmp/reversed.jsonl"
check reversed 1 "$vigil" case --results "$tmp/reversed.jsonl" --events "$events" -o "$tmp/x4"
contains reversed err "$tmp/reversed.jsonl:2: event 'evt-2026-000032' is not in $events after line 33"
# Malformed lines, in the results and in the events.
{ cat "$tmp/results.jsonl"; echo '{"event":"x","fired":[}'; } > "$tmp/bad_results.jsonl"
check bad_results_line 1 "$vigil" case --results "$tmp/bad_results.jsonl" --events "$events" -o "$tmp/x5"
contains bad_results_line err "$tmp/bad_results.jsonl:34:23: expected a JSON value, found '}'"
ok bad_results_nothing nothing_left "$tmp/x5"  # cases closed before the bad line are gone too
sed '5s/.*/{"event_id":"evt-2026-000005",}/' "$events" > "$tmp/bad_events.jsonl"
check bad_events_line 1 "$vigil" case --results "$tmp/results.jsonl" --events "$tmp/bad_events.jsonl" -o "$tmp/x6"
contains bad_events_line err "$tmp/bad_events.jsonl:5:31: a trailing ',' before '}'"
echo '[1,2]' > "$tmp/array.jsonl"
check results_not_object 1 "$vigil" case --results "$tmp/array.jsonl" --events "$events" -o "$tmp/x7"
contains results_not_object err "$tmp/array.jsonl:1: expected a JSON object, found an array"
echo '{"event":"a"}' > "$tmp/not_result.jsonl"
check not_a_result 1 "$vigil" case --results "$tmp/not_result.jsonl" --events "$events" -o "$tmp/x8"
contains not_a_result err "$tmp/not_result.jsonl:1: expected a result of vigil eval (an array 'fired')"
# An event without the subject field.
sed 's/"customer_id":100845678,//' "$events" > "$tmp/no_subject.jsonl"
check no_subject 1 "$vigil" case --results "$tmp/results.jsonl" --events "$tmp/no_subject.jsonl" -o "$tmp/x9"
contains no_subject err "$tmp/no_subject.jsonl:23: event 'evt-2026-000023' has no subject: member 'customer_id' is missing or not a string or an integer"
check no_such_subject 1 "$vigil" case --results "$tmp/results.jsonl" --events "$events" -o "$tmp/x10" --subject card_id
contains no_such_subject err "member 'card_id' is missing"
# A malformed amount.
sed '2s/"amount":120.00/"amount":"12,0"/' "$events" > "$tmp/bad_amount.jsonl"
check bad_amount 1 "$vigil" case --results "$tmp/results.jsonl" --events "$tmp/bad_amount.jsonl" -o "$tmp/x11"
contains bad_amount err "$tmp/bad_amount.jsonl:2: event 'evt-2026-000002': member 'amount': expected a decimal amount (at most 6 fractional digits), found \"12,0\""
# An output folder that already holds cases, or is a file.
check out_not_empty 1 "$vigil" case --results "$tmp/results.jsonl" --events "$events" -o "$tmp/cases"
contains out_not_empty err "-o \"$tmp/cases\": the folder already holds 6 files; give a new or empty folder (case files are never overwritten)"
ok out_untouched diff -r "$golden" "$tmp/cases"
: > "$tmp/file"
check out_is_file 1 "$vigil" case --results "$tmp/results.jsonl" --events "$events" -o "$tmp/file"
contains out_is_file err "-o \"$tmp/file\": exists and is not a folder"
mkdir "$tmp/empty"
check out_empty_ok 0 "$vigil" case --results "$tmp/results.jsonl" --events "$events" -o "$tmp/empty"
ok empty_filled diff -r "$golden" "$tmp/empty"
# Events without ids.
sed 's/"event_id":"[^"]*",//' "$events" > "$tmp/noid.jsonl"
"$vigil" eval --rules "$rules" --events "$tmp/noid.jsonl" --explain=fired > "$tmp/noid_results.jsonl" 2>/dev/null
check no_ids 1 "$vigil" case --results "$tmp/noid_results.jsonl" --events "$tmp/noid.jsonl" -o "$tmp/x12"
contains no_ids err "the event has no id; give the schema an @id field"
# Files that cannot be read.
check no_results_file 1 "$vigil" case --results "$tmp/none.jsonl" --events "$events" -o "$tmp/x13"
contains no_results_file err "vigil case: cannot open \"$tmp/none.jsonl\": No such file or directory"

# ---------------------------------------------------------------- usage
check usage_no_out 2 "$vigil" case --results "$tmp/results.jsonl" --events "$events"
contains usage_no_out err "no output folder given (-o DIR)"
check usage_window 2 "$vigil" case --results a --events b -o c --case-window soon
contains usage_window err "--case-window takes a duration such as 30d, not 'soon'"
check usage_both_stdin 2 "$vigil" case --results - --events - -o c
contains usage_both_stdin err "--results and --events cannot both be standard input"
check usage_unknown 2 "$vigil" case --results a --events b -o c --what
check usage_min 1 "$vigil" case --results "$tmp/results.jsonl" --events "$events" -o "$tmp/x14" --min-decision urgent
contains usage_min err "--min-decision 'urgent' is not a decision of these rules (allow, review, report, block)"
check help_case 0 "$vigil" help case
contains help_case out "--case-window DUR"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
