#!/usr/bin/env bash
# Configures build-asan/: clang with AddressSanitizer and UBSan, the test
# suites and the libFuzzer targets in one tree. `tools/test.sh --sanitize`
# builds and runs every test in it and `tools/fuzz.sh` builds only the fuzz
# targets in it, so CI compiles the sanitized code once for both (a second
# sanitized tree cost about ten minutes of a CI run on 2 cores).
# -O1 with assertions on: fast enough to fuzz and to run the suite, and
# every assert is still checked. Debug information is line tables only
# (-gline-tables-only): the sanitizers' stack traces keep every frame's
# file:line, inlined frames too; what a debugger needs besides (types,
# variables) cost about 8% of the tree's compile time and made its links
# slower. lld links (Debian's lld): about a quarter of the CPU time of the
# default linker for the tree's twenty-odd executables that link vigil_core.
# Extra arguments go to CMake.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cmake -S "$root" -B "$root/build-asan" -G Ninja \
  -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=Debug \
  -DCMAKE_C_FLAGS_DEBUG="-gline-tables-only -O1" -DCMAKE_CXX_FLAGS_DEBUG="-gline-tables-only -O1" \
  -DCMAKE_EXE_LINKER_FLAGS=-fuse-ld=lld -DCMAKE_SHARED_LINKER_FLAGS=-fuse-ld=lld \
  -DVIGIL_SANITIZE=ON -DVIGIL_FUZZ=ON -DVIGIL_BUILD_BENCH=OFF "$@" >/dev/null
