#!/usr/bin/env python3
"""A Python host for libvigil through ctypes (standard library only).

    python3 vigil_host.py LIBRARY RULES.vgl < events.jsonl

Compiles the rules, evaluates each JSON line from stdin and prints one
result per line, as `vigil eval` does.
"""
import ctypes
import sys

VIGIL_OK = 0


def load(path):
    lib = ctypes.CDLL(path)
    p = ctypes.c_void_p
    sigs = {
        "vigil_abi_version": (ctypes.c_uint32, []),
        "vigil_status_str": (ctypes.c_char_p, [ctypes.c_int32]),
        "vigil_compiler_new": (ctypes.c_int32, [p, ctypes.POINTER(p)]),
        "vigil_compiler_add_file": (ctypes.c_int32, [p, ctypes.c_char_p, ctypes.c_size_t]),
        "vigil_compiler_build": (ctypes.c_int32, [p, ctypes.POINTER(p)]),
        "vigil_compiler_diag_render": (ctypes.c_char_p, [p]),
        "vigil_compiler_free": (None, [p]),
        "vigil_ruleset_release": (None, [p]),
        "vigil_session_new": (ctypes.c_int32, [p, p, ctypes.POINTER(p)]),
        "vigil_session_eval": (ctypes.c_int32, [p, p, p]),
        "vigil_session_free": (None, [p]),
        "vigil_event_new": (ctypes.c_int32, [p, ctypes.POINTER(p)]),
        "vigil_event_set_json": (ctypes.c_int32, [p, ctypes.c_char_p, ctypes.c_size_t]),
        "vigil_event_errmsg": (ctypes.c_char_p, [p]),
        "vigil_event_free": (None, [p]),
        "vigil_result_new": (ctypes.c_int32, [ctypes.POINTER(p)]),
        "vigil_result_json": (ctypes.c_int32, [p, ctypes.POINTER(ctypes.c_char_p),
                                               ctypes.POINTER(ctypes.c_size_t)]),
        "vigil_result_free": (None, [p]),
    }
    for name, (res, args) in sigs.items():
        fn = getattr(lib, name)
        fn.restype = res
        fn.argtypes = args
    return lib


def main():
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    lib = load(sys.argv[1])
    if lib.vigil_abi_version() != 1:
        print("unsupported vigil ABI %d" % lib.vigil_abi_version(), file=sys.stderr)
        return 2
    compiler, rules = ctypes.c_void_p(), ctypes.c_void_p()
    lib.vigil_compiler_new(None, ctypes.byref(compiler))
    path = sys.argv[2].encode()
    lib.vigil_compiler_add_file(compiler, path, len(path))
    status = lib.vigil_compiler_build(compiler, ctypes.byref(rules))
    if status != VIGIL_OK:
        sys.stderr.write(lib.vigil_compiler_diag_render(compiler).decode())
        lib.vigil_compiler_free(compiler)
        return 1
    lib.vigil_compiler_free(compiler)
    session, event, result = ctypes.c_void_p(), ctypes.c_void_p(), ctypes.c_void_p()
    lib.vigil_session_new(rules, None, ctypes.byref(session))
    lib.vigil_event_new(rules, ctypes.byref(event))
    lib.vigil_result_new(ctypes.byref(result))
    skipped = 0
    for number, line in enumerate(sys.stdin.buffer, 1):
        line = line.rstrip(b"\r\n")
        if not line:
            continue
        if lib.vigil_event_set_json(event, line, len(line)) != VIGIL_OK:
            print("line %d: %s" % (number, lib.vigil_event_errmsg(event).decode()), file=sys.stderr)
            skipped += 1
            continue
        if lib.vigil_session_eval(session, event, result) != VIGIL_OK:
            print("line %d: evaluation failed" % number, file=sys.stderr)
            return 1
        text, size = ctypes.c_char_p(), ctypes.c_size_t()
        lib.vigil_result_json(result, ctypes.byref(text), ctypes.byref(size))
        sys.stdout.write(ctypes.string_at(text, size.value).decode() + "\n")
    lib.vigil_result_free(result)
    lib.vigil_event_free(event)
    lib.vigil_session_free(session)
    lib.vigil_ruleset_release(rules)
    print("%d skipped" % skipped, file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
