#!/usr/bin/env python3
"""The TextMate grammar in editors/ stays in step with the language.

Checks that the grammar is valid JSON, that every `match`/`begin`/`end`
regular expression compiles (Python's re is close enough to Oniguruma for
these patterns), and that every keyword of grammar/VigilLexer.g4 is matched by
one of the grammar's keyword patterns. Usage: grammar_test.py REPO
"""
import json
import re
import sys


def patterns(node):
    if isinstance(node, dict):
        for key in ("match", "begin", "end"):
            if key in node:
                yield node[key]
        for value in node.values():
            yield from patterns(value)
    elif isinstance(node, list):
        for value in node:
            yield from patterns(value)


def main():
    repo = sys.argv[1]
    with open(repo + "/editors/vscode/syntaxes/vigil.tmLanguage.json") as f:
        grammar = json.load(f)
    compiled = []
    for p in patterns(grammar):
        try:
            compiled.append(re.compile(p))
        except re.error as e:
            print("bad pattern %r: %s" % (p, e))
            return 1
    with open(repo + "/grammar/VigilLexer.g4") as f:
        lexer = f.read()
    keywords = re.findall(r"^[A-Z_]+\s*:\s*'([a-z_]+)'\s*;", lexer, re.M)
    if len(keywords) < 20:
        print("found only %d keywords in the lexer" % len(keywords))
        return 1
    missing = [k for k in keywords if not any(c.fullmatch(k) or c.search(k + " ") for c in compiled)]
    if missing:
        print("keywords not highlighted: %s" % ", ".join(missing))
        return 1
    print("%d patterns compile, %d keywords highlighted" % (len(compiled), len(keywords)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
