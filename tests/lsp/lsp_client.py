"""A minimal LSP client over a `vigil lsp` subprocess, for the tests and the
benchmark: framing, requests with ids, notifications, waiting with timeouts."""
import json
import os
import select
import subprocess
import time
import urllib.parse


def uri(path):
    return "file://" + urllib.parse.quote(os.path.abspath(path))


class Client:
    def __init__(self, vigil, cwd, env=None):
        self.proc = subprocess.Popen([vigil, "lsp"], cwd=cwd, stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
        self.buf = b""
        self.next_id = 1
        self.notifications = []
        self.responses = {}

    def send_raw(self, data):
        self.proc.stdin.write(data)
        self.proc.stdin.flush()

    def send(self, msg):
        body = json.dumps(msg).encode()
        self.send_raw(b"Content-Length: %d\r\n\r\n" % len(body) + body)

    def notify(self, method, params):
        self.send({"jsonrpc": "2.0", "method": method, "params": params})

    def request(self, method, params, timeout=30):
        rid = self.next_id
        self.next_id += 1
        self.send({"jsonrpc": "2.0", "id": rid, "method": method, "params": params})
        return self.wait_response(rid, timeout)

    def _read_one(self, timeout):
        deadline = time.monotonic() + timeout
        while True:
            head_end = self.buf.find(b"\r\n\r\n")
            if head_end >= 0:
                length = None
                for line in self.buf[:head_end].split(b"\r\n"):
                    name, _, value = line.partition(b":")
                    if name.strip().lower() == b"content-length":
                        length = int(value.strip())
                assert length is not None, "server sent a header without Content-Length"
                if len(self.buf) >= head_end + 4 + length:
                    body = self.buf[head_end + 4:head_end + 4 + length]
                    self.buf = self.buf[head_end + 4 + length:]
                    msg = json.loads(body)
                    if "id" in msg and "method" not in msg:
                        self.responses[msg["id"]] = msg
                    else:
                        self.notifications.append(msg)
                    return msg
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            ready, _, _ = select.select([self.proc.stdout], [], [], left)
            if not ready:
                return None
            chunk = os.read(self.proc.stdout.fileno(), 1 << 16)
            if not chunk:
                return None
            self.buf += chunk

    def wait_response(self, rid, timeout=30):
        deadline = time.monotonic() + timeout
        while rid not in self.responses:
            if self._read_one(max(0.0, deadline - time.monotonic())) is None:
                raise TimeoutError("no response to request %r" % rid)
        return self.responses.pop(rid)

    def wait_notification(self, method, pred=lambda m: True, timeout=30):
        deadline = time.monotonic() + timeout
        while True:
            for i, m in enumerate(self.notifications):
                if m.get("method") == method and pred(m):
                    return self.notifications.pop(i)
            if self._read_one(max(0.0, deadline - time.monotonic())) is None:
                raise TimeoutError("no %s notification" % method)

    def initialize(self, root, capabilities=None):
        r = self.request("initialize", {"processId": os.getpid(), "rootUri": uri(root),
                                        "capabilities": capabilities or {}})
        self.notify("initialized", {})
        return r

    def open(self, path, text=None, version=1):
        if text is None:
            with open(path, encoding="utf-8") as f:
                text = f.read()
        self.notify("textDocument/didOpen", {"textDocument": {
            "uri": uri(path), "languageId": "vigil", "version": version, "text": text}})

    def diagnostics(self, path, timeout=30):
        u = uri(path)
        return self.wait_notification("textDocument/publishDiagnostics",
                                      lambda m: m["params"]["uri"] == u, timeout)["params"]["diagnostics"]

    def close(self, timeout=10):
        if self.proc.poll() is None:
            try:
                self.request("shutdown", None, timeout)
                self.notify("exit", None)
            except (TimeoutError, BrokenPipeError):
                pass
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise
