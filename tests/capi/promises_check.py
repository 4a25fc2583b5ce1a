#!/usr/bin/python3
"""Every promise of vigil.h is held by a test that exists, and every test that
claims a promise names one the header makes.

vigil.h tags each statement of what a call sets, frees, keeps, copies, borrows
or returns on failure with [p:NAME]. A test holds promise NAME when it is
  - TEST(Promise, NAME) in one of the gtest binaries given (dashes in NAME
    written as underscores), listed with --gtest_list_tests;
  - a gtest test whose body has a comment `promise: NAME ...`;
  - a case of the bad-input table with `promise = "NAME ..."` (a pending case
    holds it as pending, reported with its owner);
  - a Python or shell test registered in a CMakeLists.txt whose text has
    `promise: NAME`.

  promises_check.py REPO GTEST_BINARY...
"""
import os
import re
import subprocess
import sys
import tomllib

TAG = re.compile(r"\[p:([a-z0-9-]+)\]")
MARK = re.compile(r"promise: ([a-z0-9 -]+)")
TEST_DECL = re.compile(r"^TEST(?:_F)?\((\w+),\s*(\w+)\)", re.M)


def gtest_names(binary):
    out = subprocess.run([binary, "--gtest_list_tests"], capture_output=True, text=True, check=True)
    names, suite = set(), None
    for line in out.stdout.splitlines():
        if not line.startswith(" "):
            suite = line.strip().rstrip(".")
        elif suite:
            names.add(f"{suite}.{line.split('#')[0].strip()}")
    return names


def main():
    repo, binaries = sys.argv[1], sys.argv[2:]
    with open(os.path.join(repo, "plugin-api/include/vigil/vigil.h")) as f:
        tags = set(TAG.findall(f.read()))
    listed = set()
    for b in binaries:
        listed |= gtest_names(b)
    held, pending, problems = {}, {}, []

    def hold(tag, by, owner=None):
        if tag not in tags:
            problems.append(f"{by} names promise '{tag}', which vigil.h does not make")
        elif owner:
            pending.setdefault(tag, []).append(f"{by} (pending {owner})")
        else:
            held.setdefault(tag, []).append(by)

    for name in listed:
        suite, test = name.split(".", 1)
        if suite == "Promise":
            hold(test.replace("_", "-"), name)
    tests_dir = os.path.join(repo, "tests")
    cmake_text = ""
    for root, _, files in os.walk(tests_dir):
        for fn in files:
            if fn == "CMakeLists.txt":
                with open(os.path.join(root, fn)) as f:
                    cmake_text += f.read()
    for root, _, files in os.walk(tests_dir):
        for fn in sorted(files):
            path = os.path.join(root, fn)
            rel = os.path.relpath(path, repo)
            if fn.endswith((".cpp", ".c")):
                with open(path) as f:
                    text = f.read()
                decls = [(m.start(), f"{m.group(1)}.{m.group(2)}") for m in TEST_DECL.finditer(text)]
                for m in MARK.finditer(text):
                    before = [name for at, name in decls if at < m.start()]
                    if not before:
                        problems.append(f"{rel}: 'promise:' outside any test")
                        continue
                    if before[-1] not in listed:
                        problems.append(f"{rel}: {before[-1]} is in no test binary given")
                        continue
                    for tag in m.group(1).split():
                        hold(tag, before[-1])
            elif fn.endswith((".py", ".sh")) and fn != os.path.basename(__file__):
                with open(path) as f:
                    text = f.read()
                marks = MARK.findall(text)
                if marks and fn not in cmake_text:
                    problems.append(f"{rel} names promises but no CMakeLists.txt runs it")
                for m in marks:
                    for tag in m.split():
                        hold(tag, rel)
            elif fn.endswith(".toml"):
                with open(path, "rb") as f:
                    cases = tomllib.load(f).get("case", [])
                for c in cases:
                    for tag in c.get("promise", "").split():
                        hold(tag, f"{rel}:{c['name']}", c.get("pending"))
    for tag in sorted(tags):
        if tag in held:
            continue
        if tag in pending:
            print(f"SKIP promise {tag}: only {', '.join(pending[tag])}")
        else:
            problems.append(f"promise '{tag}' of vigil.h is held by no test")
    for p in problems:
        print(f"FAIL {p}")
    print(f"{len(tags)} promises in vigil.h: {len(held)} held by tests, "
          f"{len([t for t in pending if t not in held])} pending, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
