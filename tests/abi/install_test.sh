#!/usr/bin/env bash
# Installs vigil into a temporary prefix, then builds a host against the
# installed package both ways (pkg-config and find_package) and runs it.
set -euo pipefail
build=$1 src=$2
prefix=$(mktemp -d)
trap 'rm -rf "$prefix"' EXIT
cmake --install "$build" --prefix "$prefix" >/dev/null
libdir=$(dirname "$(find "$prefix" -name 'libvigil.so.1' | head -n 1)")
export PKG_CONFIG_PATH=$libdir/pkgconfig LD_LIBRARY_PATH=$libdir
cc -std=c99 -Wall -Wextra -pedantic -Werror "$src/tests/abi/header_c99.c" -o "$prefix/pc_host" \
  $(pkg-config --cflags --libs vigil)
"$prefix/pc_host"
cmake -S "$src/tests/abi/find_package" -B "$prefix/consumer" -G Ninja \
  -DCMAKE_PREFIX_PATH="$prefix" >/dev/null
cmake --build "$prefix/consumer" >/dev/null
"$prefix/consumer/consumer"
echo "installed package works with pkg-config and find_package"
