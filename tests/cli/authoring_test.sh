#!/usr/bin/env bash
# What a rule author meets first (issue 13, "Parser"): the tests of a rule
# set kept in a sibling file, and a tests file checked alone.
# Usage: authoring_test.sh VIGIL
set -u
vigil=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 1
pass=0 fail=0

check() {  # check NAME EXPECTED_STATUS COMMAND...
  local name=$1 want=$2
  shift 2
  "$@" >"$tmp/out" 2>"$tmp/err" </dev/null
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

absent() {  # absent NAME FILE TEXT
  if grep -qF -- "$3" "$tmp/$2"; then
    fail=$((fail + 1))
    echo "FAIL $1: $2 contains: $3"
  else
    pass=$((pass + 1))
  fi
}

mkdir pk
cat >pk/rules.vgl <<'VGL'
ruleset t version "1.0.0"
schema s version 1 {
  amount: decimal
}
uses schema s
rule big {
  title "big"
  severity high
  when amount > 10.00
  then score 10
}
VGL
cat >pk/tests.vgl <<'VGL'
test "big fires" {
  event { amount: 50.00 }
  expect fires big
}
VGL

# Tests in a sibling file: not "0 passed, 0 failed" and success.
check tests_in_a_sibling 1 "$vigil" test pk/rules.vgl
contains tests_in_a_sibling err "vigil test: no tests in the files given, but \"pk/tests.vgl\" beside them holds tests: give it too, or the directory (vigil test pk)"
absent tests_in_a_sibling out "0 passed, 0 failed"
# The two ways the message suggests both run the test.
check both_files 0 "$vigil" test pk/rules.vgl pk/tests.vgl
contains both_files out "1 passed, 0 failed"
check the_directory 0 "$vigil" test pk
contains the_directory out "1 passed, 0 failed"
# No tests anywhere.
mkdir alone
cp pk/rules.vgl alone/
check no_tests_at_all 1 "$vigil" test alone/rules.vgl
contains no_tests_at_all err "vigil test: no tests in the files given"

# A tests file checked alone: one error that says why, not one per field.
check tests_file_alone 1 "$vigil" check pk/tests.vgl
contains tests_file_alone err "pk/tests.vgl:2:11: error[E2001]: unknown field 'amount' in test event: no schema is in use"
contains tests_file_alone err "add 'uses schema NAME', or check this file together with the rule files"

# Parser messages as printed.
printf 'ruleset t version "1.0.0"\nschema s version 1 {\n  n: int\n}\nuses schema s\nrule r { when n > 1 score 1 }\n' >then.vgl
check missing_then 1 "$vigil" check then.vgl
contains missing_then err "then.vgl:6:21: error[E1003]: expected 'then' before 'score'"
printf 'ruleset t version "1.0.0"\nschema s version 1 {\n  n: int\n}\nuses schema s\nrule r {\n  when (n > 1 and n < 5\n  then score 1\n}\n' >paren.vgl
check unclosed_paren 1 "$vigil" check paren.vgl
contains unclosed_paren err "paren.vgl:7:8: error[E1003]: this '(' is not closed: expected ')' before 'then' (line 8)"
printf 'ruleset t version "1.0.0"\nschema s version 1 {\n  n: int\n}\nuses schema s\nrule r {\n  title "r"\n  when n > 1\n}\n' >nothen.vgl
check rule_without_then 1 "$vigil" check nothen.vgl
contains rule_without_then err "nothen.vgl:6:6: error[E1003]: rule 'r' has no 'then' clause"

echo "authoring: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
