#!/usr/bin/env python3
"""Checks that each target VIGIL_UNITY builds compiles as one translation unit.

CMake's unity build (VIGIL_UNITY: cold builds such as CI's; builds through
ccache leave it off) puts eight files of a target in one translation unit, so
two files that define the same name in anonymous namespaces fail to compile
together; which files share a batch changes as files are added. This compiles
all the files of each such target as one unit (-fsyntax-only), so that every
pair is checked whatever the batches.
  tools/unity_check.py BUILD_DIR [TARGET...]   (any configured tree: its compile_commands.json)
"""
import concurrent.futures
import json
import os
import re
import shlex
import subprocess
import sys
import tempfile

TARGETS = sys.argv[2:] or ["vigil_core", "vigil_lsp", "vigil_report", "vigil", "vigil_unit_tests"]


def unit_of(commands, target):
    """The target's files and the compile command of one of them."""
    marker = "/CMakeFiles/%s.dir/" % target
    files, command = [], None
    for c in commands:
        args = shlex.split(c["command"])
        out = args[args.index("-o") + 1] if "-o" in args else ""
        # Files with options of their own (-fno-char8_t) are left out of
        # unity batches by CMake, and so here.
        if marker not in "/" + out or "-fno-char8_t" in args or "/Unity/" in c["file"]:
            continue
        files.append(c["file"])
        command = (c["directory"], args)
    return files, command


def check(target, files, command):
    """Compiles the files as one unit; returns the lines to print and whether it passed."""
    directory, args = command
    if os.path.basename(args[0]) in ("ccache", "sccache"):
        args = args[1:]
    with tempfile.NamedTemporaryFile("w", suffix=".cxx", delete=False) as unit:
        unit.writelines('#include "%s"\n' % f for f in files)
    # Without the precompiled header (VIGIL_PCH), which may be older than
    # the headers: they are parsed here as they are.
    args = [a for i, a in enumerate(args)
            if a != "-Winvalid-pch" and not a.endswith("cmake_pch.hxx")
            and not (a == "-include" and args[i + 1].endswith("cmake_pch.hxx"))]
    src = args.index("-c") + 1
    out = args.index("-o")
    run = args[:out] + args[out + 2:src - 1] + ["-fsyntax-only", unit.name] + args[src + 1:]
    result = subprocess.run(run, cwd=directory, capture_output=True, text=True)
    os.unlink(unit.name)
    errors = [l for l in result.stderr.splitlines() if re.search(r"error:|note: .*previous", l)]
    lines = ["%s: %d files as one unit: %s"
             % (target, len(files), "ok" if result.returncode == 0 else "FAILED")]
    lines += ["  " + line for line in errors[:20]]
    return lines, result.returncode == 0


def main():
    build = os.path.abspath(sys.argv[1])
    with open(os.path.join(build, "compile_commands.json")) as f:
        commands = json.load(f)
    units = [(t,) + unit_of(commands, t) for t in TARGETS]
    units = [u for u in units if u[1]]
    # One compiler a core: the targets are independent.
    with concurrent.futures.ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        results = list(pool.map(lambda u: check(*u), units))
    failed = False
    for lines, ok in results:
        print("\n".join(lines))
        failed = failed or not ok
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
