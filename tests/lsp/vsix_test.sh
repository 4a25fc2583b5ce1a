#!/usr/bin/env bash
# Packages editors/vscode into a .vsix with the pinned @vscode/vsce (what a
# new user runs: `cd editors/vscode && npm ci && npx vsce package`) and
# checks what the package holds.   usage: vsix_test.sh REPO OUT.vsix
set -euo pipefail
repo=$1 out=$2
ext=$repo/editors/vscode
[ -x "$ext/node_modules/.bin/vsce" ] ||
  { echo "editors/vscode/node_modules is missing: run tools/setup.sh (npm ci)" >&2; exit 1; }
rm -f "$out"
(cd "$ext" && ./node_modules/.bin/vsce package --allow-missing-repository --out "$out") >/dev/null
/usr/bin/python3 - "$out" <<'PY'
import json, sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
names = set(z.namelist())
need = ["extension/package.json", "extension/extension.js", "extension/language-configuration.json",
        "extension/syntaxes/vigil.tmLanguage.json",
        "extension/node_modules/vscode-languageclient/node.js", "[Content_Types].xml",
        "extension.vsixmanifest"]
missing = [n for n in need if n not in names]
assert not missing, "the .vsix lacks %s" % missing
assert not any(n.startswith("extension/test/") for n in names), "tests were packaged"
assert not any("/@vscode/vsce/" in n for n in names), "dev dependencies were packaged"
pkg = json.loads(z.read("extension/package.json"))
assert pkg["contributes"]["languages"][0]["extensions"] == [".vgl"], pkg["contributes"]
json.loads(z.read("extension/syntaxes/vigil.tmLanguage.json"))
print("vsix: %d files, %s" % (len(names), sys.argv[1]))
PY
