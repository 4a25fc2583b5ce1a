# Helpers for the shell tests (sourced): each check counts a pass or prints
# what failed. Needs $tmp; commands write $tmp/out and $tmp/err.
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

absent() {  # absent NAME PATH: the command left no file behind
  if [ ! -e "$2" ] && [ -z "$(ls "$(dirname "$2")" | grep -F .vigil.tmp)" ]; then
    pass=$((pass + 1))
  else
    fail=$((fail + 1))
    echo "FAIL $1: $2 (or a temporary file) exists"
  fi
}

same() {  # same NAME GOT WANT
  if [ "${VIGIL_UPDATE_GOLDEN:-}" = 1 ]; then cp "$2" "$3"; fi
  if cmp -s "$2" "$3"; then
    pass=$((pass + 1))
  else
    fail=$((fail + 1))
    echo "FAIL $1: $2 differs from $3"
    diff "$3" "$2" | head -20
  fi
}

summary() {  # prints the counts; the status is 0 only when nothing failed
  echo "$pass passed, $fail failed"
  [ "$fail" -eq 0 ]
}
