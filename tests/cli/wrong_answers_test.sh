#!/usr/bin/env bash
# Issue 13, "wrong answers", as a user meets them on the command line: each
# case is one the issue found giving a wrong answer (or none), and fails if it
# comes back. Usage: wrong_answers_test.sh VIGIL
set -u
vigil=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 1
pass=0 fail=0

check() {  # check NAME EXPECTED_STATUS COMMAND...
  local name=$1 want=$2
  shift 2
  "$@" >"$tmp/out" 2>"$tmp/err"
  local got=$?
  if [ "$got" -eq "$want" ]; then
    pass=$((pass + 1))
  else
    fail=$((fail + 1))
    echo "FAIL $name: exit $got, expected $want"
    sed 's/^/  stderr: /' "$tmp/err" | head -5
  fi
}
contains() {  # contains NAME FILE TEXT
  if grep -qF -- "$3" "$tmp/$2"; then
    pass=$((pass + 1))
  else
    fail=$((fail + 1))
    echo "FAIL $1: $2 does not contain: $3"
    sed 's/^/  | /' "$tmp/$2" | head -10
  fi
}
lacks() {  # lacks NAME FILE TEXT
  if grep -qF -- "$3" "$tmp/$2"; then
    fail=$((fail + 1))
    echo "FAIL $1: $2 contains: $3"
  else
    pass=$((pass + 1))
  fi
}
same() {  # same NAME FILE_A FILE_B
  if cmp -s "$2" "$3"; then
    pass=$((pass + 1))
  else
    fail=$((fail + 1))
    echo "FAIL $1: $2 and $3 differ"
  fi
}

bom=$(printf '\xef\xbb\xbf')
cat > schema.vgl <<'EOF'
schema s version 1 {
  ts: time @time
  card: string @key
  country: string
  amount: decimal
  rate: float
}
EOF
cat > rules.vgl <<'EOF'
ruleset w version "1.0.0"
import "schema.vgl"
import "watch.vgl"
uses schema s
list LISTED: set<string> from "listed.txt"
rule watched {
  title "watched country"
  severity low
  when country in WATCH
  then score 1 tag "watch"
}
rule listed {
  title "listed card"
  severity low
  when card in LISTED
  then score 2 tag "listed"
}
EOF
printf '%sconst WATCH = {"PH","TH"}\n' "$bom" > watch.vgl
printf '%sc1\nc2\n' "$bom" > listed.txt

# ---------------------------------------------------------------- 1. BOM
printf '%s{"ts":"2026-03-01T10:00:00Z","card":"c1","country":"PH"}\n' "$bom" > bom_events.jsonl
check bom_import_and_list 0 "$vigil" eval --rules rules.vgl --events bom_events.jsonl
contains bom_import_and_list out '"tags":["watch","listed"]'
contains bom_import_and_list err "1 event evaluated, 0 skipped"
printf '%s{"ts":"2026-03-01T10:00:00Z","card":"c1","country":"PH","expect":{"fires":["watched","listed"]}}\n' "$bom" > bom_fixture.jsonl
check bom_fixture 0 "$vigil" test rules.vgl bom_fixture.jsonl
contains bom_fixture out "1 passed, 0 failed"
printf '%soverride w { severity watched high }\n' "$bom" > bom_override.vgl
check bom_override 0 "$vigil" check rules.vgl bom_override.vgl
printf '4111 1111 1111 1111\n' > plain.txt
printf '%s4111 1111 1111 1111\n' "$bom" > plain_bom.txt
check bom_list_hash_plain 0 "$vigil" list hash --normalize digits plain.txt -o plain.hashed
check bom_list_hash_bom 0 "$vigil" list hash --normalize digits plain_bom.txt -o bom.hashed
same bom_list_hash_same_digest plain.hashed bom.hashed
cat > ext.vgl <<'EOF'
ruleset x version "1.0.0"
import "schema.vgl"
uses schema s
list EXT: set<string> external
rule ext { title "x" severity low when card in EXT then score 1 }
EOF
check bom_external_list 0 "$vigil" eval --rules ext.vgl --events bom_events.jsonl --list EXT=listed.txt
contains bom_external_list out '"rule":"x/ext"'
printf '%s{"ts":"2026-03-01T10:00:00Z","card":"c1","country":"PH"}\n' "$bom" > bom_event.json
check bom_explain_event 0 "$vigil" explain --rules rules.vgl --event @bom_event.json --fired
contains bom_explain_event out "FIRED   w/listed"
check bom_explain_history 0 "$vigil" explain --rules rules.vgl --event @bom_event.json --history bom_events.jsonl
check bom_diff_events 0 "$vigil" diff rules.vgl rules.vgl --events bom_events.jsonl
# vigil fmt on a file with a BOM: the same tokens, without the mark.
cp watch.vgl fmt_bom.vgl
check fmt_bom_check 1 "$vigil" fmt --check fmt_bom.vgl
check fmt_bom 0 "$vigil" fmt fmt_bom.vgl
printf 'const WATCH = {"PH", "TH"}\n' > fmt_expected.vgl
same fmt_bom_result fmt_bom.vgl fmt_expected.vgl

# ---------------------------------------------------------------- 2. scores
cat > scores.vgl <<'EOF'
ruleset sc version "1.0.0"
import "schema.vgl"
uses schema s
rule a { title "a" severity low when country == "PH" then score 9223372036854775807 }
rule b { title "b" severity low when country == "PH" then score 9223372036854775807 }
EOF
printf '{"ts":"2026-03-01T10:00:00Z","country":"PH"}\n' > ph.jsonl
check score_saturates 0 "$vigil" eval --rules scores.vgl --events ph.jsonl
contains score_saturates out '"score":9223372036854775807'
lacks score_saturates out '"score":-2'

# ---------------------------------------------------------------- 3. time range
cat > hours.vgl <<'EOF'
ruleset h version "1.0.0"
import "schema.vgl"
uses schema s
let local = hour(ts, "Pacific/Auckland")
rule noon { title "n" severity low when local == 12 then score 1 reason "{local} {ts + 1d}" }
EOF
printf '{"ts":"9999-12-31T23:59:59Z"}\n{"ts":9223372036854775807}\n' > top.jsonl
check time_top 0 "$vigil" eval --rules hours.vgl --events top.jsonl
contains time_top out '"reason":"12 (missing)"'
contains time_top err "top.jsonl:2: field 'ts': time 9223372036854775807 is out of range (times are 0001-01-01T00:00:00Z to 9999-12-31T23:59:59.999999Z)"

# ---------------------------------------------------------------- 4. floats
cat > floats.vgl <<'EOF'
ruleset f version "1.0.0"
import "schema.vgl"
uses schema s
rule big { title "b" severity low when rate >= 2e4 then score 1 }
EOF
printf '{"rate":20000.0}\n' > rate.jsonl
check float_2e4 0 "$vigil" eval --rules floats.vgl --events rate.jsonl
contains float_2e4 out '"rule":"f/big"'
sed 's/2e4/1e400/' floats.vgl > float_range.vgl
check float_1e400 1 "$vigil" check float_range.vgl
contains float_1e400 err "error[E3013]: float 1e400 is out of range: it is too large for a double"
lacks float_1e400 err "duration unit"

# ---------------------------------------------------------------- 5. malformed fixtures
printf '{"ts":"2026-03-01T10:00:00Z","card":"c9","country":"PH","expect":{"fires":["listed"],}}\n' > trailing.jsonl
check fixture_trailing_comma 1 "$vigil" test rules.vgl trailing.jsonl
contains fixture_trailing_comma out "trailing.jsonl:1: bad event: malformed JSON at column 86, in member 'expect': a trailing comma before '}' (JSON has none)"
contains fixture_trailing_comma out "0 passed, 1 failed"
printf '{"ts":"2026-03-01T10:00:00Z","card":"c1","expect":{"fires":["listed"]},"expect":{}}\n' > two_expects.jsonl
check fixture_two_expects 1 "$vigil" test rules.vgl two_expects.jsonl
contains fixture_two_expects out 'two_expects.jsonl:1: bad fixture line: member "expect" appears twice'
check fixture_missing 1 "$vigil" test rules.vgl missing.jsonl
contains fixture_missing out "missing.jsonl: cannot read the fixture file"
# ... and in a pack's self-test.
mkdir -p pk/fixtures pk/lists
cp schema.vgl pk/
printf 'ruleset w.pk version "1.0.0"\nimport "schema.vgl"\nuses schema s\nrule big { title "b" severity low when amount > 10.00 then score 1 }\n' > pk/r.vgl
printf '{"amount":20.00,"expect":{"fires":["big"],}}\n' > pk/fixtures/a.jsonl
printf '{"name": "w.pk", "version": "1.0.0", "marking": "GREEN", "schemas": {"s": 1}, "files": ["r.vgl", "schema.vgl"], "lists": [], "fixtures": ["fixtures/a.jsonl"]}' > pk/pack.json
check pack_fixture_trailing_comma 1 "$vigil" pack build pk -o pk.vgp
contains pack_fixture_trailing_comma err "fixtures/a.jsonl:1): bad event: malformed JSON at column 43, in member 'expect'"
check pack_fixture_not_written 1 test -e pk.vgp
# pack.json is a text input too.
printf '{"amount":20.00,"expect":{"fires":["big"]}}\n' > pk/fixtures/a.jsonl
printf '%s' "$bom" | cat - pk/pack.json > pk/pack.json.bom && mv pk/pack.json.bom pk/pack.json
check pack_json_bom 0 "$vigil" pack build pk -o pk.vgp
contains pack_json_bom out "1 tests passed"

# ---------------------------------------------------------------- 6. strict JSON events
{
  printf '{"ts":"2026-03-01T10:00:00Z","card":"c1"} {"ts":"2026-03-01T10:00:00Z","card":"c2"}\n'
  printf '{"ts":"2026-03-01T10:00:00Z","card":"c1"}}\n'
  printf '{"ts":"2026-03-01T10:00:00Z","card":"c1","x":[1,,2]}\n'
  printf '{"ts":"2026-03-01T10:00:00Z","card":"c1","x":tru}\n'
  printf '{"ts":"2026-03-01T10:00:00Z","card":"c1","x":"\\q"}\n'
  printf '{"ts":"2026-03-01T10:00:00Z","card":"c1","card":"c2"}\n'
  printf '{"ts":"2026-03-01T10:00:00Z","card":"c1"}\n'
} > strict.jsonl
check json_strict 0 "$vigil" eval --rules rules.vgl --events strict.jsonl
contains json_strict err "strict.jsonl:1: malformed JSON at column 43: unexpected '{' after the object (a line holds exactly one object)"
contains json_strict err "strict.jsonl:2: malformed JSON at column 42: unexpected '}' after the object"
contains json_strict err "strict.jsonl:3: malformed JSON at column 49, in member 'x': expected a value, found ','"
contains json_strict err "strict.jsonl:4: malformed JSON at column 46, in member 'x': expected a value, found 't'"
contains json_strict err "strict.jsonl:5: malformed JSON at column 47, in member 'x': unknown escape '\\q' in a string"
contains json_strict err "strict.jsonl:6: field 'card' appears twice"
contains json_strict err "1 event evaluated, 6 skipped"
check json_strict_fail 1 "$vigil" eval --rules rules.vgl --events strict.jsonl --on-error fail

# ---------------------------------------------------------------- 7. far-future events
cat > vel.vgl <<'EOF'
ruleset v version "1.0.0"
import "schema.vgl"
uses schema s
rule burst { title "b" severity low when count(by: card, within: 1h) >= 3 then score 1 }
EOF
cat > future.jsonl <<'EOF'
{"ts":"2026-03-01T10:00:00Z","card":"c1"}
{"ts":"9999-01-01T00:00:00Z","card":"c1"}
{"ts":"2026-03-01T10:01:00Z","card":"c1"}
{"ts":"2026-03-01T10:02:00Z","card":"c1"}
EOF
check future_outlier 0 "$vigil" eval --rules vel.vgl --events future.jsonl
contains future_outlier out '{"event":2,"decision":"allow","score":0,"fired":[],"shadow":[],"tags":[],"outlier":true}'
contains future_outlier out '{"event":4,"decision":"allow","score":1,"fired":[{"rule":"v/burst"'
lacks future_outlier out '"late":true'
contains future_outlier err "future.jsonl:2: time 9999-01-01T00:00:00Z is more than 30d ahead of the recent events (2026-03-01T10:00:00Z): evaluated, not recorded in the aggregates' state (an outlier; see --max-skew)"
contains future_outlier err "4 events evaluated, 0 skipped, 1 outlier (not recorded in the aggregates' state)"
# Without the bound, the old wrong answer: the key's later events are late.
check future_no_bound 0 "$vigil" eval --rules vel.vgl --events future.jsonl --max-skew off
contains future_no_bound out '"late":true'
check future_skew_1h 0 "$vigil" eval --rules vel.vgl --events future.jsonl --max-skew 1h
contains future_skew_1h err "more than 1h ahead"
check future_skew_bad 2 "$vigil" eval --rules vel.vgl --events future.jsonl --max-skew soon
contains future_skew_bad err "--max-skew takes a duration such as 30d, or off, not 'soon'"

# ---------------------------------------------------------------- 8. state of another rule set
cat > other.vgl <<'EOF'
ruleset o version "1.0.0"
import "schema.vgl"
uses schema s
rule spend { title "s" severity low when sum(amount, by: card, within: 2h) > 100.00 then score 1 }
EOF
printf '{"ts":"2026-03-01T10:00:00Z","card":"c1"}\n{"ts":"2026-03-01T10:01:00Z","card":"c1"}\n' > two.jsonl
printf '{"ts":"2026-03-01T10:02:00Z","card":"c1"}\n' > third.jsonl
check state_first 0 "$vigil" eval --rules vel.vgl --events two.jsonl --state st.bin
check state_other_rules 0 "$vigil" eval --rules other.vgl --events third.jsonl --state st.bin
contains state_other_rules err "warning: the state \"st.bin\" holds none of these rules' aggregates (it was saved for other rules): their windows start empty; its 1 aggregate is kept and saved back, not updated"
check state_back 0 "$vigil" eval --rules vel.vgl --events third.jsonl --state st.bin
contains state_back out '"rule":"v/burst"'
contains state_back err "warning: the state \"st.bin\" holds 1 aggregate that these rules do not use: kept and saved back, not updated"

# ---------------------------------------------------------------- 9. duplicates
printf 'override w {\n  severity watched high\n  severity watched low\n}\n' > dup_override.vgl
check override_twice 1 "$vigil" check rules.vgl dup_override.vgl
contains override_twice err "dup_override.vgl:3:3: error[E3014]: the severity of rule 'w/watched' is already set by an override at dup_override.vgl:2:3"
printf 'override w { severity watched high }\n' > o1.vgl
printf 'override w { severity watched critical }\n' > o2.vgl
check override_two_files 1 "$vigil" check rules.vgl o1.vgl o2.vgl
contains override_two_files err "o2.vgl:1:14: error[E3014]"
check override_two_files_swapped 1 "$vigil" check rules.vgl o2.vgl o1.vgl
contains override_two_files_swapped err "o1.vgl:1:14: error[E3014]"
cat > dup_test.vgl <<'EOF'
ruleset d version "1.0.0"
import "schema.vgl"
uses schema s
rule r { title "r" severity low when country == "PH" then score 1 }
test "dup" {
  event { ts: 2026-03-01T10:00:00Z, country: "GB", country: "PH" }
    expect fires r
}
EOF
check test_event_dup 2 "$vigil" test dup_test.vgl
contains test_event_dup err "dup_test.vgl:6:52: error[E3015]: field 'country' is given twice in this test event"

# ---------------------------------------------------------------- 10. the command line
check events_twice 2 "$vigil" eval --rules rules.vgl --events ph.jsonl --events bom_events.jsonl
contains events_twice err "vigil eval: --events is given twice; give it once"
check state_twice 2 "$vigil" eval --rules rules.vgl --events ph.jsonl --state a --state b
check list_twice 2 "$vigil" eval --rules ext.vgl --events ph.jsonl --list EXT=listed.txt --list EXT=plain.txt
contains list_twice err "--list gives 'EXT' twice; give each once"
check test_junit_twice 2 "$vigil" test rules.vgl --junit a.xml --junit b.xml
check explain_event_twice 2 "$vigil" explain --rules rules.vgl --event '{}' --event '{}'
check diff_events_twice 2 "$vigil" diff rules.vgl rules.vgl --events ph.jsonl --events ph.jsonl
check list_hash_o_twice 2 "$vigil" list hash plain.txt -o a -o b
check pack_sign_key_twice 2 "$vigil" pack sign pk.vgp --key a.key --key b.key
mkdir -p eventsdir
check events_directory 1 "$vigil" eval --rules rules.vgl --events eventsdir
contains events_directory err 'vigil eval: cannot read "eventsdir": it is a directory (give a JSON Lines file)'
check diff_events_directory 2 "$vigil" diff rules.vgl rules.vgl --events eventsdir
contains diff_events_directory err "it is a directory"
check explain_history_directory 1 "$vigil" explain --rules rules.vgl --event '{}' --history eventsdir
contains explain_history_directory err 'cannot read "eventsdir"'
: > empty.vgl
check empty_rules 0 "$vigil" check empty.vgl
contains empty_rules err "warning[W5010]: no rule is enforced (the rule files declare no rules): every event will get decision 'allow' and score 0"
check empty_rules_werror 1 "$vigil" check -Werror empty.vgl
check empty_rules_eval 0 "$vigil" eval --rules empty.vgl --events ph.jsonl
contains empty_rules_eval err "warning[W5010]"

# ---------------------------------------------------------------- 11. NUL, decimals, UTF-8
printf 'const A = "a\\u{0}b"\nconst B = "a\\u0000b"\n' > nul.vgl
check nul_escapes 1 "$vigil" check nul.vgl
contains nul_escapes err "nul.vgl:1:13: error[E1011]: a string cannot contain U+0000 (NUL)"
contains nul_escapes err "nul.vgl:2:13: error[E1011]: a string cannot contain U+0000 (NUL)"
lacks nul_escapes err "unknown escape sequence"
printf 'const A = "a\000b"\n' > nul_raw.vgl
check nul_raw 1 "$vigil" check nul_raw.vgl
contains nul_raw err "nul_raw.vgl:1:13: error[E1011]: a NUL character (U+0000) in a rule file"
printf '{"card":"c\\u0000"}\n{"amount":0E+384}\n{"amount":1E+384}\n' > values.jsonl
check json_values 0 "$vigil" eval --rules rules.vgl --events values.jsonl
contains json_values err "values.jsonl:1: field 'card': a string cannot contain U+0000 (NUL)"
contains json_values err "values.jsonl:3: field 'amount': decimal 1E+384: out of range (decimals hold ±9,223,372,036,854.775807)"
lacks json_values err "values.jsonl:2:"
printf 'caf\xe9\n' > latin1.txt
check latin1_list_hash 1 "$vigil" list hash latin1.txt
contains latin1_list_hash err 'latin1.txt:1: invalid UTF-8 (byte 0xE9)'
check latin1_external_list 2 "$vigil" eval --rules ext.vgl --events ph.jsonl --list EXT=latin1.txt
contains latin1_external_list err '--list EXT=latin1.txt: latin1.txt:1: invalid UTF-8 (byte 0xE9)'
cp rules.vgl latin_rules.vgl
cp latin1.txt listed.txt
check latin1_list_file 1 "$vigil" check latin_rules.vgl
contains latin1_list_file err 'cannot read list file "listed.txt": line 1: invalid UTF-8 (byte 0xE9)'

# ---------------------------------------------------------------- 12. bidi controls
printf 'ruleset b version "1.0.0"\nimport "schema.vgl"\nuses schema s\nrule r {\n  title "r"\n  severity low\n  when country == "PH" # \xe2\x80\xae } ; \xe2\x81\xa6\n  then score 1\n}\n' > bidi.vgl
check bidi_warning 0 "$vigil" check bidi.vgl
contains bidi_warning err "bidi.vgl:7:26: warning[W5009]: bidirectional control character U+202E (RIGHT-TO-LEFT OVERRIDE)"
lacks bidi_warning err "$(printf '\xe2\x80\xae')"
check bidi_werror 1 "$vigil" check -Werror bidi.vgl

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
