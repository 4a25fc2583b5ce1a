#!/usr/bin/python3
"""Seeds for fuzz_capi: call sequences written by name, encoded as the
fuzzer decodes them (fuzz/fuzz_capi.c), so that fuzzing starts from inputs
that compile rule sets, evaluate, explain, snapshot, rebind and share state.
The call numbers are read from the table in tests/badinput/capi_calls.c, so
the seeds follow the table when calls are added.

  capi_seeds.py OUT_DIR
"""
import os
import re
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
TABLE = os.path.join(HERE, "..", "tests", "badinput", "capi_calls.c")

with open(TABLE) as f:
    CALLS = re.findall(r"^\s*CALL\((\w+), \"(\w*)\"", f.read(), re.M)
INDEX = {name: (i, sig) for i, (name, sig) in enumerate(CALLS)}

# The string pool of fuzz_capi.c (next_string), by meaning.
RULES, OTHER, BROKEN, PATH, MEMNAME, EVENT, WATCH, BADUTF8, BIG, DECIMAL, KEY, PACKNAME = (
    3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14)
NUMBERS = {0: 0, 1: 1, 2: 2, 3: 3, 5: 4, 8: 5, -1: 6}
OPT_KEYS = ["struct_size", "flags", "max_errors", "shards", "lateness_us", "mode", "apply"]
NULL = None


def number(v):
    if v in NUMBERS:
        return bytes([NUMBERS[v]])
    if v == 2**63 - 1:
        return bytes([7])
    return bytes([8]) + struct.pack(">q", v)


def arg(letter, v):
    if letter in "CRSEXT":
        return bytes([4 if v is NULL else v])
    if letter == "s":
        if isinstance(v, bytes):
            return bytes([15, len(v)]) + v
        if v == PATH:
            return bytes([PATH, 1])  # the rules file on disk
        return bytes([0 if v is NULL else v])
    if letter == "z":
        return bytes([5 if v is NULL else v])
    if letter in "uin":
        return number(v)
    if letter == "d":
        return bytes([v])
    if letter == "L":
        if v is NULL:
            return bytes([4])
        return bytes([len(v)]) + b"".join(arg("s", x) for x in v)
    if letter in "AB":
        if v is NULL:
            return bytes([3])
        return bytes([len(v)]) + bytes(v)
    if letter == "O":
        if v is NULL:
            return bytes([1])
        out = bytes([len(v) << 1])
        for key, value in v.items():
            out += bytes([OPT_KEYS.index(key)]) + number(value)
        return out
    if letter == "o":
        return bytes([4 if v is NULL else v])
    if letter == "p":
        return bytes([1 if v is NULL else 0])
    raise ValueError(letter)


def call(name, *values):
    i, sig = INDEX[name]
    assert len(sig) == len(values), (name, sig, values)
    return bytes([i]) + b"".join(arg(l, v) for l, v in zip(sig, values))


# A rule set whose schema has no fields: its events have no slots (a null
# values pointer), and every member of a JSON line is unknown. Round 24's
# shaped reader bound a reference through that null pointer for each member,
# undefined behaviour fuzz_capi found in round 25's CI (the unit test is
# EventJsonFastTest.ASchemaWithoutFieldsReadsItsLinesShaped); kept as a seed so
# that fuzzing starts on that path. The second line of the same shape is read
# by the shaped loop.
FIELDLESS = (b'ruleset f.empty version "1.0.0"\nschema e version 1 {\n}\nuses schema e\n'
             b'rule r { title "r" severity low when true then score 1 }\n')


def build(slot, source, name=MEMNAME):
    return (call("compiler_new", NULL, 0) + call("compiler_add_source", 0, name, source) +
            call("compiler_build", 0, slot))


SEEDS = {
    "evaluate": build(0, RULES) + call("session_new", 0, NULL, 0) + call("event_new", 0, 0) +
    call("result_new", 0) + call("event_set_json", 0, EVENT) + call("session_eval", 0, 0, 0) +
    call("session_eval", 0, 0, 0) + call("result_fired_get", 0, 0, {}) +
    call("session_explain", 0, 0, 0, 0, 0) + call("result_json", 0, 0, 0) +
    call("session_get_state", 0, 0) + call("state_save", 0, 0) + call("state_load", 0, 0),
    "from_file_selftest": call("compiler_new", NULL, 0) + call("compiler_add_file", 0, PATH) +
    call("compiler_build", 0, 0) + call("compiler_selftest", 0, 0, 0) +
    call("compiler_diag_count", 0) + call("compiler_diag_get", 0, 0, {}),
    "broken": build(0, BROKEN) + call("compiler_diag_get", 0, 0, {}) +
    call("compiler_diag_render", 0) + call("compiler_add_source", 0, MEMNAME, RULES),
    "two_rulesets": build(0, RULES) + build(1, OTHER) + call("session_new", 0, NULL, 0) +
    call("session_new", 1, NULL, 1) + call("event_new", 0, 0) + call("event_new", 1, 1) +
    call("result_new", 0) + call("event_set_json", 0, EVENT) + call("event_set_json", 1, EVENT) +
    call("session_eval", 0, 0, 0) + call("session_eval", 1, 1, 0) + call("session_get_state", 0, 0) +
    call("session_set_state", 1, 0) + call("session_eval", 1, 1, 0) + call("state_save", 0, 0) +
    call("session_get_state", 1, 1) + call("state_load", 1, 0) + call("session_rebind", 0, 1) +
    call("session_eval", 0, 0, 0) + call("session_eval", 0, 1, 0),
    "external_state": build(0, RULES) + call("session_new", 0, NULL, 0) + call("event_new", 0, 0) +
    call("result_new", 0) + call("event_set_json", 0, EVENT) +
    call("state_new_external", {"mode": 3}, -1, 0) + call("session_set_state", 0, 0) +
    call("session_eval", 0, 0, 0) + call("state_new_external", {"mode": 2, "flags": 1}, -1, 1) +
    call("session_set_state", 0, 1) + call("session_eval", 0, 0, 0) + call("session_record", 0, 0, 0),
    "lists_and_batches": build(0, RULES) + call("ruleset_set_list", 0, WATCH, [b"e1", b"e2"]) +
    call("ruleset_set_list", 0, WATCH, NULL) + call("session_new", 0, NULL, 0) +
    call("event_new", 0, 0) + call("event_new", 0, 1) + call("result_new", 0) + call("result_new", 1) +
    call("event_set_string", 0, 1, b"e1") + call("event_set_decimal", 0, 3, DECIMAL) +
    call("event_set_string_set", 1, 8, [b"VPN", BADUTF8]) +
    call("session_eval_batch", 0, [0, 1], [0, 1], 2, 0) + call("session_eval_ex", 0, 0, 1, 1),
    "fieldless_schema": build(0, FIELDLESS) + call("session_new", 0, NULL, 0) +
    call("event_new", 0, 0) + call("result_new", 0) + call("event_set_json", 0, EVENT) +
    call("session_eval", 0, 0, 0) + call("event_set_json", 0, EVENT) + call("session_eval", 0, 0, 0) +
    call("result_json", 0, 0, 0),
    "misuse": call("compiler_new", {"struct_size": 3}, 0) + call("compiler_new", NULL, 0) +
    call("compiler_build", 0, 0) + call("compiler_add_source", 0, BADUTF8, BIG) +
    call("event_new", NULL, 0) + call("session_eval", NULL, NULL, NULL) +
    call("state_new", {"shards": 2**63 - 1}, 0) + call("state_get_stats", 0, {}) +
    call("backend_reply_add", 0, b"x"),
    "retain_release": build(0, RULES) + call("ruleset_retain", 0, 1) + call("ruleset_release", 0) +
    call("event_new", 1, 0) + call("ruleset_release", 1) + call("event_set_int", 0, 4, 2**63 - 1) +
    call("event_set_json", 0, b'{"n":1} {"n":2}'),
}


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    for name, data in SEEDS.items():
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
