"""Failover under load, against a Redis Cluster or a Sentinel-watched primary.

Host processes evaluate a paced stream (the velocity rules of
velocity_card.vgl: one aggregate group, so each event is one script on one
node, recorded whole or not at all). Cards are partitioned between the hosts
as a platform partitions by key. Then the primary owning the busy card's key
is killed with SIGKILL; its replica takes over; the hosts go on.

What is guaranteed, and checked for every event (failover.check):
  * no crash: the hosts exit 0 after their last event;
  * no hang: every evaluation ends within 2 x timeout_ms per aggregate group
    (plus scheduling slack);
  * every evaluation either succeeds, or is marked state_error (fail-open host:
    no rule that needs the aggregates fires), or is refused with VIGIL_ERR_STATE
    (fail-closed host);
  * every result from the old primary equals an embedded engine's over the
    same events;
  * every result from the new primary equals an embedded engine's over the
    events that Redis kept: the successful ones, minus the writes the old
    primary acknowledged but did not pass to its replica before dying
    (replication is asynchronous), plus failed ones that ran nevertheless.

What is measured and printed: the writes lost (count, and when the first and
the last were acknowledged, relative to the kill: the loss window), the failed
evaluations that were recorded all the same, how long the busy card's key was
unavailable, and until when evaluations failed at all (with Redis's default
cluster-require-full-coverage, every slot refuses writes from the moment the
cluster marks the primary failed until its replica is promoted).
"""
import calendar
import json
import struct
import threading
import time

import hosts
import redis_servers as rs

TIMEOUT_MS = 1000  # kill -9 resets connections at once; a loaded machine needs slack
RETRY_MS = 200
PACE = 1500          # events per second per host
STEP_US = 250_000    # event time per event of the whole stream
LATENESS_US = 600_000_000
KEEP_US = 2 * 3600 * 1_000_000 + LATENESS_US  # longest window + lateness
BUSY_KEY_SUFFIX = b":020000006330"  # card "c0" encoded: u32 length 2, "c0"


def partition(host_index, hosts_count, cards=200, busy=0.03, start=0):
    """The events of the endless seeded stream whose card goes to this host."""
    i = start
    while True:
        for e in hosts.stream(1000, seed=7, cards=cards, busy=busy, start=i, jitter=False,
                              step_us=STEP_US):
            card = int(json.loads(e)["card"][1:])
            if card % hosts_count == host_index:
                yield e
        i += 1000


def paced(source, rate):
    t0 = time.time()
    for k, e in enumerate(source):
        ahead = t0 + k / rate - time.time()
        if ahead > 0.005:
            time.sleep(ahead)
        yield e


def snapshot(ports):
    """{(card, ts_us)} of every entry in Redis, and each key's latest ts_us."""
    entries, latest = set(), {}
    for port in ports:
        for key in rs.call(port, "KEYS", "vigil:*"):
            raw = bytes.fromhex(key.rsplit(b":", 1)[1].decode())
            card = raw[4:].decode()
            for member in rs.call(port, "ZRANGE", key, 0, -1):
                ts = struct.unpack("<q", member[:8])[0]
                entries.add((card, ts))
                latest[card] = max(latest.get(card, ts), ts)
    return entries, latest


def ts_us(iso_text):
    secs = calendar.timegm(time.strptime(iso_text[:19], "%Y-%m-%dT%H:%M:%S"))
    return secs * 1_000_000 + int(iso_text[20:26])


class Run:
    """One host's events and its trace lines, parsed."""

    def __init__(self, host, policy):
        self.host, self.policy = host, policy

    def parse(self):
        self.events = self.host.sent[:len(self.host.lines)]
        self.trace = [json.loads(l) for l in self.host.lines]
        assert len(self.events) == len(self.trace), (len(self.events), len(self.trace))


def check(binary, rules, runs, kill, groups=1):
    """Checks the guarantees for each run; returns the measurements. `kill`
    holds t_kill (wall clock of the SIGKILL or of the switch command) and the
    entries and latest times read from Redis once the busy key answered again;
    after a SIGKILL, t_dead (when the killed server had exited); and the
    entries read once the hosts had stopped ("final").

    Which writes Redis kept: those in either reading; those trimmed from every
    window by then; and, after a SIGKILL, every one begun after t_dead (no
    dead server acknowledged it). The first reading alone missed writes
    acknowledged while or after it was taken (a host that had not yet seen a
    primary change went on writing to the primaries that stayed up) and
    failed evaluations recorded after it; counting those as lost made the
    replay disagree with the hosts now and then.

    An event's "pc" (primary changes the host's adapter had seen when it was
    evaluated) tells where it ran: 0, the old primary, which had every write
    acknowledged before; more, the new one, which has what the replica had
    received plus what came after (the entries read from Redis)."""
    out = {"lost": 0, "lost_from_ms": None, "lost_to_ms": None, "recorded_despite_error": 0,
           "busy_key_unavailable_ms": None, "failures_until_ms": 0.0, "compared_before": 0,
           "compared_after": 0, "max_latency_ms": 0.0, "failed": 0,
           "kept_beyond_first_reading": 0}
    t_kill, entries, latest = kill["t_kill"], kill["entries"], kill["latest"]
    final, t_dead = kill.get("final", set()), kill.get("t_dead")
    lost_walls = []
    for run in runs:
        allowed = {"ok", "state_error"} if run.policy == "open" else {"ok", "refused"}
        before, kept = [], []
        first_ok_after = last_failure = None
        for e, t in zip(run.events, run.trace):
            fields = json.loads(e)
            card, ts = fields["card"], ts_us(fields["ts"])
            assert t["status"] in allowed, (run.policy, t)
            out["max_latency_ms"] = max(out["max_latency_ms"], t["lat_us"] / 1000)
            assert t["lat_us"] <= (groups * 2 * TIMEOUT_MS + 500) * 1000, ("too slow", t)
            wall = t["wall_us"] / 1e6
            ok = t["status"] == "ok"
            moved = t["pc"] > 0
            if t["status"] == "state_error":
                assert t["result"].get("state_error") is True, t
                assert not t["result"].get("fired"), t  # every rule needs the aggregates
            if t["status"] == "refused":
                assert t["result"]["error"] == "state", t
            if not ok:
                out["failed"] += 1
                last_failure = wall
                assert wall >= t_kill, ("a failure before the kill", t)
            in_redis = (card, ts) in entries or (card, ts) in final
            if ok and not moved:
                before.append((e, t))
                # Entries that left every window by the time Redis was read
                # (acknowledged seconds before) count as kept: they cannot
                # change a result any more.
                trimmed = ts <= latest.get(card, ts) - KEEP_US
                began_after_death = t_dead is not None and (t["wall_us"] - t["lat_us"]) / 1e6 >= t_dead
                if (card, ts) not in entries and not trimmed and (in_redis or began_after_death):
                    out["kept_beyond_first_reading"] += 1
                if in_redis or trimmed or began_after_death:
                    kept.append((e, t, False))
                else:  # acknowledged by the old primary, not on the new one
                    out["lost"] += 1
                    lost_walls.append(wall)
            elif ok:
                kept.append((e, t, True))
            elif in_redis:  # failed (its reply was lost), yet recorded
                out["recorded_despite_error"] += 1
                if (card, ts) not in entries:
                    out["kept_beyond_first_reading"] += 1
                kept.append((e, t, False))
        # On the old primary: the embedded engine over the same events.
        want = hosts.embedded(binary, rules, [e for e, _ in before])
        for (e, t), w in zip(before, want):
            assert json.loads(w) == t["result"], ("on the old primary", e, t, w)
        out["compared_before"] += len(before)
        # On the new one: the embedded engine over the events Redis kept.
        want = hosts.embedded(binary, rules, [e for e, _, _ in kept])
        for (e, t, compare), w in zip(kept, want):
            if not compare:
                continue
            assert json.loads(w) == t["result"], ("on the new primary", e, t, w)
            out["compared_after"] += 1
            if json.loads(e)["card"] == "c0" and first_ok_after is None:
                first_ok_after = t["wall_us"] / 1e6
        if first_ok_after is not None:
            out["busy_key_unavailable_ms"] = (first_ok_after - t_kill) * 1000
        if last_failure is not None:
            out["failures_until_ms"] = max(out["failures_until_ms"],
                                           (last_failure - t_kill) * 1000)
    if lost_walls:  # relative to the kill: negative before it
        out["lost_from_ms"] = (min(lost_walls) - t_kill) * 1000
        out["lost_to_ms"] = (max(lost_walls) - t_kill) * 1000
    return out


def run_cluster(binary, _count):
    rules = hosts.RULES_CARD
    with rs.Servers() as servers:
        ports = servers.cluster()
        seeds = ["--cluster", ",".join("127.0.0.1:%d" % p for p in ports[:3])]
        common = ["--trace", "--stats", "--timeout-ms", str(TIMEOUT_MS), "--retry-ms", str(RETRY_MS)]
        a = hosts.Host(binary, rules, seeds, common)
        b = hosts.Host(binary, rules, seeds, common + ["--fail-closed"])
        stop = threading.Event()
        a.run_free(paced(partition(0, 2), PACE), stop)
        b.run_free(paced(partition(1, 2), PACE), stop)
        try:
            kill = kill_busy_primary(servers, ports, a)
        finally:
            stop.set()
            code_a, stats_a = a.finish()
            code_b, stats_b = b.finish()
        kill["final"] = snapshot(primaries_without(kill["live"], kill["victim"]))[0]
        assert code_a == 0 and code_b == 0, (code_a, a.stderr, code_b, b.stderr)
        runs = [Run(a, "open"), Run(b, "closed")]
        for r in runs:
            r.parse()
        m = check(binary, rules, runs, kill)
        assert m["failed"] > 0, "no evaluation failed: the kill did not hit busy keys"
        assert m["compared_after"] > 1000, m
        assert stats_a["primary_changes"] >= 1 and stats_b["primary_changes"] >= 1, \
            (stats_a, stats_b)
        print("cluster failover: %s; host stats %s / %s" % (json.dumps(m), stats_a, stats_b))
        return m


def wait_warm(*runs):
    deadline = time.time() + 60
    while any(len(h.lines) < 4000 for h in runs):
        assert time.time() < deadline, "the hosts do not progress"
        time.sleep(0.05)


def wait_busy_card_ok(host, after):
    """Until `host` evaluates card c0 successfully after `after`."""
    seen = 0
    deadline = time.time() + 60
    while time.time() < deadline:
        lines = host.lines[seen:]
        for k, line in enumerate(lines, seen):
            t = json.loads(line)
            if t["wall_us"] / 1e6 > after and t["status"] == "ok" and \
                    '"card":"c0"' in host.sent[k]:
                return
        seen += len(lines)
        time.sleep(0.02)
    raise AssertionError("no recovery within 60 s")


def primaries_without(live, victim):
    """The primaries' ports as node `live` sees them, once it no longer lists
    the killed `victim` among them: the host may find the promoted replica
    (and answer for card c0) before the news of the failure reaches every
    node, and a node that still lists the victim sends the snapshot to a
    closed port (seen once under ASan on two busy cores)."""
    deadline = time.time() + 30
    while True:
        ports = list(rs.primaries(live).values())
        if victim not in ports:
            return ports
        assert time.time() < deadline, "node %d still lists the killed primary %d" % (live, victim)
        time.sleep(0.05)


def kill_busy_primary(servers, ports, host):
    """Kills the primary holding card c0's key once the hosts are warm; reads
    Redis once c0 answers again; lets the hosts run on for 2 s."""
    wait_warm(host)
    victim = next(p for p in rs.primaries(ports[0]).values()
                  if any(k.endswith(BUSY_KEY_SUFFIX) for k in rs.call(p, "KEYS", "vigil:*")))
    kill = {"t_kill": time.time()}
    servers.kill(victim)
    kill["t_dead"] = time.time()
    wait_busy_card_ok(host, time.time())
    kill["live"] = next(p for p in ports if p != victim)
    kill["victim"] = victim
    kill["entries"], kill["latest"] = snapshot(primaries_without(kill["live"], victim))
    time.sleep(2)  # results must agree after the failover, not just at its end
    return kill
