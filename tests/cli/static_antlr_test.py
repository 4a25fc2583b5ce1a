#!/usr/bin/env python3
"""The vigil command links the ANTLR runtime statically (grammar/CMakeLists.txt,
vigil_link_static_antlr; docs/performance.md, "The start of a run"): it must
not load libantlr4-runtime.so, and the runtime's static initialisers must run
before the generated parser's, which deserialises its ATN with the runtime's
classes. ELF runs .init_array in order, so the parser's entry comes after
every entry of the runtime's objects.

    static_antlr_test.py VIGIL
"""
import re
import struct
import subprocess
import sys


def main(binary):
    dynamic = subprocess.run(["readelf", "-d", binary], capture_output=True, text=True,
                             check=True).stdout
    if "libantlr4-runtime" in dynamic:
        print("FAIL: vigil needs the shared ANTLR runtime")
        return 1
    sections = subprocess.run(["readelf", "-S", "-W", binary], capture_output=True, text=True,
                              check=True).stdout
    m = re.search(r"\]\s+\.init_array\s+\S+\s+([0-9a-f]+)\s+([0-9a-f]+)\s+([0-9a-f]+)", sections)
    if m is None:
        print("FAIL: no .init_array")
        return 1
    offset, size = int(m.group(2), 16), int(m.group(3), 16)
    with open(binary, "rb") as f:
        f.seek(offset)
        data = f.read(size)
    # The section holds addresses (or, in a PIE, zeros to be relocated): read
    # the relocations that fill it when the entries are zero.
    entries = [struct.unpack_from("<Q", data, i)[0] for i in range(0, size, 8)]
    if not any(entries):
        start = int(m.group(1), 16)
        relocs = subprocess.run(["readelf", "-r", "-W", binary], capture_output=True, text=True,
                                check=True).stdout
        by_offset = {}
        for line in relocs.splitlines():
            p = line.split()
            if len(p) >= 4 and p[2] == "R_X86_64_RELATIVE":
                by_offset[int(p[0], 16)] = int(p[3], 16)
        entries = [by_offset.get(start + 8 * i, 0) for i in range(size // 8)]
    names = {}
    for line in subprocess.run(["nm", binary], capture_output=True, text=True,
                               check=True).stdout.splitlines():
        p = line.split()
        if len(p) == 3:
            names.setdefault(int(p[0], 16), p[2])
    order = [names.get(a, hex(a)) for a in entries]
    parser = [i for i, n in enumerate(order) if n == "_GLOBAL__sub_I_VigilParser.cpp"]
    runtime = [i for i, n in enumerate(order) if n.startswith("_GLOBAL__sub_I__ZN6antlr4")]
    if len(parser) != 1 or len(runtime) < 20:
        print(f"FAIL: initialisers not found (parser {parser}, runtime {len(runtime)})")
        return 1
    if parser[0] < max(runtime):
        print(f"FAIL: the parser's initialiser (#{parser[0]}) runs before the runtime's "
              f"(last #{max(runtime)})")
        return 1
    print(f"ok: {len(runtime)} runtime initialisers, then the parser's (#{parser[0]})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
