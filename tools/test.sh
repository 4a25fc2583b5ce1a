#!/usr/bin/env bash
# Installs what is needed, builds vigil with its tests, and runs them all.
#   tools/test.sh             optimised build in build-test/ (no benchmarks), the
#                             ABI check and the unity check (tools/unity_check.sh)
#   tools/test.sh --sanitize  clang AddressSanitizer + UBSan build in build-asan/
#                             (tools/asan_configure.sh; the fuzz targets share it)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bash "$root/tools/setup.sh"
if [ "${1:-}" = "--sanitize" ]; then
  export VIGIL_BUILD_DIR=$root/build-asan
  export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
  bash "$root/tools/asan_configure.sh"
  cmake --build "$VIGIL_BUILD_DIR" -j "$(nproc 2>/dev/null || echo 2)"
else
  export VIGIL_BUILD_DIR=$root/build-test VIGIL_BUILD_TYPE=Release
  # No test runs the benchmarks (bench/run.sh builds them in build/): this
  # tree, compiled from nothing in CI, leaves them out.
  bash "$root/tools/build.sh" -DVIGIL_BUILD_BENCH=OFF
fi
if [ "${1:-}" != "--sanitize" ]; then
  bash "$root/tools/abi_check.sh" "$VIGIL_BUILD_DIR/libvigil.so"
  # Every unity target as one translation unit: a name clash between two
  # files is found now, not when a later file puts them in one batch.
  bash "$root/tools/unity_check.sh"
fi
cd "$VIGIL_BUILD_DIR"
ctest --output-on-failure -j "$(nproc 2>/dev/null || echo 2)"
