#!/usr/bin/env bash
# Installs vigil into a temporary prefix, then builds hosts against the
# installed package (pkg-config and find_package) and runs them; the C host
# must give the same results as `vigil eval` on the example pack.
set -euo pipefail
build=$1 src=$2 vigil=$3
prefix=$(mktemp -d)
trap 'rm -rf "$prefix"' EXIT
cmake --install "$build" --prefix "$prefix" >/dev/null
libdir=$(dirname "$(find "$prefix" -name 'libvigil.so.1' | head -n 1)")
export PKG_CONFIG_PATH=$libdir/pkgconfig LD_LIBRARY_PATH=$libdir
cc -std=c99 -Wall -Wextra -pedantic -Werror "$src/tests/abi/header_c99.c" -o "$prefix/pc_host" \
  $(pkg-config --cflags --libs vigil)
"$prefix/pc_host"
# The rpath the documentation recommends (docs/c-api.md) makes the host run
# without LD_LIBRARY_PATH.
cc -std=c99 -Wall -Wextra -pedantic -Werror "$src/tests/abi/header_c99.c" -o "$prefix/rpath_host" \
  $(pkg-config --cflags --libs vigil) -Wl,-rpath,"$(pkg-config --variable=libdir vigil)"
env -u LD_LIBRARY_PATH "$prefix/rpath_host"
# The Redis backend: its header, library and vigil_redis.pc.
cc -std=c99 -Wall -Wextra -pedantic -Werror "$src/tests/abi/redis_consumer.c" -o "$prefix/redis_host" \
  $(pkg-config --cflags --libs vigil_redis)
"$prefix/redis_host"
cmake -S "$src/tests/abi/find_package" -B "$prefix/consumer" -G Ninja \
  -DCMAKE_PREFIX_PATH="$prefix" >/dev/null
cmake --build "$prefix/consumer" >/dev/null
"$prefix/consumer/consumer"
"$prefix/consumer/redis_consumer"
# The command is installed too (bin/vigil), and works on its own.
"$prefix/bin/vigil" --version
"$prefix/bin/vigil" check "$src/rules/examples/card_rules.vgl" 2>/dev/null
cc -std=gnu11 -Wall -Wextra "$src/examples/c_host/main.c" -o "$prefix/c_host" \
  $(pkg-config --cflags vigil) -ldl
rules=$src/rules/examples/card_rules.vgl events=$src/examples/events.jsonl
"$prefix/c_host" "$libdir/libvigil.so.1" "$rules" < "$events" > "$prefix/host.jsonl" 2>/dev/null
"$vigil" eval --rules "$rules" --events "$events" > "$prefix/cli.jsonl" 2>/dev/null
python3 - "$prefix/host.jsonl" "$prefix/cli.jsonl" <<'PY'
import json, sys
def load(path):
    rows = [json.loads(l) for l in open(path) if l.strip()]
    for r in rows:
        r.pop("event")
    return rows
host, cli = load(sys.argv[1]), load(sys.argv[2])
assert host == cli and len(host) > 0, "the installed C host disagrees with vigil eval"
print("installed C host: %d results agree with vigil eval" % len(host))
PY
echo "installed package works with pkg-config and find_package"
