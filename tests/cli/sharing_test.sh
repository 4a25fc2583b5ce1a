#!/usr/bin/env bash
# Issue 13: what one member's files may do to another's (overrides, decision
# order, trust policy for plain files, confinement of file reads, pack lists,
# versions, keys), and what a new integrator found (explain records once,
# pack build messages, hints). Usage: sharing_test.sh VIGIL DATA_DIR REPO
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
    sed 's/^/  stderr: /' "$tmp/err" | head -8
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
    grep -F -- "$3" "$tmp/$2" | sed 's/^/  | /' | head -5
  else
    pass=$((pass + 1))
  fi
}

# ---- vigil eval --explain records each event exactly once (issue 13 §4):
# with a second recording, s2 would count 4 payments and fire `burst`.
check explain_records_once 0 "$vigil" eval --rules "$data/testpack/pack.vgl" --events "$data/testpack/stream.jsonl" --explain
grep '"event":"s2"' "$tmp/out" > "$tmp/s2"
grep '"event":"s3"' "$tmp/out" > "$tmp/s3"
contains explain_records_once_s2 s2 '"decision":"allow"'
contains explain_records_once_s2_count s2 '{"expr":"count(by: card, within: 1h)","value":"2"}'
contains explain_records_once_s3 s3 '"reason":"3 in 1h"'
contains explain_records_once_s3_count s3 '{"expr":"count(by: card, within: 1h)","value":"3"}'

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
