/* The table of vigil.h calls (capi_calls.h): one small function per entry
 * point that passes the decoded arguments on and describes what came back. */
#include "capi_calls.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* ---------------------------------------------------------------- helpers */

static void add(cc_obs* o, const char* fmt, ...) {
  size_t used = strlen(o->text);
  if (used + 1 >= CC_TEXT) return;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(o->text + used, CC_TEXT - used, fmt, ap);
  va_end(ap);
}

/* Appends `len` bytes, control bytes and backslashes as \xNN. */
static void add_bytes(cc_obs* o, const char* s, size_t len) {
  size_t used = strlen(o->text);
  for (size_t i = 0; i < len && used + 5 < CC_TEXT; ++i) {
    unsigned char c = (unsigned char)s[i];
    if (c < 0x20 || c == 0x7f || c == '\\') {
      used += (size_t)snprintf(o->text + used, CC_TEXT - used, "\\x%02x", c);
    } else {
      o->text[used++] = (char)c;
      o->text[used] = '\0';
    }
  }
}

static void add_str(cc_obs* o, const char* key, const char* s) {
  if (key != NULL) add(o, "%s%s=", o->text[0] ? " " : "", key);
  if (s == NULL) {
    add(o, "NULL");
  } else {
    add_bytes(o, s, strlen(s));
  }
}

static void add_num(cc_obs* o, const char* key, long long v) {
  add(o, "%s%s=%lld", o->text[0] ? " " : "", key, v);
}

/* The status, and the message of a failure. */
static void status(cc_obs* o, vigil_status st, const char* errmsg) {
  o->has_status = 1;
  o->status = st;
  if (st != VIGIL_OK) add_str(o, NULL, errmsg);
}

/* Makes the call, then reads the message (arguments are evaluated in no set order). */
#define STATUS(o, call, errmsg)        \
  do {                                 \
    vigil_status status_ = (call);     \
    status((o), status_, (errmsg));    \
  } while (0)

static int64_t opt(const cc_arg* a, const char* key, int64_t fallback) {
  for (int i = 0; i < a->nopts; ++i) {
    if (strcmp(a->opts[i].key, key) == 0) return a->opts[i].value;
  }
  return fallback;
}

/* An info struct the caller sizes: zeroed, struct_size as given (default: its size). */
#define INFO(type, var, arg)       \
  type var;                        \
  memset(&var, 0, sizeof var);     \
  var.struct_size = (uint32_t)opt((arg), "struct_size", (int64_t)sizeof var)

#define H(i, type) ((type*)a[i].handle)
#define S(i) a[i].str, a[i].len
#define OUT(i, type) (a[i].is_null ? NULL : (type**)&a[i].out)

/* ---------------------------------------------------------------- versions */

static void f_version_number(cc_arg* a, cc_obs* o) {
  (void)a;
  add_num(o, "version", (long long)vigil_version_number());
}
static void f_version_string(cc_arg* a, cc_obs* o) {
  (void)a;
  add_str(o, NULL, vigil_version_string());
}
static void f_abi_version(cc_arg* a, cc_obs* o) {
  (void)a;
  add_num(o, "abi", (long long)vigil_abi_version());
}
static void f_status_str(cc_arg* a, cc_obs* o) {
  add_str(o, NULL, vigil_status_str((vigil_status)a[0].i));
}

/* ---------------------------------------------------------------- compiler */

static void f_compiler_new(cc_arg* a, cc_obs* o) {
  vigil_compile_options opts = VIGIL_COMPILE_OPTIONS_INIT;
  opts.struct_size = (uint32_t)opt(&a[0], "struct_size", opts.struct_size);
  opts.flags = (uint32_t)opt(&a[0], "flags", opts.flags);
  opts.max_errors = (uint32_t)opt(&a[0], "max_errors", opts.max_errors);
  STATUS(o, vigil_compiler_new(a[0].is_null ? NULL : &opts, OUT(1, vigil_compiler)), "");
}
static void f_compiler_free(cc_arg* a, cc_obs* o) {
  (void)o;
  vigil_compiler_free(H(0, vigil_compiler));
}
static void f_compiler_add_file(cc_arg* a, cc_obs* o) {
  vigil_compiler* c = H(0, vigil_compiler);
  STATUS(o, vigil_compiler_add_file(c, S(1)), vigil_compiler_errmsg(c));
}
static void f_compiler_add_source(cc_arg* a, cc_obs* o) {
  vigil_compiler* c = H(0, vigil_compiler);
  STATUS(o, vigil_compiler_add_source(c, S(1), S(2)), vigil_compiler_errmsg(c));
}
static void f_compiler_set_hmac_key(cc_arg* a, cc_obs* o) {
  vigil_compiler* c = H(0, vigil_compiler);
  STATUS(o, vigil_compiler_set_hmac_key(c, S(1), S(2)), vigil_compiler_errmsg(c));
}
static void f_compiler_pack_key(cc_arg* a, cc_obs* o) {
  vigil_compiler* c = H(0, vigil_compiler);
  STATUS(o, vigil_compiler_pack_key(c, S(1), (int)a[2].i), vigil_compiler_errmsg(c));
}
static void f_compiler_pack_policy(cc_arg* a, cc_obs* o) {
  vigil_compiler* c = H(0, vigil_compiler);
  STATUS(o, vigil_compiler_pack_policy(c, (uint32_t)a[1].i, S(2)), vigil_compiler_errmsg(c));
}
static void f_compiler_set_host_schema(cc_arg* a, cc_obs* o) {
  vigil_compiler* c = H(0, vigil_compiler);
  STATUS(o, vigil_compiler_set_host_schema(c, S(1), S(2)), vigil_compiler_errmsg(c));
}
static void f_compiler_selftest(cc_arg* a, cc_obs* o) {
  vigil_compiler* c = H(0, vigil_compiler);
  uint32_t passed = 7, failed = 7;
  vigil_status st = vigil_compiler_selftest(c, a[1].is_null ? NULL : &passed,
                                            a[2].is_null ? NULL : &failed);
  status(o, st, vigil_compiler_errmsg(c));
  /* The counts are written when the tests ran, whether they passed (OK) or
   * not (VIGIL_ERR_TEST, whose message comes first). */
  if (st == VIGIL_OK || st == VIGIL_ERR_TEST) {
    add_num(o, "passed", passed);
    add_num(o, "failed", failed);
    if (st == VIGIL_OK) add_str(o, "errmsg", vigil_compiler_errmsg(c));
  }
}
static void f_compiler_build(cc_arg* a, cc_obs* o) {
  vigil_compiler* c = H(0, vigil_compiler);
  STATUS(o, vigil_compiler_build(c, OUT(1, vigil_ruleset)), vigil_compiler_errmsg(c));
}
static void f_compiler_diag_count(cc_arg* a, cc_obs* o) {
  add_num(o, "count", (long long)vigil_compiler_diag_count(H(0, vigil_compiler)));
}
static void f_compiler_diag_get(cc_arg* a, cc_obs* o) {
  INFO(vigil_diag_info, d, &a[2]);
  vigil_compiler* c = H(0, vigil_compiler);
  vigil_status st = vigil_compiler_diag_get(c, (size_t)a[1].i, a[2].is_null ? NULL : &d);
  status(o, st, "");
  if (st != VIGIL_OK) return;
  add_str(o, "severity", d.severity == VIGIL_SEVERITY_ERROR     ? "error"
                         : d.severity == VIGIL_SEVERITY_WARNING ? "warning"
                                                                : "note");
  add_str(o, "code", d.code_name);
  add_num(o, "number", d.code);
  add_str(o, "file", d.file);
  add_num(o, "line", d.line);
  add_num(o, "column", d.column);
  add_num(o, "end_line", d.end_line);
  add_num(o, "end_column", d.end_column);
  add_num(o, "offset", (long long)d.byte_offset);
  add_str(o, "message", d.message);
  add_str(o, "help", d.help);
}
static void f_compiler_diag_render(cc_arg* a, cc_obs* o) {
  add_str(o, NULL, vigil_compiler_diag_render(H(0, vigil_compiler)));
}
static void f_compiler_errmsg(cc_arg* a, cc_obs* o) {
  add_str(o, NULL, vigil_compiler_errmsg(H(0, vigil_compiler)));
}

/* ---------------------------------------------------------------- rule sets */

static void f_ruleset_retain(cc_arg* a, cc_obs* o) {
  a[1].out = vigil_ruleset_retain(H(0, vigil_ruleset));
  add_str(o, NULL, a[1].out == NULL ? "NULL" : "retained");
}
static void f_ruleset_release(cc_arg* a, cc_obs* o) {
  (void)o;
  vigil_ruleset_release(H(0, vigil_ruleset));
}
static void f_ruleset_name(cc_arg* a, cc_obs* o) {
  add_str(o, NULL, vigil_ruleset_name(H(0, vigil_ruleset)));
}
static void f_ruleset_version(cc_arg* a, cc_obs* o) {
  add_str(o, NULL, vigil_ruleset_version(H(0, vigil_ruleset)));
}
static void f_ruleset_digest(cc_arg* a, cc_obs* o) {
  add_str(o, NULL, vigil_ruleset_digest(H(0, vigil_ruleset)));
}
static void f_ruleset_rule_count(cc_arg* a, cc_obs* o) {
  add_num(o, "count", (long long)vigil_ruleset_rule_count(H(0, vigil_ruleset)));
}
static void f_ruleset_rule_get(cc_arg* a, cc_obs* o) {
  INFO(vigil_rule_info, r, &a[2]);
  vigil_status st = vigil_ruleset_rule_get(H(0, vigil_ruleset), (size_t)a[1].i,
                                           a[2].is_null ? NULL : &r);
  status(o, st, "");
  if (st != VIGIL_OK) return;
  add_str(o, "id", r.id);
  add_str(o, "qualified_id", r.qualified_id);
  add_str(o, "version", r.version);
  add_str(o, "title", r.title);
  add_num(o, "severity", r.severity);
  add_num(o, "shadow", r.shadow);
  add_num(o, "tag_count", r.tag_count);
}
static void f_ruleset_rule_tag(cc_arg* a, cc_obs* o) {
  add_str(o, NULL, vigil_ruleset_rule_tag(H(0, vigil_ruleset), (size_t)a[1].i, (size_t)a[2].i));
}
static void f_ruleset_field_count(cc_arg* a, cc_obs* o) {
  add_num(o, "count", (long long)vigil_ruleset_field_count(H(0, vigil_ruleset)));
}
static void f_ruleset_field_get(cc_arg* a, cc_obs* o) {
  INFO(vigil_field_info, f, &a[2]);
  vigil_status st = vigil_ruleset_field_get(H(0, vigil_ruleset), (size_t)a[1].i,
                                            a[2].is_null ? NULL : &f);
  status(o, st, "");
  if (st != VIGIL_OK) return;
  add_str(o, "name", f.name);
  add_num(o, "type", f.type);
  add_num(o, "flags", f.flags);
  add_num(o, "slot", f.slot);
}
static void f_ruleset_field_slot(cc_arg* a, cc_obs* o) {
  add_num(o, "slot", vigil_ruleset_field_slot(H(0, vigil_ruleset), S(1)));
}
static void f_ruleset_set_list(cc_arg* a, cc_obs* o) {
  vigil_status st = vigil_ruleset_set_list(H(0, vigil_ruleset), S(1),
                                           a[2].is_null ? NULL : a[2].items,
                                           a[2].is_null ? NULL : a[2].lens, a[2].count);
  status(o, st, vigil_ruleset_errmsg());
}
static void f_ruleset_errmsg(cc_arg* a, cc_obs* o) {
  (void)a;
  add_str(o, NULL, vigil_ruleset_errmsg());
}

/* ---------------------------------------------------------------- events */

static void f_event_new(cc_arg* a, cc_obs* o) {
  STATUS(o, vigil_event_new(H(0, vigil_ruleset), OUT(1, vigil_event)), "");
}
static void f_event_free(cc_arg* a, cc_obs* o) {
  (void)o;
  vigil_event_free(H(0, vigil_event));
}
#define EVENT_CALL(name, ...)                              \
  static void f_event_##name(cc_arg* a, cc_obs* o) {       \
    vigil_event* e = H(0, vigil_event);                    \
    STATUS(o, vigil_event_##name(e, __VA_ARGS__), vigil_event_errmsg(e)); \
  }
static void f_event_reset(cc_arg* a, cc_obs* o) {
  vigil_event* e = H(0, vigil_event);
  STATUS(o, vigil_event_reset(e), vigil_event_errmsg(e));
}
EVENT_CALL(set_missing, (uint32_t)a[1].i)
EVENT_CALL(set_bool, (uint32_t)a[1].i, (int32_t)a[2].i)
EVENT_CALL(set_int, (uint32_t)a[1].i, a[2].i)
EVENT_CALL(set_decimal, (uint32_t)a[1].i, S(2))
EVENT_CALL(set_decimal_units, (uint32_t)a[1].i, a[2].i, (uint32_t)a[3].i)
EVENT_CALL(set_float, (uint32_t)a[1].i, a[2].d)
EVENT_CALL(set_string, (uint32_t)a[1].i, S(2))
EVENT_CALL(set_time, (uint32_t)a[1].i, a[2].i)
EVENT_CALL(set_duration, (uint32_t)a[1].i, a[2].i)
EVENT_CALL(set_string_set, (uint32_t)a[1].i, a[2].is_null ? NULL : a[2].items,
           a[2].is_null ? NULL : a[2].lens, a[2].count)
EVENT_CALL(set_json, S(1))
static void f_event_errmsg(cc_arg* a, cc_obs* o) {
  add_str(o, NULL, vigil_event_errmsg(H(0, vigil_event)));
}

/* ---------------------------------------------------------------- sessions */

static void f_session_new(cc_arg* a, cc_obs* o) {
  vigil_session_options opts = VIGIL_SESSION_OPTIONS_INIT;
  opts.struct_size = (uint32_t)opt(&a[1], "struct_size", opts.struct_size);
  opts.flags = (uint32_t)opt(&a[1], "flags", opts.flags);
  STATUS(o, vigil_session_new(H(0, vigil_ruleset), a[1].is_null ? NULL : &opts,
                              OUT(2, vigil_session)),
         "");
}
static void f_session_free(cc_arg* a, cc_obs* o) {
  (void)o;
  vigil_session_free(H(0, vigil_session));
}
static void f_session_rebind(cc_arg* a, cc_obs* o) {
  vigil_session* s = H(0, vigil_session);
  STATUS(o, vigil_session_rebind(s, H(1, vigil_ruleset)), vigil_session_errmsg(s));
}
/* What an evaluation left in the result: decision, score and fired rules. */
static void add_result(cc_obs* o, const vigil_result* r) {
  add_str(o, "decision", vigil_result_decision(r));
  add_num(o, "score", (long long)vigil_result_score(r));
  add_num(o, "fired", (long long)vigil_result_fired_count(r));
  add_num(o, "shadow", (long long)vigil_result_shadow_count(r));
  add_num(o, "late", vigil_result_late(r));
}
static void f_session_eval(cc_arg* a, cc_obs* o) {
  vigil_session* s = H(0, vigil_session);
  vigil_status st = vigil_session_eval(s, H(1, vigil_event), H(2, vigil_result));
  status(o, st, vigil_session_errmsg(s));
  if (st == VIGIL_OK) add_result(o, H(2, vigil_result));
}
static void f_session_eval_ex(cc_arg* a, cc_obs* o) {
  vigil_session* s = H(0, vigil_session);
  vigil_status st = vigil_session_eval_ex(s, H(1, vigil_event), H(2, vigil_result),
                                          (uint32_t)a[3].i);
  status(o, st, vigil_session_errmsg(s));
  if (st == VIGIL_OK) add_result(o, H(2, vigil_result));
}
static void f_session_eval_batch(cc_arg* a, cc_obs* o) {
  vigil_session* s = H(0, vigil_session);
  size_t failed = 12345;
  vigil_status st = vigil_session_eval_batch(
      s, a[1].is_null ? NULL : (const vigil_event* const*)a[1].handles,
      a[2].is_null ? NULL : (vigil_result* const*)a[2].handles, (size_t)a[3].i,
      a[4].is_null ? NULL : &failed);
  status(o, st, vigil_session_errmsg(s));
  if (!a[4].is_null) add_num(o, "failed_index", (long long)failed);
}
static void f_session_explain(cc_arg* a, cc_obs* o) {
  vigil_session* s = H(0, vigil_session);
  const char* json = "unset";
  size_t len = 12345;
  vigil_status st = vigil_session_explain(s, H(1, vigil_event), H(2, vigil_result),
                                          a[3].is_null ? NULL : &json,
                                          a[4].is_null ? NULL : &len);
  status(o, st, vigil_session_errmsg(s));
  if (!a[4].is_null) add_num(o, "len", (long long)len);
  if (st == VIGIL_OK && json != NULL) {
    add(o, " json=");
    add_bytes(o, json, a[4].is_null ? strlen(json) : len);
  } else if (!a[3].is_null && json == NULL) {
    add(o, " json=NULL");
  }
}
static void f_session_errmsg(cc_arg* a, cc_obs* o) {
  add_str(o, NULL, vigil_session_errmsg(H(0, vigil_session)));
}
static void f_session_record(cc_arg* a, cc_obs* o) {
  vigil_session* s = H(0, vigil_session);
  int32_t late = 7;
  vigil_status st = vigil_session_record(s, H(1, vigil_event), a[2].is_null ? NULL : &late);
  status(o, st, vigil_session_errmsg(s));
  if (!a[2].is_null) add_num(o, "late", late);
}

/* ---------------------------------------------------------------- state */

static void f_state_new(cc_arg* a, cc_obs* o) {
  vigil_state_options opts = VIGIL_STATE_OPTIONS_INIT;
  opts.struct_size = (uint32_t)opt(&a[0], "struct_size", opts.struct_size);
  opts.shards = (uint32_t)opt(&a[0], "shards", opts.shards);
  opts.lateness_us = opt(&a[0], "lateness_us", opts.lateness_us);
  STATUS(o, vigil_state_new(a[0].is_null ? NULL : &opts, OUT(1, vigil_state)),
         vigil_state_errmsg());
}
static void f_state_retain(cc_arg* a, cc_obs* o) {
  a[1].out = vigil_state_retain(H(0, vigil_state));
  add_str(o, NULL, a[1].out == NULL ? "NULL" : "retained");
}
static void f_state_release(cc_arg* a, cc_obs* o) {
  (void)o;
  vigil_state_release(H(0, vigil_state));
}
static void f_session_set_state(cc_arg* a, cc_obs* o) {
  vigil_session* s = H(0, vigil_session);
  STATUS(o, vigil_session_set_state(s, H(1, vigil_state)), vigil_session_errmsg(s));
}
static void f_session_get_state(cc_arg* a, cc_obs* o) {
  vigil_session* s = H(0, vigil_session);
  vigil_status st = vigil_session_get_state(s, OUT(1, vigil_state));
  status(o, st, vigil_session_errmsg(s));
  if (st == VIGIL_OK && !a[1].is_null) add_str(o, "state", a[1].out == NULL ? "NULL" : "set");
}
static void f_state_save(cc_arg* a, cc_obs* o) {
  STATUS(o, vigil_state_save(H(0, vigil_state), a[1].is_null ? NULL : a[1].str),
         vigil_state_errmsg());
}
static void f_state_load(cc_arg* a, cc_obs* o) {
  STATUS(o, vigil_state_load(H(0, vigil_state), a[1].is_null ? NULL : a[1].str),
         vigil_state_errmsg());
}
static void f_state_errmsg(cc_arg* a, cc_obs* o) {
  (void)a;
  add_str(o, NULL, vigil_state_errmsg());
}

/* Test backends: user points at one of these (static: they outlive every state). */
static const int kBackendModes[CC_BACKEND_MODES] = {0, 1, 2, 3};

static vigil_status TestBackend(void* user, const vigil_backend_request* req,
                                vigil_backend_reply* reply) {
  int mode = *(const int*)user;
  if (mode == 1 || mode == 2) {
    vigil_backend_reply_set_error(reply, "test backend: down");
    return VIGIL_ERR_STATE;
  }
  if (mode == 3) {
    static const char kGarbage[] = "\xff\x01\x02";
    return vigil_backend_reply_add(reply, req->ts_us, kGarbage, sizeof kGarbage - 1);
  }
  if (req->record) return vigil_backend_reply_add(reply, req->ts_us, req->entry, req->entry_len);
  return VIGIL_OK;
}

static void f_state_new_external(cc_arg* a, cc_obs* o) {
  vigil_backend b;
  int64_t mode = opt(&a[0], "mode", 0);
  b.struct_size = (uint32_t)opt(&a[0], "struct_size", (int64_t)sizeof b);
  b.flags = (uint32_t)opt(&a[0], "flags", 0);
  b.apply = opt(&a[0], "apply", 1) ? TestBackend : NULL;
  b.user = (void*)&kBackendModes[(mode < 0 ? -mode : mode) % CC_BACKEND_MODES];
  STATUS(o, vigil_state_new_external(a[0].is_null ? NULL : &b, a[1].i, OUT(2, vigil_state)),
         vigil_state_errmsg());
}
static void f_state_get_stats(cc_arg* a, cc_obs* o) {
  INFO(vigil_state_stats, st, &a[1]);
  vigil_status s = vigil_state_get_stats(H(0, vigil_state), a[1].is_null ? NULL : &st);
  status(o, s, vigil_state_errmsg());
  if (s != VIGIL_OK) return;
  add_num(o, "keys", (long long)st.keys);
  add_num(o, "entries", (long long)st.entries);
  add_num(o, "late_events", (long long)st.late_events);
  add_num(o, "dropped_keys", (long long)st.dropped_keys);
  /* Since ABI 1.2, written when struct_size covers them (zeros otherwise). */
  add_num(o, "outlier_events", (long long)st.outlier_events);
  add_num(o, "aggregates", (long long)st.aggregates);
  add_num(o, "unused_aggregates", (long long)st.unused_aggregates);
}
/* Replies exist only inside a backend's apply: from outside, NULL. */
static void f_backend_reply_add(cc_arg* a, cc_obs* o) {
  STATUS(o, vigil_backend_reply_add(NULL, a[0].i, S(1)), "");
}
static void f_backend_reply_set_late(cc_arg* a, cc_obs* o) {
  STATUS(o, vigil_backend_reply_set_late(NULL, (int32_t)a[0].i), "");
}
static void f_backend_reply_set_error(cc_arg* a, cc_obs* o) {
  STATUS(o, vigil_backend_reply_set_error(NULL, a[0].is_null ? NULL : a[0].str), "");
}

/* ---------------------------------------------------------------- results */

static void f_result_new(cc_arg* a, cc_obs* o) {
  STATUS(o, vigil_result_new(OUT(0, vigil_result)), "");
}
static void f_result_free(cc_arg* a, cc_obs* o) {
  (void)o;
  vigil_result_free(H(0, vigil_result));
}
static void f_result_decision(cc_arg* a, cc_obs* o) {
  add_str(o, NULL, vigil_result_decision(H(0, vigil_result)));
}
static void f_result_score(cc_arg* a, cc_obs* o) {
  add_num(o, "score", (long long)vigil_result_score(H(0, vigil_result)));
}
static void f_result_late(cc_arg* a, cc_obs* o) {
  add_num(o, "late", vigil_result_late(H(0, vigil_result)));
}
static void f_result_outlier(cc_arg* a, cc_obs* o) {
  add_num(o, "outlier", vigil_result_outlier(H(0, vigil_result)));
}
static void f_result_state_error(cc_arg* a, cc_obs* o) {
  add_num(o, "state_error", vigil_result_state_error(H(0, vigil_result)));
}
static void f_result_fired_count(cc_arg* a, cc_obs* o) {
  add_num(o, "count", (long long)vigil_result_fired_count(H(0, vigil_result)));
}
static void f_result_shadow_count(cc_arg* a, cc_obs* o) {
  add_num(o, "count", (long long)vigil_result_shadow_count(H(0, vigil_result)));
}
static void f_result_fired_get(cc_arg* a, cc_obs* o) {
  INFO(vigil_fired_info, f, &a[2]);
  vigil_status st = vigil_result_fired_get(H(0, vigil_result), (size_t)a[1].i,
                                           a[2].is_null ? NULL : &f);
  status(o, st, "");
  if (st != VIGIL_OK) return;
  add_str(o, "rule", f.qualified_id);
  add_str(o, "version", f.version);
  add_num(o, "rule_index", f.rule_index);
  add_num(o, "severity", f.severity);
  add_num(o, "shadow", f.shadow);
  add_num(o, "score", (long long)f.score);
  add_str(o, "decision", f.decision);
  add_str(o, "reason", f.reason);
}
static void f_result_tag_count(cc_arg* a, cc_obs* o) {
  add_num(o, "count", (long long)vigil_result_tag_count(H(0, vigil_result)));
}
static void f_result_tag(cc_arg* a, cc_obs* o) {
  add_str(o, NULL, vigil_result_tag(H(0, vigil_result), (size_t)a[1].i));
}
static void f_result_json(cc_arg* a, cc_obs* o) {
  const char* json = "unset";
  size_t len = 12345;
  vigil_status st = vigil_result_json(H(0, vigil_result), a[1].is_null ? NULL : &json,
                                      a[2].is_null ? NULL : &len);
  status(o, st, "");
  if (!a[2].is_null) add_num(o, "len", (long long)len);
  if (st == VIGIL_OK && json != NULL) {
    add(o, " json=");
    add_bytes(o, json, a[2].is_null ? strlen(json) : len);
  } else if (!a[1].is_null && json == NULL) {
    add(o, " json=NULL");
  }
}

/* ---------------------------------------------------------------- the table */

#define CALL(name, sig, out, frees) {#name, sig, out, frees, f_##name}

const cc_call cc_calls[] = {
    CALL(version_number, "", -1, 0),
    CALL(version_string, "", -1, 0),
    CALL(abi_version, "", -1, 0),
    CALL(status_str, "i", -1, 0),
    CALL(compiler_new, "Oo", CC_COMPILER, 0),
    CALL(compiler_free, "C", -1, 1),
    CALL(compiler_add_file, "Cs", -1, 0),
    CALL(compiler_add_source, "Css", -1, 0),
    CALL(compiler_set_hmac_key, "Css", -1, 0),
    CALL(compiler_pack_key, "Csi", -1, 0),
    CALL(compiler_pack_policy, "Cus", -1, 0),
    CALL(compiler_set_host_schema, "Css", -1, 0),
    CALL(compiler_selftest, "Cpp", -1, 0),
    CALL(compiler_build, "Co", CC_RULESET, 0),
    CALL(compiler_diag_count, "C", -1, 0),
    CALL(compiler_diag_get, "CnO", -1, 0),
    CALL(compiler_diag_render, "C", -1, 0),
    CALL(compiler_errmsg, "C", -1, 0),
    CALL(ruleset_retain, "Ro", CC_RULESET, 0),
    CALL(ruleset_release, "R", -1, 1),
    CALL(ruleset_name, "R", -1, 0),
    CALL(ruleset_version, "R", -1, 0),
    CALL(ruleset_digest, "R", -1, 0),
    CALL(ruleset_rule_count, "R", -1, 0),
    CALL(ruleset_rule_get, "RnO", -1, 0),
    CALL(ruleset_rule_tag, "Rnn", -1, 0),
    CALL(ruleset_field_count, "R", -1, 0),
    CALL(ruleset_field_get, "RnO", -1, 0),
    CALL(ruleset_field_slot, "Rs", -1, 0),
    CALL(ruleset_set_list, "RsL", -1, 0),
    CALL(ruleset_errmsg, "", -1, 0),
    CALL(event_new, "Ro", CC_EVENT, 0),
    CALL(event_free, "E", -1, 1),
    CALL(event_reset, "E", -1, 0),
    CALL(event_set_missing, "Eu", -1, 0),
    CALL(event_set_bool, "Eui", -1, 0),
    CALL(event_set_int, "Eui", -1, 0),
    CALL(event_set_decimal, "Eus", -1, 0),
    CALL(event_set_decimal_units, "Euiu", -1, 0),
    CALL(event_set_float, "Eud", -1, 0),
    CALL(event_set_string, "Eus", -1, 0),
    CALL(event_set_time, "Eui", -1, 0),
    CALL(event_set_duration, "Eui", -1, 0),
    CALL(event_set_string_set, "EuL", -1, 0),
    CALL(event_set_json, "Es", -1, 0),
    CALL(event_errmsg, "E", -1, 0),
    CALL(session_new, "ROo", CC_SESSION, 0),
    CALL(session_free, "S", -1, 1),
    CALL(session_rebind, "SR", -1, 0),
    CALL(session_eval, "SEX", -1, 0),
    CALL(session_eval_batch, "SABnp", -1, 0),
    CALL(session_explain, "SEXpp", -1, 0),
    CALL(session_errmsg, "S", -1, 0),
    CALL(session_eval_ex, "SEXu", -1, 0),
    CALL(session_record, "SEp", -1, 0),
    CALL(state_new, "Oo", CC_STATE, 0),
    CALL(state_retain, "To", CC_STATE, 0),
    CALL(state_release, "T", -1, 1),
    CALL(session_set_state, "ST", -1, 0),
    CALL(session_get_state, "So", CC_STATE, 0),
    CALL(state_save, "Tz", -1, 0),
    CALL(state_load, "Tz", -1, 0),
    CALL(state_errmsg, "", -1, 0),
    CALL(state_new_external, "Oio", CC_STATE, 0),
    CALL(state_get_stats, "TO", -1, 0),
    CALL(backend_reply_add, "is", -1, 0),
    CALL(backend_reply_set_late, "i", -1, 0),
    CALL(backend_reply_set_error, "z", -1, 0),
    CALL(result_new, "o", CC_RESULT, 0),
    CALL(result_free, "X", -1, 1),
    CALL(result_decision, "X", -1, 0),
    CALL(result_score, "X", -1, 0),
    CALL(result_late, "X", -1, 0),
    CALL(result_outlier, "X", -1, 0),
    CALL(result_state_error, "X", -1, 0),
    CALL(result_fired_count, "X", -1, 0),
    CALL(result_shadow_count, "X", -1, 0),
    CALL(result_fired_get, "XnO", -1, 0),
    CALL(result_tag_count, "X", -1, 0),
    CALL(result_tag, "Xn", -1, 0),
    CALL(result_json, "Xpp", -1, 0),
};
const size_t cc_call_count = sizeof cc_calls / sizeof cc_calls[0];

const cc_call* cc_find(const char* name) {
  for (size_t i = 0; i < cc_call_count; ++i) {
    if (strcmp(cc_calls[i].name, name) == 0) return &cc_calls[i];
  }
  return NULL;
}

static const char* const kStatusNames[] = {
    "OK",    "INVALID_ARG", "MISUSE", "NOMEM", "COMPILE", "EVAL", "LIMIT",
    "IO",    "VERSION",     "INTERNAL", "TYPE", "RANGE", "STATE", "TEST",
};

const char* cc_status_name(vigil_status s) {
  if (s < 0 || (size_t)s >= sizeof kStatusNames / sizeof kStatusNames[0]) return NULL;
  return kStatusNames[s];
}

int cc_status_parse(const char* name, vigil_status* s) {
  for (size_t i = 0; i < sizeof kStatusNames / sizeof kStatusNames[0]; ++i) {
    if (strcmp(kStatusNames[i], name) == 0) {
      *s = (vigil_status)i;
      return 1;
    }
  }
  return 0;
}

int cc_handle_kind(char letter) {
  switch (letter) {
    case 'C': return CC_COMPILER;
    case 'R': return CC_RULESET;
    case 'S': return CC_SESSION;
    case 'E': return CC_EVENT;
    case 'X': return CC_RESULT;
    case 'T': return CC_STATE;
    default: return -1;
  }
}

void cc_free_handle(int kind, void* h) {
  switch (kind) {
    case CC_COMPILER: vigil_compiler_free((vigil_compiler*)h); break;
    case CC_RULESET: vigil_ruleset_release((vigil_ruleset*)h); break;
    case CC_SESSION: vigil_session_free((vigil_session*)h); break;
    case CC_EVENT: vigil_event_free((vigil_event*)h); break;
    case CC_RESULT: vigil_result_free((vigil_result*)h); break;
    case CC_STATE: vigil_state_release((vigil_state*)h); break;
    default: break;
  }
}
