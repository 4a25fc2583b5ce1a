"""Real Redis servers for the tests: standalone, a Redis Cluster of primaries
and replicas, a primary with a replica watched by sentinels.

Every server listens on 127.0.0.1 on ports picked free by the kernel (other
engineers run tests at the same time: never fixed ports), lives in a
temporary directory, and dies with the test: each child asks the kernel to
kill it when the test process goes (PR_SET_PDEATHSIG), and Servers.stop()
runs on every normal, failing or signalled exit.

Also a minimal RESP client (enough for CLUSTER, INFO, SCAN, ZRANGE and
following MOVED), so that checks do not spawn redis-cli for every query.
"""
import atexit
import ctypes
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

_libc = ctypes.CDLL(None, use_errno=True)
_PR_SET_PDEATHSIG = 1


def _die_with_parent():
    _libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RedisError(Exception):
    pass


class Client:
    """One RESP2 connection."""

    def __init__(self, port, timeout=5.0):
        self.port = port
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.buf = b""

    def close(self):
        self.sock.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def call(self, *args):
        out = [b"*%d\r\n" % len(args)]
        for a in args:
            a = a if isinstance(a, bytes) else str(a).encode()
            out.append(b"$%d\r\n%s\r\n" % (len(a), a))
        self.sock.sendall(b"".join(out))
        return self._read()

    def _line(self):
        while b"\r\n" not in self.buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("redis 127.0.0.1:%d closed the connection" % self.port)
            self.buf += chunk
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line

    def _exact(self, n):
        while len(self.buf) < n + 2:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("redis 127.0.0.1:%d closed the connection" % self.port)
            self.buf += chunk
        data, self.buf = self.buf[:n], self.buf[n + 2:]
        return data

    def _read(self):
        line = self._line()
        kind, rest = line[:1], line[1:]
        if kind == b"+":
            return rest.decode()
        if kind == b"-":
            raise RedisError(rest.decode())
        if kind == b":":
            return int(rest)
        if kind == b"$":
            n = int(rest)
            return None if n < 0 else self._exact(n)
        if kind == b"*":
            n = int(rest)
            return None if n < 0 else [self._read() for _ in range(n)]
        raise RedisError("unexpected reply %r" % line)


def call(port, *args, timeout=5.0):
    with Client(port, timeout) as c:
        return c.call(*args)


def info(port, section):
    text = call(port, "INFO", section).decode()
    return dict(l.split(":", 1) for l in text.splitlines() if ":" in l)


def cluster_call(port, *args):
    """A command for one key, following MOVED from whichever node is asked."""
    for _ in range(5):
        try:
            return call(port, *args)
        except RedisError as e:
            parts = str(e).split()
            if parts[0] != "MOVED":
                raise
            port = int(parts[2].rsplit(":", 1)[1])
    raise RedisError("too many redirections for %r" % (args,))


class Servers:
    """The redis-server processes of one test, stopped on every way out."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="vigil-redis-")
        self.procs = {}  # port -> Popen
        atexit.register(self.stop)
        for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            signal.signal(sig, self._on_signal)

    def _on_signal(self, signum, frame):
        self.stop()
        sys.exit(128 + signum)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()

    def stop(self):
        for p in self.procs.values():
            if p.poll() is None:
                p.kill()
        for p in self.procs.values():
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                pass
        self.procs.clear()
        shutil.rmtree(self.dir, ignore_errors=True)

    def kill(self, port):
        """kill -9, as a crash would."""
        p = self.procs.pop(port)
        p.kill()
        p.wait()

    def _spawn(self, port, args):
        log = open(os.path.join(self.dir, "redis-%d.log" % port), "w")
        p = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                             preexec_fn=_die_with_parent, cwd=self.dir)
        log.close()
        deadline = time.time() + 10
        while time.time() < deadline:
            if p.poll() is not None:
                return None  # the port was taken meanwhile: the caller picks another
            try:
                if call(port, "PING", timeout=1) == "PONG":
                    self.procs[port] = p
                    return p
            except (OSError, RedisError):
                time.sleep(0.05)
        p.kill()
        p.wait()
        raise RuntimeError("redis-server on port %d did not come up: see %s" % (port, self.dir))

    def redis(self, extra=(), cluster=False):
        """A redis-server without persistence; returns its port."""
        for _ in range(10):
            port = free_port()
            args = ["redis-server", "--port", str(port), "--bind", "127.0.0.1",
                    "--save", "", "--appendonly", "no", "--dir", self.dir,
                    "--dbfilename", "dump-%d.rdb" % port, "--loglevel", "warning"]
            if cluster:
                args += ["--cluster-enabled", "yes",
                         "--cluster-config-file", "nodes-%d.conf" % port,
                         "--cluster-port", str(free_port()),
                         "--cluster-node-timeout", "1000",
                         # a replica takes over however far behind it is
                         "--cluster-replica-validity-factor", "0"]
            if self._spawn(port, args + list(extra)) is not None:
                return port
        raise RuntimeError("cannot find a free port for redis-server")

    def cluster(self, primaries=3, replicas_each=1):
        """A Redis Cluster made by redis-cli --cluster create; returns the
        ports, primaries first as redis-cli assigns them."""
        ports = [self.redis(cluster=True) for _ in range(primaries * (1 + replicas_each))]
        r = subprocess.run(["redis-cli", "--cluster", "create"] +
                           ["127.0.0.1:%d" % p for p in ports] +
                           ["--cluster-replicas", str(replicas_each), "--cluster-yes"],
                           capture_output=True, text=True, timeout=60)
        if r.returncode != 0:
            raise RuntimeError("redis-cli --cluster create failed:\n" + r.stdout + r.stderr)
        self.wait_cluster_ok(ports, primaries * replicas_each)
        return ports

    def wait_cluster_ok(self, ports, replicas, timeout=30):
        deadline = time.time() + timeout
        while time.time() < deadline:
            try:
                ok = all(info_cluster(p).get("cluster_state") == "ok" for p in ports)
                linked = sum(1 for p in ports
                             if info(p, "replication").get("master_link_status") == "up")
                if ok and linked >= replicas:
                    return
            except (OSError, RedisError):
                pass
            time.sleep(0.1)
        raise RuntimeError("the cluster did not become ready in %d s" % timeout)

    def sentinels(self, name, primary, count=3, down_after_ms=1000):
        """`count` sentinels watching `primary` under `name` (quorum: majority)."""
        ports = []
        for _ in range(count):
            for _ in range(10):
                port = free_port()
                conf = os.path.join(self.dir, "sentinel-%d.conf" % port)
                with open(conf, "w") as f:
                    f.write("port %d\nbind 127.0.0.1\ndir %s\n" % (port, self.dir))
                    f.write("sentinel monitor %s 127.0.0.1 %d %d\n" % (name, primary, count // 2 + 1))
                    f.write("sentinel down-after-milliseconds %s %d\n" % (name, down_after_ms))
                    f.write("sentinel failover-timeout %s 10000\n" % name)
                    f.write("sentinel parallel-syncs %s 1\n" % name)
                if self._spawn(port, ["redis-server", conf, "--sentinel"]) is not None:
                    ports.append(port)
                    break
            else:
                raise RuntimeError("cannot find a free port for a sentinel")
        return ports


def info_cluster(port):
    text = call(port, "CLUSTER", "INFO").decode()
    return dict(l.split(":", 1) for l in text.splitlines() if ":" in l)


def primaries(port):
    """{node id: port} of the cluster's primaries that serve slots, as `port` sees them."""
    out = {}
    for line in call(port, "CLUSTER", "NODES").decode().splitlines():
        f = line.split()
        if "master" in f[2] and "fail" not in f[2] and len(f) > 8:
            out[f[0]] = int(f[1].split("@")[0].rsplit(":", 1)[1])
    return out


def owner_of_slot(port, slot):
    for first, last, node, *_ in call(port, "CLUSTER", "SLOTS"):
        if first <= slot <= last:
            return node[1]
    return None


def keyslot(port, key):
    return call(port, "CLUSTER", "KEYSLOT", key)


def main(argv):
    """redis_servers.py cluster -- COMMAND ARGS...: runs COMMAND against a
    fresh cluster of 3 primaries and 3 replicas ("{nodes}" in ARGS becomes
    the primaries' host:port list), then stops the cluster; exits with
    COMMAND's status. Used by bench/run.sh cluster."""
    if len(argv) < 3 or argv[0] != "cluster" or argv[1] != "--":
        print("usage: redis_servers.py cluster -- COMMAND [ARGS... with {nodes}]", file=sys.stderr)
        return 2
    with Servers() as servers:
        ports = servers.cluster()
        nodes = ",".join("127.0.0.1:%d" % p for p in ports[:3])
        cmd = [a.replace("{nodes}", nodes) for a in argv[2:]]
        return subprocess.run(cmd, preexec_fn=_die_with_parent).returncode


if __name__ == "__main__":
    sys.dont_write_bytecode = True
    sys.exit(main(sys.argv[1:]))
