#!/usr/bin/python3
"""Time and peak memory of vigil on the inputs of docs/limits.md (issue 13,
"Crashes and hangs"): one row per input, with the figure the docs promise.

    bench/limits_bench.py VIGIL WORKDIR

Inputs are generated once into WORKDIR. Peak memory is the child's maximum
resident set size (wait4). Run it through `bash bench/run.sh limits`.
"""
import os
import subprocess
import sys
import time


def generate(work):
    def write(name, text):
        path = os.path.join(work, name)
        if not os.path.exists(path):
            with open(path, "w") as f:
                f.write(text)
        return path

    write("schema.vgl", "schema s version 1 {\n  ts: time\n  card: string @key\n"
                        "  merchant: string\n  note: string\n  n: int\n}\n")
    head = 'ruleset b version "1.0.0"\nimport "schema.vgl"\nuses schema s\n'
    write("rules100k.vgl", head + "".join(
        f'rule r{i} {{ title "r" severity low when n > {i} then score 1 }}\n' for i in range(100000)))
    write("regex600.vgl", head + "".join(
        f'rule r{i} {{ title "r" severity low when note matches "\\\\pL{{{i % 50 + 50}}}x{i}" '
        f'then score 1 }}\n' for i in range(600)))
    write("regex1.vgl", head + 'rule r { title "r" severity low when note matches "\\\\pL{100}x" '
                               'then score 1 }\n')
    write("string10m.jsonl", '{"note":"' + "a" * (10 << 20) + '"}\n')
    write("string64k.jsonl", "".join('{"note":"' + "\u00e9" * 32768 + '"}\n' for _ in range(20)))
    write("repeat.vgl", head + 'rule spread {\n  title "spread"\n  severity low\n'
          '  when distinct(merchant, by: card, within: 3650d) > 5\n  then score 1\n}\n'
          'test "slow" {\n  event { ts: 2026-01-01T00:00:00Z, card: "c", merchant: "m" }\n'
          '    repeat 100000 every 1h\n    expect not fires spread\n}\n')
    write("set4m.vgl", 'ruleset b version "1.0.0"\nconst S = {' + ",".join(["1"] * 4_000_000) + "}\n")
    lst = os.path.join(work, "list245m.txt")
    if not os.path.exists(lst):
        with open(lst, "w") as f:
            for i in range(4_999_000):
                f.write("%048d\n" % i)
    write("list245m.vgl", head + 'list L: set<string> from "list245m.txt"\n'
                                 'rule r { title "r" severity low when note in L then score 1 }\n')


def measure(cmd, cwd):
    start = time.monotonic()
    p = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(p.pid, 0)
    seconds = time.monotonic() - start
    err = p.stderr.read().decode(errors="replace")
    p.stderr.close()
    code = os.waitstatus_to_exitcode(status)
    return seconds, usage.ru_utime, usage.ru_maxrss / 1024, code, err


def main():
    vigil, work = os.path.abspath(sys.argv[1]), sys.argv[2]
    os.makedirs(work, exist_ok=True)
    print("generating the inputs (once)...", file=sys.stderr)
    generate(work)
    rows = [
        ("check 100,000 simple rules", "target < 10 s", [vigil, "check", "rules100k.vgl"]),
        ("check 600 \\pL{50..99} regexes", "E4008, bounded", [vigil, "check", "regex600.vgl"]),
        ("eval a 10 MB string vs \\pL{100}x", "refused", [vigil, "eval", "--rules", "regex1.vgl",
                                                         "--events", "string10m.jsonl"]),
        ("eval 20 x 64 KiB strings vs \\pL{100}x", "< 0.5 s/event", [vigil, "eval", "--rules", "regex1.vgl",
                                                         "--events", "string64k.jsonl"]),
        ("test repeat 100000 in 10 years", "stops, fails", [vigil, "test", "repeat.vgl"]),
        ("check a 4M-element set literal", "E4007", [vigil, "check", "set4m.vgl"]),
        ("check a 245 MB list read by a rule", "< 1.5 GB", [vigil, "check", "list245m.vgl"]),
    ]
    print(f"{'input':40} {'exit':>4} {'wall s':>7} {'user s':>7} {'peak MB':>8}  expected")
    for name, expected, cmd in rows:
        seconds, user, mb, code, err = measure(cmd, work)
        print(f"{name:40} {code:>4} {seconds:7.2f} {user:7.2f} {mb:8.0f}  {expected}")
        if code not in (0, 1):
            print("  " + err.strip().splitlines()[-1] if err.strip() else "  (no message)")


if __name__ == "__main__":
    main()
