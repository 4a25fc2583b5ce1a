"""Seeds for fuzz_lsp: each golden case of tests/lsp/golden as one stream of
framed messages (initialize, didOpen with the file's text, its requests).
usage: lsp_seeds.py REPO OUTDIR"""
import json
import os
import sys

repo, out = sys.argv[1], sys.argv[2]
data = os.path.join(repo, "tests", "lsp", "data")
root = "/nonexistent-vigil-fuzz"


def expand(v):
    if isinstance(v, str) and v.startswith("$URI:"):
        return "file://" + root + "/" + v[5:]
    if isinstance(v, list):
        return [expand(x) for x in v]
    if isinstance(v, dict):
        if "find" in v:
            return {"line": 3, "character": 4}
        return {k: expand(x) for k, x in v.items()}
    return v


def frame(msg):
    body = json.dumps(msg).encode()
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


golden = os.path.join(repo, "tests", "lsp", "golden")
for n, name in enumerate(sorted(os.listdir(golden))):
    spec = json.load(open(os.path.join(golden, name)))
    stream = frame({"jsonrpc": "2.0", "id": 0, "method": "initialize",
                    "params": {"rootUri": "file://" + root, "capabilities": {}}})
    for path in spec.get("open", []):
        full = os.path.join(data, path)
        text = open(full, encoding="utf-8").read() if os.path.exists(full) else "rule r {}"
        stream += frame({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": {
            "uri": "file://" + root + "/" + path, "languageId": "vigil", "version": 1, "text": text}}})
    for i, step in enumerate(spec["steps"]):
        if "request" in step:
            stream += frame({"jsonrpc": "2.0", "id": i + 1, "method": step["request"],
                             "params": expand(step.get("params"))})
        elif "notify" in step:
            stream += frame({"jsonrpc": "2.0", "method": step["notify"], "params": expand(step.get("params"))})
    stream += frame({"jsonrpc": "2.0", "id": 99, "method": "shutdown"})
    # First byte: pieces of 64 bytes.
    with open(os.path.join(out, "seed-%02d" % n), "wb") as f:
        f.write(b"\x3f" + stream)
