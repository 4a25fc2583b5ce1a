#!/usr/bin/env bash
# tools/tsan.sh runs StateConcurrency.* and HotReload.* from
# vigil_concurrency_tests only (the TSan tree does not build the other unit
# tests): such a test anywhere else would never run under ThreadSanitizer.
#   tsan_tests_check.sh VIGIL_UNIT_TESTS VIGIL_CONCURRENCY_TESTS
set -euo pipefail
filter='StateConcurrency.*:HotReload.*:StreamConcurrency.*'
# --gtest_list_tests prints suites unindented and tests indented by two spaces.
count() { "$1" --gtest_list_tests --gtest_filter="$filter" | grep -c '^  ' || true; }
elsewhere=$(count "$1")
here=$(count "$2")
if [ "$elsewhere" -ne 0 ]; then
  echo "vigil_unit_tests holds $elsewhere test(s) of '$filter' that tools/tsan.sh does not run:" >&2
  "$1" --gtest_list_tests --gtest_filter="$filter" >&2
  echo "expected them in tests/unit/state/concurrency_test.cpp, snapshot_test.cpp or tests/unit/stream/eval_stream_test.cpp (vigil_concurrency_tests)" >&2
  exit 1
fi
if [ "$here" -eq 0 ]; then
  echo "vigil_concurrency_tests holds no test of '$filter': tools/tsan.sh would run nothing" >&2
  exit 1
fi
echo "$here test(s) of '$filter' in vigil_concurrency_tests, none elsewhere"
