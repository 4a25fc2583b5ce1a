#!/usr/bin/env bash
# vigil eval --threads N (docs/performance.md, "All cores"): the output, the
# messages and the exit status are byte for byte those of one thread, for
# rule sets without aggregates, with one aggregate key (per card) and with
# several keys at once (per card and per merchant), with evidence records,
# with malformed lines skipped or stopping the run, with duplicates, late
# events and outliers (and the state saved after them); --output alerts and
# decisions; vigil diff and vigil test's fixtures on several threads.
# Usage: threads_test.sh VIGIL DATA_DIR
set -u
vigil=$1 data=$2/threads
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
source "$(dirname "$0")/../lib/checks.sh"  # check, contains, same

# 20,000 events: about twenty chunks of the stream, so that chunks are read
# and formatted by different threads while the windows span them.
/usr/bin/python3 "$data/gen_events.py" 20000 >"$tmp/events.jsonl"
/usr/bin/python3 "$data/gen_events.py" 20000 --bad >"$tmp/bad.jsonl"
/usr/bin/python3 "$data/gen_events.py" 20000 --troubled >"$tmp/troubled.jsonl"

threads_agree() {  # threads_agree NAME STATUS ARGS...: 1, 2, 3 and 4 threads give the same bytes
  local name=$1 status=$2
  shift 2
  check "$name (1 thread)" "$status" "$vigil" eval --threads 1 "$@"
  mv "$tmp/out" "$tmp/one.out"
  mv "$tmp/err" "$tmp/one.err"
  for n in 2 3 4; do
    check "$name ($n threads)" "$status" "$vigil" eval --threads "$n" "$@"
    same "$name: stdout of $n threads" "$tmp/out" "$tmp/one.out"
    same "$name: stderr of $n threads" "$tmp/err" "$tmp/one.err"
  done
  # The default is every core: the same bytes again.
  check "$name (every core)" "$status" "$vigil" eval "$@"
  same "$name: stdout of every core" "$tmp/out" "$tmp/one.out"
}

for rules in stateless single_key multi_key; do
  threads_agree "$rules" 0 --rules "$data/$rules.vgl" --events "$tmp/events.jsonl"
  threads_agree "$rules explain" 0 --rules "$data/$rules.vgl" --events "$tmp/events.jsonl" --explain=fired
  threads_agree "$rules bad lines" 0 --rules "$data/$rules.vgl" --events "$tmp/bad.jsonl"
  threads_agree "$rules on-error fail" 1 --rules "$data/$rules.vgl" --events "$tmp/bad.jsonl" --on-error fail
done

# Duplicates, late events and outliers: on several threads the aggregates
# are found in input order and the rules evaluated after, on each thread's
# own session (docs/performance.md, "All cores"); the flags, the outliers'
# warnings and the state saved at the end are those of one thread.
for rules in single_key multi_key; do
  threads_agree "$rules troubled" 0 --rules "$data/$rules.vgl" --events "$tmp/troubled.jsonl"
  for n in 1 2 3; do
    rm -f "$tmp/state$n"
    check "$rules state ($n threads)" 0 "$vigil" eval --threads "$n" --rules "$data/$rules.vgl" \
      --events "$tmp/troubled.jsonl" --state "$tmp/state$n"
  done
  same "$rules state of 2 threads" "$tmp/state2" "$tmp/state1"
  same "$rules state of 3 threads" "$tmp/state3" "$tmp/state1"
done
contains "troubled: a duplicate" out '{"event":"t97","decision":"allow","score":0,"fired":[],"shadow":[],"tags":[],"duplicate":true}'
contains "troubled: late" out '"late":true'
contains "troubled: an outlier" out '"outlier":true'
contains "troubled: counts" err '20206 events evaluated, 0 skipped, 153 late (not recorded in the aggregates'"'"' state), 40 outliers'
contains "troubled: an outlier's warning" err 'troubled.jsonl:19661: time 2026-04-14T12:55:26Z is more than 30d ahead of the recent events (2026-03-05T12:54:14Z)'

# The windows really span the stream, and the two keys both matter.
check "multi-key fires" 0 "$vigil" eval --threads 2 --rules "$data/multi_key.vgl" --events "$tmp/events.jsonl"
contains "card window fires" out 'multi/card_burst'
contains "merchant window fires" out 'multi/merchant_burst'
contains "both keys at once" out 'multi/merchant_cards'
[ "$(wc -l <"$tmp/out")" -eq 20000 ] && pass=$((pass + 1)) || { fail=$((fail + 1)); echo "FAIL: not 20000 results"; }

# --on-error fail stops at the first bad line: results up to it, nothing after.
check "stop" 1 "$vigil" eval --threads 2 --rules "$data/multi_key.vgl" --events "$tmp/bad.jsonl" --on-error fail
[ "$(wc -l <"$tmp/out")" -eq 6665 ] && pass=$((pass + 1)) || { fail=$((fail + 1)); echo "FAIL stop: $(wc -l <"$tmp/out") results, expected 6665"; }
contains "stop names the line" err 'bad.jsonl:6666: field '"'"'amount'"'"': expected a decimal number, found "lots"'
contains "stop counts" err '6665 events evaluated, 1 skipped'

# --output alerts: the full results of the events that fired a rule, only;
# --output decisions: event, decision and score of every event.
check "all" 0 "$vigil" eval --rules "$data/multi_key.vgl" --events "$tmp/events.jsonl"
grep -v '"fired":\[\],"shadow":\[\]' "$tmp/out" >"$tmp/alerts.want"
check "alerts" 0 "$vigil" eval --output alerts --rules "$data/multi_key.vgl" --events "$tmp/events.jsonl"
same "alerts are the results that fired" "$tmp/out" "$tmp/alerts.want"
check "decisions" 0 "$vigil" eval --output decisions --threads 3 --rules "$data/multi_key.vgl" --events "$tmp/events.jsonl"
[ "$(wc -l <"$tmp/out")" -eq 20000 ] && pass=$((pass + 1)) || { fail=$((fail + 1)); echo "FAIL decisions: not 20000 lines"; }
contains "a decision line" out '{"event":"t1","decision":"allow","score":0}'
contains "a block" out '"decision":"block","score":'
check "bad --output" 2 "$vigil" eval --output some --rules "$data/multi_key.vgl" --events "$tmp/events.jsonl"
contains "bad --output says" err "--output takes all, alerts or decisions, not 'some'"
check "bad --threads" 2 "$vigil" eval --threads 0 --rules "$data/multi_key.vgl" --events "$tmp/events.jsonl"
contains "bad --threads says" err "--threads takes a number from 1 to 1024, not '0'"

# vigil diff: the same report on any number of threads.
for n in 1 2 3; do
  check "diff $n threads" 1 "$vigil" diff --threads "$n" --json "$data/single_key.vgl" "$data/multi_key.vgl" --events "$tmp/bad.jsonl"
  cp "$tmp/out" "$tmp/diff$n.out"
  cp "$tmp/err" "$tmp/diff$n.err"
done
same "diff 2 threads" "$tmp/diff2.out" "$tmp/diff1.out"
same "diff 3 threads" "$tmp/diff3.out" "$tmp/diff1.out"
same "diff messages" "$tmp/diff3.err" "$tmp/diff1.err"
# A rule set without aggregates against one with them, over the troubled
# stream: on several threads one side is evaluated whole after the ordered
# stage, the other in two phases.
for n in 1 2 3; do
  check "diff stateless $n threads" 1 "$vigil" diff --threads "$n" --json "$data/stateless.vgl" "$data/multi_key.vgl" --events "$tmp/troubled.jsonl"
  cp "$tmp/out" "$tmp/sdiff$n.out"
done
same "diff stateless 2 threads" "$tmp/sdiff2.out" "$tmp/sdiff1.out"
same "diff stateless 3 threads" "$tmp/sdiff3.out" "$tmp/sdiff1.out"
contains "diff stateless counts" sdiff1.out '"events":20206,"skipped":0'
contains "diff counts" diff1.out '"events":19998,"skipped":2'

# vigil test: a fixture runs on the same stream engine, with the same report
# on any number of threads. The fixture is the 20,000 events, each expecting
# the decision one thread of vigil eval gave it; every 1,000th expectation is
# wrong and three lines are malformed, so failures come from many chunks.
check "fixture source" 0 "$vigil" eval --threads 1 --rules "$data/multi_key.vgl" --events "$tmp/events.jsonl"
/usr/bin/python3 - "$tmp/events.jsonl" "$tmp/out" "$tmp/fixture.jsonl" <<'PY'
import json, sys
events = open(sys.argv[1]).read().splitlines()
results = open(sys.argv[2]).read().splitlines()
with open(sys.argv[3], "w") as out:
    for i, (line, result) in enumerate(zip(events, results)):
        event = json.loads(line)
        decision = json.loads(result)["decision"]
        if i % 1000 == 999:
            decision = "block" if decision != "block" else "allow"
        event["expect"] = {"decision": decision}
        out.write(json.dumps(event, separators=(",", ":")) + "\n")
        if i in (10, 5000, 15000):
            out.write('{"txn_id":"bad","amount":\n')
PY
for n in 1 2 3 4; do
  check "test $n threads" 1 "$vigil" test --threads "$n" "$data/multi_key.vgl" "$tmp/fixture.jsonl"
  cp "$tmp/out" "$tmp/test$n.out"
done
for n in 2 3 4; do same "test: report of $n threads" "$tmp/test$n.out" "$tmp/test1.out"; done
[ "$(grep -c 'expected decision' "$tmp/test1.out")" -eq 20 ] && pass=$((pass + 1)) ||
  { fail=$((fail + 1)); echo "FAIL test: not 20 wrong decisions"; }
[ "$(grep -c 'bad event' "$tmp/test1.out")" -eq 3 ] && pass=$((pass + 1)) ||
  { fail=$((fail + 1)); echo "FAIL test: not 3 bad events"; }
contains "test counts the events" test1.out "fixture.jsonl, 20000 events)"
contains "test names the line" test1.out "fixture.jsonl:1001: event t1000: expected decision"
check "test bad --threads" 2 "$vigil" test --threads x "$data/multi_key.vgl" "$tmp/fixture.jsonl"
contains "test bad --threads says" err "--threads takes a number from 1 to 1024, not 'x'"

summary
