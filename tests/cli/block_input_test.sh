#!/usr/bin/env bash
# vigil eval and vigil diff read their events in raw blocks, cut into lines in
# place (stream/block_lines.hpp), or, from a regular file, in byte ranges that
# every thread reads at offsets (stream/range_lines.hpp): the lines are those
# of a line-by-line reader
# at every edge (a BOM, CRLF, blank lines, the line limit exactly and a byte
# over it, a last line without '\n', lines across block boundaries, empty
# input, stdin as a pipe and as a file), and the output is byte for byte the
# same on 1 to 4 threads.
# Usage: block_input_test.sh VIGIL DATA_DIR
set -u
vigil=$1 data=$2/threads
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
source "$(dirname "$0")/../lib/checks.sh"  # check, contains, same
limit=16777216  # LineReader::kMaxLine (limits::kMaxEventJsonBytes)

/usr/bin/python3 "$data/gen_edges.py" "$tmp/edges.jsonl" "$tmp/want.events" "$tmp/want.messages" "$limit"
total=$(grep -c '' "$tmp/want.events")

for rules in stateless single_key; do
  check "$rules: 1 thread" 0 "$vigil" eval --threads 1 --rules "$data/$rules.vgl" --events "$tmp/edges.jsonl"
  mv "$tmp/out" "$tmp/one.out"
  mv "$tmp/err" "$tmp/one.err"
  # Every line read, in order: the event ids of the results.
  sed 's/^{"event":"\([^"]*\)".*/\1/' "$tmp/one.out" >"$tmp/got.events"
  same "$rules: the events evaluated" "$tmp/got.events" "$tmp/want.events"
  # The messages name the lines a line-by-line reader would.
  sed -n "s|^$tmp/edges.jsonl:\([0-9]*\): \(malformed JSON\).*|\1: \2|p; s|^$tmp/edges.jsonl:\([0-9]*\): \(line is longer.*\)|\1: \2|p" \
    "$tmp/one.err" >"$tmp/got.messages"
  same "$rules: the messages" "$tmp/got.messages" "$tmp/want.messages"
  contains "$rules: the counts" one.err "$total events evaluated, 3 skipped"
  for n in 2 3 4; do
    check "$rules: $n threads" 0 "$vigil" eval --threads "$n" --rules "$data/$rules.vgl" --events "$tmp/edges.jsonl"
    same "$rules: stdout of $n threads" "$tmp/out" "$tmp/one.out"
    same "$rules: stderr of $n threads" "$tmp/err" "$tmp/one.err"
  done
done

# stdin, as a pipe (short reads) and as a file: the same results.
"$vigil" eval --threads 2 --rules "$data/stateless.vgl" --events "$tmp/edges.jsonl" >"$tmp/file.out" 2>/dev/null
cat "$tmp/edges.jsonl" | "$vigil" eval --threads 2 --rules "$data/stateless.vgl" --events - >"$tmp/out" 2>"$tmp/err"
same "stdin as a pipe" "$tmp/out" "$tmp/file.out"
contains "stdin is named" err "<stdin>:"
"$vigil" eval --threads 3 --rules "$data/stateless.vgl" --events - <"$tmp/edges.jsonl" >"$tmp/out" 2>/dev/null
same "stdin as a file" "$tmp/out" "$tmp/file.out"
# stdin as a file whose offset is past its start (the shell's `read` took its
# first line and set the offset after it): the rest, as a pipe of it gives.
{ IFS= read -r _; "$vigil" eval --threads 2 --rules "$data/stateless.vgl" --events - >"$tmp/out" 2>/dev/null; } <"$tmp/edges.jsonl"
tail -n +2 "$tmp/edges.jsonl" | "$vigil" eval --threads 2 --rules "$data/stateless.vgl" --events - >"$tmp/rest.out" 2>/dev/null
same "stdin as a file read in part" "$tmp/out" "$tmp/rest.out"
[ "$(wc -l <"$tmp/rest.out")" -eq "$(($(wc -l <"$tmp/file.out") - 1))" ] && pass=$((pass + 1)) ||
  { fail=$((fail + 1)); echo "FAIL stdin read in part: not one result fewer"; }
# and the offset is left past what vigil read, as read(2) leaves it: what
# reads the same stdin next finds nothing left.
{ "$vigil" eval --threads 2 --rules "$data/stateless.vgl" --events - >/dev/null 2>&1; cat >"$tmp/after"; } <"$tmp/edges.jsonl"
[ ! -s "$tmp/after" ] && pass=$((pass + 1)) || { fail=$((fail + 1)); echo "FAIL stdin's offset not past the input"; }

# Empty input, and input of blank lines only: nothing evaluated, no error.
: >"$tmp/empty.jsonl"
printf '\n \r\n\t\n\r' >"$tmp/blank.jsonl"
for f in empty blank; do
  for n in 1 2; do
    check "$f input, $n threads" 0 "$vigil" eval --threads "$n" --rules "$data/stateless.vgl" --events "$tmp/$f.jsonl"
    [ -s "$tmp/out" ] && { fail=$((fail + 1)); echo "FAIL $f input: results written"; } || pass=$((pass + 1))
    contains "$f input counts" err "0 events evaluated, 0 skipped"
  done
done

# A last line without '\n', alone.
printf '{"txn_id":"only","ts":1772323200000000,"card_id":"c","merchant_id":"m","amount":1.00,"channel":"pos"}' >"$tmp/one.jsonl"
check "one line, no newline" 0 "$vigil" eval --threads 2 --rules "$data/stateless.vgl" --events "$tmp/one.jsonl"
contains "one line read" out '{"event":"only"'

# vigil diff reads the same way: the same report on 1 and 3 threads.
check "diff 1 thread" 1 "$vigil" diff --threads 1 --json "$data/stateless.vgl" "$data/single_key.vgl" --events "$tmp/edges.jsonl"
mv "$tmp/out" "$tmp/diff1.out"
check "diff 3 threads" 1 "$vigil" diff --threads 3 --json "$data/stateless.vgl" "$data/single_key.vgl" --events "$tmp/edges.jsonl"
same "diff: report of 3 threads" "$tmp/out" "$tmp/diff1.out"
contains "diff counts" diff1.out "\"events\":$total,\"skipped\":3"

summary
