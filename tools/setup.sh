#!/usr/bin/env bash
# Installs every Debian 12 package vigil needs to build, test and benchmark.
# Run as root on a fresh machine; safe to run again.
set -euo pipefail
packages=(
  build-essential cmake ninja-build pkg-config python3 git
  antlr4 libantlr4-runtime-dev default-jre-headless
  libfmt-dev libboost-dev libsimdjson-dev libre2-dev libsodium-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  tzdata abigail-tools clang libclang-rt-14-dev
  lld  # links the clang ASan tree (tools/asan_configure.sh)
  default-jdk-headless libjna-java
  redis-server libhiredis-dev
  nlohmann-json3-dev neovim
  python3-jsonschema
  libxml2-dev libxml2-utils time
  chromium  # renders vigil impact --html headless in tests/cli/impact_html_test.py
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update
  apt-get install -y --no-install-recommends "${missing[@]}"
fi

# Node.js runs the VS Code extension's tests and packaging (editors/vscode).
# The machine's Node 20 is used when present (@vscode/vsce 3.9.2 needs it);
# otherwise Debian's.
if ! command -v npm >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update
  apt-get install -y --no-install-recommends nodejs npm
fi
# The extension's npm packages, exactly as package-lock.json pins them;
# installed again only when the lock file changed.
root=$(cd "$(dirname "$0")/.." && pwd)
ext=$root/editors/vscode
if [ -f "$ext/package-lock.json" ] &&
   { [ ! -f "$ext/node_modules/.package-lock.json" ] ||
     [ "$ext/package-lock.json" -nt "$ext/node_modules/.package-lock.json" ]; }; then
  (cd "$ext" && npm ci --no-audit --no-fund --loglevel=error)
fi
