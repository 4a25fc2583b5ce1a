#!/usr/bin/env bash
# Compares the built libvigil.so with the committed ABI baseline
# (plugin-api/abi/libvigil-x86_64.abi, produced by abidw). An incompatible
# change fails; a compatible one (added functions) is reported and passes —
# the exported-symbol test already requires exports.txt to list them.
#   tools/abi_check.sh LIBRARY            check
#   tools/abi_check.sh LIBRARY --update   rewrite the baseline (with an ABI version bump
#                                         or a new version node in vigil.map: docs/abi-policy.md)
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
lib=$1
baseline=$root/plugin-api/abi/libvigil-x86_64.abi
# The comparison is over the ELF interface (exported functions and their
# symbol versions): the C struct layouts are pinned separately by
# tests/abi/header_c99.c, and the library's DWARF would describe every
# internal C++ type too. So debug info is stripped from a copy first.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
objcopy --strip-debug "$lib" "$tmp/libvigil.so"
if [ "${2:-}" = "--update" ]; then
  abidw --no-corpus-path --no-comp-dir-path "$tmp/libvigil.so" > "$baseline"
  echo "wrote $baseline"
  exit 0
fi
abidiff "$baseline" "$tmp/libvigil.so" > /tmp/vigil-abidiff.txt
status=$?
# abidiff's status is a bitmask: 1 error, 2 usage, 4 ABI change, 8 incompatible change.
if [ $((status & 3)) -ne 0 ]; then
  cat /tmp/vigil-abidiff.txt
  echo "abidiff could not compare (status $status)"
  exit 1
fi
if [ $((status & 8)) -ne 0 ]; then
  cat /tmp/vigil-abidiff.txt
  echo "FAIL: incompatible ABI change against $baseline; see docs/abi-policy.md"
  exit 1
fi
if [ $((status & 4)) -ne 0 ]; then
  cat /tmp/vigil-abidiff.txt
  echo "compatible ABI change (additions); refresh the baseline in the release commit"
fi
echo "ABI compatible with the baseline"
