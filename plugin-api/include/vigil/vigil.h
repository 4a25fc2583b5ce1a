/*
 * vigil.h — the C ABI of the vigil rule engine. This header is the whole
 * public interface: anything not declared here is not part of the API.
 *
 * THE MODEL
 *
 *   vigil_compiler   mutable, used once: new → add_file/add_source × N → build → free.
 *                    One thread at a time.
 *   vigil_ruleset    the compiled rule set: immutable, reference-counted, safe for
 *                    concurrent use by any number of threads. The unit of hot reload.
 *   vigil_session    per-thread evaluation state (scratch memory reused across events,
 *                    so a warm session allocates nothing). One thread at a time.
 *                    Keeps its rule set alive until freed. [p:session-keeps-ruleset]
 *   vigil_event      one event's field values, set by slot or from JSON. Reusable
 *                    (vigil_event_reset). One thread at a time.
 *   vigil_result     what evaluating one event produced. Reusable. One thread at a time.
 *
 * A TYPICAL HOST (compiled and run as it stands by the test abi.header_sample,
 * with `line` and `line_len` holding one JSON event)
 *
 *   vigil_compiler* c; vigil_ruleset* rs;
 *   vigil_compiler_new(NULL, &c);
 *   vigil_compiler_add_file(c, "rules/examples/card_rules.vgl", 29);
 *   if (vigil_compiler_build(c, &rs) != VIGIL_OK) {
 *     fputs(vigil_compiler_diag_render(c), stderr);     // file:line:column, carets
 *     vigil_compiler_free(c);
 *     return 1;
 *   }
 *   vigil_compiler_free(c);
 *
 *   vigil_session* s; vigil_event* e; vigil_result* r;  // one set per thread
 *   vigil_session_new(rs, NULL, &s); vigil_event_new(rs, &e); vigil_result_new(&r);
 *   if (vigil_event_set_json(e, line, line_len) != VIGIL_OK) {
 *     fprintf(stderr, "%s\n", vigil_event_errmsg(e));  // names the field
 *   } else if (vigil_session_eval(s, e, r) == VIGIL_OK) {
 *     printf("%s %lld\n", vigil_result_decision(r), (long long)vigil_result_score(r));
 *   }
 *   vigil_result_free(r); vigil_event_free(e); vigil_session_free(s);
 *   vigil_ruleset_release(rs);
 *
 * HOT RELOAD
 *
 *   Build a new rule set while other threads keep evaluating with sessions bound to
 *   the old one; publish the new pointer (an atomic or a mutex); each worker calls
 *   vigil_session_rebind(session, new_rs) (and makes new events with
 *   vigil_event_new(new_rs, ...) since slots may differ) between events; the
 *   publisher calls vigil_ruleset_release(old_rs). The old rule set is freed when
 *   its last session lets go of it [p:ruleset-freed-by-last-user]. examples/cpp_host
 *   shows the pattern.
 *
 * ERRORS
 *
 *   Every fallible function returns a vigil_status (0 = VIGIL_OK). A readable message
 *   for the last failed call on a handle is available from vigil_<handle>_errmsg
 *   [p:errmsg-last-failure]; it stays valid until the next call on that handle
 *   [p:errmsg-valid-until-next-call]. Nothing is ever printed [p:nothing-printed],
 *   no C++ exception ever crosses this boundary [p:no-exceptions], and misuse (NULL
 *   handles, wrong slots or types, a short struct_size, calls out of order, use of a
 *   freed handle where it can be detected) returns an error instead of crashing
 *   [p:misuse-returns-error].
 *
 * MEMORY
 *
 *   Input strings are passed as (pointer, length), must be UTF-8 without NUL (U+0000;
 *   VIGIL_ERR_INVALID_ARG otherwise, as in rule files, events and lists) [p:inputs-utf8],
 *   and are copied before the call returns [p:inputs-copied]. Strings returned by the
 *   library are borrowed: valid until the next call that changes the handle they came
 *   from, or its free [p:returned-strings-borrowed]. Free functions accept NULL
 *   [p:free-null]. On failure, out-parameters are set to NULL [p:out-null-on-failure].
 *
 * PROMISES
 *
 *   Each statement of what a call sets, frees, keeps, copies, borrows or returns on
 *   failure carries a tag such as [p:free-null]; tests/capi/promises_check.py checks
 *   that every tag is named by a test (a `promise:` comment in a test, or a `promise`
 *   key of a case in tests/badinput/) that exists, and that no test names a tag this
 *   header does not have.
 */
#ifndef VIGIL_VIGIL_H_
#define VIGIL_VIGIL_H_

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(VIGIL_BUILDING_LIBRARY)
#define VIGIL_API __attribute__((visibility("default")))
#else
#define VIGIL_API
#endif

/* ---------------------------------------------------------------- versions */

#define VIGIL_VERSION_MAJOR 0
#define VIGIL_VERSION_MINOR 1
#define VIGIL_VERSION_PATCH 0
#define VIGIL_VERSION_STRING "0.1.0"
#define VIGIL_VERSION_NUMBER \
  (VIGIL_VERSION_MAJOR * 1000000 + VIGIL_VERSION_MINOR * 1000 + VIGIL_VERSION_PATCH)
/* The ABI generation: the library's SONAME is libvigil.so.<VIGIL_ABI_VERSION>. */
#define VIGIL_ABI_VERSION 1

VIGIL_API uint32_t vigil_version_number(void);
VIGIL_API const char* vigil_version_string(void); /* static */
VIGIL_API uint32_t vigil_abi_version(void);

/* ---------------------------------------------------------------- status */

typedef int32_t vigil_status;
#define VIGIL_OK 0
#define VIGIL_ERR_INVALID_ARG 1 /* a bad value: invalid UTF-8, NaN, unknown slot, bad JSON */
#define VIGIL_ERR_MISUSE 2      /* NULL handle, freed handle, wrong order, bad struct_size */
#define VIGIL_ERR_NOMEM 3       /* out of memory */
#define VIGIL_ERR_COMPILE 4     /* the rules do not compile: see the diagnostics */
#define VIGIL_ERR_EVAL 5        /* evaluation failed */
#define VIGIL_ERR_LIMIT 6       /* an input above a documented limit */
#define VIGIL_ERR_IO 7          /* a file could not be read */
#define VIGIL_ERR_VERSION 8     /* incompatible versions */
#define VIGIL_ERR_INTERNAL 9    /* a bug in vigil: please report the message */
#define VIGIL_ERR_TYPE 10       /* a value of the wrong type for the field */
#define VIGIL_ERR_RANGE 11      /* an index out of range */
#define VIGIL_ERR_STATE 12      /* an external state backend failed and is set to fail closed */
#define VIGIL_ERR_TEST 13       /* a self-test ran and failed (since ABI 1.2) */

/* Static text for a status code; never NULL. [p:status-str-static] */
VIGIL_API const char* vigil_status_str(vigil_status status);

/* ---------------------------------------------------------------- handles */

typedef struct vigil_compiler vigil_compiler;
typedef struct vigil_ruleset vigil_ruleset;
typedef struct vigil_session vigil_session;
typedef struct vigil_event vigil_event;
typedef struct vigil_result vigil_result;

/* ---------------------------------------------------------------- compiler */

/* Options structs start with their own size; initialise with the _INIT macro. */
typedef struct vigil_compile_options {
  uint32_t struct_size;
  uint32_t flags;      /* VIGIL_COMPILE_* */
  uint32_t max_errors; /* diagnostics reported before stopping; 0 = default (20) [p:max-errors] */
  uint32_t reserved;
} vigil_compile_options;
#define VIGIL_COMPILE_ALLOW_FILES 1u /* imports and lists may be read from disk [p:allow-files] */
/* Overrides carried by a pack may target rule sets the pack does not declare
 * (each reported with warning W5008). Without it, a pack may override only its
 * own rule sets (E2021); the host's own files may override any. Since ABI 1.2. */
#define VIGIL_COMPILE_ALLOW_PACK_OVERRIDES 2u
#define VIGIL_COMPILE_OPTIONS_INIT \
  { (uint32_t)sizeof(vigil_compile_options), VIGIL_COMPILE_ALLOW_FILES, 0, 0 }

/* Creates a compiler. `options` may be NULL (defaults) [p:options-null]. Free with
 * vigil_compiler_free. */
VIGIL_API vigil_status vigil_compiler_new(const vigil_compile_options* options,
                                          vigil_compiler** out);
VIGIL_API void vigil_compiler_free(vigil_compiler* compiler);
/* Adds a rule file (*.vgl) or pack (*.vgp) by path, read at build time with its
 * imports and lists [p:add-file-read-at-build]. What a compilation reads
 * (docs/sharing.md): imports must be *.vgl and list files *.txt, *.list or *.sha256;
 * both are read only inside the directory tree of the rule file they descend from
 * (E2023), symbolic links resolved, unless vigil_compiler_allow_dir allows more; only
 * regular files (never devices, FIFOs, sockets or directories), and a read that fails
 * midway is an error (E2009). Diagnostics never quote a file that is not one of these. */
VIGIL_API vigil_status vigil_compiler_add_file(vigil_compiler* compiler, const char* path,
                                               size_t path_len);
/* Adds an in-memory source; `name` is its path for diagnostics and imports
 * [p:source-name] (what it imports or reads from disk is confined to the directory
 * tree of `name`, as for vigil_compiler_add_file). A name ending in ".vgp" makes
 * `text` a rule pack's bytes, verified as a pack file is [p:source-vgp]. */
VIGIL_API vigil_status vigil_compiler_add_source(vigil_compiler* compiler, const char* name,
                                                 size_t name_len, const char* text,
                                                 size_t text_len);
/* Supplies the key of keyed hashed lists that declare `hashed(key: "NAME") set`
 * (HMAC-SHA-256). The key's bytes are copied [p:hmac-key-copied]; the compiled rule set
 * keeps them in memory and never writes them anywhere. A keyed list without its key is
 * a compile error (E2001) [p:hmac-key-missing]. Since ABI 1.1. */
VIGIL_API vigil_status vigil_compiler_set_hmac_key(vigil_compiler* compiler, const char* name,
                                                   size_t name_len, const void* key,
                                                   size_t key_len);
/* Imports and list files may also be read below `dir` (and its subdirectories),
 * besides each rule file's own directory tree. Since ABI 1.2. */
VIGIL_API vigil_status vigil_compiler_allow_dir(vigil_compiler* compiler, const char* dir,
                                                size_t dir_len);
/* Rule packs (.vgp, docs/sharing.md) are added with vigil_compiler_add_file like
 * rule files. They are verified inside vigil_compiler_build, before anything is
 * compiled, and refused (VIGIL_ERR_COMPILE, diagnostic E2017) when malformed,
 * changed, badly signed, signed by a revoked key, or against the policy below
 * [p:pack-refused]. The default policy accepts unsigned packs whose content hash is
 * intact [p:pack-default-policy]. A refused pack never replaces anything: keep running
 * the rule set you have [p:pack-refused-keeps-ruleset].
 * Since ABI 1.1. */
#define VIGIL_PACK_REQUIRE_SIGNED 1u /* refuse packs not signed by a trusted key */
/* Plain rule files under the same policy: every rule file must come in a pack
 * that passes it; files and sources that are not packs are refused (E2020),
 * except the host's own, added with vigil_compiler_add_local_file or
 * vigil_compiler_add_local_source. Implies VIGIL_PACK_REQUIRE_SIGNED. Since ABI 1.2. */
#define VIGIL_PACK_SIGNED_ONLY 2u
/* Trusts (revoked = 0) or revokes (revoked = 1) an Ed25519 public key: its 32
 * bytes, or (since ABI 1.2) its 64 hex digits as `vigil pack keygen` writes them
 * to NAME.pub (a trailing newline is allowed). Trusting a key implies
 * VIGIL_PACK_REQUIRE_SIGNED [p:trust-implies-signed]. */
VIGIL_API vigil_status vigil_compiler_pack_key(vigil_compiler* compiler, const void* public_key,
                                               size_t key_len, int revoked);
/* `flags`: VIGIL_PACK_*; `min_version` (may be NULL): refuse packs older than this
 * version (anti-rollback: pass the version you run) [p:pack-min-version]. Versions
 * compare in semver order: a prerelease comes before its release (1.2.0-rc.1 < 1.2.0). */
VIGIL_API vigil_status vigil_compiler_pack_policy(vigil_compiler* compiler, uint32_t flags,
                                                  const char* min_version, size_t min_version_len);
/* The host's own rule files, for a policy with VIGIL_PACK_SIGNED_ONLY: accepted
 * although not in a pack (its local tuning, for instance). Otherwise as
 * vigil_compiler_add_file and vigil_compiler_add_source. Since ABI 1.2. */
VIGIL_API vigil_status vigil_compiler_add_local_file(vigil_compiler* compiler, const char* path,
                                                     size_t path_len);
VIGIL_API vigil_status vigil_compiler_add_local_source(vigil_compiler* compiler, const char* name,
                                                       size_t name_len, const char* text,
                                                       size_t text_len);
/* Declares the schema the host's events follow: `text` is a .vgl source declaring
 * one schema (`name` is its path for messages). The build then fails when the
 * compiled rules read a field the host does not provide, with another type, or
 * need a newer schema version: one E2019 diagnostic lists every missing field
 * [p:host-schema]. Fields no rule reads are not required. Since ABI 1.1. */
VIGIL_API vigil_status vigil_compiler_set_host_schema(vigil_compiler* compiler, const char* name,
                                                      size_t name_len, const char* text,
                                                      size_t text_len);
/* After a successful build: runs the tests that came with the sources (inline
 * `test` blocks and the fixtures a pack carries) on this host, so a member proves
 * that what it received behaves as its authors' CI says. Writes the counts
 * [p:selftest-counts] and returns VIGIL_OK when every test passed. When any test
 * fails it returns VIGIL_ERR_TEST (since ABI 1.2; before, VIGIL_OK with *failed > 0),
 * the counts are still written, and vigil_compiler_errmsg names the first failed
 * test, where it failed and why [p:selftest-errmsg]. */
VIGIL_API vigil_status vigil_compiler_selftest(vigil_compiler* compiler, uint32_t* passed,
                                               uint32_t* failed);
/* Compiles everything added. On success *out is a new rule set (reference count 1,
 * release with vigil_ruleset_release) [p:build-new-ruleset]. On VIGIL_ERR_COMPILE,
 * read the diagnostics [p:compile-error-diagnostics]. A compiler builds once: later
 * add_* or build calls return VIGIL_ERR_MISUSE [p:build-once]. */
VIGIL_API vigil_status vigil_compiler_build(vigil_compiler* compiler, vigil_ruleset** out);

#define VIGIL_SEVERITY_ERROR 0
#define VIGIL_SEVERITY_WARNING 1
#define VIGIL_SEVERITY_NOTE 2

typedef struct vigil_diag_info {
  uint32_t struct_size; /* set by the caller: sizeof(vigil_diag_info) */
  int32_t severity;     /* VIGIL_SEVERITY_* */
  uint32_t code;        /* e.g. 2001 for E2001 (docs/diagnostics.md) */
  uint32_t line;        /* 1-based; 0 when the diagnostic has no position [p:diag-position] */
  uint32_t column;      /* 1-based, in code points */
  uint32_t end_line;
  uint32_t end_column;
  uint32_t reserved;
  uint64_t byte_offset; /* of the start, in the file */
  const char* file;     /* borrowed from the compiler [p:diag-borrowed] */
  const char* message;  /* borrowed */
  const char* help;     /* borrowed; "" when there is none */
  const char* code_name;/* "E2001"; borrowed */
} vigil_diag_info;

VIGIL_API size_t vigil_compiler_diag_count(const vigil_compiler* compiler);
/* Fills *out (whose struct_size the caller sets) with diagnostic `index`. A struct_size
 * smaller than the struct is VIGIL_ERR_MISUSE, here and for every struct the caller
 * sizes [p:struct-size-checked]. */
VIGIL_API vigil_status vigil_compiler_diag_get(const vigil_compiler* compiler, size_t index,
                                               vigil_diag_info* out);
/* All diagnostics as printable text with carets. Borrowed until the next call
 * [p:diag-render]. */
VIGIL_API const char* vigil_compiler_diag_render(vigil_compiler* compiler);
VIGIL_API const char* vigil_compiler_errmsg(const vigil_compiler* compiler);

/* ---------------------------------------------------------------- rule sets */

/* Reference counting: retain returns its argument; release frees at zero
 * [p:ruleset-refcount]. Both are safe from any thread [p:ruleset-refcount-threads]. */
VIGIL_API vigil_ruleset* vigil_ruleset_retain(vigil_ruleset* ruleset);
VIGIL_API void vigil_ruleset_release(vigil_ruleset* ruleset);

/* The first rule set's name and version ("fcacp.csam_commerce", "1.4.0"), and the
 * SHA-256 (hex) of all sources. Borrowed for the rule set's lifetime
 * [p:ruleset-strings-lifetime]. */
VIGIL_API const char* vigil_ruleset_name(const vigil_ruleset* ruleset);
VIGIL_API const char* vigil_ruleset_version(const vigil_ruleset* ruleset);
VIGIL_API const char* vigil_ruleset_digest(const vigil_ruleset* ruleset);

#define VIGIL_RULE_SEVERITY_LOW 0
#define VIGIL_RULE_SEVERITY_MEDIUM 1
#define VIGIL_RULE_SEVERITY_HIGH 2
#define VIGIL_RULE_SEVERITY_CRITICAL 3

typedef struct vigil_rule_info {
  uint32_t struct_size;  /* set by the caller */
  int32_t severity;      /* VIGIL_RULE_SEVERITY_* */
  int32_t shadow;        /* 1 for a rule in mode shadow */
  uint32_t tag_count;
  const char* id;           /* "small_cross_border_digital"; borrowed for the rule set's life */
  const char* qualified_id; /* "fcacp.csam_commerce/small_cross_border_digital" */
  const char* version;      /* its rule set's version */
  const char* title;        /* "" when there is none [p:rule-title-empty] */
} vigil_rule_info;

VIGIL_API size_t vigil_ruleset_rule_count(const vigil_ruleset* ruleset);
VIGIL_API vigil_status vigil_ruleset_rule_get(const vigil_ruleset* ruleset, size_t index,
                                              vigil_rule_info* out);
/* Tag `tag_index` of rule `index` ("typology:T1"); NULL when out of range
 * [p:rule-tag-null]. */
VIGIL_API const char* vigil_ruleset_rule_tag(const vigil_ruleset* ruleset, size_t index,
                                             size_t tag_index);

#define VIGIL_TYPE_BOOL 1
#define VIGIL_TYPE_INT 2
#define VIGIL_TYPE_DECIMAL 3
#define VIGIL_TYPE_FLOAT 4
#define VIGIL_TYPE_STRING 5
#define VIGIL_TYPE_TIME 6
#define VIGIL_TYPE_DURATION 7
#define VIGIL_TYPE_STRING_SET 8

typedef struct vigil_field_info {
  uint32_t struct_size; /* set by the caller */
  int32_t type;         /* VIGIL_TYPE_* */
  uint32_t flags;       /* VIGIL_FIELD_* */
  uint32_t slot;
  const char* name;     /* borrowed for the rule set's lifetime */
} vigil_field_info;
#define VIGIL_FIELD_KEY 1u
#define VIGIL_FIELD_PII 2u
#define VIGIL_FIELD_TIME 4u

VIGIL_API size_t vigil_ruleset_field_count(const vigil_ruleset* ruleset);
VIGIL_API vigil_status vigil_ruleset_field_get(const vigil_ruleset* ruleset, size_t slot,
                                               vigil_field_info* out);
/* The slot of a field by name, or VIGIL_NO_SLOT (-1) when the rule set has no such
 * field [p:field-slot]. Look slots up once, check `slot >= 0`, then set by slot.
 * (Passed unchecked to a setter's uint32_t slot, -1 becomes 4294967295 and is refused.) */
#define VIGIL_NO_SLOT (-1)
VIGIL_API int32_t vigil_ruleset_field_slot(const vigil_ruleset* ruleset, const char* name,
                                           size_t name_len);

/* Overrides applied to the rule set (docs/sharing.md), in the order they were
 * applied: a host logs each one, with the file it came from, so no tuning changes a
 * rule set silently. Since ABI 1.2. */
#define VIGIL_OVERRIDE_SET_PARAM 0 /* set PARAM = value */
#define VIGIL_OVERRIDE_DISABLE 1   /* disable rule RULE */
#define VIGIL_OVERRIDE_SEVERITY 2  /* severity RULE value */
#define VIGIL_OVERRIDE_MODE 3      /* mode RULE enforce|shadow */
typedef struct vigil_override_info {
  uint32_t struct_size; /* set by the caller: sizeof(vigil_override_info) */
  int32_t kind;         /* VIGIL_OVERRIDE_* */
  uint32_t line;        /* of the override item in `file`, 1-based */
  uint32_t column;
  const char* file;     /* "member.vgl", or "PACK.vgp/FILE" for a file of a pack */
  const char* pack;     /* the pack it came in, or "" for the host's own files */
  const char* ruleset;  /* the rule set it changes */
  const char* target;   /* the param or rule */
  const char* value;    /* as written ("120.00", "high", "shadow"); "" for disable */
} vigil_override_info; /* strings borrowed for the rule set's lifetime */
VIGIL_API size_t vigil_ruleset_override_count(const vigil_ruleset* ruleset);
VIGIL_API vigil_status vigil_ruleset_override_get(const vigil_ruleset* ruleset, size_t index,
                                                  vigil_override_info* out);

/* External lists (`list NAME: set<T> external`): the host supplies their values and
 * replaces them whenever it likes, without recompiling. A replacement is published
 * atomically: threads evaluating meanwhile are never paused and see the old or the
 * new contents, never a mix [p:set-list-atomic]. Until a list is supplied, `x in NAME`
 * is unknown (rules that need it do not fire) [p:list-unknown-until-supplied]. Values
 * are text, parsed as the list's element type (as lines of a list file; hashed lists
 * take 64-hex-digit digests); `lens[i]` is the length of values[i]. A bad value fails
 * the whole call (VIGIL_ERR_INVALID_ARG) and leaves the list as it was
 * [p:set-list-bad-value]; VIGIL_ERR_RANGE when the rule set has no external list NAME
 * [p:set-list-unknown]. A recompiled rule set starts without values: supply them again
 * before swapping it in [p:recompiled-list-empty]. Safe from any thread. Since ABI 1.1. */
VIGIL_API vigil_status vigil_ruleset_set_list(vigil_ruleset* ruleset, const char* name,
                                              size_t name_len, const char* const* values,
                                              const size_t* lens, size_t count);
/* The message of the calling thread's last failed vigil_ruleset_set_list; never NULL
 * [p:ruleset-errmsg-thread]. */
VIGIL_API const char* vigil_ruleset_errmsg(void);

/* ---------------------------------------------------------------- events */

/* An event for `ruleset`'s schema (the event keeps the rule set alive)
 * [p:event-keeps-ruleset]. */
VIGIL_API vigil_status vigil_event_new(vigil_ruleset* ruleset, vigil_event** out);
VIGIL_API void vigil_event_free(vigil_event* event);
/* Marks every field missing; keeps memory for reuse [p:event-reset]. */
VIGIL_API vigil_status vigil_event_reset(vigil_event* event);
VIGIL_API vigil_status vigil_event_set_missing(vigil_event* event, uint32_t slot);
VIGIL_API vigil_status vigil_event_set_bool(vigil_event* event, uint32_t slot, int32_t value);
VIGIL_API vigil_status vigil_event_set_int(vigil_event* event, uint32_t slot, int64_t value);
/* A decimal from text ("20.10"): exact, at most 6 fractional digits [p:decimal-text]. */
VIGIL_API vigil_status vigil_event_set_decimal(vigil_event* event, uint32_t slot,
                                               const char* text, size_t len);
/* A decimal as units of 10^-6 (20.10 = 20100000) shown with `scale` fractional digits
 * [p:decimal-units]. */
VIGIL_API vigil_status vigil_event_set_decimal_units(vigil_event* event, uint32_t slot,
                                                     int64_t units, uint32_t scale);
/* A float; NaN and infinities are refused (VIGIL_ERR_INVALID_ARG) [p:float-finite]. */
VIGIL_API vigil_status vigil_event_set_float(vigil_event* event, uint32_t slot, double value);
/* A string of at most 65,536 bytes (VIGIL_ERR_LIMIT above; docs/limits.md). */
VIGIL_API vigil_status vigil_event_set_string(vigil_event* event, uint32_t slot, const char* value,
                                              size_t len);
/* Microseconds since the Unix epoch, UTC, from 0001-01-01T00:00:00Z to
 * 9999-12-31T23:59:59.999999Z (VIGIL_ERR_INVALID_ARG outside). */
VIGIL_API vigil_status vigil_event_set_time(vigil_event* event, uint32_t slot, int64_t micros);
/* A date alone in a time field: midnight UTC of year-month-day (docs/language.md, "Dates")
 * [p:date-midnight-utc]. A day that does not exist (2024-02-30, month 13, a year outside
 * 1..9999) is VIGIL_ERR_INVALID_ARG with a message naming the field and the problem, and
 * leaves the field as it was [p:date-invalid-refused]. Since ABI 1.4. */
VIGIL_API vigil_status vigil_event_set_date(vigil_event* event, uint32_t slot, int32_t year,
                                            uint32_t month, uint32_t day);
VIGIL_API vigil_status vigil_event_set_duration(vigil_event* event, uint32_t slot, int64_t micros);
/* A set<string> field: `count` strings given as pointers and lengths; at most
 * 10,000 strings of at most 65,536 bytes each (VIGIL_ERR_LIMIT above). */
VIGIL_API vigil_status vigil_event_set_string_set(vigil_event* event, uint32_t slot,
                                                  const char* const* values, const size_t* lens,
                                                  size_t count);
/* Resets the event and fills it from one JSON object [p:set-json-resets] (members not in
 * the schema are ignored; null is missing [p:set-json-null-missing]). The text must be
 * exactly one well-formed object (strict RFC 8259: members the schema does not use are
 * checked too, nothing may follow the object; a byte-order mark at its start is
 * skipped). The message names the column or the field on VIGIL_ERR_INVALID_ARG
 * [p:set-json-names-field], which is also returned for a string or set above the limits
 * of the setters above. JSON longer than 16 MiB is refused with VIGIL_ERR_LIMIT. */
VIGIL_API vigil_status vigil_event_set_json(vigil_event* event, const char* json, size_t len);
VIGIL_API const char* vigil_event_errmsg(const vigil_event* event);

/* ---------------------------------------------------------------- evaluation */

typedef struct vigil_session_options {
  uint32_t struct_size;
  uint32_t flags; /* VIGIL_SESSION_* */
} vigil_session_options;
#define VIGIL_SESSION_ALLOW_PII 1u /* print @pii fields in reasons and explanations [p:allow-pii] */
#define VIGIL_SESSION_OPTIONS_INIT { (uint32_t)sizeof(vigil_session_options), 0 }

/* A session bound to `ruleset` (retained until the session is freed or rebound)
 * [p:session-keeps-ruleset]. `options` may be NULL [p:options-null]. */
VIGIL_API vigil_status vigil_session_new(vigil_ruleset* ruleset,
                                         const vigil_session_options* options,
                                         vigil_session** out);
VIGIL_API void vigil_session_free(vigil_session* session);
/* Binds the session to another rule set (hot reload); releases the old one
 * [p:rebind-releases-old]. */
VIGIL_API vigil_status vigil_session_rebind(vigil_session* session, vigil_ruleset* ruleset);
/* Evaluates `event` (made for the session's rule set) into `result`. Allocates
 * nothing once the session, event and result are warm [p:eval-no-alloc]. */
VIGIL_API vigil_status vigil_session_eval(vigil_session* session, const vigil_event* event,
                                          vigil_result* result);
/* Evaluates `count` events into `count` results. Stops at the first failure, whose
 * index is stored in *failed_index (may be NULL) [p:batch-failed-index]. */
VIGIL_API vigil_status vigil_session_eval_batch(vigil_session* session,
                                                const vigil_event* const* events,
                                                vigil_result* const* results, size_t count,
                                                size_t* failed_index);
/* The evidence record (docs/explain.md, every rule) of `event` as JSON. Borrowed from the
 * result until its next use [p:explain-borrowed]. Explaining never changes the
 * aggregates' state:
 * - when this session's last successful evaluation was of `event` into `result`,
 *   and the event has not been changed since (no setter, reset or set_json), the
 *   record describes that evaluation, with the aggregate values it computed, and
 *   nothing is evaluated again;
 * - otherwise (another event, a changed one, another result, an evaluation by
 *   another session, vigil_session_record or rebind since) `event` is first
 *   evaluated into `result` as a what-if (as vigil_session_eval_ex with
 *   VIGIL_EVAL_NO_RECORD): its aggregates count it on top of the state as it is
 *   now, and nothing is recorded.
 * So eval then explain describes exactly the decision the host acted on. */
VIGIL_API vigil_status vigil_session_explain(vigil_session* session, const vigil_event* event,
                                             vigil_result* result, const char** json,
                                             size_t* len);
VIGIL_API const char* vigil_session_errmsg(const vigil_session* session);

/* Flags for vigil_session_eval_ex. */
#define VIGIL_EVAL_NO_RECORD 1u /* what-if: aggregates count the event, the state does not keep it [p:no-record] */
/* vigil_session_eval with flags (VIGIL_EVAL_*). */
VIGIL_API vigil_status vigil_session_eval_ex(vigil_session* session, const vigil_event* event,
                                             vigil_result* result, uint32_t flags);
/* Flags for vigil_session_explain_ex. */
#define VIGIL_EXPLAIN_FIRED_ONLY 1u /* only the rules that fired (and shadow rules that would
                                       have): the record an alert carries, a few KB */
/* The evidence record (docs/explain.md) of the evaluation this session made last: of
 * `event` into `result` (VIGIL_ERR_MISUSE otherwise: evaluate first, and do not change
 * the event in between). Never evaluates again and never changes the aggregates' state:
 * aggregate values are those the evaluation saw. @pii values are masked unless the
 * session allows PII (VIGIL_SESSION_ALLOW_PII). Borrowed from the result until its next
 * use. Since ABI 1.2. */
VIGIL_API vigil_status vigil_session_explain_ex(vigil_session* session, const vigil_event* event,
                                                vigil_result* result, uint32_t flags,
                                                const char** json, size_t* len);
/* Records `event` in the aggregates' state without evaluating the rules (to warm
 * the state from history) [p:record]. *late (may be NULL) is set to 1 when the event
 * came too late to be recorded (see vigil_state_options.lateness_us), to 2 when its
 * time is an outlier too far ahead to be recorded (vigil_state_options.max_skew_us),
 * else 0 [p:record-late]. */
VIGIL_API vigil_status vigil_session_record(vigil_session* session, const vigil_event* event,
                                            int32_t* late);

/* ---------------------------------------------------------------- aggregates' state
 *
 * Windowed aggregates (count, sum, ... within: 24h) keep per-key state. A session
 * made without a state gets a private one [p:private-state]. To share one state between
 * threads, make a vigil_state and give it to each thread's session with
 * vigil_session_set_state: evaluations from any number of threads update it
 * safely, as if they had run one after the other [p:shared-state-serial].
 *
 * Hot reload: vigil_session_rebind keeps the session's state [p:rebind-keeps-state].
 * The state keeps the history of every aggregate whose definition (kind, key, window,
 * value, where:, with constants substituted) is unchanged and starts new ones empty;
 * those the new rule set no longer has are dropped [p:reload-matches-definitions]. A
 * thread still evaluating with the old rule set meanwhile sees the dropped ones as
 * missing.
 */
typedef struct vigil_state vigil_state;

typedef struct vigil_state_options {
  uint32_t struct_size;
  uint32_t shards;     /* lock shards; 0 for the default (64) */
  int64_t lateness_us; /* how far behind a key's latest event an event may be and still be
                          recorded; < 0 for the default (10 minutes) [p:lateness] */
  /* Since ABI 1.2. How far ahead of the recent events (the median of the last five event
   * times) an event's time may be and still be recorded; < 0 for the default (30 days),
   * 0 for no bound. A later event is an outlier: evaluated over the state there is, not
   * recorded, reported by vigil_result_outlier and counted in the stats, so that one
   * event stamped years ahead cannot make its key's later events "late" for ever.
   * docs/state.md. A 1.0 host's struct (16 bytes) gets the default. */
  int64_t max_skew_us;
} vigil_state_options;
#define VIGIL_STATE_OPTIONS_INIT { (uint32_t)sizeof(vigil_state_options), 0, -1, -1 }

/* A new, empty state (reference count 1). `options` may be NULL [p:options-null]. */
VIGIL_API vigil_status vigil_state_new(const vigil_state_options* options, vigil_state** out);
VIGIL_API vigil_state* vigil_state_retain(vigil_state* state);
/* Releases a reference; sessions using the state keep it alive [p:state-kept-by-sessions]. */
VIGIL_API void vigil_state_release(vigil_state* state);
/* Makes the session use `state` (shared; the session keeps it alive) [p:set-state]. */
VIGIL_API vigil_status vigil_session_set_state(vigil_session* session, vigil_state* state);
/* A new reference to the state the session uses (release it) [p:get-state-new-ref], or
 * NULL in *out when the rule set has no aggregates and no state was set
 * [p:get-state-null]. */
VIGIL_API vigil_status vigil_session_get_state(vigil_session* session, vigil_state** out);

/* Snapshots. Save writes `path` atomically (temporary file, fsync, rename): a crash
 * leaves the previous snapshot or the new one [p:save-atomic]. Load replaces the state
 * only if the whole file is valid (format version, checksum, structure); otherwise it
 * returns an error and the state is untouched [p:load-all-or-nothing]. Aggregates are
 * matched by definition, as in a hot reload [p:reload-matches-definitions]. Both may
 * run while other threads evaluate [p:snapshot-while-evaluating]. The message of a
 * failed call is returned by vigil_state_errmsg on the same thread
 * [p:state-errmsg-thread]. */
VIGIL_API vigil_status vigil_state_save(vigil_state* state, const char* path);
VIGIL_API vigil_status vigil_state_load(vigil_state* state, const char* path);
/* The message of the calling thread's last failed vigil_state_* call; never NULL
 * [p:state-errmsg-thread]. */
VIGIL_API const char* vigil_state_errmsg(void);

/* ---- external state backends
 *
 * Instead of the embedded store, a state can keep each key's history in the host's
 * own store (Redis, a stream processor's keyed state), so that several nodes share one
 * velocity state. The engine encodes what each event contributes to a key's
 * aggregates as an opaque entry and calls `apply` once per aggregate group and event;
 * the backend must, atomically for that key:
 *   1. find the key's latest entry time L (none: the event is not late);
 *   2. if request->record and not (ts_us < L - lateness_us), append the entry at ts_us
 *      (entries are not unique: two equal entries are two events);
 *   3. drop the entries with time <= L' - keep_us, L' being the latest entry time after
 *      step 2 (the appended entry included; an event that is not appended moves nothing
 *      out, as in the embedded store);
 *   4. return every entry with time > from_us through vigil_backend_reply_add, and
 *      call vigil_backend_reply_set_late(reply, 1) if the event was late.
 * The engine then computes the windows exactly as the embedded store does, so nodes
 * that share a backend agree with one embedded engine fed the same events in the same
 * order [p:backend-agrees-with-embedded]. `apply` is called from the evaluating threads,
 * concurrently; it must return within a bounded time (use timeouts). On failure it
 * returns a status other than VIGIL_OK (after vigil_backend_reply_set_error): with
 * VIGIL_BACKEND_FAIL_CLOSED the evaluation returns VIGIL_ERR_STATE
 * [p:backend-fail-closed]; otherwise it goes on with that group's aggregates missing
 * and the result says so (vigil_result_state_error) [p:backend-fail-open].
 * The group id changes when the aggregates of the group change (a hot reload with
 * other definitions starts from an empty history). plugin-api/adapters/redis is a
 * complete backend for Redis. */
typedef struct vigil_backend_request {
  uint32_t struct_size;
  uint32_t record;       /* 1: append `entry` unless the event is late */
  const char* group;     /* NUL-terminated id of the aggregate group (hex) */
  const void* key;       /* the encoded key fields (binary) */
  size_t key_len;
  int64_t ts_us;         /* the event's time */
  int64_t lateness_us;
  int64_t keep_us;
  int64_t from_us;
  const void* entry;     /* the event's entry (binary) */
  size_t entry_len;
  /* Since ABI 1.3, set only for backends with VIGIL_BACKEND_EXACTLY_ONCE (read them when
   * struct_size covers them; docs/language.md, "Duplicates and reversals"):
   *   event_id   a hash of the event's id, 0 when it has none. If the key has an entry at
   *              ts_us appended with this event_id, or an entry that a reversal with this
   *              event_id took back, the event is a duplicate: append nothing, take
   *              nothing back, call vigil_backend_reply_set_duplicate(reply, 1), and return
   *              the entries as usual.
   *   reference  a hash of the event's reversal field, 0 when absent: keep it with the
   *              appended entry (with event_id).
   *   reversal   1: the event is a reversal. Never append it; when `record` is 1, take back
   *              the latest entry whose reference equals `reference` and that was not taken
   *              back before (it is no longer returned, and remembers this event_id), and
   *              call vigil_backend_reply_set_reversed(reply, 1) if there was one.
   * Keep these with the entry for as long as the entry: they expire together. */
  uint64_t event_id;
  uint64_t reference;
  uint32_t reversal;
} vigil_backend_request;

typedef struct vigil_backend_reply vigil_backend_reply;
/* Copies one history entry into the reply [p:reply-add-copies]. */
VIGIL_API vigil_status vigil_backend_reply_add(vigil_backend_reply* reply, int64_t ts_us,
                                               const void* entry, size_t len);
VIGIL_API vigil_status vigil_backend_reply_set_late(vigil_backend_reply* reply, int32_t late);
VIGIL_API vigil_status vigil_backend_reply_set_error(vigil_backend_reply* reply,
                                                     const char* message);
/* Since ABI 1.3 (VIGIL_BACKEND_EXACTLY_ONCE): the event was a duplicate; a reversal took
 * back an entry. */
VIGIL_API vigil_status vigil_backend_reply_set_duplicate(vigil_backend_reply* reply,
                                                         int32_t duplicate);
VIGIL_API vigil_status vigil_backend_reply_set_reversed(vigil_backend_reply* reply,
                                                        int32_t reversed);

typedef vigil_status (*vigil_backend_apply_fn)(void* user, const vigil_backend_request* request,
                                               vigil_backend_reply* reply);
typedef struct vigil_backend {
  uint32_t struct_size;
  uint32_t flags;               /* VIGIL_BACKEND_* */
  vigil_backend_apply_fn apply;
  void* user;                   /* passed to apply; must outlive the state */
} vigil_backend;
#define VIGIL_BACKEND_FAIL_CLOSED 1u
/* The backend honours event_id, reference and reversal (since ABI 1.3). Without it,
 * duplicates are recorded again, and reversals take nothing back (they are not recorded
 * either). libvigil_redis.so sets it. */
#define VIGIL_BACKEND_EXACTLY_ONCE 2u

/* A state kept by `backend` (copied) [p:backend-copied]. lateness_us < 0 for the
 * default (10 minutes). vigil_state_save/load return VIGIL_ERR_MISUSE for it: the
 * backend persists itself [p:external-no-snapshots]. */
VIGIL_API vigil_status vigil_state_new_external(const vigil_backend* backend, int64_t lateness_us,
                                                vigil_state** out);
/* 1 when an external backend failed for the last event evaluated into `result` (its
 * aggregates are missing), else 0. */
VIGIL_API int32_t vigil_result_state_error(const vigil_result* result);

typedef struct vigil_state_stats {
  uint32_t struct_size;
  uint32_t reserved;
  uint64_t keys;         /* keys with state */
  uint64_t entries;      /* recorded events still inside a window */
  uint64_t bytes;        /* estimated heap memory */
  uint64_t late_events;  /* events not recorded because they came too late */
  uint64_t dropped_keys; /* keys dropped because their events left every window */
  /* Since ABI 1.2 (written only when struct_size covers them): */
  uint64_t outlier_events;    /* events not recorded because their time was an outlier */
  uint64_t aggregates;        /* aggregates whose history the state keeps */
  uint64_t unused_aggregates; /* of those, used by no session bound to the state now: kept
                                 (and saved in snapshots) but not updated; docs/state.md */
} vigil_state_stats;
/* Fills *stats (set stats->struct_size first) [p:stats]. */
VIGIL_API vigil_status vigil_state_get_stats(vigil_state* state, vigil_state_stats* stats);

/* ---------------------------------------------------------------- results */

VIGIL_API vigil_status vigil_result_new(vigil_result** out);
VIGIL_API void vigil_result_free(vigil_result* result);
/* The event's decision ("review"); borrowed. NULL before any evaluation
 * [p:decision-before-eval]. */
VIGIL_API const char* vigil_result_decision(const vigil_result* result);
VIGIL_API int64_t vigil_result_score(const vigil_result* result);
/* 1 when the last event was too late to be recorded in the aggregates' state
 * (its aggregates were computed over the state there was), else 0 [p:result-late]. */
VIGIL_API int32_t vigil_result_late(const vigil_result* result);
/* 1 when the last event's time was an outlier, too far ahead of the recent events to
 * be recorded (vigil_state_options.max_skew_us); it was evaluated over the state there
 * was, like a late event. Else 0. Since ABI 1.2. */
VIGIL_API int32_t vigil_result_outlier(const vigil_result* result);
/* 1 when the last event was a duplicate: an event with the same id and time was already
 * recorded, so it was evaluated over the state without being recorded again
 * (docs/language.md, "Duplicates and reversals"), else 0. Since ABI 1.3. */
VIGIL_API int32_t vigil_result_duplicate(const vigil_result* result);
/* For an event that the rule set's `reversal` declaration names a reversal:
 * VIGIL_REVERSAL_APPLIED when it took back its original in at least one aggregate group,
 * VIGIL_REVERSAL_UNKNOWN when it found none; 0 for any other event, and for a reversal
 * evaluated without recording. Since ABI 1.3. */
#define VIGIL_REVERSAL_APPLIED 1
#define VIGIL_REVERSAL_UNKNOWN 2
VIGIL_API int32_t vigil_result_reversal(const vigil_result* result);

typedef struct vigil_fired_info {
  uint32_t struct_size; /* set by the caller */
  uint32_t rule_index;  /* for vigil_ruleset_rule_get / vigil_ruleset_rule_tag */
  int32_t severity;     /* VIGIL_RULE_SEVERITY_* */
  int32_t shadow;       /* 1: a shadow rule that would have fired */
  int64_t score;        /* the rule's score (for shadow rules, what it would have added) */
  const char* qualified_id; /* borrowed from the result until its next use */
  const char* version;
  const char* reason;       /* "" when the rule has no reason [p:fired-reason-empty]; never
                               holds NUL (vigil refuses NUL in every string it takes in),
                               so strlen is its length */
  const char* decision;     /* the rule's decision, or NULL when it decides nothing
                               [p:fired-decision-null] */
} vigil_fired_info;

/* Fired rules (declaration order), then shadow rules: indexes [0, fired) and
 * [fired, fired + shadow) [p:fired-then-shadow]. */
VIGIL_API size_t vigil_result_fired_count(const vigil_result* result);
VIGIL_API size_t vigil_result_shadow_count(const vigil_result* result);
VIGIL_API vigil_status vigil_result_fired_get(const vigil_result* result, size_t index,
                                              vigil_fired_info* out);
VIGIL_API size_t vigil_result_tag_count(const vigil_result* result);
VIGIL_API const char* vigil_result_tag(const vigil_result* result, size_t index);
/* The result as one JSON object (the line `vigil eval` prints, with "event" the event's
 * id, or null when the event has none: docs/language.md, "Event ids"); borrowed until
 * the result's next use [p:result-json]. */
VIGIL_API vigil_status vigil_result_json(vigil_result* result, const char** json, size_t* len);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* VIGIL_VIGIL_H_ */
