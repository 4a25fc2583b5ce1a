#!/usr/bin/env bash
# Checks that every target VIGIL_UNITY builds compiles as one translation
# unit (tools/unity_check.py), so that two files defining one name in
# anonymous namespaces fail here, by name, before a later file moves them
# into one batch of a cold build. The check needs each file's own compile
# command, which a unity tree does not list: it configures a tree of its own
# without batches (build-unity-check/), generates the ANTLR lexer and parser
# there, and builds nothing else. About a minute of CPU.
#   tools/unity_check.sh [BUILD_DIR]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
dir=${1:-$root/build-unity-check}
cmake -S "$root" -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=Release -DVIGIL_UNITY=OFF -DVIGIL_PCH=OFF \
  -DVIGIL_BUILD_BENCH=OFF >/dev/null
cmake --build "$dir" --target grammar/generated/VigilParser.h >/dev/null
python3 "$root/tools/unity_check.py" "$dir"
