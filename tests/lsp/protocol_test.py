"""Bad input over the real pipe: `vigil lsp` answers broken frames, bad JSON,
invalid UTF-8, unknown methods and oversized messages with JSON-RPC errors,
turns huge or invalid UTF-8 rule files into diagnostics, honours
cancellation, and exits with the codes the protocol gives. It never
crashes or hangs (every wait has a timeout).

usage: protocol_test.py VIGIL REPO
"""
import json
import os
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from lsp_client import Client, uri  # noqa: E402

RESULTS = []


def case(fn):
    RESULTS.append(fn)
    return fn


def frame(body):
    if isinstance(body, str):
        body = body.encode()
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


def started(vigil, root):
    c = Client(vigil, root)
    c.initialize(root)
    return c


def next_message(c, timeout=20):
    m = c._read_one(timeout)
    assert m is not None, "no message from the server"
    return m


def hover_ok(c, root):
    """The server still answers after whatever came before."""
    r = c.request("textDocument/hover", {"textDocument": {"uri": uri(os.path.join(root, "nope.vgl"))},
                                         "position": {"line": 0, "character": 0}})
    assert r["error"]["code"] == -32602, r


@case
def broken_headers_are_parse_errors(vigil, root):
    c = started(vigil, root)
    c.send_raw(b"Content-Length: twelve\r\n\r\n")
    m = next_message(c)
    assert m["id"] is None and m["error"]["code"] == -32700, m
    assert m["error"]["message"] == "Content-Length 'twelve' is not a number", m
    c.send_raw(b"Content-Type: x\r\n\r\n")
    m = next_message(c)
    assert m["error"]["message"] == "message header has no Content-Length", m
    hover_ok(c, root)
    assert c.close() == 0


@case
def bad_json_and_bad_utf8_are_parse_errors(vigil, root):
    c = started(vigil, root)
    for body in [b"{not json", b'{"jsonrpc":"2.0","method":"textDocument/didOpen","params":{"textDocument":'
                 b'{"uri":"file:///x.vgl","text":"\xff\xfe"}}}', b'{"a":"\\ud800"}']:
        c.send_raw(frame(body))
        m = next_message(c)
        assert m["id"] is None and m["error"]["code"] == -32700, (body, m)
        assert m["error"]["message"] == "message is not valid JSON (or not UTF-8)", m
    hover_ok(c, root)
    assert c.close() == 0


@case
def malformed_messages_are_invalid_requests(vigil, root):
    c = started(vigil, root)
    expectations = [
        ("[1, 2]", None, "a message must be a JSON object"),
        ('{"id": 7, "method": "shutdown"}', 7, '"jsonrpc" must be "2.0"'),
        ('{"jsonrpc": "2.0", "id": 8}', 8, 'a message needs a "method"'),
        ('{"jsonrpc": "2.0", "id": 9, "method": 5}', 9, '"method" must be a string'),
        ('{"jsonrpc": "2.0", "id": {"x": 1}, "method": "shutdown"}', None,
         '"id" must be a string or an integer'),
        ('{"jsonrpc": "2.0", "id": 10, "method": "textDocument/hover", "params": 3}', 10,
         '"params" must be an object or an array'),
        ("[" * 100 + "]" * 100, None, "message nests deeper than 64 levels"),
    ]
    for body, rid, message in expectations:
        c.send_raw(frame(body))
        m = next_message(c)
        assert m.get("id") == rid and m["error"]["message"] == message, (body, m)
        assert m["error"]["code"] in (-32600, -32602), m
    hover_ok(c, root)
    assert c.close() == 0


@case
def unknown_methods(vigil, root):
    c = started(vigil, root)
    r = c.request("vigil/nothing", {})
    assert r["error"] == {"code": -32601, "message": "unknown method 'vigil/nothing'"}, r
    # An unknown notification gets no answer: the next message is the reply.
    c.notify("vigil/somethingElse", {})
    c.notify("$/setTrace", {"value": "off"})
    hover_ok(c, root)
    # A notification about a document that is not open is logged, not fatal.
    c.notify("textDocument/didChange", {"textDocument": {"uri": "file:///nope.vgl", "version": 2},
                                       "contentChanges": [{"text": "x"}]})
    m = c.wait_notification("window/logMessage")
    assert "is not open" in m["params"]["message"], m
    assert c.close() == 0


@case
def one_byte_at_a_time(vigil, root):
    c = Client(vigil, root)
    body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "initialize",
                       "params": {"rootUri": uri(root), "capabilities": {}}}).encode()
    for b in frame(body):
        c.send_raw(bytes([b]))
    assert "capabilities" in c.wait_response(1)["result"]
    assert c.close() == 0


@case
def cancellation(vigil, root):
    c = started(vigil, root)
    path = os.path.join(root, "multi", "main.vgl")
    c.open(path)
    req = {"jsonrpc": "2.0", "id": 50, "method": "textDocument/hover",
           "params": {"textDocument": {"uri": uri(path)}, "position": {"line": 9, "character": 8}}}
    cancel = {"jsonrpc": "2.0", "method": "$/cancelRequest", "params": {"id": 50}}
    c.send_raw(frame(json.dumps(req)) + frame(json.dumps(cancel)))
    r = c.wait_response(50)
    assert r["error"] == {"code": -32800, "message": "request cancelled"}, r
    # A cancellation of a request already answered changes nothing.
    r = c.request("textDocument/hover", req["params"])
    assert r["result"] is not None, r
    c.notify("$/cancelRequest", {"id": 2})
    hover_ok(c, root)
    assert c.close() == 0


@case
def oversized_message_is_skipped(vigil, root):
    c = started(vigil, root)
    size = 70 * 1024 * 1024
    c.send_raw(b"Content-Length: %d\r\n\r\n" % size)
    chunk = b"x" * (1 << 20)
    for _ in range(size // len(chunk)):
        c.send_raw(chunk)
    m = next_message(c, 60)
    assert m["error"]["code"] == -32700 and "larger than the limit" in m["error"]["message"], m
    hover_ok(c, root)
    assert c.close() == 0


@case
def huge_document_is_a_diagnostic(vigil, root):
    c = started(vigil, root)
    path = os.path.join(root, "huge.vgl")
    text = "# " + "x" * (9 * 1024 * 1024) + "\n"
    c.open(path, text)
    diags = c.diagnostics(path, 60)
    assert len(diags) == 1 and diags[0]["code"] == "E4001", diags
    assert diags[0]["message"].startswith('cannot read "huge.vgl": file is too large'), diags
    assert c.close() == 0


@case
def invalid_utf8_file_is_a_diagnostic(vigil, root):
    c = started(vigil, root)
    with open(os.path.join(root, "latin1.vgl"), "wb") as f:
        f.write(b"# caf\xe9\nconst A = 1\n")
    path = os.path.join(root, "imports_latin1.vgl")
    c.open(path, 'import "latin1.vgl"\n')
    diags = c.diagnostics(os.path.join(root, "latin1.vgl"))
    assert len(diags) == 1 and diags[0]["code"] == "E1008", diags
    assert diags[0]["message"] == "invalid UTF-8 (byte 0xE9); rule files must be UTF-8", diags
    assert c.close() == 0


@case
def files_changed_on_disk(vigil, root):
    """An imported file edited outside the editor: after
    workspace/didChangeWatchedFiles the open file's compilation is checked again."""
    c = started(vigil, root)
    main = os.path.join(root, "multi", "main.vgl")
    shared = os.path.join(root, "multi", "shared.vgl")
    c.open(main)
    assert c.diagnostics(main) == []
    with open(shared, "a", encoding="utf-8") as f:
        f.write("let broken = amount > \"x\"\n")
    c.notify("workspace/didChangeWatchedFiles", {"changes": [{"uri": uri(shared), "type": 2}]})
    c.request("textDocument/hover", {"textDocument": {"uri": uri(main)},
                                     "position": {"line": 0, "character": 0}})
    diags = c.diagnostics(shared)
    assert [d["code"] for d in diags] == ["E3001"], diags
    assert c.close() == 0


@case
def names_survive_syntax_errors(vigil, root):
    """While a file does not parse, completion still offers its own names and
    those of the files it imported when it last parsed."""
    c = started(vigil, root)
    main = os.path.join(root, "multi", "main.vgl")
    with open(main, encoding="utf-8") as f:
        text = f.read()
    c.open(main, text)
    assert c.diagnostics(main) == []
    line = text.split("\n").index("  then score 5")
    c.notify("textDocument/didChange", {"textDocument": {"uri": uri(main), "version": 2}, "contentChanges": [
        {"range": {"start": {"line": line, "character": 2}, "end": {"line": line, "character": 6}}, "text": ""}]})
    diags = c.diagnostics(main)
    assert [d["code"] for d in diags] == ["E1003"], diags
    r = c.request("textDocument/completion", {"textDocument": {"uri": uri(main)},
                                              "position": {"line": line, "character": 2}})
    labels = {i["label"] for i in r["result"]["items"]}
    for want in ("WATCH", "small_amount", "SMALL", "amount", "card_id"):
        assert want in labels, (want, sorted(labels))
    r = c.request("textDocument/definition", {"textDocument": {"uri": uri(main)},
                                              "position": {"line": line - 1, "character": 62}})
    assert r["result"]["uri"] == uri(main), r
    r = c.request("textDocument/rename", {"textDocument": {"uri": uri(main)},
                                          "position": {"line": line - 1, "character": 62}, "newName": "X"})
    assert r["error"]["code"] == -32803, r
    assert c.close() == 0


@case
def exit_codes(vigil, root):
    c = Client(vigil, root)
    c.initialize(root)
    c.notify("exit", None)
    assert c.proc.wait(20) == 1, "exit without shutdown"
    c = Client(vigil, root)
    c.initialize(root)
    c.proc.stdin.close()
    assert c.proc.wait(20) == 1, "end of input without shutdown"
    c = Client(vigil, root)
    c.initialize(root)
    c.request("shutdown", None)
    c.notify("exit", None)
    assert c.proc.wait(20) == 0, "shutdown then exit"
    c = Client(vigil, root)
    c.send_raw(frame('{"jsonrpc":"2.0","id":1,"method":"textDocument/hover","params":{}}'))
    m = next_message(c)
    assert m["error"]["code"] == -32002, m
    c.notify("exit", None)
    assert c.proc.wait(20) == 1


def main():
    vigil, repo = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    passed = failed = 0
    for fn in RESULTS:
        root = os.path.realpath(tempfile.mkdtemp())
        shutil.copytree(os.path.join(repo, "tests", "lsp", "data"), root, dirs_exist_ok=True)
        try:
            fn(vigil, root)
            passed += 1
            print("PASS", fn.__name__)
        except Exception as e:  # noqa: BLE001 - report every failure and go on
            failed += 1
            print("FAIL", fn.__name__, repr(e))
        finally:
            shutil.rmtree(root, ignore_errors=True)
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
