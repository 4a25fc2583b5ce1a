#!/usr/bin/python3
"""vigil impact --html in a real browser (docs/impact.md, "The page").

Two generated members are merged into coalition totals with --html; Debian's
Chromium renders the page headless with no network: the screenshot must be a
PNG of the window's size with more than one colour in it, and the DOM it
dumps must hold each chart's title, an SVG per chart, the headline numbers
and the table numbers of the published file. The page must hold no script
and name no URL to fetch. Exits 77 (skipped) when chromium is not installed.

    impact_html_test.py VIGIL REPO
"""
import html
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import zlib

vigil, repo = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
chromium = shutil.which("chromium")
if chromium is None:
    print("SKIP: chromium is not installed (tools/setup.sh installs it)")
    sys.exit(77)
tmp = tempfile.mkdtemp()
failures, checks = [], 0


def check(name, ok, detail=""):
    global checks
    checks += 1
    if not ok:
        failures.append(name)
        print(f"FAIL {name}" + (f": {detail}" if detail else ""))


gen = os.path.join(repo, "bench/gen_reporting.py")
for m, seed, n in (("a", 1, 900), ("b", 2, 700)):
    subprocess.run(["/usr/bin/python3", gen, "--subjects", str(n), "--countries", "20", "--out",
                    os.path.join(tmp, f"m{m}"), "--outcomes", os.path.join(tmp, f"m{m}.jsonl"),
                    "--seed", str(seed), "--member", m, "--rules", "10"], check=True)
    subprocess.run([vigil, "impact", "--cases", f"m{m}", "--outcomes", f"m{m}.jsonl", "-o",
                    f"{m}.json", "--exact", f"{m}.exact.json"], cwd=tmp, check=True,
                   capture_output=True)
r = subprocess.run([vigil, "impact", "merge", "a.exact.json", "b.exact.json", "-o", "coalition.json",
                    "--html", "impact.html"], cwd=tmp, capture_output=True, text=True)
check("merge with --html", r.returncode == 0, r.stderr)
page_path = os.path.join(tmp, "impact.html")
page = open(page_path).read()
doc = json.load(open(os.path.join(tmp, "coalition.json")))

check("no script", "<script" not in page.lower())
urls = set(re.findall(r"(?:https?:)?//[^\s\"'<>)]+", page)) - {"http://www.w3.org/2000/svg"}
check("nothing fetched", not urls and "@import" not in page and "url(" not in page, str(urls))
check("content security policy", "default-src 'none'" in page)

flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def browser(*args):
    profile = tempfile.mkdtemp(dir=tmp)
    return subprocess.run([chromium, *flags, f"--user-data-dir={profile}", *args],
                          capture_output=True, timeout=120)


shot = os.path.join(tmp, "shot.png")
r = browser("--window-size=1200,900", f"--screenshot={shot}", "file://" + page_path)
check("screenshot taken", r.returncode == 0 and os.path.exists(shot), r.stderr.decode()[-500:])
if os.path.exists(shot):
    png = open(shot, "rb").read()
    check("a PNG", png[:8] == b"\x89PNG\r\n\x1a\n")
    width, height = struct.unpack(">II", png[16:24])
    check("of the window's size", (width, height) == (1200, 900), f"{width}x{height}")
    # Decode the image data enough to see that something was drawn.
    pos, idat = 8, b""
    while pos < len(png):
        length, kind = struct.unpack(">I4s", png[pos:pos + 8])
        if kind == b"IDAT":
            idat += png[pos + 8:pos + 8 + length]
        pos += 12 + length
    raw = zlib.decompress(idat)
    check("not blank", len(set(raw[i] for i in range(0, len(raw), 7))) > 10)

r = browser("--dump-dom", "file://" + page_path)
dom = r.stdout.decode()
check("DOM dumped", r.returncode == 0 and "<svg" in dom, r.stderr.decode()[-500:])
for title in ("Cases per typology", "Reports filed per typology", "Investigations per typology",
              "Median days from first alert to report",
              "Median days from report to law-enforcement feedback",
              "Rule precision (confirmed / closed) per period"):
    check(f"chart '{title}'", re.search(r"<figcaption>" + re.escape(html.escape(title, quote=False)) +
                                        r"</figcaption>\s*<svg", dom) is not None)
check("one svg per chart", dom.count("<svg") == 6, str(dom.count("<svg")))
for key, value in doc["headline"].items():
    m = re.search(r'id="h-' + key + r'"><b>([^<]*)</b>', dom)
    check(f"headline {key}", m is not None and html.unescape(m.group(1)) == str(value),
          m.group(1) if m else "missing")
cases = doc["tables"]["cases"]
figure = dom[dom.index('id="chart-cases"'):]
figure = figure[:figure.index("</figure>")]
for row_i, col in ((0, 0), (len(cases["rows"]) - 1, len(cases["columns"]) - 1)):
    want = cases["rows"][row_i]["cells"][col]
    row = re.search(r"<tr><th>" + re.escape(cases["columns"][col]) + r"</th>(.*?)</tr>", figure)
    cells = re.findall(r"<td>([^<]*)</td>", row.group(1)) if row else []
    check(f"cases table {cases['columns'][col]} {cases['rows'][row_i]['period']}",
          len(cells) > row_i and html.unescape(cells[row_i]) == str(want),
          str(cells[:3]) + " vs " + str(want))
median = doc["time_to_report"]["median_days"]
check("median in the bar chart", f"{median} days" in dom, str(median))
bad = [v for v in re.findall(r"<td>(\d+)</td>", dom) if 1 <= int(v) < doc["k"]]
check("no count below k on the page", not bad, str(bad[:5]))

shutil.rmtree(tmp)
print(f"impact_html_test: {checks - len(failures)} passed, {len(failures)} failed")
sys.exit(1 if failures else 0)
