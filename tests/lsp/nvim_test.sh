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

# The snippet of docs/editors.md ("### Neovim"), as a user's init.lua, with
# `vigil` on PATH: opening a .vgl file starts the server and shows its
# diagnostics.
/usr/bin/python3 - "$repo/docs/editors.md" "$scratch/init.lua" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
section = text[text.index("### Neovim"):]
block = re.search(r"```lua\n(.*?)```", section, re.S).group(1)
open(sys.argv[2], "w").write(block)
PY
mkdir -p "$scratch/bin"
ln -s "$vigil" "$scratch/bin/vigil"
cat > "$scratch/check_snippet.lua" <<'LUA'
local ok = vim.wait(20000, function() return #vim.diagnostic.get(0) == 3 end, 50)
io.stderr:write(string.format('snippet: %d diagnostics for three_mistakes.vgl\n', #vim.diagnostic.get(0)))
vim.cmd(ok and 'qall!' or 'cquit! 1')
LUA
PATH=$scratch/bin:$PATH timeout 60 nvim --headless -u "$scratch/init.lua" -i NONE \
  -c "edit three_mistakes.vgl" -c "luafile $scratch/check_snippet.lua" -c "cquit! 3"
