#!/usr/bin/python3
"""Runs the bad-input table: one TOML file per area (tests/badinput/*.toml).

Each case writes its input files in a fresh directory, runs a vigil command
or a script of C ABI calls (capi_driver.c) there under a memory cap and a time
cap, and checks the exit status, the diagnostic code and that the message
names the place. The format is described in tests/badinput/README.md.

  run_cases.py --vigil VIGIL --capi DRIVER [--sanitized] AREA.toml... [-k TEXT]
  run_cases.py --coverage AREA.toml...     every issue item is named by a case

Exit status: 0 when every case passed (pending cases are reported as skipped,
by name and owner), 1 when one failed, 2 when the table itself is wrong.
"""
import argparse
import os
import re
import resource
import shlex
import signal
import subprocess
import sys
import tempfile
import tomllib

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))

# Caps for every case. Normal builds get an address-space limit (ulimit -v);
# sanitizer builds reserve terabytes of shadow memory, so there ASan watches
# the resident size instead (hard_rss_limit_mb) and large allocations fail
# rather than abort (allocator_may_return_null).
MEMORY_CAP_MB = 1024
TIMEOUT_S = 20
SANITIZED_SLOWDOWN = 4

CASE_KEYS = {
    "name", "issue", "promise", "pending", "files", "setup", "run", "capi", "prelude", "stdin", "env",
    "exit", "code", "where", "message", "stderr", "stdout", "absent", "unchanged",
    "no_files", "after", "timeout", "note", "placeless", "memory_mb",
}
OWNERS = {"h11a", "h13a", "h13b", "h13c"}


class TableError(Exception):
    pass


class CaseFailure(Exception):
    pass


def load_area(path):
    with open(path, "rb") as f:
        try:
            data = tomllib.load(f)
        except tomllib.TOMLDecodeError as e:
            raise TableError(f"{path}: {e}")
    common = data.get("common", {})
    cases = data.get("case", [])
    names = set()
    for c in cases:
        name = c.get("name", "?")
        unknown = set(c) - CASE_KEYS
        if unknown:
            raise TableError(f"{path}: case '{name}': unknown keys {sorted(unknown)}")
        if name in names:
            raise TableError(f"{path}: case '{name}' appears twice")
        names.add(name)
        if ("run" in c) == ("capi" in c):
            raise TableError(f"{path}: case '{name}': give exactly one of run and capi")
        if "pending" in c and c["pending"] not in OWNERS:
            raise TableError(f"{path}: case '{name}': pending names an owner: {sorted(OWNERS)}")
        if "run" in c:
            if "exit" not in c:
                raise TableError(f"{path}: case '{name}': no expected exit status")
            if (c["exit"] != 0 or "code" in c) and "where" not in c and "placeless" not in c:
                raise TableError(f"{path}: case '{name}': an error must name its place (where)")
            if "placeless" in c and ("where" in c or "code" not in c or c["exit"] != 0):
                raise TableError(f"{path}: case '{name}': placeless is for a warning about "
                                 "the whole compilation (code, exit 0, no where)")
        elif "=>" not in c["capi"]:
            raise TableError(f"{path}: case '{name}': the script checks nothing (no =>)")
    return common, cases


def substitute(text, ctx):
    return text.replace("{dir}", ctx["dir"]).replace("{repo}", REPO)


def vgp(files):
    """The bytes of an unsigned rule pack holding `files` (path -> text), written
    by hand as a hostile member could (docs/sharing.md has the format)."""
    import hashlib
    out = b"vigil-pack 1\n"
    for path in sorted(files):
        data = files[path].encode() if isinstance(files[path], str) else files[path]
        out += b"file %s %d\n" % (path.encode(), len(data)) + data + b"\n"
    return out + b"sha256 " + hashlib.sha256(out).hexdigest().encode() + b"\n"


def write_files(files, d):
    for name, spec in files.items():
        path = os.path.join(d, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        if isinstance(spec, str):
            with open(path, "wb") as f:
                f.write(spec.encode("utf-8"))
        elif "py" in spec:  # a Python expression giving str or bytes
            value = eval(spec["py"], {"__builtins__": __builtins__, "vgp": vgp})
            with open(path, "wb") as f:
                f.write(value.encode("utf-8") if isinstance(value, str) else value)
        elif "hex" in spec:
            with open(path, "wb") as f:
                f.write(bytes.fromhex(spec["hex"]))
        elif "size" in spec:  # sparse: large without using disk
            with open(path, "wb") as f:
                f.truncate(spec["size"])
        elif "symlink" in spec:
            os.symlink(spec["symlink"].replace("{repo}", REPO), path)
        elif spec.get("fifo"):
            os.mkfifo(path)
        elif spec.get("dir"):
            os.makedirs(path, exist_ok=True)
        else:
            raise TableError(f"file '{name}': unknown kind {sorted(spec)}")


def memory_limiter(cap_mb):
    def limit_memory():
        cap = cap_mb << 20
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    return limit_memory


def execute(argv, ctx, stdin=None, env_extra=None, timeout=TIMEOUT_S, slowdown=True,
            memory_mb=MEMORY_CAP_MB):
    env = dict(os.environ)
    for k, v in (env_extra or {}).items():
        env[k] = substitute(v, ctx)
    if ctx["sanitized"]:
        env["ASAN_OPTIONS"] = ":".join(filter(None, [
            env.get("ASAN_OPTIONS", ""), f"hard_rss_limit_mb={memory_mb * 2}",
            "allocator_may_return_null=1"]))
        if slowdown:
            timeout *= SANITIZED_SLOWDOWN
    proc = subprocess.Popen(argv, cwd=ctx["dir"], env=env, stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            start_new_session=True,
                            preexec_fn=None if ctx["sanitized"] else memory_limiter(memory_mb))
    try:
        out, err = proc.communicate(stdin.encode() if stdin is not None else b"", timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        raise CaseFailure(f"timed out after {timeout} s: {' '.join(argv)[:200]}")
    out, err = out.decode("utf-8", "replace"), err.decode("utf-8", "replace")
    if proc.returncode < 0:
        raise CaseFailure(f"killed by signal {-proc.returncode}\n{indent(err)}")
    if "Sanitizer" in err or "runtime error:" in err:
        raise CaseFailure(f"sanitizer report\n{indent(err)}")
    return proc.returncode, out, err


def indent(text, limit=25):
    lines = text.rstrip("\n").split("\n")
    shown = lines[:limit] + ([f"... {len(lines) - limit} more lines"] if len(lines) > limit else [])
    return "\n".join("    | " + l for l in shown)


def command(text, ctx):
    argv = shlex.split(substitute(text, ctx))
    if argv and argv[0] == "vigil":
        argv[0] = ctx["vigil"]
    return argv


def run_setup(steps, ctx):
    for step in steps:
        if step.startswith("py:"):  # Python run in the case's directory, as `d`
            exec(step[3:].strip(), {"__builtins__": __builtins__, "os": os, "d": ctx["dir"], "vgp": vgp})
            continue
        status, out, err = execute(command(step, ctx), ctx)
        if status != 0:
            raise CaseFailure(f"setup step failed ({status}): {step}\n{indent(err)}")


def snapshot(paths, d):
    got = {}
    for p in paths:
        with open(os.path.join(d, p), "rb") as f:
            got[p] = f.read()
    return got


def check_place(case, err, out):
    """The diagnostic `code` (if any) is reported on a line that names `where`."""
    code, where, message = case.get("code"), case.get("where"), case.get("message")
    lines = err.split("\n") + out.split("\n")  # `vigil test` reports on stdout
    if code:
        coded = [l for l in lines if f"[{code}]" in l]
        if not coded:
            found = sorted(set(re.findall(r"(?:error|warning)\[([EW]\d{4})\]", err)))
            raise CaseFailure(f"no diagnostic {code} (found {found or 'none'})\n{indent(err)}")
        lines = coded
    if where:
        placed = [l for l in lines if where in l]
        if not placed:
            raise CaseFailure(f"no {'line with ' + code if code else 'message'} naming "
                              f"'{where}'\n{indent(err)}")
        lines = placed
    if message and not any(message in l for l in lines):
        raise CaseFailure(f"the message naming the place does not say '{message}'\n{indent(err)}")


def run_case(case, common, ctx):
    files = dict(common.get("files", {}))
    files.update(case.get("files", {}))
    write_files(files, ctx["dir"])
    run_setup(case.get("setup", []), ctx)
    unchanged = case.get("unchanged", [])
    before = snapshot(unchanged, ctx["dir"])
    timeout = case.get("timeout", TIMEOUT_S)
    # A pending case is expected to fail: it gets no extra time under the
    # sanitizers (a hang that is being fixed must not slow the whole run).
    slowdown = "pending" not in case
    # A case may need more than the usual cap (100,000 rules are about 1 GB
    # checked: docs/limits.md); it says how much, so the cap still bounds it.
    memory_mb = case.get("memory_mb", MEMORY_CAP_MB)
    if "capi" in case:
        script = case["capi"]
        if case.get("prelude", True) and "capi_prelude" in common:
            script = common["capi_prelude"] + script
        with open(os.path.join(ctx["dir"], "calls.capi"), "w") as f:
            f.write(substitute(script, ctx))
        status, out, err = execute([ctx["capi"], "calls.capi"], ctx, timeout=timeout,
                                   slowdown=slowdown, memory_mb=memory_mb)
        if status != 0:
            first = err.strip().split("\n")[0] if err.strip() else ""
            raise CaseFailure(f"driver exit {status}: {first}\n{indent(err)}")
    else:
        status, out, err = execute(command(case["run"], ctx), ctx, case.get("stdin"),
                                   case.get("env"), timeout, slowdown, memory_mb)
        if status != case["exit"]:
            raise CaseFailure(f"exit {status}, expected {case['exit']}\n{indent(err)}")
        check_place(case, err, out)
    for text in case.get("stderr", []):
        if text not in err:
            raise CaseFailure(f"stderr does not contain '{text}'\n{indent(err)}")
    for text in case.get("stdout", []):
        if text not in out:
            raise CaseFailure(f"stdout does not contain '{text}'\n{indent(out)}")
    for text in case.get("absent", []):
        if text in out or text in err:
            raise CaseFailure(f"the output contains '{text}', which it must not")
    after = snapshot(unchanged, ctx["dir"])
    for p in unchanged:
        if after[p] != before[p]:
            raise CaseFailure(f"'{p}' was changed")
    for p, text in case.get("after", {}).items():
        with open(os.path.join(ctx["dir"], p), "rb") as f:
            if text.encode() not in f.read():
                raise CaseFailure(f"'{p}' no longer contains '{text}'")
    for p in case.get("no_files", []):
        if os.path.lexists(os.path.join(ctx["dir"], p)):
            raise CaseFailure(f"'{p}' exists after the run")


def run_area(path, args):
    common, cases = load_area(path)
    area = os.path.splitext(os.path.basename(path))[0]
    counts = {"pass": 0, "fail": 0, "pending": 0}
    for case in cases:
        name = f"{area}/{case['name']}"
        if args.k and args.k not in name:
            continue
        with tempfile.TemporaryDirectory(prefix="badinput-") as d:
            ctx = {"dir": d, "vigil": args.vigil, "capi": args.capi, "sanitized": args.sanitized}
            try:
                run_case(case, common, ctx)
                problem = None
            except CaseFailure as e:
                problem = str(e)
            except Exception as e:  # the table's own Python (py:, files) is wrong
                problem = f"cannot run: {e!r}"
        owner = case.get("pending")
        if owner and problem:
            counts["pending"] += 1
            first = problem.split("\n")[0]
            print(f"SKIP {name} (pending {owner}): {first}")
        elif owner:
            counts["fail"] += 1
            print(f"FAIL {name}: passes now: remove `pending = \"{owner}\"`")
        elif problem:
            counts["fail"] += 1
            print(f"FAIL {name}: {problem}")
        else:
            counts["pass"] += 1
            if args.verbose:
                print(f"PASS {name}")
    total = sum(counts.values())
    print(f"{area}: {total} cases, {counts['pass']} passed, {counts['pending']} pending, "
          f"{counts['fail']} failed")
    return counts


def check_coverage(paths):
    """Every item of issues.txt is named by at least one case's `issue`, or
    says where its test is (elsewhere=PATH, which must exist)."""
    items, elsewhere = {}, {}
    with open(os.path.join(HERE, "issues.txt")) as f:
        for line in f:
            line = line.strip()
            if line and not line.startswith("#"):
                key, _, text = line.partition(" ")
                m = re.search(r" elsewhere=(\S+)$", text)
                if m:
                    elsewhere[key] = m.group(1)
                    text = text[:m.start()]
                items[key] = text
    ok = True
    for key, where in elsewhere.items():
        if where in OWNERS:
            print(f"SKIP issue item {key} (pending {where}): {items[key]}")
        elif not os.path.exists(os.path.join(REPO, where)):
            print(f"FAIL issue item {key}: its test {where} does not exist")
            ok = False
    named = {}
    for path in paths:
        _, cases = load_area(path)
        for c in cases:
            for key in c.get("issue", "").split():
                if key not in items:
                    raise TableError(f"{path}: case '{c['name']}' names unknown issue item {key}")
                named.setdefault(key, []).append(c["name"])
    missing = [k for k in items if k not in named and k not in elsewhere]
    for k in missing:
        print(f"FAIL issue item {k} has no case: {items[k]}")
    print(f"{len(items)} issue items: {len(named)} named by cases, {len(elsewhere)} tested "
          f"elsewhere, {len(missing)} uncovered")
    return ok and not missing


def main():
    p = argparse.ArgumentParser()
    p.add_argument("areas", nargs="+")
    p.add_argument("--vigil")
    p.add_argument("--capi")
    p.add_argument("--sanitized", action="store_true")
    p.add_argument("--coverage", action="store_true")
    p.add_argument("-k", help="only cases whose area/name contains this")
    p.add_argument("-v", "--verbose", action="store_true")
    args = p.parse_args()
    try:
        if args.coverage:
            return 0 if check_coverage(args.areas) else 1
        failed = 0
        for path in args.areas:
            failed += run_area(path, args)["fail"]
        return 1 if failed else 0
    except TableError as e:
        print(f"table error: {e}")
        return 2


if __name__ == "__main__":
    sys.exit(main())
