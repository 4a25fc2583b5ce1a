"""Golden request/response cases for every method of `vigil lsp`.

Each case in tests/lsp/golden/*.json is a list of steps run against a fresh
server started in a scratch copy of tests/lsp/data (its workspace root):

  {"description": "...",
   "initialize": false,                  # optional: the case sends initialize itself
   "open": ["multi/main.vgl"],           # didOpen with the file's text
   "steps": [
     {"request": "textDocument/hover", "params": {...}, "response": {...}},
     {"notify": "textDocument/didChange", "params": {...}},
     {"diagnostics": "unicode.vgl", "expect": [...]}]}

In params, "$URI:path" is the URI of a data file, and a position may be
written {"find": "text", "nth": 1, "plus": 0}: the UTF-16 position of the
nth occurrence of text in the request's document, plus a number of UTF-16
units. Responses hold "result" or "error"; URIs in them are written back as
"$URI:path". `golden_test.py VIGIL REPO --update` rewrites the expected
responses from what the server answers (review the diff before committing).
"""
import json
import os
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from lsp_client import Client, uri  # noqa: E402


def utf16_position(text, offset):
    before = text[:offset]
    line = before.count("\n")
    col_text = before[before.rfind("\n") + 1:]
    return {"line": line, "character": len(col_text.encode("utf-16-le")) // 2}


class Case:
    def __init__(self, path, root, vigil):
        self.path = path
        with open(path, encoding="utf-8") as f:
            self.spec = json.load(f)
        self.root = root
        self.vigil = vigil
        self.root_uri = uri(root)

    def expand(self, value, doc_text=None):
        if isinstance(value, str) and value.startswith("$URI:"):
            return uri(os.path.join(self.root, value[5:]))
        if isinstance(value, list):
            return [self.expand(v, doc_text) for v in value]
        if isinstance(value, dict):
            if "find" in value and doc_text is not None:
                at = -1
                for _ in range(value.get("nth", 1)):
                    at = doc_text.find(value["find"], at + 1)
                    assert at >= 0, "%s: %r not found" % (self.path, value["find"])
                pos = utf16_position(doc_text, at)
                pos["character"] += value.get("plus", 0)
                return pos
            return {k: self.expand(v, doc_text) for k, v in value.items()}
        return value

    def collapse(self, value):
        if isinstance(value, str):
            return value.replace(self.root_uri + "/", "$URI:")
        if isinstance(value, list):
            return [self.collapse(v) for v in value]
        if isinstance(value, dict):
            return {self.collapse(k): self.collapse(v) for k, v in value.items()}
        return value

    def text_of(self, params):
        td = params.get("textDocument", {}) if isinstance(params, dict) else {}
        u = td.get("uri", "")
        if isinstance(u, str) and u.startswith("$URI:") and os.path.isfile(os.path.join(self.root, u[5:])):
            with open(os.path.join(self.root, u[5:]), encoding="utf-8") as f:
                return f.read()
        return None

    def run(self, update):
        spec = self.spec
        client = Client(self.vigil, self.root)
        failures = []
        try:
            if spec.get("initialize", True):
                client.initialize(self.root)
            for path in spec.get("open", []):
                client.open(os.path.join(self.root, path))
            for i, step in enumerate(spec["steps"]):
                where = "%s step %d" % (os.path.basename(self.path), i + 1)
                if "request" in step:
                    params = self.expand(step.get("params"), self.text_of(step.get("params")))
                    reply = client.request(step["request"], params)
                    got = {k: reply[k] for k in ("result", "error") if k in reply}
                    key = "response"
                elif "notify" in step:
                    params = self.expand(step.get("params"), self.text_of(step.get("params")))
                    client.notify(step["notify"], params)
                    continue
                elif "diagnostics" in step:
                    got = client.diagnostics(os.path.join(self.root, step["diagnostics"]))
                    key = "expect"
                elif "message" in step:
                    got = client.wait_notification(step["message"])["params"]
                    key = "expect"
                else:
                    raise ValueError("%s: unknown step %r" % (where, step))
                got = self.collapse(got)
                if update:
                    step[key] = got
                elif got != step.get(key):
                    failures.append("%s (%s): expected\n  %s\ngot\n  %s" % (
                        where, step.get("request") or step.get("diagnostics") or step.get("message"),
                        json.dumps(step.get(key), ensure_ascii=False),
                        json.dumps(got, ensure_ascii=False)))
            if spec.get("initialize", True):
                code = client.close()
                if code != 0:
                    failures.append("%s: exit code %d after shutdown and exit" % (self.path, code))
        finally:
            if client.proc.poll() is None:
                client.proc.kill()
                client.proc.wait()
        if update:
            with open(self.path, "w", encoding="utf-8") as f:
                json.dump(spec, f, indent=1, ensure_ascii=False)
                f.write("\n")
        return failures


def main():
    vigil, repo = os.path.abspath(sys.argv[1]), sys.argv[2]
    update = "--update" in sys.argv[3:]
    only = [a for a in sys.argv[3:] if not a.startswith("--")]
    golden = os.path.join(repo, "tests", "lsp", "golden")
    cases = sorted(f for f in os.listdir(golden) if f.endswith(".json"))
    if only:
        cases = [c for c in cases if any(o in c for o in only)]
    failed = 0
    passed = 0
    for name in cases:
        scratch = tempfile.mkdtemp()
        try:
            shutil.copytree(os.path.join(repo, "tests", "lsp", "data"), scratch, dirs_exist_ok=True)
            shutil.copy(os.path.join(repo, "tests", "golden", "diagnostics", "three_mistakes.vgl"), scratch)
            problems = Case(os.path.join(golden, name), os.path.realpath(scratch), vigil).run(update)
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
        if problems:
            failed += 1
            print("FAIL %s" % name)
            for p in problems:
                print("  " + p)
        else:
            passed += 1
            print("PASS %s" % name)
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
