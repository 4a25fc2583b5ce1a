"""What the data set converters and scorers share (standard library only).

- BadData: every row the schema does not expect is counted under a name
  (empty:COLUMN, number_as_string:COLUMN, not_a_number:COLUMN,
  float_noise:COLUMN, unknown_category:COLUMN, bad_time:COLUMN,
  wrong_column_count,
  out_of_order:reordered, out_of_order:beyond_window) and, when it cannot
  become an event, written to rejects.jsonl with its line: nothing is dropped
  silently.
- Reorderer: a streaming reorder buffer, so events leave in event-time order
  while a row that arrives a little late is put back in its place.
- Files are written atomically (temporary file, then rename).
"""
import heapq
import json
import os
import re
import sys
from decimal import Decimal, InvalidOperation

class AtomicFile:
    """A text file that appears at its path only when closed without error."""

    def __init__(self, path):
        self.path = path
        self.tmp = f"{path}.tmp{os.getpid()}"
        self.f = open(self.tmp, "w", encoding="utf-8", newline="\n")

    def __enter__(self):
        return self.f

    def __exit__(self, kind, value, tb):
        self.f.close()
        if kind is None:
            os.replace(self.tmp, self.path)
        else:
            os.unlink(self.tmp)
        return False


def write_json(path, value):
    with AtomicFile(path) as f:
        json.dump(value, f, indent=2, sort_keys=True)
        f.write("\n")


class BadData:
    """Counts of each kind of unexpected data, with the first few lines of each."""

    EXAMPLES = 5

    def __init__(self, source):
        self.source = source
        self.counts = {}
        self.examples = {}
        self.rejected = 0
        self.rejects = []  # (line, reasons) of rows that could not become an event

    def note(self, kind, line, detail=""):
        self.counts[kind] = self.counts.get(kind, 0) + 1
        seen = self.examples.setdefault(kind, [])
        if len(seen) < self.EXAMPLES:
            seen.append(f"line {line}" + (f": {detail}" if detail else ""))

    def reject(self, line, reasons):
        self.rejected += 1
        self.rejects.append({"line": line, "reasons": reasons})

    def summary(self, rows, events):
        return {
            "source": self.source,
            "rows": rows,
            "events": events,
            "rejected_rows": self.rejected,
            "bad_data": dict(sorted(self.counts.items())),
            "examples": dict(sorted(self.examples.items())),
        }

    def write(self, out_dir, rows, events):
        """Writes convert-report.json and rejects.jsonl; prints the counts on stderr."""
        report = self.summary(rows, events)
        write_json(os.path.join(out_dir, "convert-report.json"), report)
        with AtomicFile(os.path.join(out_dir, "rejects.jsonl")) as f:
            for r in self.rejects:
                f.write(json.dumps(r, sort_keys=True) + "\n")
        print(f"{self.source}: {rows} rows, {events} events written, {self.rejected} rows "
              f"rejected (see rejects.jsonl)", file=sys.stderr)
        if not self.counts:
            print(f"{self.source}: no bad data", file=sys.stderr)
        for kind, n in sorted(self.counts.items()):
            print(f"{self.source}: {kind}: {n} ({'; '.join(self.examples[kind])})", file=sys.stderr)
        return report


# A plain decimal number, as the data sets write them.
_PLAIN = re.compile(r"-?\d+(\.\d+)?")
# A number written as text: blanks around it, a leading '+', thousands separators.
_TEXTUAL = re.compile(r"\s*\+?-?\d{1,3}(,\d{3})+(\.\d+)?\s*|\s*\+?-?\d+(\.\d+)?\s*")


def read_decimal(text, column, line, bad, places=6):
    """The JSON text of a decimal, or None (missing) with the reason counted.

    Empty is 'empty:COLUMN'; a number written as text (' 1,234.50', '+12') is
    converted and counted as 'number_as_string:COLUMN'; anything else is
    'not_a_number:COLUMN'. vigil's decimals have at most 6 fractional digits:
    more is 'not_a_number' too rather than a silent rounding.
    """
    if text == "":
        bad.note(f"empty:{column}", line)
        return None
    if not _PLAIN.fullmatch(text):
        if not _TEXTUAL.fullmatch(text):
            bad.note(f"not_a_number:{column}", line, repr(text))
            return None
        bad.note(f"number_as_string:{column}", line, repr(text))
        text = text.strip().replace(",", "").lstrip("+")
    try:
        value = Decimal(text)
    except InvalidOperation:
        bad.note(f"not_a_number:{column}", line, repr(text))
        return None
    if -value.as_tuple().exponent > places:
        # A float written with its binary noise (85.64999999999999 for 85.65),
        # as pandas writes some: the shortest value within 1e-9 is meant.
        for p in range(places + 1):
            near = value.quantize(Decimal(1).scaleb(-p))
            if abs(near - value) < Decimal("1e-9"):
                bad.note(f"float_noise:{column}", line, f"{text!r} read as {near}")
                return str(near)
        bad.note(f"not_a_number:{column}", line, f"{text!r} has more than {places} decimals")
        return None
    return text


def read_int(text, column, line, bad):
    """An int, or None with the reason counted (see read_decimal)."""
    value = read_decimal(text, column, line, bad, places=0)
    if value is None:
        return None
    if "." in value:
        frac = value.split(".", 1)[1]
        if frac.strip("0"):
            bad.note(f"not_a_number:{column}", line, f"{text!r} is not a whole number")
            return None
        value = value.split(".", 1)[0]
    return int(value)


def read_category(text, column, known, line, bad):
    """The value; an empty one is None ('empty:COLUMN'), one outside `known` is
    kept as it is and counted as 'unknown_category:COLUMN' (rules that test the
    known values simply do not match it)."""
    if text == "":
        bad.note(f"empty:{column}", line)
        return None
    if text not in known:
        bad.note(f"unknown_category:{column}", line, repr(text))
    return text


class Reorderer:
    """Lets events out in event-time order from a stream that is almost sorted.

    An event is held until the newest time seen is `window_us` past it. A row
    that arrives out of order but within the window is put back in its place
    ('out_of_order:reordered'); one that arrives later than the window, after
    younger events have already left, is still written, at its own time, and
    counted as 'out_of_order:beyond_window' (vigil then records it if it is
    within its lateness and counts it as late otherwise).
    """

    def __init__(self, window_us, bad):
        self.window = window_us
        self.bad = bad
        self.heap = []
        self.seq = 0
        self.newest = None
        self.last_out = None

    def push(self, time_us, line, payload):
        """Adds an event; returns the events that may now leave, oldest first."""
        if self.newest is not None and time_us < self.newest:
            if self.last_out is not None and time_us < self.last_out:
                self.bad.note("out_of_order:beyond_window", line)
            else:
                self.bad.note("out_of_order:reordered", line)
        if self.newest is None or time_us > self.newest:
            self.newest = time_us
        self.seq += 1
        heapq.heappush(self.heap, (time_us, self.seq, payload))
        out = []
        while self.heap and self.heap[0][0] <= self.newest - self.window:
            out.append(self._pop())
        return out

    def drain(self):
        out = []
        while self.heap:
            out.append(self._pop())
        return out

    def _pop(self):
        t, _, payload = heapq.heappop(self.heap)
        if self.last_out is None or t > self.last_out:
            self.last_out = t
        return payload


def results(path):
    """Yields (event id, fired rule ids, shadow rule ids) from vigil eval's output.

    Lines with no fired and no shadow rule are read without a JSON parse (most
    of them), since the scorers read millions.
    """
    with open(path, encoding="utf-8") as f:
        for line in f:
            if '"fired":[],"shadow":[]' in line:
                start = line.index('"event":') + 8
                end = line.index(",", start)
                yield json.loads(line[start:end]), (), ()
                continue
            r = json.loads(line)
            fired = tuple(x["rule"].split("/", 1)[1] for x in r["fired"])
            shadow = tuple(x["rule"].split("/", 1)[1] for x in r["shadow"])
            yield r["event"], fired, shadow


def ratio(a, b):
    return round(a / b, 4) if b else None
