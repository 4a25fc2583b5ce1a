#!/usr/bin/env bash
# The shared library exports exactly the functions listed in
# plugin-api/abi/exports.txt, and every one of them is declared in vigil.h.
set -euo pipefail
lib=$1 expected=$2 header=$3
actual=$(nm -D --defined-only "$lib" | awk '$2 != "A" {print $3}' | sed 's/@.*//' | sort)
if ! diff <(echo "$actual") "$expected"; then
  echo "FAIL: exported symbols differ from $expected (< library, > list)"
  exit 1
fi
while read -r sym; do
  grep -q "VIGIL_API .*\b$sym(" "$header" || { echo "FAIL: $sym is not declared in vigil.h"; exit 1; }
done < "$expected"
echo "$(wc -l < "$expected") exported symbols match"
