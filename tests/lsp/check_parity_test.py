"""The language server's diagnostics are those of `vigil check`: the same
codes, messages and help, byte for byte, at the same places (vigil check's
columns count code points; the server's count UTF-16 units, converted here
from the file's text), errors in imported files included.

usage: check_parity_test.py VIGIL REPO
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from lsp_client import Client, uri  # noqa: E402

LINE = re.compile(r"^(?:(?P<path>[^\s:][^:]*):(?P<line>\d+):(?P<col>\d+): )?"
                  r"(?P<sev>error|warning|note)\[(?P<code>[EW]\d{4})\]: (?P<msg>.*)$")
HELP = re.compile(r"^\s+(?:\S+\s+)?= help: (?P<help>.*)$")


def check_output(vigil, root, files):
    # The editor shows every warning; vigil check caps what it prints unless asked.
    out = subprocess.run([vigil, "check", "--all-warnings"] + files, cwd=root, capture_output=True,
                         text=True).stderr
    diags = []
    for line in out.splitlines():
        m = LINE.match(line)
        if m:
            diags.append({k: m.group(k) for k in ("path", "line", "col", "sev", "code", "msg")} | {"help": ""})
            continue
        h = HELP.match(line)
        if h and diags:
            diags[-1]["help"] = h.group("help")
    return diags, out


def utf16_col(root, path, line, col):
    with open(os.path.join(root, path), encoding="utf-8") as f:
        text = f.read().split("\n")[line - 1]
    return len(text[:col - 1].encode("utf-16-le")) // 2


def expected(vigil, root, files, primary):
    diags, raw = check_output(vigil, root, files)
    by_path = {}
    for d in diags:
        path = d["path"] or primary
        if d["path"]:
            pos = (int(d["line"]) - 1, utf16_col(root, d["path"], int(d["line"]), int(d["col"])))
        else:
            pos = (0, 0)
        by_path.setdefault(path, []).append((pos, d["code"], d["msg"], d["help"]))
    return by_path, raw


def received(client, root, path):
    got = client.diagnostics(os.path.join(root, path))
    return [((d["range"]["start"]["line"], d["range"]["start"]["character"]), d["code"], d["message"],
             d.get("data", {}).get("help", "")) for d in got]


def main():
    vigil, repo = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    root = os.path.realpath(tempfile.mkdtemp())
    try:
        shutil.copytree(os.path.join(repo, "tests", "golden", "diagnostics"), os.path.join(root, "golden"))
        shutil.copytree(os.path.join(repo, "tests", "lsp", "data"), os.path.join(root, "lsp"))
        shutil.copytree(os.path.join(repo, "rules", "coalition"), os.path.join(root, "coalition"))
        # (files given to vigil check, the file opened in the editor)
        cases = [([p], p) for p in sorted("golden/" + f for f in os.listdir(os.path.join(root, "golden"))
                                          if f.endswith(".vgl"))]
        cases += [(["lsp/unicode.vgl"], "lsp/unicode.vgl"),
                  (["lsp/imports/root.vgl"], "lsp/imports/root.vgl"),
                  (["lsp/import_errors/root.vgl"], "lsp/import_errors/root.vgl"),
                  (["lsp/import_errors/missing_import.vgl"], "lsp/import_errors/missing_import.vgl"),
                  (["coalition/schema.vgl", "coalition/rules.vgl", "coalition/tests.vgl"], "coalition/rules.vgl")]
        # More warnings than vigil check prints by default (50): the server shows all 80.
        with open(os.path.join(root, "lsp", "many_warnings.vgl"), "w", encoding="utf-8") as f:
            f.write('ruleset many version "1.0.0"\nschema s version 1 {\n  n: int\n}\nuses schema s\n' +
                    "".join("rule r%d { when n > %d then score 1 }\n" % (i, i) for i in range(40)))
        cases += [(["lsp/many_warnings.vgl"], "lsp/many_warnings.vgl")]
        # A mistake in the coalition pack, so that it has something to report.
        with open(os.path.join(root, "coalition", "tests.vgl"), "a", encoding="utf-8") as f:
            f.write('\ntest "broken" {\n  event { amout_base: 1 }\n    expect fires r01_small_transfer_hr_corridorr\n}\n')
        failures = 0
        compared = 0
        for files, primary in cases:
            client = Client(vigil, root)
            try:
                client.initialize(root)
                client.open(os.path.join(root, primary))
                want, raw = expected(vigil, root, files, primary)
                paths = set(want) | {primary}
                for path in sorted(paths):
                    got = received(client, root, path)
                    compared += len(got)
                    if got != want.get(path, []):
                        failures += 1
                        print("FAIL %s (%s):\n  vigil check: %s\n  vigil lsp:   %s\n%s" % (
                            path, " ".join(files), want.get(path, []), got, raw))
                    else:
                        print("PASS %s: %d diagnostic%s" % (path, len(got), "" if len(got) == 1 else "s"))
                client.close()
            finally:
                if client.proc.poll() is None:
                    client.proc.kill()
        if compared < 20:
            print("FAIL: only %d diagnostics compared" % compared)
            failures += 1
        print("%d diagnostics compared; %d file%s differ" % (compared, failures, "" if failures == 1 else "s"))
        return 1 if failures else 0
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
