#!/usr/bin/env bash
# Runs the headless Neovim client test (nvim_test.lua) on a scratch copy of
# tests/lsp/data.   usage: nvim_test.sh VIGIL REPO
set -euo pipefail
vigil=$(realpath "$1") repo=$(cd "$2" && pwd)
command -v nvim >/dev/null || { echo "nvim is not installed (tools/setup.sh installs neovim)" >&2; exit 1; }
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
cp -r "$repo/tests/lsp/data/." "$scratch/"
cp "$repo/tests/golden/diagnostics/three_mistakes.vgl" "$scratch/"
export VIGIL=$vigil DATA=$scratch HOME=$scratch XDG_STATE_HOME=$scratch XDG_DATA_HOME=$scratch XDG_CONFIG_HOME=$scratch
cd "$scratch"
timeout 120 nvim --headless --clean -c "luafile $repo/tests/lsp/nvim_test.lua" -c "cquit! 3"
