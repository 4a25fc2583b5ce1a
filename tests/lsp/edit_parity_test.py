"""Diagnostics stay those of `vigil check` while a large file is edited: the
server re-parses only the declarations an edit touched (syntax/parse_cache.hpp),
so each step here is an incremental textDocument/didChange, and after each the
published diagnostics of that version are compared with `vigil check` of the
same text: edits inside a declaration, edits that split one declaration in two
or join two into one, that add and remove syntax errors, and non-ASCII text
before the errors (UTF-16 columns).

usage: edit_parity_test.py VIGIL REPO
"""
import json
import os
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from lsp_client import Client, uri  # noqa: E402
from check_parity_test import expected  # noqa: E402


def generate(n):
    lines = ['ruleset edit.parity version "1.0.0"',
             "schema txn version 1 {", "  ts: time @time", "  card_id: string @key", "  amount: decimal",
             "  country: string", "  mcc: int", "}", "uses schema txn",
             'const RISKY = {"PH", "TH"}', "param LIMIT: decimal = 100.00",
             'let abroad = country != "US" and amount < LIMIT', "# données: é, ü, 漢字 before the rules", ""]
    for i in range(n):
        lines += ["rule r%04d {" % i,
                  '  title "règle %d"' % i,
                  "  when amount > %d.00 and mcc == %d and (country in RISKY or abroad)" % (i % 50, 5000 + i),
                  "  then score %d" % (1 + i % 9),
                  "}"]
    lines += ['test "first rule" {', '  event { amount: 60.00, mcc: 5000, country: "PH" } expect fires r0000', "}", ""]
    return "\n".join(lines)


def position(text, offset):
    before = text[:offset]
    line = before.count("\n")
    col = len(before[before.rfind("\n") + 1:].encode("utf-16-le")) // 2
    return {"line": line, "character": col}


class Editor:
    def __init__(self, client, root, rel, text):
        self.client, self.root, self.rel, self.text = client, root, rel, text
        self.path = os.path.join(root, rel)
        self.version = 1
        self.failures = 0
        self.steps = 0

    def edit(self, old, new, nth=0):
        """Replaces the nth occurrence of `old` by `new`, as one ranged change."""
        at = -1
        for _ in range(nth + 1):
            at = self.text.index(old, at + 1)
        change = {"range": {"start": position(self.text, at), "end": position(self.text, at + len(old))},
                  "text": new}
        self.text = self.text[:at] + new + self.text[at + len(old):]
        self.version += 1
        self.client.notify("textDocument/didChange", {
            "textDocument": {"uri": uri(self.path), "version": self.version}, "contentChanges": [change]})

    def burst(self, edits):
        """Several edits sent in one write (as fast typing does): the server
        checks only the last version, and publishes nothing for the others."""
        first = self.version + 1
        data = b""
        for old, new in edits:
            at = self.text.index(old)
            change = {"range": {"start": position(self.text, at), "end": position(self.text, at + len(old))},
                      "text": new}
            self.text = self.text[:at] + new + self.text[at + len(old):]
            self.version += 1
            body = json.dumps({"jsonrpc": "2.0", "method": "textDocument/didChange", "params": {
                "textDocument": {"uri": uri(self.path), "version": self.version},
                "contentChanges": [change]}}).encode()
            data += b"Content-Length: %d\r\n\r\n" % len(body) + body
        assert len(data) < 4096, "one atomic pipe write"
        self.client.send_raw(data)
        return range(first, self.version)

    def no_diagnostics_for(self, versions, what):
        u = uri(self.path)
        stale = [m["params"].get("version") for m in self.client.notifications
                 if m.get("method") == "textDocument/publishDiagnostics" and m["params"]["uri"] == u and
                 m["params"].get("version") in versions]
        if stale:
            print("FAIL %s: diagnostics were published for the older versions %s" % (what, stale))
            self.failures += 1
        else:
            print("PASS %s: none published for versions %s" % (what, list(versions)))

    def compare(self, what, files=None, want_errors=None):
        """Waits for this version's diagnostics; compares them with vigil check."""
        u = uri(self.path)
        msg = self.client.wait_notification(
            "textDocument/publishDiagnostics",
            lambda m: m["params"]["uri"] == u and m["params"].get("version") == self.version, timeout=120)
        got = [((d["range"]["start"]["line"], d["range"]["start"]["character"]), d["code"], d["message"],
                d.get("data", {}).get("help", "")) for d in msg["params"]["diagnostics"]]
        with open(self.path, "w", encoding="utf-8") as f:
            f.write(self.text)
        want, raw = expected(self.client_vigil, self.root, files or [self.rel], self.rel)
        want = want.get(self.rel, [])
        self.steps += 1
        ok = got == want
        if ok and want_errors is not None:
            errors = [d for d in got if d[1].startswith("E")]
            ok = (len(errors) > 0) == want_errors
            if not ok:
                print("FAIL %s: expected %s errors, got %s" % (what, "some" if want_errors else "no", got))
        if got != want:
            print("FAIL %s:\n  vigil check: %s\n  vigil lsp:   %s\n%s" % (what, want, got, raw))
        if not ok:
            self.failures += 1
        else:
            print("PASS %s: %d diagnostic%s" % (what, len(got), "" if len(got) == 1 else "s"))


def main():
    vigil, repo = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    root = os.path.realpath(tempfile.mkdtemp())
    failures = 0
    try:
        rel = "big.vgl"
        text = generate(400)
        with open(os.path.join(root, rel), "w", encoding="utf-8") as f:
            f.write(text)
        client = Client(vigil, root)
        try:
            client.initialize(root)
            client.open(os.path.join(root, rel), text)
            e = Editor(client, root, rel, text)
            e.client_vigil = vigil
            client.wait_notification("textDocument/publishDiagnostics", timeout=120)
            e.edit("# données", "# données")  # an empty edit: a version to wait for
            e.compare("opened", want_errors=False)
            e.edit("before the rules", "before the rules, typed")
            e.compare("typing in a comment", want_errors=False)
            e.edit("amount > 7.00", "amount > 7.00 and amount < 1.00")
            e.compare("a contradiction inside one rule (lint)")
            e.edit("mcc == 5100", "mcc == mmc")
            e.compare("an unknown name after non-ASCII text", want_errors=True)
            e.edit("mcc == mmc", "mcc == 5100")
            e.compare("the name fixed", want_errors=False)
            # Split r0200 in two: a `}` and a new rule's head typed in its middle.
            e.edit('  title "règle 200"\n', '  title "règle 200"\n  when abroad\n  then score 1\n}\nrule r0200b {\n')
            e.compare("one declaration split in two", want_errors=False)
            # Join r0300 and r0301: two `when` clauses in one rule.
            e.edit("}\nrule r0301 {\n", "")
            e.compare("two declarations joined into one", want_errors=True)
            e.edit('  title "règle 301"', '}\nrule r0301 {\n  title "règle 301"')
            e.compare("split again", want_errors=False)
            # Syntax errors: a missing operand, then a rule left open.
            e.edit("amount > 12.00 and", "amount > and")
            e.compare("a syntax error (missing operand)", want_errors=True)
            e.edit("amount > and", "amount > 12.00 and")
            e.compare("the syntax error removed", want_errors=False)
            e.edit("  then score 5\n}\nrule r0095", "  then score 5\nrule r0095")
            e.compare("a rule left open", want_errors=True)
            e.edit("rule r0095", "}\nrule r0095")
            e.compare("closed again", want_errors=False)
            e.edit("rule r0350 {", "rule r0350 { é", nth=0)
            e.compare("an unexpected name after non-ASCII text", want_errors=True)
            e.edit("rule r0350 { é", "rule r0350 {")
            e.compare("back to clean", want_errors=False)
            e.edit('let abroad', 'let abroad2 = 1\nlet abroad')
            e.compare("a declaration added before the rules", want_errors=False)
            skipped = e.burst([("before the rules, typed", "before the rules, typed f"),
                               ("amount > 20.00", "amount > 20.0"),
                               ("amount > 20.0 ", "amount > 20. "),
                               ("amount > 20. ", "amount > 2 "),
                               ("mcc == 5100", "mcc == 51000")])
            e.compare("five edits at once", want_errors=False)
            e.no_diagnostics_for(skipped, "five edits at once: stale versions skipped")
            e.edit("expect fires r0000", "expect fires r0001")
            e.compare("an inline test that now fails")
            failures += e.failures
            client.close()
        finally:
            if client.proc.poll() is None:
                client.proc.kill()

        # The coalition pack (three files, a pack.json): errors added and removed in rules.vgl.
        shutil.copytree(os.path.join(repo, "rules", "coalition"), os.path.join(root, "coalition"))
        rel = "coalition/rules.vgl"
        files = ["coalition/schema.vgl", "coalition/rules.vgl", "coalition/tests.vgl"]
        with open(os.path.join(root, rel), encoding="utf-8") as f:
            text = f.read()
        client = Client(vigil, root)
        try:
            client.initialize(root)
            client.open(os.path.join(root, rel), text)
            client.wait_notification("textDocument/publishDiagnostics", timeout=120)
            e = Editor(client, root, rel, text)
            e.client_vigil = vigil
            e.edit("rule ", "rule ")
            e.compare("coalition opened", files, want_errors=False)
            e.edit("\nrule ", "\nrule {", nth=3)
            e.compare("coalition: a syntax error", files, want_errors=True)
            e.edit("\nrule {", "\nrule ")
            e.compare("coalition: fixed", files, want_errors=False)
            failures += e.failures
            client.close()
        finally:
            if client.proc.poll() is None:
                client.proc.kill()
        print("%d step%s failed" % (failures, "" if failures == 1 else "s"))
        return 1 if failures else 0
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
