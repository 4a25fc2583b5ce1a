#!/usr/bin/env python3
"""vigil's velocity state on a Redis primary with one replica, watched by
three sentinels, all started and stopped by the test on free loopback ports.

  sentinel_test.py HOST_BINARY TEST

TEST is one of:
  failover    kill -9 of the primary while two free-running hosts evaluate
              (one fail-open, one fail-closed); the sentinels promote the
              replica; the hosts find it. Checked and measured as in
              failover.py.
  switchover  SENTINEL FAILOVER (a planned switch, both servers alive) while
              a host evaluates: the host asks the sentinels every retry_ms and
              moves to the new primary; the writes the old primary took after
              the promotion are lost, counted, and the results checked as in
              a failover.
"""
import json
import os
import sys
import threading
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import failover  # noqa: E402
import hosts  # noqa: E402
import redis_servers as rs  # noqa: E402

NAME = "vigilstate"


def setup(servers):
    primary = servers.redis()
    replica = servers.redis(["--replicaof", "127.0.0.1", str(primary)])
    deadline = time.time() + 30
    while rs.info(replica, "replication").get("master_link_status") != "up":
        assert time.time() < deadline, "the replica does not sync"
        time.sleep(0.05)
    sentinels = servers.sentinels(NAME, primary)
    # Until every sentinel has found the replica, none could promote it.
    while any(int(dict(zip(*[iter(rs.call(s, "SENTINEL", "MASTER", NAME))] * 2))
                  [b"num-slaves"]) < 1 for s in sentinels):
        assert time.time() < deadline, "the sentinels do not see the replica"
        time.sleep(0.1)
    target = ["--sentinel", NAME + "@" + ",".join("127.0.0.1:%d" % s for s in sentinels)]
    return primary, replica, sentinels, target


def current_primary(sentinels):
    host, port = rs.call(sentinels[0], "SENTINEL", "get-master-addr-by-name", NAME)
    return int(port)


def test_failover(binary):
    rules = hosts.RULES_CARD
    with rs.Servers() as servers:
        primary, replica, sentinels, target = setup(servers)
        common = ["--trace", "--stats", "--timeout-ms", str(failover.TIMEOUT_MS),
                  "--retry-ms", str(failover.RETRY_MS)]
        a = hosts.Host(binary, rules, target, common)
        b = hosts.Host(binary, rules, target, common + ["--fail-closed"])
        stop = threading.Event()
        a.run_free(failover.paced(failover.partition(0, 2), failover.PACE), stop)
        b.run_free(failover.paced(failover.partition(1, 2), failover.PACE), stop)
        try:
            failover.wait_warm(a, b)
            kill = {"t_kill": time.time()}
            servers.kill(primary)
            kill["t_dead"] = time.time()
            failover.wait_busy_card_ok(a, time.time())
            # The sentinels agree on it a little later; the replica knows already.
            assert rs.info(replica, "replication")["role"] == "master"
            kill["entries"], kill["latest"] = failover.snapshot([replica])
            time.sleep(2)
        finally:
            stop.set()
            code_a, stats_a = a.finish()
            code_b, stats_b = b.finish()
        kill["final"] = failover.snapshot([replica])[0]
        assert code_a == 0 and code_b == 0, (code_a, a.stderr, code_b, b.stderr)
        runs = [failover.Run(a, "open"), failover.Run(b, "closed")]
        for r in runs:
            r.parse()
        m = failover.check(binary, rules, runs, kill)
        assert m["failed"] > 0, "no evaluation failed: the kill happened after the run"
        assert m["compared_after"] > 1000, m
        for s in (stats_a, stats_b):
            assert s["primary_changes"] >= 1, s
        print("sentinel failover: %s; host stats %s / %s" % (json.dumps(m), stats_a, stats_b))


def test_switchover(binary):
    """A planned switch: Sentinel promotes the replica, and the old primary
    goes on accepting writes until the sentinels demote it; the hosts ask
    the sentinels every retry_ms, so they move within that. Writes that
    reach the old primary after the promotion are lost: counted, and the
    results are checked as in a failover."""
    rules = hosts.RULES_CARD
    with rs.Servers() as servers:
        primary, replica, sentinels, target = setup(servers)
        host = hosts.Host(binary, rules, target,
                          ["--trace", "--stats", "--timeout-ms", str(failover.TIMEOUT_MS),
                           "--retry-ms", str(failover.RETRY_MS)])
        stop = threading.Event()
        host.run_free(failover.paced(failover.partition(0, 1), failover.PACE), stop)
        try:
            failover.wait_warm(host)
            kill = {"t_kill": time.time()}
            rs.call(sentinels[0], "SENTINEL", "FAILOVER", NAME)
            deadline = time.time() + 60
            while not (current_primary(sentinels) == replica and
                       rs.info(primary, "replication").get("role") == "slave"):
                assert time.time() < deadline, "the switch did not happen"
                time.sleep(0.05)
            kill["switched_ms"] = (time.time() - kill["t_kill"]) * 1000
            time.sleep(failover.RETRY_MS / 1000 + 0.5)
            kill["entries"], kill["latest"] = failover.snapshot([replica])
            time.sleep(1)
        finally:
            stop.set()
            code, stats = host.finish()
        kill["final"] = failover.snapshot([replica])[0]
        assert code == 0, host.stderr
        run = failover.Run(host, "open")
        run.parse()
        m = failover.check(binary, rules, [run], kill)
        m["switch_took_ms"] = kill["switched_ms"]
        m["host_moved_after_ms"] = m.pop("busy_key_unavailable_ms")
        assert m["compared_after"] > 1000, m
        assert stats["primary_changes"] >= 1, stats
        print("sentinel switchover: %s; host stats %s" % (json.dumps(m), stats))


def main():
    binary, test = sys.argv[1], sys.argv[2]
    if test == "failover":
        test_failover(binary)
    elif test == "switchover":
        test_switchover(binary)
    else:
        print("unknown test %r" % test)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
