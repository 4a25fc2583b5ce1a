#!/usr/bin/env bash
# Configures and builds vigil into build/ (or $VIGIL_BUILD_DIR).
# Extra arguments are passed to CMake's configure step.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${VIGIL_BUILD_DIR:-$root/build}
jobs=$(nproc 2>/dev/null || echo 2)
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=${VIGIL_BUILD_TYPE:-Release} "$@" >/dev/null
cmake --build "$build" -j "$jobs"
