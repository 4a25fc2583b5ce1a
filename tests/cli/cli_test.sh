#!/usr/bin/env bash
# End-to-end tests of the vigil command line. Usage: cli_test.sh VIGIL DATA_DIR REPO
set -u
vigil=$1 data=$2 repo=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
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

check version 0 "$vigil" --version
contains version out "vigil "
check help 0 "$vigil" help
contains help out "eval"
check help_eval 0 "$vigil" help eval
contains help_eval out "--on-error skip|fail"
check eval_help_flag 0 "$vigil" eval --help
check no_command 2 "$vigil"
check unknown_command 2 "$vigil" frobnicate
contains unknown_command err "unknown command 'frobnicate'"

check check_ok 0 "$vigil" check "$data/small.vgl"
contains check_ok err "ok: 2 rules in 1 rule set"
check check_errors 1 "$vigil" check "$data/broken.vgl"
contains check_errors err "broken.vgl:4:15: error[E2001]: unknown name 'amout'"
contains check_errors err "= help: did you mean 'amount'?"
contains check_errors err "error[E3001]: '==' cannot combine string and int"
contains check_errors err "error[E2003]: unknown function 'lowr'"
contains check_errors err "3 errors"
check check_missing_file 1 "$vigil" check "$data/nope.vgl"
contains check_missing_file err "cannot read"
check check_no_files 2 "$vigil" check
check check_bad_flag 2 "$vigil" check --frob "$data/small.vgl"

check eval_skip 0 "$vigil" eval --rules "$data/small.vgl" --events "$data/events.jsonl"
contains eval_skip out '{"event":"e1","decision":"review","score":10,"fired":[{"rule":"cli.small/big","version":"2.1.0","severity":"high","reason":"20.50 from PH card ****","tags":["t:big"]}],"shadow":[{"rule":"cli.small/watched","version":"2.1.0","severity":"medium","reason":"","tags":[],"score":5,"decision":"block"}],"tags":[]}'
contains eval_skip out '{"event":"e2","decision":"allow","score":0,"fired":[],"shadow":[],"tags":[]}'
contains eval_skip out '"event":"e4"'
contains eval_skip err "events.jsonl:4: field 'amount': expected a decimal number"
contains eval_skip err "3 events evaluated, 1 skipped"
check eval_fail 1 "$vigil" eval --rules "$data/small.vgl" --events "$data/events.jsonl" --on-error fail
contains eval_fail err "2 events evaluated, 1 skipped"
check eval_pii 0 "$vigil" eval --rules "$data/small.vgl" --events "$data/events.jsonl" --allow-pii
contains eval_pii out "card 4111"
check eval_stdin 0 bash -c "printf '{\"amount\":99}\n' | '$vigil' eval --rules '$data/small.vgl' --events -"
contains eval_stdin out '{"event":1,"decision":"review"'
check eval_explain 0 "$vigil" eval --rules "$data/small.vgl" --events "$data/events.jsonl" --explain
contains eval_explain out '"explain":{"format":"vigil.explain/2","mode":"all","pii":"masked","event":{"id":"e1","id_field":"id","time":null}'
contains eval_explain out '"rulesets":[{"name":"cli.small","version":"2.1.0","sources_digest":"'
contains eval_explain out '"condition":{"kind":"op","op":">","value":true,"children":[{"kind":"field","field":"amount","value":"20.50"},{"kind":"const","value":"10.00"}]}'
check eval_broken_rules 2 "$vigil" eval --rules "$data/broken.vgl" --events "$data/events.jsonl"
check eval_missing_events 1 "$vigil" eval --rules "$data/small.vgl" --events "$data/nope.jsonl"
contains eval_missing_events err "cannot open"
check eval_bad_on_error 2 "$vigil" eval --rules "$data/small.vgl" --events "$data/events.jsonl" --on-error maybe
check eval_no_events 2 "$vigil" eval --rules "$data/small.vgl"

check example_pack 0 "$vigil" eval --rules "$repo/rules/examples/card_rules.vgl" --events "$repo/examples/events.jsonl"
contains example_pack out '"event":"t0007","decision":"report","score":100'
contains example_pack err "15 events evaluated, 1 skipped"

# vigil test: inline tests and fixtures, state per test, exit codes, JUnit.
check test_pass 0 "$vigil" test "$data/testpack"
contains test_pass out "PASS  three payments in an hour are a burst"
contains test_pass out "PASS  $data/testpack/stream.jsonl"
contains test_pass out "1 rule no test fired: cli.testpack/never"
check test_last_line 0 bash -c "'$vigil' test '$data/testpack' | tail -1 | grep -qx '3 passed, 0 failed'"
check test_coverage 1 "$vigil" test "$data/testpack" --require-coverage
contains test_coverage err "--require-coverage: 1 rule never fired"
check test_junit 0 "$vigil" test "$data/testpack" --junit "$tmp/junit.xml"
check test_junit_parses 0 python3 -c "import sys, xml.dom.minidom as m; d = m.parse(sys.argv[1]); s = d.getElementsByTagName('testsuite')[0]; assert s.getAttribute('tests') == '3' and s.getAttribute('failures') == '0'" "$tmp/junit.xml"
check test_failing 1 "$vigil" test "$data/testpack/pack.vgl" "$data/broken_fixture.jsonl" --junit "$tmp/fail.xml"
contains test_failing out "broken_fixture.jsonl:1: event x1: expected fires big: fired [], decision allow, score 0"
contains test_failing out "broken_fixture.jsonl:2: bad event: field 'amount'"
contains test_failing out "unknown rule 'bigg'"
contains test_failing out 'unknown expectation "colour"'
contains test_failing out "2 passed, 1 failed"
check test_failing_junit 0 python3 -c "import sys, xml.dom.minidom as m; d = m.parse(sys.argv[1]); f = d.getElementsByTagName('failure'); assert len(f) == 4, len(f); assert 'expected fires big' in f[0].getAttribute('message')" "$tmp/fail.xml"
check test_broken_rules 2 "$vigil" test "$data/broken.vgl"
check test_no_rules 2 "$vigil" test
check test_bad_flag 2 "$vigil" test --frob "$data/testpack"
check test_example_pack 0 "$vigil" test "$repo/rules/examples" --require-coverage

head -2 "$data/testpack/stream.jsonl" > "$tmp/first.jsonl"
tail -1 "$data/testpack/stream.jsonl" > "$tmp/second.jsonl"

# vigil explain: a tree per rule, values of sub-expressions, history for aggregates.
check explain_tree 0 "$vigil" explain --rules "$data/testpack/pack.vgl" --event '{"ts":"2026-01-01T00:00:00Z","card":"a","amount":150}'
contains explain_tree out "decision review, score 10"
contains explain_tree out "FIRED   cli.testpack/big"
contains explain_tree out "true    amount > 100.00"
contains explain_tree out "reads: amount = 150"
contains explain_tree out "not     cli.testpack/burst"
contains explain_tree out "count(by: card, within: 1h) = 1"
check explain_history 0 "$vigil" explain --rules "$data/testpack/pack.vgl" --history "$tmp/first.jsonl" --event @"$tmp/second.jsonl" --fired
contains explain_history out "FIRED   cli.testpack/burst"
contains explain_history out "count(by: card, within: 1h) = 3"
check explain_json 0 "$vigil" explain --rules "$data/testpack/pack.vgl" --event '{"amount":1}' --json
contains explain_json out '"format":"vigil.explain/2"'
check explain_bad_event 1 "$vigil" explain --rules "$data/testpack/pack.vgl" --event '{"amount":"x"}'
contains explain_bad_event err "field 'amount'"
check explain_no_event 2 "$vigil" explain --rules "$data/testpack/pack.vgl"

# vigil fmt: --check shows a diff and changes nothing; fmt rewrites; broken files are left alone.
cp "$repo/tests/golden/fmt/messy.vgl" "$tmp/messy.vgl"
check fmt_check_dirty 1 "$vigil" fmt --check "$tmp/messy.vgl"
contains fmt_check_dirty out "+++ $tmp/messy.vgl (formatted)"
contains fmt_check_dirty out "+  severity medium"
contains fmt_check_dirty err "1 of 1 file needs formatting"
check fmt_unchanged_by_check 0 cmp "$tmp/messy.vgl" "$repo/tests/golden/fmt/messy.vgl"
check fmt_write 0 "$vigil" fmt "$tmp/messy.vgl"
check fmt_result 0 cmp "$tmp/messy.vgl" "$repo/tests/golden/fmt/messy.expected.vgl"
check fmt_check_clean 0 "$vigil" fmt --check "$tmp/messy.vgl"
printf 'rule r { when amount > then score 1 }\n' > "$tmp/syntax.vgl"
cp "$tmp/syntax.vgl" "$tmp/syntax.orig"
check fmt_syntax_error 1 "$vigil" fmt "$tmp/syntax.vgl"
contains fmt_syntax_error err "has syntax errors; not formatted"
check fmt_syntax_untouched 0 cmp "$tmp/syntax.vgl" "$tmp/syntax.orig"
check fmt_repo_formatted 0 "$vigil" fmt --check "$repo/rules/examples/card_rules.vgl" "$repo/rules/examples/card_txn.vgl"
check fmt_no_files 2 "$vigil" fmt

# vigil check -Werror
check werror_clean 0 "$vigil" check -Werror "$repo/rules/examples/card_rules.vgl"
printf 'ruleset w.t version "1.0.0"\nschema s version 1 { a: int }\nuses schema s\nconst UNUSED = 1\nrule r {\n  title "t"\n  severity low\n  when a > 1\n  then score 1\n}\n' > "$tmp/warn.vgl"
check warn_ok 0 "$vigil" check "$tmp/warn.vgl"
contains warn_ok err "warning[W5001]: const 'UNUSED' is never used"
check warn_werror 1 "$vigil" check -Werror "$tmp/warn.vgl"
contains warn_werror err "1 warning (-Werror)"

# Aggregates' state across runs: two halves with --state equal one run.
check state_whole 0 "$vigil" eval --rules "$data/testpack/pack.vgl" --events "$data/testpack/stream.jsonl"
cp "$tmp/out" "$tmp/whole"
head -2 "$data/testpack/stream.jsonl" > "$tmp/first.jsonl"
tail -1 "$data/testpack/stream.jsonl" > "$tmp/second.jsonl"
check state_first 0 "$vigil" eval --rules "$data/testpack/pack.vgl" --events "$tmp/first.jsonl" --state "$tmp/s.snap"
cp "$tmp/out" "$tmp/joined"
check state_second 0 "$vigil" eval --rules "$data/testpack/pack.vgl" --events "$tmp/second.jsonl" --state "$tmp/s.snap"
sed 's/"event":1,/"event":3,/' "$tmp/out" >> "$tmp/joined"
check state_equal 0 cmp "$tmp/whole" "$tmp/joined"
printf 'garbage' > "$tmp/bad.snap"
check state_corrupt 1 "$vigil" eval --rules "$data/testpack/pack.vgl" --events "$tmp/second.jsonl" --state "$tmp/bad.snap"
contains state_corrupt err "cannot load the state: $tmp/bad.snap: not a vigil state snapshot"
# The first two events again, under other ids: late. Under their own ids they
# are the same events delivered again: duplicates (docs/language.md).
sed 's/"id":"s/"id":"again-s/' "$tmp/first.jsonl" > "$tmp/again.jsonl"
check state_late 0 "$vigil" eval --rules "$data/testpack/pack.vgl" --events "$tmp/again.jsonl" --state "$tmp/s.snap" --lateness 0s
contains state_late out '"late":true'
contains state_late err "2 late (not recorded in the aggregates' state)"
check state_duplicate 0 "$vigil" eval --rules "$data/testpack/pack.vgl" --events "$tmp/first.jsonl" --state "$tmp/s.snap" --lateness 0s
contains state_duplicate out '{"event":"s1","decision":"allow","score":0,"fired":[],"shadow":[],"tags":[],"duplicate":true}'
check state_bad_lateness 2 "$vigil" eval --rules "$data/testpack/pack.vgl" --events "$tmp/first.jsonl" --lateness soon

# Hashed watchlists: card numbers written with spaces and dashes in the plain
# list match the same numbers typed plainly (and vice versa) in events.
printf '# flagged\n4111 1111 1111 1111\n5500-0000-0000-0004\n' > "$tmp/cards.txt"
check list_hash 0 "$vigil" list hash --normalize digits "$tmp/cards.txt" -o "$tmp/cards.sha256"
check list_hash_content 0 grep -qx 9bbef19476623ca56c17da75fd57734dbf82530686043a6e491c6d71befe8f6e "$tmp/cards.sha256"
check list_hash_stdout 0 "$vigil" list hash --normalize digits "$tmp/cards.txt"
contains list_hash_stdout out "dd1ed74bd626c6fa86bdffd25029a46c9d585e0429cc9f00a8c94e90f837d993"
printf 'x\n  \nabc\n' > "$tmp/nodigits.txt"
check list_hash_empty_value 1 "$vigil" list hash --normalize digits "$tmp/nodigits.txt"
contains list_hash_empty_value err "nodigits.txt:1: \"x\" is empty after normalisation 'digits'"
check list_hash_bad_norm 2 "$vigil" list hash --normalize soundex "$tmp/cards.txt"
contains list_hash_bad_norm err 'unknown normalisation "soundex"'
# Expiries travel with their entries into the hashed list.
printf '4111 1111 1111 1111 @expires 2099-12-31\n' > "$tmp/expiring.txt"
check list_hash_expiry 0 "$vigil" list hash --normalize digits "$tmp/expiring.txt"
contains list_hash_expiry out "9bbef19476623ca56c17da75fd57734dbf82530686043a6e491c6d71befe8f6e @expires 2099-12-31"
printf '4111 @expires someday\n' > "$tmp/badexpiry.txt"
check list_hash_bad_expiry 1 "$vigil" list hash --normalize digits "$tmp/badexpiry.txt"
contains list_hash_bad_expiry err "badexpiry.txt:1: 'someday' is not an expiry date"
cat > "$tmp/hashed.vgl" <<'VGL'
ruleset t.hashed version "1.0.0"
schema s version 1 {
  txn_id: string @key
  pan: string @pii
}
uses schema s
list FLAGGED: hashed(normalize: "digits") set from "cards.sha256"
rule flagged_card {
  title "card on the shared watchlist"
  severity high
  when pan in FLAGGED
  then score 100
}
VGL
printf '{"txn_id":"a","pan":"4111111111111111"}\n{"txn_id":"b","pan":"4111111111111112"}\n{"txn_id":"c","pan":"5500 0000 0000 0004"}\n' > "$tmp/pans.jsonl"
check hashed_eval 0 "$vigil" eval --rules "$tmp/hashed.vgl" --events "$tmp/pans.jsonl"
cp "$tmp/out" "$tmp/hashed.out"
check hashed_eval_a 0 grep -q '"event":"a".*flagged_card' "$tmp/hashed.out"
check hashed_eval_b 1 grep -q '"event":"b".*flagged_card' "$tmp/hashed.out"
check hashed_eval_c 0 grep -q '"event":"c".*flagged_card' "$tmp/hashed.out"
printf 'coalition-secret\n' > "$tmp/key"
check list_hash_keyed 0 "$vigil" list hash --normalize digits --key "$tmp/key" "$tmp/cards.txt" -o "$tmp/keyed.sha256"
sed 's/hashed(normalize: "digits") set from "cards.sha256"/hashed(normalize: "digits", key: "coalition") set from "keyed.sha256"/' "$tmp/hashed.vgl" > "$tmp/keyed.vgl"
check keyed_without_key 1 "$vigil" check "$tmp/keyed.vgl"
contains keyed_without_key err "list 'FLAGGED' is keyed with HMAC key \"coalition\", which the host has not supplied"
check keyed_eval 0 env VIGIL_HMAC_KEYS="coalition=$tmp/key" "$vigil" eval --rules "$tmp/keyed.vgl" --events "$tmp/pans.jsonl"
cp "$tmp/out" "$tmp/keyed.out"
check keyed_eval_a 0 grep -q '"event":"a".*flagged_card' "$tmp/keyed.out"
check keyed_eval_b 1 grep -q '"event":"b".*flagged_card' "$tmp/keyed.out"
printf 'other-key\n' > "$tmp/wrongkey"
check keyed_wrong_key 0 env VIGIL_HMAC_KEYS="coalition=$tmp/wrongkey" "$vigil" eval --rules "$tmp/keyed.vgl" --events "$tmp/pans.jsonl"
cp "$tmp/out" "$tmp/wrong.out"
check keyed_wrong_key_no_match 1 grep -q 'flagged_card' "$tmp/wrong.out"
printf 'not-a-digest\n' > "$tmp/cards.sha256"
check hashed_bad_entry 1 "$vigil" check "$tmp/hashed.vgl"
contains hashed_bad_entry err "cards.sha256:1:1: error[E3009]: 'not-a-digest' is not a SHA-256 digest (64 hex digits) (hashed list 'FLAGGED')"

# Rule packs: deterministic build, signatures, tampering, policy, self-test.
check pack_build 0 "$vigil" pack build "$repo/rules/coalition" -o "$tmp/c.vgp"
contains pack_build out "built $tmp/c.vgp: coalition.cse 2.0.0"
check pack_build_again 0 "$vigil" pack build "$repo/rules/coalition" -o "$tmp/c2.vgp"
check pack_deterministic 0 cmp "$tmp/c.vgp" "$tmp/c2.vgp"
check pack_test 0 "$vigil" test "$tmp/c.vgp" --require-coverage
contains pack_test out "98 passed, 0 failed"
"$vigil" pack keygen "$tmp/alice" 2>/dev/null; "$vigil" pack keygen "$tmp/mallory" 2>/dev/null
check pack_key_mode 0 test "$(stat -c %a "$tmp/alice.key")" = 600
check pack_sign 0 "$vigil" pack sign "$tmp/c.vgp" --key "$tmp/alice.key" -o "$tmp/signed.vgp"
check pack_verify 0 "$vigil" pack verify "$tmp/signed.vgp" --trust "$tmp/alice.pub" --selftest
contains pack_verify out "1 valid signature(s)"
contains pack_verify out "self-test: 98 passed, 0 failed"
check pack_verify_wrong_key 1 "$vigil" pack verify "$tmp/signed.vgp" --trust "$tmp/mallory.pub"
contains pack_verify_wrong_key err "refused: the pack is not signed by any key the host trusts"
check pack_verify_unsigned 1 "$vigil" pack verify "$tmp/c.vgp" --require-signed
check pack_verify_revoked 1 "$vigil" pack verify "$tmp/signed.vgp" --trust "$tmp/alice.pub" --revoked "$tmp/alice.pub"
contains pack_verify_revoked err "which is revoked"
check pack_verify_rollback 1 "$vigil" pack verify "$tmp/signed.vgp" --min-version 2.0.1
contains pack_verify_rollback err "rollback refused"
python3 - "$tmp/signed.vgp" "$tmp/tampered.vgp" <<'PY'
import sys
data = bytearray(open(sys.argv[1], "rb").read())
data[data.index(b"score 40")] ^= 1  # one byte of the rules
open(sys.argv[2], "wb").write(data)
PY
check pack_tampered 1 "$vigil" pack verify "$tmp/tampered.vgp" --trust "$tmp/alice.pub"
contains pack_tampered err "does not match its SHA-256"
check pack_eval_trusted 0 env VIGIL_TRUSTED_KEYS="$tmp/alice.pub" "$vigil" check "$tmp/signed.vgp"
check pack_eval_tampered 1 env VIGIL_TRUSTED_KEYS="$tmp/alice.pub" "$vigil" check "$tmp/tampered.vgp"
contains pack_eval_tampered err "error[E2017]: pack"
check pack_eval_unsigned 1 env VIGIL_TRUSTED_KEYS="$tmp/alice.pub" "$vigil" check "$tmp/c.vgp"
check pack_info 0 "$vigil" pack info "$tmp/signed.vgp"
contains pack_info out "needs schema payment version 1"
contains pack_info out "needs field amount: decimal"
# Markings: a RED list never travels; an AMBER list does not go in a GREEN pack.
mkdir -p "$tmp/mk/lists"
printf 'ruleset t.mk version "1.0.0"\nschema s version 1 {\n  c: string\n}\nuses schema s\nlist L: set<string> from "lists/l.txt"\nrule r { when c in L then score 1 }\n' > "$tmp/mk/r.vgl"
printf 'x\n' > "$tmp/mk/lists/l.txt"
printf '{"name": "t.mk", "version": "1.0.0", "marking": "GREEN", "files": ["r.vgl"], "lists": [{"path": "lists/l.txt", "marking": "RED"}]}' > "$tmp/mk/pack.json"
check pack_red_list 1 "$vigil" pack build "$tmp/mk" -o "$tmp/mk.vgp"
contains pack_red_list err 'list "lists/l.txt" is TLP:RED'
sed -i 's/"RED"/"AMBER"/' "$tmp/mk/pack.json"
check pack_amber_in_green 1 "$vigil" pack build "$tmp/mk" -o "$tmp/mk.vgp"
contains pack_amber_in_green err "is TLP:AMBER but the pack is TLP:GREEN"
sed -i 's/"lists": \[.*\]/"lists": []/' "$tmp/mk/pack.json"
check pack_undeclared_list 1 "$vigil" pack build "$tmp/mk" -o "$tmp/mk.vgp"
contains pack_undeclared_list err "cannot read list file"
# A pack's fixtures travel with it and run in the self-test.
mkdir -p "$tmp/mk/fixtures"
printf '{"c":"x","expect":{"fires":["r"]}}\n{"c":"y","expect":{"not_fires":["r"]}}\n' > "$tmp/mk/fixtures/a.jsonl"
sed -i 's/"lists": \[\]/"lists": [{"path": "lists\/l.txt", "marking": "GREEN"}], "fixtures": ["fixtures\/a.jsonl"]/' "$tmp/mk/pack.json"
check pack_with_fixture 0 "$vigil" pack build "$tmp/mk" -o "$tmp/mk.vgp"
contains pack_with_fixture out "1 tests passed"
check pack_fixture_selftest 0 "$vigil" pack verify "$tmp/mk.vgp" --selftest
contains pack_fixture_selftest out "self-test: 1 passed, 0 failed"
printf '{"c":"y","expect":{"fires":["r"]}}\n' > "$tmp/mk/fixtures/a.jsonl"
check pack_failing_fixture 1 "$vigil" pack build "$tmp/mk" -o "$tmp/mk2.vgp"
contains pack_failing_fixture err "1 of the pack's tests fail: not built"
check pack_failing_not_written 1 test -e "$tmp/mk2.vgp"
# A failed rebuild leaves the pack that was there before.
cp "$tmp/mk.vgp" "$tmp/mk_before.vgp"
check pack_failed_rebuild 1 "$vigil" pack build "$tmp/mk" -o "$tmp/mk.vgp"
check pack_failed_rebuild_kept 0 cmp "$tmp/mk.vgp" "$tmp/mk_before.vgp"
# Building is not loading: a trust policy in the environment does not stop it.
printf '{"c":"x","expect":{"fires":["r"]}}\n' > "$tmp/mk/fixtures/a.jsonl"
check pack_build_with_trust_env 0 env VIGIL_TRUSTED_KEYS="$tmp/alice.pub" "$vigil" pack build "$tmp/mk" -o "$tmp/mk3.vgp"
check pack_min_version_invalid 1 env VIGIL_MIN_PACK_VERSION=latest "$vigil" check "$tmp/mk3.vgp"
contains pack_min_version_invalid err 'VIGIL_MIN_PACK_VERSION: "latest" is not a version'
cp "$tmp/mk/pack.json" "$tmp/mk/pack.json.good"
sed -i 's/"marking": "GREEN", "files"/"markings": "GREEN", "files"/' "$tmp/mk/pack.json"
check pack_unknown_field 1 "$vigil" pack build "$tmp/mk" -o "$tmp/mk4.vgp"
contains pack_unknown_field err 'pack.json: unknown field "markings"'
cp "$tmp/mk/pack.json.good" "$tmp/mk/pack.json"
check pack_garbage 1 "$vigil" check "$data/small.vgl" "$tmp/cards.txt.vgp"
printf 'vigil-pack 1\nfile ../../etc/passwd 3\nabc\n' > "$tmp/evil.vgp"
check pack_evil_path 1 "$vigil" check "$tmp/evil.vgp"
contains pack_evil_path err 'invalid path "../../etc/passwd"'

# Backtests: an override lowers a threshold; vigil diff shows what changes.
printf '# a member tunes the shared pack\noverride examples.card_cse {\n  set CORRIDOR_MAX = 120.00\n}\n' > "$tmp/member.vgl"
check diff_same 0 "$vigil" diff "$repo/rules/examples/card_rules.vgl" "$repo/rules/examples/card_rules.vgl" --events "$repo/examples/events.jsonl"
contains diff_same out "15 events: decisions changed on 0, firings changed on 0 (1 lines skipped)"
contains diff_same err "events.jsonl:15: field 'amount'"
check diff_override 1 "$vigil" diff "$repo/rules/examples/card_rules.vgl" "$repo/rules/examples/card_rules.vgl" --new-with "$tmp/member.vgl" --events "$repo/examples/events.jsonl"
contains diff_override out "examples.card_cse/small_payment_to_hr_corridor: 4 -> 3, no longer fired 1 (e.g. t0014)"
check diff_json 1 "$vigil" diff "$repo/rules/examples" "$repo/rules/examples/card_rules.vgl" --old-with "$tmp/member.vgl" --events "$repo/examples/events.jsonl" --json
cp "$tmp/out" "$tmp/diff.json"
check diff_json_valid 0 python3 -c "import json,sys; d=json.load(open(sys.argv[1])); r=d['rules'][0]; assert r['newly_fired']==1 and r['newly_fired_examples']==['t0014'], d" "$tmp/diff.json"
check diff_no_events 2 "$vigil" diff "$repo/rules/examples/card_rules.vgl" "$repo/rules/examples/card_rules.vgl"
check diff_broken 2 "$vigil" diff "$data/broken.vgl" "$repo/rules/examples/card_rules.vgl" --events "$repo/examples/events.jsonl"
# An override naming a rule the pack does not have names both files.
printf 'override examples.card_cse {\n  disable rule no_such_rule\n}\n' > "$tmp/bad_override.vgl"
check override_missing_rule 1 "$vigil" check "$repo/rules/examples/card_rules.vgl" "$tmp/bad_override.vgl"
contains override_missing_rule err "bad_override.vgl:2:16: error[E2011]: rule set 'examples.card_cse' has no rule 'no_such_rule'"
contains override_missing_rule err "= help: rule set 'examples.card_cse' 1.0.0 is declared at $repo/rules/examples/card_rules.vgl:5:1"
printf 'override examples.card_cse version "2.0.0" {\n  set CORRIDOR_MAX = 120.00\n}\n' > "$tmp/old_override.vgl"
check override_incompatible 1 "$vigil" check "$repo/rules/examples/card_rules.vgl" "$tmp/old_override.vgl"
contains override_incompatible err "old_override.vgl:1:36: error[E2018]: override is written for rule set 'examples.card_cse' version 2.0.0, but the loaded version 1.0.0 is not compatible with it"
contains override_incompatible err "card_rules.vgl:5:1"
sed -i 's/"2.0.0"/"1.0.0"/' "$tmp/old_override.vgl"
check override_compatible 0 "$vigil" check "$repo/rules/examples/card_rules.vgl" "$tmp/old_override.vgl"

# External lists: supplied at run time (--list), unknown until then.
cat > "$tmp/ext.vgl" <<'VGL'
ruleset t.ext version "1.0.0"
schema s version 1 {
  txn_id: string @key
  merchant: string
}
uses schema s
list WATCH: set<string> external
rule watched { when merchant in WATCH then score 1 }
rule not_watched { when merchant not in WATCH then score 1 }
VGL
printf '{"txn_id":"1","merchant":"m1"}\n{"txn_id":"2","merchant":"m2"}\n' > "$tmp/ext.jsonl"
printf '# flagged merchants\nm1\n' > "$tmp/watch.txt"
check ext_unsupplied 0 "$vigil" eval --rules "$tmp/ext.vgl" --events "$tmp/ext.jsonl"
check ext_unsupplied_nothing 1 grep -q watched "$tmp/out"
check ext_supplied 0 "$vigil" eval --rules "$tmp/ext.vgl" --events "$tmp/ext.jsonl" --list WATCH="$tmp/watch.txt"
cp "$tmp/out" "$tmp/ext.out"
check ext_supplied_hit 0 grep -q '"event":"1".*t.ext/watched' "$tmp/ext.out"
check ext_supplied_miss 0 grep -q '"event":"2".*t.ext/not_watched' "$tmp/ext.out"
printf 'test "watched merchant" {\n  event { txn_id: "1", merchant: "m1" }\n  expect fires watched\n}\n' >> "$tmp/ext.vgl"
check ext_test_with_list 0 "$vigil" test "$tmp/ext.vgl" --list WATCH="$tmp/watch.txt"
contains ext_test_with_list out "1 passed, 0 failed"
check ext_test_without_list 1 "$vigil" test "$tmp/ext.vgl"
sed 's/version "1.0.0"/version "1.1.0"/; s/when merchant in WATCH then score 1/when merchant in WATCH then score 1 decide review/' "$tmp/ext.vgl" > "$tmp/ext2.vgl"
check ext_diff 1 "$vigil" diff "$tmp/ext.vgl" "$tmp/ext2.vgl" --events "$tmp/ext.jsonl" --list WATCH="$tmp/watch.txt"
contains ext_diff out "allow -> review: 1 events (e.g. 1)"
check ext_diff_unknown 2 "$vigil" diff "$tmp/ext.vgl" "$tmp/ext2.vgl" --events "$tmp/ext.jsonl" --list NOPE="$tmp/watch.txt"
printf 'm1 @expires 2020-01-01\nm2\n' > "$tmp/watch_expired.txt"
check ext_expired 0 "$vigil" eval --rules "$tmp/ext.vgl" --events "$tmp/ext.jsonl" --list WATCH="$tmp/watch_expired.txt"
contains ext_expired err "list 'WATCH': 1 expired entry of"
cp "$tmp/out" "$tmp/ext_expired.out"
check ext_expired_no_match 0 grep -q '"event":"1".*t.ext/not_watched' "$tmp/ext_expired.out"
check ext_expired_match 0 grep -q '"event":"2".*t.ext/watched' "$tmp/ext_expired.out"
printf 'm1 @expires never\n' > "$tmp/watch_bad.txt"
check ext_bad_expiry 2 "$vigil" eval --rules "$tmp/ext.vgl" --events "$tmp/ext.jsonl" --list WATCH="$tmp/watch_bad.txt"
contains ext_bad_expiry err "watch_bad.txt:1: 'never' is not an expiry date"
check ext_unknown_list 2 "$vigil" eval --rules "$tmp/ext.vgl" --events "$tmp/ext.jsonl" --list NOPE="$tmp/watch.txt"
contains ext_unknown_list err "the rules have no external list 'NOPE'"

# Compatibility at load: the host declares the schema its events follow.
sed -n '/^schema payment/,/^}/p' "$repo/rules/coalition/schema.vgl" > "$tmp/host_ok.vgl"
check host_schema_ok 0 env VIGIL_HOST_SCHEMA="$tmp/host_ok.vgl" "$vigil" check "$tmp/c.vgp"
grep -v 'merchant_country' "$tmp/host_ok.vgl" > "$tmp/host_missing.vgl"
check host_schema_missing_field 1 env VIGIL_HOST_SCHEMA="$tmp/host_missing.vgl" "$vigil" check "$tmp/c.vgp"
contains host_schema_missing_field err "error[E2019]: the rules need field 'merchant_country: string', which the host's schema 'payment' does not have"
sed 's/^\(  amount *: *\)decimal/\1float/' "$tmp/host_ok.vgl" > "$tmp/host_type.vgl"
check host_schema_wrong_type 1 env VIGIL_HOST_SCHEMA="$tmp/host_type.vgl" "$vigil" check "$tmp/c.vgp"
contains host_schema_wrong_type err "the rules need field 'amount' as decimal, but the host provides float"
sed 's/^schema payment version 1/schema payment version 0/' "$tmp/host_ok.vgl" > "$tmp/host_old.vgl"
check host_schema_old 1 env VIGIL_HOST_SCHEMA="$tmp/host_old.vgl" "$vigil" check "$tmp/c.vgp"
contains host_schema_old err "the rules need schema 'payment' version 1, but the host provides version 0"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
