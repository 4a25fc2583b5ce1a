"""Groups `perf report --sort dso,symbol --stdio` lines (on stdin) into the
stages of `vigil eval` and prints the share of each (bench/profile_eval.sh)."""
import re
import sys

# First match wins: (stage, pattern on "dso symbol").
STAGES = [
    ("compile the rules (once)", r"antlr|vigil::syntax|vigil::sema|vigil::plan|Compile|Planner|Parser::|Lexer"),
    ("read and split lines", r"LineReader|__memchr|_IO_|fread|\bread\b|vfs_read|copy_user|rep_movs|filemap|ext4|xfs|NextLine|RunStream|Run::Go|std::function"),
    # The strict check of lines that do not have the last line's shape
    # (base/json_check.cpp).
    ("check the JSON (strict)", r"Checker::|CheckJsonObject|FindInvalid|utf8"),
    # simdjson's On-Demand parser is inlined into the reader that converts
    # what it parses, and the shaped path's check (base/json_shape.hpp) into
    # EventJsonReader::ReadFast: check, parse and convert are one stage here.
    ("check + parse + convert to slots", r"simdjson|EventJsonReader|JsonShape|FindStringStop|ParseDecimal|ParseTime|ParseDuration|DaysFromCivil|from_chars|Event::Set|Arena|Member\b|Convert\b|PlainInt|Schema::Find|_Hash_bytes|AppendEventId|IdRank|EventStringProblem"),
    ("evaluate", r"Session::|RuleIndex|Evaluator|Program::|eval::Session|Aggregate|state::|Store|Window|Shard"),
    ("format results", r"WriteResultJson|WriteQuietResult|PutPlainJsonString|EvalOutput::Format|WriteDecisionJson|AppendJsonString|AppendFiredRuleJson|AppendExplain|Explain|fmt::|format_int|basic_string.*append|_M_append|_M_replace|_M_mutate"),
    ("write output", r"fwrite|_IO_new_file|write|__libc_write|ksys_write|pipe_write|do_syscall|entry_SYSCALL"),
]

totals = {}
other = {}
for line in sys.stdin:
    m = re.match(r"\s*([\d.]+)%\s+(\S+)\s+\[[.k]\]\s+(.*)", line)
    if not m:
        continue
    share, dso, sym = float(m.group(1)), m.group(2), m.group(3).strip()
    text = dso + " " + sym
    for stage, pattern in STAGES:
        if re.search(pattern, text):
            totals[stage] = totals.get(stage, 0.0) + share
            break
    else:
        other[sym] = other.get(sym, 0.0) + share
rest = sum(other.values())
for stage, _ in STAGES:
    print(f"{stage:33s} {totals.get(stage, 0.0):5.1f}%")
top = ", ".join(f"{s[:40]} {v:.1f}%" for s, v in sorted(other.items(), key=lambda x: -x[1])[:4])
print(f"{'other':33s} {rest:5.1f}%  ({top})")
