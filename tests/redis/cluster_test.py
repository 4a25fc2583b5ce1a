#!/usr/bin/env python3
"""vigil's velocity state in a real Redis Cluster of 3 primaries and 3
replicas, started and stopped by the test on free loopback ports.

  cluster_test.py HOST_BINARY TEST [EVENTS]

TEST is one of:
  agreement     two host processes evaluate alternate events of a velocity
                stream and agree with one embedded engine on every event;
                no redirection in steady state (the slot hashing is right)
  redirections  one host follows ASK (a key migrated by hand), MOVED (the slot
                handed over) and NOSCRIPT (scripts flushed) with right results
  reshard       redis-cli --cluster reshard moves slots while two hosts
                evaluate: no error, results agree with the embedded engine
  failover      kill -9 of the primary owning the busy card while two free
                running hosts evaluate (one fail-open, one fail-closed): see
                failover.py for what is checked and measured

EVENTS (default 20,000 for agreement and reshard) sizes the stream; the
benchmark (bench/run.sh cluster) runs agreement with 200,000.
"""
import os
import subprocess
import sys
import threading
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import failover  # noqa: E402
import hosts  # noqa: E402
import redis_servers as rs  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
RULES = os.path.join(HERE, "velocity.vgl")


def seeds(ports):
    return ["--cluster", ",".join("127.0.0.1:%d" % p for p in ports[:2])]


def compare_lockstep(binary, ports, events, extra=(), during=None):
    """Two hosts evaluate alternate events; returns their stats. `during`,
    if given, is called with the event number before each event."""
    # A generous timeout: these tests are about agreement, and a loaded machine
    # may leave a server without a core for longer than the default 50 ms.
    options = ["--fail-closed", "--stats", "--timeout-ms", "2000"] + list(extra)
    a = hosts.Host(binary, RULES, seeds(ports), options)
    b = hosts.Host(binary, RULES, seeds(ports[3:]), options)
    want = hosts.embedded(binary, RULES, events)
    fired = 0
    marked = {"duplicate": 0, "applied": 0, "unknown": 0}
    try:
        for i, e in enumerate(events):
            if during:
                during(i)
            got = (a if i % 2 == 0 else b).eval(e)
            if got != want[i]:
                raise AssertionError("event %d differs:\n  event    %s\n  cluster  %s\n  embedded %s"
                                     % (i, e, got, want[i]))
            fired += hosts.fired(want[i])
            marked["duplicate"] += '"duplicate":true' in got
            marked["applied"] += '"reversal":"applied"' in got
            marked["unknown"] += '"reversal":"unknown"' in got
    finally:
        ca, sa = a.finish()
        cb, sb = b.finish()
    assert ca == 0 and cb == 0, (a.stderr, b.stderr)
    assert fired > len(events) // 50, "the rules hardly fire (%d): the comparison is weak" % fired
    if any('"kind":"REVERSAL"' in e for e in events):
        # Redeliveries and reversals happened, and agreed.
        assert marked["duplicate"] > len(events) // 100 and marked["applied"] > len(events) // 100, \
            marked
    print("duplicates and reversals: %s" % marked)
    return fired, sa, sb


def test_agreement(binary, count):
    with rs.Servers() as servers:
        ports = servers.cluster()
        events = hosts.stream(count, corrections=True)
        t0 = time.time()
        fired, sa, sb = compare_lockstep(binary, ports, events)
        took = time.time() - t0
        for s in (sa, sb):
            assert s["primaries"] == 3, s
            # Every command went straight to the slot's primary: the hashing agrees
            # with the servers' (a wrong slot would be answered with MOVED).
            assert s["moved"] == 0 and s["ask"] == 0 and s["failures"] == 0, s
        # Every key is where CLUSTER KEYSLOT says, on the node serving that slot.
        keys = 0
        for port in rs.primaries(ports[0]).values():
            for key in rs.call(port, "KEYS", "vigil:*"):
                slot = rs.keyslot(port, key)
                assert rs.owner_of_slot(port, slot) == port, (key, slot, port)
                keys += 1
        assert keys > 200, keys
        print("agreement: %d events, %d firings, identical to the embedded engine; "
              "%d keys on 3 primaries; %.1f s (%s)" % (len(events), fired, keys, took, sa))


def test_redirections(binary):
    with rs.Servers() as servers:
        ports = servers.cluster()
        events = hosts.stream(3000, cards=20)
        want = hosts.embedded(binary, RULES, events)
        host = hosts.Host(binary, RULES, seeds(ports), ["--fail-closed", "--stats", "--timeout-ms", "2000"])
        try:
            for i in range(1000):
                assert host.eval(events[i]) == want[i], i
            # The busy card's key (group by card): hand its slot over by hand.
            key = next(k for p in rs.primaries(ports[0]).values()
                       for k in rs.call(p, "KEYS", "vigil:*") if k.endswith(b":020000006330"))
            slot = rs.keyslot(ports[0], key)
            src = rs.owner_of_slot(ports[0], slot)
            ids = {port: nid for nid, port in rs.primaries(ports[0]).items()}
            dst = next(p for p in ids if p != src)
            rs.call(dst, "CLUSTER", "SETSLOT", slot, "IMPORTING", ids[src])
            rs.call(src, "CLUSTER", "SETSLOT", slot, "MIGRATING", ids[dst])
            rs.call(src, "MIGRATE", "127.0.0.1", dst, key, 0, 5000)
            # Now the source answers ASK for this key: the host must follow it.
            i = 1000
            asked = 0
            while asked < 5:
                e = events[i]
                assert host.eval(e) == want[i], i
                asked += '"card":"c0"' in e
                i += 1
            for p in ids:
                rs.call(p, "CLUSTER", "SETSLOT", slot, "NODE", ids[dst])
            # Now the source answers MOVED. Then the scripts are flushed: NOSCRIPT.
            while i < 2000:
                assert host.eval(events[i]) == want[i], i
                i += 1
            for p in ids:
                rs.call(p, "SCRIPT", "FLUSH")
            while i < len(events):
                assert host.eval(events[i]) == want[i], i
                i += 1
        finally:
            code, stats = host.finish()
        assert code == 0, host.stderr
        assert stats["ask"] >= 5, stats
        assert stats["moved"] >= 1, stats
        # Once per primary at first use, and again on each after the flush.
        assert stats["script_loads"] >= 6, stats
        assert stats["failures"] == 0, stats
        print("redirections: ASK, MOVED and NOSCRIPT followed, %d events agree (%s)"
              % (len(events), stats))


def test_reshard(binary, count):
    with rs.Servers() as servers:
        ports = servers.cluster()
        events = hosts.stream(count, corrections=True)
        ids = {port: nid for nid, port in rs.primaries(ports[0]).items()}
        src, dst = sorted(ids)[:2]
        result = {}

        def reshard():
            r = subprocess.run(["redis-cli", "--cluster", "reshard", "127.0.0.1:%d" % ports[0],
                                "--cluster-from", ids[src], "--cluster-to", ids[dst],
                                "--cluster-slots", "3000", "--cluster-yes",
                                "--cluster-pipeline", "5"],
                               capture_output=True, text=True, timeout=300)
            result["code"], result["out"] = r.returncode, r.stdout + r.stderr
            result["done"] = time.time()

        mover = threading.Thread(target=reshard)
        started = {}

        def during(i):
            if i == count // 5:
                started["t"] = time.time()
                mover.start()

        fired, sa, sb = compare_lockstep(binary, ports, events, during=during)
        mover.join()
        assert result["code"] == 0, result["out"]
        moved = sa["moved"] + sb["moved"] + sa["ask"] + sb["ask"]
        assert moved > 0, "no redirection seen: the migration did not overlap the evaluation"
        assert sa["failures"] == 0 and sb["failures"] == 0, (sa, sb)
        print("reshard: 3000 slots moved in %.1f s while %d events were evaluated; results "
              "agree with the embedded engine (%d firings); redirections: %s / %s"
              % (result["done"] - started["t"], len(events), fired, sa, sb))


def main():
    binary, test = sys.argv[1], sys.argv[2]
    count = int(sys.argv[3]) if len(sys.argv) > 3 else 20000
    if test == "agreement":
        test_agreement(binary, count)
    elif test == "redirections":
        test_redirections(binary)
    elif test == "reshard":
        test_reshard(binary, count)
    elif test == "failover":
        failover.run_cluster(binary, count)
    else:
        print("unknown test %r" % test)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
