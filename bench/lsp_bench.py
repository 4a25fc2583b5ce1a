"""Latency of `vigil lsp` as an editor sees it: from sending a keystroke
(textDocument/didChange) to receiving that version's diagnostics, over the
real pipe. Prints one row per workload.

  coalition pack   rules/coalition (3 files, 36 rules, 98 tests); keystrokes in rules.vgl
  10,000 rules     one generated file of 10,000 rules; first diagnostics and keystrokes

usage: lsp_bench.py VIGIL REPO [KEYSTROKES]    (bash bench/run.sh lsp)
"""
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "lsp"))
from lsp_client import Client, uri  # noqa: E402


def cpu_ms(pid):
    """CPU time of a process (all its threads), in ms: from /proc/PID/task/*/schedstat
    (nanoseconds), else from /proc/PID/stat (clock ticks, 10 ms)."""
    try:
        total = 0
        for task in os.listdir("/proc/%d/task" % pid):
            with open("/proc/%d/task/%s/schedstat" % (pid, task)) as f:
                total += int(f.read().split()[0])
        return total / 1e6
    except (OSError, ValueError, IndexError):
        with open("/proc/%d/stat" % pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) * 1000.0 / os.sysconf("SC_CLK_TCK")


def keystrokes(client, path, text, anchor, count):
    """Types `count` characters after `anchor` (in a comment), one message
    each, waiting for each version's diagnostics; returns the latencies in ms
    and the number of diagnostics of the last version."""
    offset = text.index(anchor) + len(anchor)
    before = text[:offset]
    line = before.count("\n")
    col = len(before[before.rfind("\n") + 1:].encode("utf-16-le")) // 2
    u = uri(path)
    times = []
    cpu = []
    diags = None
    for i in range(count):
        version = i + 2
        start = time.perf_counter()
        cpu_start = cpu_ms(client.proc.pid)
        client.notify("textDocument/didChange", {
            "textDocument": {"uri": u, "version": version},
            "contentChanges": [{"range": {"start": {"line": line, "character": col + i},
                                          "end": {"line": line, "character": col + i}}, "text": "x"}]})
        msg = client.wait_notification("textDocument/publishDiagnostics",
                                       lambda m: m["params"]["uri"] == u and m["params"].get("version") == version,
                                       timeout=60)
        times.append((time.perf_counter() - start) * 1000)
        cpu.append(cpu_ms(client.proc.pid) - cpu_start)
        diags = msg["params"]["diagnostics"]
    return times, cpu, diags


def p90(values):
    values = sorted(values)
    return values[max(0, int(len(values) * 0.9 + 0.5) - 1)]


def row(name, first_ms, times, cpu, target):
    print("| %-26s | %8.1f | %8.1f | %8.1f | %8.1f | %8.1f | %8.1f | %-9s |" % (
        name, first_ms, statistics.median(times), p90(times), max(times), statistics.median(cpu), p90(cpu),
        target))


def generate_10k(path, n=10000):
    lines = ['ruleset bench.lsp version "1.0.0"',
             "schema txn version 1 {", "  ts: time @time", "  card_id: string @key", "  amount: decimal",
             "  country: string", "  mcc: int", "  channel: string", "}", "uses schema txn",
             'const RISKY = {"PH", "TH", "KH", "VN"}', "param LIMIT: decimal = 100.00",
             "let abroad = country != \"US\" and amount < LIMIT", "# the last line is a comment the benchmark types into", ""]
    for i in range(n):
        lines += ["rule r%05d {" % i,
                  '  title    "generated rule %d"' % i,
                  "  severity %s" % ("low", "medium", "high")[i % 3],
                  "  when amount > %d.00 and mcc == %d and (country in RISKY or abroad)" % (i % 500, 5000 + i % 900),
                  "  then score %d" % (1 + i % 50),
                  "}"]
    lines.append("# typing here:")
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")


def check_cpu_ms(vigil, root, files):
    """CPU time of `vigil check` on the same files, for comparison."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run([vigil, "check"] + files, cwd=root, capture_output=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ((after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)) * 1000


def bench_file(vigil, root, path, anchor, count, name, target, check_files):
    client = Client(vigil, root)
    try:
        client.initialize(root)
        with open(path, encoding="utf-8") as f:
            text = f.read()
        start = time.perf_counter()
        client.open(path, text)
        client.diagnostics(path, timeout=120)
        first = (time.perf_counter() - start) * 1000
        times, cpu, diags = keystrokes(client, path, text, anchor, count)
        row(name, first, times, cpu, target)
        print("  vigil check of the same files: %.0f ms CPU" % check_cpu_ms(vigil, root, check_files))
        if diags:
            print("  (unexpected diagnostics: %s)" % [d["message"] for d in diags[:3]])
        client.close()
    finally:
        if client.proc.poll() is None:
            client.proc.kill()


def main():
    vigil, repo = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    count = int(sys.argv[3]) if len(sys.argv) > 3 else 40
    print("vigil lsp: ms from a keystroke (didChange) to its diagnostics, %d keystrokes each;" % count)
    print("open: first diagnostics after didOpen; wall: median, p90, max; cpu: the server's CPU time")
    print("per keystroke (median, p90); a keystroke's CPU time is the cost itself, the wall clock adds")
    print("the machine's load;")
    print("load average %.1f on %d cores" % (os.getloadavg()[0], os.cpu_count()))
    print("| %-26s | %8s | %8s | %8s | %8s | %8s | %8s | %-9s |" % ("workload", "open", "median", "p90", "max",
                                                                    "cpu med", "cpu p90", "target"))
    print("|%s|%s|%s|%s|%s|%s|%s|%s|" % ("-" * 28, "-" * 10, "-" * 10, "-" * 10, "-" * 10, "-" * 10, "-" * 10,
                                         "-" * 11))
    bench_file(vigil, repo, os.path.join(repo, "rules", "coalition", "rules.vgl"),
               "# R01's qualifying event", count, "coalition pack (36 rules)", "< 50 ms",
               ["rules/coalition/" + f for f in ("schema.vgl", "rules.vgl", "tests.vgl")])
    with tempfile.TemporaryDirectory() as tmp:
        big = os.path.join(tmp, "rules10k.vgl")
        generate_10k(big)
        bench_file(vigil, tmp, big, "# typing here:", max(5, count // 4), "10,000-rule file", "< 1000 ms",
                   [big])


if __name__ == "__main__":
    main()
