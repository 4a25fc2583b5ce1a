#!/usr/bin/env bash
# Issue 13: what one member's files may do to another's (overrides, decision
# order, trust policy for plain files, confinement of file reads, pack lists,
# versions, keys), and what a new integrator found (explain records once,
# pack build messages, hints). Usage: sharing_test.sh VIGIL DATA_DIR REPO
set -u
vigil=$(cd "$(dirname "$1")" && pwd)/$(basename "$1") data=$2 repo=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
source "$(dirname "$0")/../lib/checks.sh"  # check, contains, lacks

# ---- vigil eval --explain records each event exactly once (issue 13 §4):
# with a second recording, s2 would count 4 payments and fire `burst`.
check explain_records_once 0 "$vigil" eval --rules "$data/testpack/pack.vgl" --events "$data/testpack/stream.jsonl" --explain
grep '"event":"s2"' "$tmp/out" > "$tmp/s2"
grep '"event":"s3"' "$tmp/out" > "$tmp/s3"
contains explain_records_once_s2 s2 '"decision":"allow"'
contains explain_records_once_s2_count s2 '"expr":"count(by: card, within: 1h)","value":"2"'
contains explain_records_once_s3 s3 '"reason":"3 in 1h"'
contains explain_records_once_s3_count s3 '"expr":"count(by: card, within: 1h)","value":"3"'

# ---- Packs are crafted by hand here, as an attacker would: `vigil pack build`
# refuses to build a pack whose rules do not compile alone.
mkpack() {  # mkpack DIR OUT.vgp: every file below DIR, in the .vgp format
  /usr/bin/python3 - "$1" "$2" <<'PY'
import hashlib, os, sys
src, out = sys.argv[1], sys.argv[2]
files = []
for root, _, names in os.walk(src):
    for n in names:
        full = os.path.join(root, n)
        files.append((os.path.relpath(full, src), open(full, "rb").read()))
image = b"vigil-pack 1\n"
for path, data in sorted(files):
    image += b"file %s %d\n" % (path.encode(), len(data)) + data + b"\n"
image += b"sha256 " + hashlib.sha256(image).hexdigest().encode() + b"\n"
open(out, "wb").write(image)
PY
}
mkdir -p "$tmp/pa" "$tmp/pb" "$tmp/pc"
cat > "$tmp/pa/rules.vgl" <<'VGL'
ruleset p.a version "1.0.0"
schema s version 1 {
  id: string
  amount: decimal
}
uses schema s
param LIMIT: decimal = 100.00
rule big { when amount > LIMIT then score 10 decide block }
VGL
printf '{"name": "p.a", "version": "1.0.0", "files": ["rules.vgl"]}' > "$tmp/pa/pack.json"
cat > "$tmp/pb/rules.vgl" <<'VGL'
ruleset p.b version "1.0.0"
uses schema s
rule tiny { when amount < 1.00 then score 1 }
override p.a { disable rule big }
VGL
printf '{"name": "p.b", "version": "1.0.0", "files": ["rules.vgl"]}' > "$tmp/pb/pack.json"
cat > "$tmp/pc/rules.vgl" <<'VGL'
ruleset p.c version "1.0.0"
uses schema s
decisions block < report < review < allow
rule wave { when amount > 0.00 then score 0 decide allow }
VGL
printf '{"name": "p.c", "version": "1.0.0", "files": ["rules.vgl"]}' > "$tmp/pc/pack.json"
mkpack "$tmp/pa" "$tmp/a.vgp"; mkpack "$tmp/pb" "$tmp/b.vgp"; mkpack "$tmp/pc" "$tmp/c.vgp"
printf '{"id":"e1","amount":500}\n' > "$tmp/big.jsonl"

# An override carried by one pack cannot disable another pack's rule...
check pack_override_refused 1 "$vigil" check "$tmp/a.vgp" "$tmp/b.vgp"
contains pack_override_refused err "error[E2021]: an override in pack \"$tmp/b.vgp\" targets rule set 'p.a', which the pack does not declare (it comes from pack \"$tmp/a.vgp\")"
contains pack_override_refused err "rule set 'p.a' is declared at $tmp/a.vgp/rules.vgl:1:1"
check pack_override_refused_eval 2 "$vigil" eval --rules "$tmp/a.vgp" "$tmp/b.vgp" --events "$tmp/big.jsonl"
# ... unless the host allows it, and then it is said, with the applied override.
check pack_override_allowed 0 "$vigil" check "$tmp/a.vgp" "$tmp/b.vgp" --allow-pack-overrides
contains pack_override_allowed err "warning[W5008]: an override in pack \"$tmp/b.vgp\" re-tunes rule set 'p.a' of pack \"$tmp/a.vgp\""
contains pack_override_allowed err "override applied: $tmp/b.vgp/rules.vgl:4:16: rule set 'p.a': disable rule big (from pack \"$tmp/b.vgp\")"
check pack_override_allowed_eval 0 "$vigil" eval --allow-pack-overrides --rules "$tmp/a.vgp" "$tmp/b.vgp" --events "$tmp/big.jsonl"
contains pack_override_allowed_eval out '"decision":"allow"'
check pack_override_help 0 "$vigil" help check
contains pack_override_help out "--allow-pack-overrides"

# A second pack cannot re-rank the decision order so that its `allow` wins.
check decision_order_refused 1 "$vigil" check "$tmp/a.vgp" "$tmp/c.vgp"
contains decision_order_refused err "$tmp/c.vgp/rules.vgl:3:1: error[E2022]: pack \"$tmp/c.vgp\" declares the decision order, which would re-rank the decisions of rule set 'p.a' from pack \"$tmp/a.vgp\""
# The host's own files may set the order for every rule set they load.
printf 'decisions allow < review < report < block < freeze\n' > "$tmp/host_decisions.vgl"
check decision_order_host 0 "$vigil" check "$tmp/a.vgp" "$tmp/host_decisions.vgl"

# Every override applied is reported by check, eval, test and diff: file,
# place, rule set and change.
printf 'override cli.testpack {\n  set LIMIT = 50.00\n  severity big critical\n}\n' > "$tmp/member_bad.vgl"
check override_unknown_param 1 "$vigil" check "$data/testpack/pack.vgl" "$tmp/member_bad.vgl"
contains override_unknown_param err "'LIMIT' is not a param of rule set 'cli.testpack'"
printf 'override cli.testpack {\n  severity big critical\n  mode never shadow\n}\n' > "$tmp/member.vgl"
applied="override applied: $tmp/member.vgl:2:3: rule set 'cli.testpack': severity big critical"
check override_reported_check 0 "$vigil" check "$data/testpack/pack.vgl" "$tmp/member.vgl"
contains override_reported_check err "$applied"
contains override_reported_check err "override applied: $tmp/member.vgl:3:3: rule set 'cli.testpack': mode never shadow"
check override_reported_eval 0 "$vigil" eval --rules "$data/testpack/pack.vgl" "$tmp/member.vgl" --events "$data/testpack/stream.jsonl"
contains override_reported_eval err "$applied"
check override_reported_test 0 "$vigil" test "$data/testpack/pack.vgl" "$tmp/member.vgl"
contains override_reported_test err "$applied"
check override_reported_diff 0 "$vigil" diff "$data/testpack/pack.vgl" "$data/testpack/pack.vgl" --new-with "$tmp/member.vgl" --events "$data/testpack/stream.jsonl"
contains override_reported_diff err "override applied (NEW): $tmp/member.vgl:2:3: rule set 'cli.testpack': severity big critical"
lacks override_reported_diff_old err "override applied (OLD)"

# ---- Plain rule files under the trust policy (VIGIL_SIGNED_ONLY): refused
# unless they are the host's own (VIGIL_LOCAL_FILES); signed packs pass.
"$vigil" pack keygen "$tmp/coalition" 2>/dev/null
"$vigil" pack sign "$tmp/a.vgp" --key "$tmp/coalition.key" -o "$tmp/a_signed.vgp" 2>/dev/null
printf 'override p.a {\n  set LIMIT = 200.00\n}\n' > "$tmp/tuning.vgl"
check signed_only_plain_refused 1 env VIGIL_SIGNED_ONLY=1 VIGIL_TRUSTED_KEYS="$tmp/coalition.pub" "$vigil" check "$tmp/a_signed.vgp" "$tmp/tuning.vgl"
contains signed_only_plain_refused err "error[E2020]: rule file \"$tmp/tuning.vgl\" refused: the host accepts rules only in packs that pass its trust policy"
check signed_only_local_accepted 0 env VIGIL_SIGNED_ONLY=1 VIGIL_TRUSTED_KEYS="$tmp/coalition.pub" VIGIL_LOCAL_FILES="$tmp/tuning.vgl" "$vigil" check "$tmp/a_signed.vgp" "$tmp/tuning.vgl"
contains signed_only_local_accepted err "override applied: $tmp/tuning.vgl:2:3: rule set 'p.a': set LIMIT = 200.00"
check signed_only_unsigned_pack 1 env VIGIL_SIGNED_ONLY=1 VIGIL_TRUSTED_KEYS="$tmp/coalition.pub" VIGIL_LOCAL_FILES="$tmp/tuning.vgl" "$vigil" check "$tmp/a.vgp" "$tmp/tuning.vgl"
contains signed_only_unsigned_pack err "error[E2017]"
# "./tuning.vgl" in VIGIL_LOCAL_FILES and "$tmp/tuning.vgl" on the command line are one file.
check signed_only_local_same_file 0 env -C "$tmp" VIGIL_SIGNED_ONLY=1 VIGIL_TRUSTED_KEYS=coalition.pub VIGIL_LOCAL_FILES=./tuning.vgl "$vigil" check a_signed.vgp "$tmp/tuning.vgl"
check signed_only_off 0 env VIGIL_TRUSTED_KEYS="$tmp/coalition.pub" "$vigil" check "$tmp/a_signed.vgp" "$tmp/tuning.vgl"

# ---- What a rule file may read: its own directory tree, rule and list files
# only, regular files only; nothing else is ever quoted in a diagnostic.
mkdir -p "$tmp/member/rules/lists" "$tmp/member/secret"
printf 'root:x:0:0:root:/root:/bin/bash\n' > "$tmp/member/secret/passwd.vgl"
printf '4111111111111111\n' > "$tmp/member/secret/cards.txt"
head='ruleset t.read version "1.0.0"\nschema s version 1 {\n  c: string\n}\nuses schema s\n'
printf "$head"'import "/etc/passwd"\n' > "$tmp/member/rules/etc.vgl"
check read_etc_passwd 1 "$vigil" check "$tmp/member/rules/etc.vgl"
contains read_etc_passwd err "error[E2025]: cannot import \"/etc/passwd\": only rule files (*.vgl) can be imported"
lacks read_etc_passwd_no_echo err "root:"
check read_etc_passwd_wide 1 "$vigil" check "$tmp/member/rules/etc.vgl" --read-root /
lacks read_etc_passwd_wide_no_echo err "root:"
printf "$head"'import "../../proc/self/environ"\n' > "$tmp/member/rules/environ.vgl"
check read_environ 1 "$vigil" check "$tmp/member/rules/environ.vgl"
contains read_environ err "error[E2025]"
printf "$head"'import "../secret/passwd.vgl"\n' > "$tmp/member/rules/up.vgl"
check read_outside_tree 1 "$vigil" check "$tmp/member/rules/up.vgl"
contains read_outside_tree err "error[E2023]: cannot import \"../secret/passwd.vgl\": it is outside the directory tree of the rule files (\"$tmp/member/rules\")"
lacks read_outside_tree_no_echo err "root:"
printf 'const SHARED_LIMIT = 5\n' > "$tmp/member/secret/shared.vgl"
printf "$head"'import "../secret/shared.vgl"\nrule r { when len(c) > SHARED_LIMIT then score 1 }\n' > "$tmp/member/rules/up_ok.vgl"
check read_outside_tree_refused 1 "$vigil" check "$tmp/member/rules/up_ok.vgl"
check read_outside_tree_allowed 0 "$vigil" check "$tmp/member/rules/up_ok.vgl" --read-root "$tmp/member/secret"
check read_root_needs_dir 2 "$vigil" check "$tmp/member/rules/up_ok.vgl" --read-root
printf "$head"'list L: set<string> from "../secret/cards.txt"\nrule r { when c in L then score 1 }\n' > "$tmp/member/rules/list_up.vgl"
check list_outside_tree 1 "$vigil" check "$tmp/member/rules/list_up.vgl"
contains list_outside_tree err "error[E2023]: cannot read list file \"../secret/cards.txt\""
lacks list_outside_tree_no_echo err "4111"
check list_outside_allowed 0 "$vigil" check "$tmp/member/rules/list_up.vgl" --read-root "$tmp/member/secret"
printf "$head"'list L: set<string> from "/etc/passwd"\nrule r { when c in L then score 1 }\n' > "$tmp/member/rules/list_etc.vgl"
check list_etc_passwd 1 "$vigil" check "$tmp/member/rules/list_etc.vgl" --read-root /
contains list_etc_passwd err "error[E2025]: cannot read list file \"/etc/passwd\": list files are named *.txt, *.list or *.sha256"
mkfifo "$tmp/member/rules/lists/fifo.txt"
printf "$head"'list L: set<string> from "lists/fifo.txt"\nrule r { when c in L then score 1 }\n' > "$tmp/member/rules/fifo.vgl"
check list_fifo 1 timeout 20 "$vigil" check "$tmp/member/rules/fifo.vgl"
contains list_fifo err "cannot read list file \"lists/fifo.txt\": it is a FIFO (named pipe), not a regular file"
check rule_file_device 1 timeout 20 "$vigil" check /dev/zero
contains rule_file_device err "error[E2025]: cannot load \"/dev/zero\": rule files are named *.vgl and packs *.vgp"
ln -s /dev/zero "$tmp/member/rules/zero.vgl"
check rule_file_device_link 1 timeout 20 "$vigil" check "$tmp/member/rules/zero.vgl"
contains rule_file_device_link err "it is a device, not a regular file"

# ---- A pack whose rules read a list pack.json does not name is refused,
# and `pack build` says so (not "no such file"), naming the source directory.
mkdir -p "$tmp/mk/lists"
printf 'ruleset t.mk version "1.0.0"\nschema s version 1 {\n  c: string\n}\nuses schema s\nlist L: set<string> from "lists/l.txt"\nrule r { when c in L then score 1 }\n' > "$tmp/mk/r.vgl"
printf 'x\n' > "$tmp/mk/lists/l.txt"
printf '{"name": "t.mk", "version": "1.0.0", "files": ["r.vgl"]}' > "$tmp/mk/pack.json"
check pack_list_not_named 1 "$vigil" pack build "$tmp/mk" -o "$tmp/mk.vgp"
contains pack_list_not_named err "$tmp/mk/r.vgl:6:26: error[E2024]: cannot read list file \"lists/l.txt\": pack.json does not name \"lists/l.txt\" in \"lists\""
lacks pack_list_not_named_no_such_file err "no such file"
lacks pack_list_not_named_output err "mk.vgp/r.vgl"
contains pack_list_not_named_dir err "vigil pack: $tmp/mk: the pack's rules do not compile: not built"
cp -r "$tmp/mk" "$tmp/mk_crafted"
printf '{"name": "t.mk", "version": "1.0.0", "files": ["r.vgl"]}' > "$tmp/mk_crafted/pack.json"
mkpack "$tmp/mk_crafted" "$tmp/mk_crafted.vgp"  # the list is inside, unnamed
check pack_list_not_named_load 1 "$vigil" check "$tmp/mk_crafted.vgp"
contains pack_list_not_named_load err "error[E2024]"
# Failing self-tests are named.
printf '{"name": "t.mk", "version": "1.0.0", "files": ["r.vgl"], "lists": [{"path": "lists/l.txt", "marking": "AMBER"}]}' > "$tmp/mk/pack.json"
printf '\ntest "x is watched" {\n  event { c: "y" }\n    expect fires r\n}\n' >> "$tmp/mk/r.vgl"
check pack_build_failing_test 1 "$vigil" pack build "$tmp/mk" -o "$tmp/mk.vgp"
contains pack_build_failing_test err "FAIL \"x is watched\" ($tmp/mk/r.vgl:"
contains pack_build_failing_test err "vigil pack: $tmp/mk: 1 of the pack's tests fail: not built (\"$tmp/mk.vgp\" is left as it was)"

# ---- Versions compare as semver orders them: 1.2.0-rc.1 < 1.2.0.
mkdir -p "$tmp/rc"
printf 'ruleset t.rc version "1.2.0-rc.1"\n' > "$tmp/rc/r.vgl"
printf '{"name": "t.rc", "version": "1.2.0-rc.1", "files": ["r.vgl"]}' > "$tmp/rc/pack.json"
check rc_build 0 "$vigil" pack build "$tmp/rc" -o "$tmp/rc.vgp"
check rc_min_version 1 env VIGIL_MIN_PACK_VERSION=1.2.0 "$vigil" check "$tmp/rc.vgp"
contains rc_min_version err "pack t.rc 1.2.0-rc.1 is older than 1.2.0, the oldest the host accepts (rollback refused)"
check rc_min_version_rc 0 env VIGIL_MIN_PACK_VERSION=1.2.0-rc.1 "$vigil" check "$tmp/rc.vgp"
check rc_verify_min 1 "$vigil" pack verify "$tmp/rc.vgp" --min-version 1.2.0
printf 'override t.rc version "1.2.0" {\n}\n' > "$tmp/rc_override.vgl"
check rc_override_fit 1 "$vigil" check "$tmp/rc.vgp" "$tmp/rc_override.vgl"
contains rc_override_fit err "error[E2018]"

# ---- Keys: keygen never silently replaces a key; trust settings say what is wrong.
check keygen_refuses_overwrite 1 "$vigil" pack keygen "$tmp/coalition"
contains keygen_refuses_overwrite err "\"$tmp/coalition.key\" already exists: refusing to overwrite a key (use --force to replace it)"
cp "$tmp/coalition.key" "$tmp/coalition.key.before"
check keygen_kept 0 cmp "$tmp/coalition.key" "$tmp/coalition.key.before"
check keygen_force 0 "$vigil" pack keygen "$tmp/coalition" --force
check keygen_forced_new 1 cmp -s "$tmp/coalition.key" "$tmp/coalition.key.before"
check trusted_keys_missing 1 env VIGIL_TRUSTED_KEYS="$tmp/missing.pub" "$vigil" check "$tmp/a_signed.vgp"
contains trusted_keys_missing err "VIGIL_TRUSTED_KEYS: cannot read public key file \"$tmp/missing.pub\": no such file"
printf 'not hex\n' > "$tmp/bad.pub"
check trusted_keys_bad 1 env VIGIL_TRUSTED_KEYS="$tmp/bad.pub" "$vigil" check "$tmp/a_signed.vgp"
contains trusted_keys_bad err "\"$tmp/bad.pub\" is not a public key file"
check verify_untrusted_says_so 0 "$vigil" pack verify "$tmp/a_signed.vgp"
contains verify_untrusted_says_so out "1 valid signature(s); the signers were not checked against trusted keys (give --trust KEYS)"

# ---- The host-schema check (E2019) asks only for what the compiled rules
# read, in one diagnostic listing every missing field.
cat > "$tmp/hs.vgl" <<'VGL'
ruleset t.hs version "1.0.0"
schema pay version 2 {
  ts: time
  card: string @key
  amount: decimal
  country: string
  channel: string
  unused_a: string
  unused_b: int
}
uses schema pay
let foreign = country != "NZ"
rule big { when amount > 100.00 and foreign then score 1 reason "{channel}" }
rule burst { when count(by: card, within: 1h) > 3 then score 1 }
VGL
printf 'schema pay version 2 {\n  ts: time\n  card: string\n  amount: decimal\n  country: string\n  channel: string\n}\n' > "$tmp/hs_ok.vgl"
check host_schema_unread_fields 0 env VIGIL_HOST_SCHEMA="$tmp/hs_ok.vgl" "$vigil" check "$tmp/hs.vgl"
printf 'schema pay version 2 {\n  amount: decimal\n}\n' > "$tmp/hs_few.vgl"
check host_schema_one_diagnostic 1 env VIGIL_HOST_SCHEMA="$tmp/hs_few.vgl" "$vigil" check "$tmp/hs.vgl"
contains host_schema_one_diagnostic err "error[E2019]: the rules need 4 fields the host's schema 'pay' does not have: 'ts: time', 'card: string', 'country: string', 'channel: string'"
check host_schema_count 0 test "$(grep -c 'E2019' "$tmp/err")" -eq 1
lacks host_schema_no_unused err "unused_a"

# ---- vigil explain: aggregate values and lets in the text view, the
# --history note, and a hint for a file named without '@'.
check explain_text_aggregates 0 "$vigil" explain --rules "$data/testpack/pack.vgl" --event '{"ts":"2026-01-01T00:00:00Z","card":"a","amount":150}'
contains explain_text_aggregates out "└─         count(by: card, within: 1h) = 1"
contains explain_text_history_note out "give the events before it with"
contains explain_text_history_flag out "--history FILE.jsonl"
head -2 "$data/testpack/stream.jsonl" > "$tmp/first2.jsonl"
check explain_text_history 0 "$vigil" explain --rules "$data/testpack/pack.vgl" --history "$tmp/first2.jsonl" --event "$(tail -1 "$data/testpack/stream.jsonl")"
contains explain_text_history out "└─         count(by: card, within: 1h) = 3"
lacks explain_text_history_no_note out "give the events before it"
check explain_lets 0 "$vigil" explain --rules "$repo/rules/examples/card_rules.vgl" --event "$(sed -n 2p "$repo/examples/events.jsonl")"
contains explain_lets out "└─ true    cross_border"
check explain_json_aggregates 0 "$vigil" explain --rules "$data/testpack/pack.vgl" --event '{"ts":"2026-01-01T00:00:00Z","card":"a","amount":1}' --json
contains explain_json_aggregates out '"kind":"aggregate","expr":"count(by: card, within: 1h)","value":"1"'
printf '{"amount":1}\n' > "$tmp/event.json"
check explain_file_without_at 1 "$vigil" explain --rules "$data/testpack/pack.vgl" --event "$tmp/event.json"
contains explain_file_without_at err "= help: \"$tmp/event.json\" is a file; to read the event from it, write --event @$tmp/event.json"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
