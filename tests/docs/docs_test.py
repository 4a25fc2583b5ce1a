#!/usr/bin/env python3
"""The documentation cannot drift from the product.

1. docs/authoring.md is replayed as a new user would follow it, in an empty
   directory: a paragraph ending "file `PATH` ...:" before a code block writes PATH;
   a block whose info string is "vgl append PATH" appends to PATH; every line
   of a ```sh block is run (with `vigil` meaning the built binary) and must
   succeed. A few of the tutorial's claims about the output are checked too.
3. The ```sh lines of docs/testing.md, docs/sharing.md, docs/case.md,
   docs/reporting.md, docs/referral.md and docs/impact.md are run in order and
   must exit as documented (run_commands).
2. Every ```vgl block of the other docs/*.md files must compile: the blocks of
   one document are compiled together, in order (a document is one running
   example), beside a copy of the example pack's schema and lists, after a
   prelude (a rule set using that schema) when the document declares no rule
   set of its own.

Usage: docs_test.py VIGIL REPO
"""
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile

FENCE = re.compile(r"^```(.*)$")


def blocks(text):
    """(info string, body, preceding paragraph) for each fenced block."""
    out, lines, i = [], text.split("\n"), 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        info = m.group(1).strip()
        j = i + 1
        while j < len(lines) and not lines[j].startswith("```"):
            j += 1
        # The paragraph just before the block.
        k = i - 1
        while k >= 0 and not lines[k].strip():
            k -= 1
        para = []
        while k >= 0 and lines[k].strip() and not lines[k].startswith("```"):
            para.insert(0, lines[k])
            k -= 1
        out.append((info, "\n".join(lines[i + 1:j]) + "\n", " ".join(para)))
        i = j + 1
    return out


def run(cmd, cwd, vigil):
    """Runs one documented command line: leading NAME=value words set the
    environment, `vigil` is the built binary, a final `> FILE` writes stdout
    to FILE."""
    args = shlex.split(cmd)
    env = dict(os.environ)
    while args and re.match(r"^[A-Z_][A-Z0-9_]*=", args[0]):
        key, value = args.pop(0).split("=", 1)
        env[key] = value
    if args and args[0] == "vigil":
        args[0] = vigil
    if len(args) > 2 and args[-2] == ">":
        target = os.path.join(cwd, args[-1])
        r = subprocess.run(args[:-2], cwd=cwd, env=env, capture_output=True, text=True)
        with open(target, "w") as f:
            f.write(r.stdout)
        return r
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True)


def replay_tutorial(vigil, repo):
    with open(os.path.join(repo, "docs/authoring.md")) as f:
        text = f.read()
    failures, outputs = [], {}
    with tempfile.TemporaryDirectory() as work:
        for info, body, before in blocks(text):
            file_match = re.search(r"\b[Ff]ile `([^`]+)`.*:$", before)
            if info.startswith("vgl append "):
                path = os.path.join(work, info.split()[2])
                with open(path, "a") as f:
                    f.write(body)
            elif file_match:
                path = os.path.join(work, file_match.group(1))
                os.makedirs(os.path.dirname(path), exist_ok=True)
                with open(path, "w") as f:
                    f.write(body)
            elif info == "sh":
                for cmd in body.strip().split("\n"):
                    r = run(cmd, work, vigil)
                    outputs[cmd] = r
                    if r.returncode != 0:
                        failures.append("authoring.md: `%s` exited %d:\n%s%s"
                                        % (cmd, r.returncode, r.stdout, r.stderr))
        checks = [
            ("vigil eval --rules mypack/rules.vgl --events events.jsonl",
             '"decision":"review"'),
            ("vigil explain --rules mypack/rules.vgl --event @one_event.json",
             "false   amount < SMALL_AMOUNT"),
            ("vigil test mypack --require-coverage", "3 passed, 0 failed"),
            ("vigil eval --rules mypack/rules.vgl member_overrides.vgl --events events.jsonl",
             '"decision":"review"'),
        ]
        for cmd, want in checks:
            r = outputs.get(cmd)
            if r is None:
                failures.append("authoring.md no longer runs `%s`" % cmd)
            elif want not in r.stdout:
                failures.append("authoring.md: `%s` does not print %r:\n%s" % (cmd, want, r.stdout))
    return failures


PRELUDE = 'ruleset docs.example version "1.0.0"\nimport "card_txn.vgl"\nuses schema card_txn\n\n'


def compile_examples(vigil, repo):
    failures = []
    docs = os.path.join(repo, "docs")
    for name in sorted(os.listdir(docs)):
        if not name.endswith(".md") or name == "authoring.md":
            continue
        with open(os.path.join(docs, name)) as f:
            vgl = [body for info, body, _ in blocks(f.read()) if info == "vgl"]
        if not vgl:
            continue
        source = "\n".join(vgl)
        if not re.search(r"^ruleset ", source, re.M):
            source = PRELUDE + source
        with tempfile.TemporaryDirectory() as work:
            shutil.copy(os.path.join(repo, "rules/examples/card_txn.vgl"), work)
            shutil.copytree(os.path.join(repo, "rules/examples/lists"), os.path.join(work, "lists"))
            path = os.path.join(work, name.replace(".md", ".vgl"))
            with open(path, "w") as f:
                f.write(source)
            r = subprocess.run([vigil, "check", path], capture_output=True, text=True)
            if r.returncode != 0:
                failures.append("the vgl examples of docs/%s do not compile:\n%s" % (name, r.stderr))
            else:
                print("docs/%s: %d examples compile" % (name, len(vgl)))
    return failures


def shared_dir(repo):
    """The reference material (FIU schemas): $VIGIL_SHARED or REPO/../shared."""
    return os.environ.get("VIGIL_SHARED") or os.path.join(os.path.abspath(repo), "..", "shared")


def run_commands(vigil, repo, name):
    """Every ```sh line of docs/NAME must succeed, in order, beside a copy of
    rules/ and examples/: exit 0, or N when the line ends with "# exits N".
    A paragraph ending "File `PATH` ...:" before a block writes PATH first.
    `../shared/` means the reference material; lines that need it are
    skipped, with a message, when it is missing."""
    failures, count, skipped = [], 0, 0
    shared = shared_dir(repo)
    with open(os.path.join(repo, "docs", name)) as f:
        text = f.read()
    with tempfile.TemporaryDirectory() as work:
        for tree in ("rules", "examples"):
            shutil.copytree(os.path.join(repo, tree), os.path.join(work, tree))
        for info, body, before in blocks(text):
            file_match = re.search(r"\b[Ff]ile `([^`]+)`.*:$", before)
            if file_match:
                with open(os.path.join(work, file_match.group(1)), "w") as f:
                    f.write(body)
                continue
            if info != "sh":
                continue
            for line in body.strip().replace("\\\n", " ").split("\n"):
                if not line.strip() or line.lstrip().startswith("#"):
                    continue
                if "../shared/" in line:
                    if not os.path.isdir(shared):
                        skipped += 1
                        continue
                    line = line.replace("../shared/", shared.rstrip("/") + "/")
                want = 0
                m = re.search(r"\s+#\s*exits (\d+)\s*$", line)
                if m:
                    want, line = int(m.group(1)), line[:m.start()]
                r = run(line, work, vigil)
                count += 1
                if r.returncode != want:
                    failures.append("%s: `%s` exited %d, not %d:\n%s%s"
                                    % (name, line, r.returncode, want, r.stdout, r.stderr))
    if skipped:
        print("SKIP docs/%s: %d commands need %s, which is missing (set VIGIL_SHARED)"
              % (name, skipped, shared))
    if not failures:
        print("docs/%s: %d commands succeed" % (name, count))
    return failures


def main():
    vigil, repo = os.path.abspath(sys.argv[1]), sys.argv[2]
    failures = (replay_tutorial(vigil, repo) + compile_examples(vigil, repo) +
                run_commands(vigil, repo, "testing.md") + run_commands(vigil, repo, "sharing.md") +
                run_commands(vigil, repo, "case.md") + run_commands(vigil, repo, "reporting.md") +
                run_commands(vigil, repo, "limits.md") +
                run_commands(vigil, repo, "referral.md") +
                run_commands(vigil, repo, "impact.md"))
    for f in failures:
        print("FAIL " + f)
    if not failures:
        print("docs/authoring.md replayed without a failing step")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
