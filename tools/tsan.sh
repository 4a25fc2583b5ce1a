#!/usr/bin/env bash
# Builds the library and the multi-threaded host and tests with
# ThreadSanitizer (in build-tsan/) and runs the concurrency tests:
# evaluation on several threads while another hot-reloads the rule set,
# several threads updating one aggregates' state, and `vigil eval --threads N`
# (chunks read and formatted on every thread, aggregates evaluated in order).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bash "$root/tools/setup.sh"
build=$root/build-tsan
# -g1: line tables only (ThreadSanitizer's reports keep every frame's
# file:line); full debug information cost a quarter of this tree's compile time.
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DVIGIL_TSAN=ON \
  -DCMAKE_C_FLAGS_RELWITHDEBINFO="-O2 -g1 -DNDEBUG" -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O2 -g1 -DNDEBUG" \
  -DVIGIL_BUILD_BENCH=OFF >/dev/null
# Only what is run below: the unit tests of threads and hot reloads are their
# own executable (vigil_concurrency_tests), not the whole of vigil_unit_tests.
cmake --build "$build" -j "$(nproc 2>/dev/null || echo 2)" --target vigil vigil_cpp_host vigil_capi_tests vigil_promise_tests vigil_concurrency_tests
export TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1"
"$build/examples/vigil_cpp_host" "$root/rules/examples/card_rules.vgl" "$root/examples/events.jsonl" 1000
"$build/tests/capi/vigil_capi_tests" --gtest_filter='CApiThreads.*:CApiEval.*'
# vigil.h's promises about threads (tests/capi/promises_test.cpp).
"$build/tests/capi/vigil_promise_tests" \
  --gtest_filter='Promise.*thread*:Promise.set_list_atomic:Promise.shared_state_serial:Promise.snapshot_while_evaluating:Promise.ruleset_errmsg_thread:Promise.state_errmsg_thread'
"$build/tests/vigil_concurrency_tests" --gtest_filter='StateConcurrency.*:HotReload.*:StreamConcurrency.*'
# vigil eval and vigil diff on 1 to 4 threads: the same bytes, and no race.
bash "$root/tests/cli/threads_test.sh" "$build/vigil" "$root/tests/cli/data"
