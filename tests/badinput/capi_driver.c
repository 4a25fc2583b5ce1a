/* Runs a script of vigil.h calls and checks what each returns, so that C ABI
 * call sequences are data in the bad-input table (tests/badinput/README.md
 * describes the script language). Uses only vigil.h, as a host does.
 *
 *   badinput_capi [-v] SCRIPT     exit 0: every expectation held; 1: some did
 *                                 not (each is printed); 2: the script is wrong
 *
 * Handles live in named variables: `&name` receives one, `$name` passes it.
 * A call that frees or releases a handle forgets its variable, so a script
 * can never use a freed handle (undefined by contract in C). Whatever is
 * left at the end is freed, so leak checkers see only the library's leaks. */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capi_calls.h"

#define MAX_VARS 64
#define MAX_TOKENS 32

typedef struct var {
  char name[32];
  int kind;
  void* handle;
} var;

static var g_vars[MAX_VARS];
static int g_nvars;
static const char* g_script;
static int g_line;
static int g_failures;

/* Buffers made while reading one line (decoded strings, file contents). */
static void* g_owned[MAX_TOKENS * CC_MAX_ITEMS + 8];
static int g_nowned;

static void* own(void* p) {
  if (p == NULL) {
    fprintf(stderr, "out of memory\n");
    exit(2);
  }
  g_owned[g_nowned++] = p;
  return p;
}

static void script_error(const char* fmt, ...) {
  va_list ap;
  fprintf(stderr, "%s:%d: script error: ", g_script, g_line);
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fputc('\n', stderr);
  exit(2);
}

static var* find_var(const char* name) {
  for (int i = 0; i < g_nvars; ++i) {
    if (strcmp(g_vars[i].name, name) == 0) return &g_vars[i];
  }
  return NULL;
}

static void forget_var(const char* name) {
  for (int i = 0; i < g_nvars; ++i) {
    if (strcmp(g_vars[i].name, name) == 0) {
      g_vars[i] = g_vars[--g_nvars];
      return;
    }
  }
}

/* ---------------------------------------------------------------- tokens */

enum { T_WORD, T_STR, T_LIST, T_OPTS };

typedef struct token {
  int type;
  char* text; /* T_WORD: the word; T_STR: decoded bytes (NUL-terminated); T_LIST/T_OPTS: inside */
  size_t len;
} token;

static int hexval(int c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

/* Decodes a quoted string starting after its opening quote; returns the
 * position after the closing quote. Escapes: \" \\ \n \r \t \0 \xNN. */
static const char* read_string(const char* p, token* t) {
  size_t cap = strlen(p) + 1, n = 0;
  char* out = own(malloc(cap));
  while (*p != '"') {
    if (*p == '\0') script_error("unterminated string");
    if (*p != '\\') {
      out[n++] = *p++;
      continue;
    }
    ++p;
    switch (*p) {
      case '"': out[n++] = '"'; break;
      case '\\': out[n++] = '\\'; break;
      case 'n': out[n++] = '\n'; break;
      case 'r': out[n++] = '\r'; break;
      case 't': out[n++] = '\t'; break;
      case '0': out[n++] = '\0'; break;
      case 'x': {
        int hi = hexval(p[1]), lo = hi < 0 ? -1 : hexval(p[2]);
        if (lo < 0) script_error("\\x needs two hex digits");
        out[n++] = (char)(hi * 16 + lo);
        p += 2;
        break;
      }
      default: script_error("unknown escape \\%c", *p);
    }
    ++p;
  }
  out[n] = '\0';
  t->type = T_STR;
  t->text = out;
  t->len = n;
  ++p;
  /* "x"*N repeats the string N times (large inputs without large scripts). */
  if (*p == '*') {
    char* end;
    unsigned long long times = strtoull(p + 1, &end, 10);
    if (end == p + 1) script_error("expected a count after '*'");
    if (times > ((size_t)1 << 31) / (n ? n : 1)) script_error("repeated string too large");
    char* big = own(malloc(n * times + 1));
    for (unsigned long long i = 0; i < times; ++i) memcpy(big + i * n, out, n);
    big[n * times] = '\0';
    t->text = big;
    t->len = n * times;
    p = end;
  }
  return p;
}

/* '...': the bytes as written, no escapes (JSON reads better this way). */
static const char* read_raw_string(const char* p, token* t) {
  const char* end = strchr(p, '\'');
  if (end == NULL) script_error("unterminated string");
  t->type = T_STR;
  t->len = (size_t)(end - p);
  t->text = own(malloc(t->len + 1));
  memcpy(t->text, p, t->len);
  t->text[t->len] = '\0';
  return end + 1;
}

static const char* read_group(const char* p, char close, int type, token* t) {
  const char* start = p;
  char quote = 0;
  for (; *p != '\0'; ++p) {
    if (quote != 0) {
      if (quote == '"' && *p == '\\' && p[1] != '\0') {
        ++p;
      } else if (*p == quote) {
        quote = 0;
      }
    } else if (*p == '"' || *p == '\'') {
      quote = *p;
    } else if (*p == close) {
      break;
    }
  }
  if (*p != close) script_error("missing '%c'", close);
  t->type = type;
  t->len = (size_t)(p - start);
  t->text = own(malloc(t->len + 1));
  memcpy(t->text, start, t->len);
  t->text[t->len] = '\0';
  return p + 1;
}

static int tokenize(const char* p, token* toks) {
  int n = 0;
  for (;;) {
    while (*p == ' ' || *p == '\t' || *p == ',') ++p;
    if (*p == '\0' || *p == '#' || *p == '\n' || *p == '\r') return n;
    if (n == MAX_TOKENS) script_error("too many tokens");
    token* t = &toks[n++];
    if (*p == '"') {
      p = read_string(p + 1, t);
    } else if (*p == '\'') {
      p = read_raw_string(p + 1, t);
    } else if (*p == '[') {
      p = read_group(p + 1, ']', T_LIST, t);
    } else if (*p == '{') {
      p = read_group(p + 1, '}', T_OPTS, t);
    } else {
      const char* start = p;
      while (*p != '\0' && !isspace((unsigned char)*p) && *p != ',') ++p;
      t->type = T_WORD;
      t->len = (size_t)(p - start);
      t->text = own(malloc(t->len + 1));
      memcpy(t->text, start, t->len);
      t->text[t->len] = '\0';
    }
  }
}

/* ---------------------------------------------------------------- arguments */

static int64_t parse_int(const char* w) {
  if (strcmp(w, "INT64_MAX") == 0) return INT64_MAX;
  if (strcmp(w, "INT64_MIN") == 0) return INT64_MIN;
  if (strcmp(w, "UINT32_MAX") == 0) return (int64_t)UINT32_MAX;
  if (strcmp(w, "SIZE_MAX") == 0) return -1; /* converted to size_t by the call */
  char* end;
  errno = 0;
  long long v = strtoll(w, &end, 0);
  if (*end != '\0' || errno != 0) script_error("'%s' is not an integer", w);
  return v;
}

static char* read_file(const char* path, size_t* len) {
  FILE* f = fopen(path, "rb");
  if (f == NULL) script_error("cannot read '%s'", path);
  size_t cap = 1 << 16, n = 0;
  char* buf = malloc(cap);
  size_t got;
  while (buf != NULL && (got = fread(buf + n, 1, cap - n, f)) > 0) {
    n += got;
    if (n == cap) buf = realloc(buf, cap *= 2);
  }
  fclose(f);
  own(buf);
  buf[n < cap ? n : cap - 1] = '\0';
  *len = n;
  return buf;
}

/* NULL or NULL:N (a NULL pointer with a length or count). */
static int is_null_word(const token* t, size_t* n) {
  if (t->type != T_WORD || strncmp(t->text, "NULL", 4) != 0) return 0;
  *n = 0;
  if (t->text[4] == ':') *n = (size_t)parse_int(t->text + 5);
  else if (t->text[4] != '\0') return 0;
  return 1;
}

static void string_arg(const token* t, cc_arg* a) {
  size_t n;
  if (is_null_word(t, &n)) {
    a->is_null = 1;
    a->str = NULL;
    a->len = n;
  } else if (t->type == T_STR) {
    a->str = t->text;
    a->len = t->len;
  } else if (t->type == T_WORD && t->text[0] == '@') {
    a->str = read_file(t->text + 1, &a->len);
  } else {
    script_error("expected a string, NULL or @FILE, found '%s'", t->text);
  }
}

static void* handle_arg(const token* t, int kind, const char* what) {
  size_t n;
  if (is_null_word(t, &n)) return NULL;
  if (t->type != T_WORD || t->text[0] != '$') script_error("expected $%s or NULL", what);
  var* v = find_var(t->text + 1);
  if (v == NULL) script_error("no handle named '%s' (freed, or never made)", t->text + 1);
  if (v->kind != kind) script_error("'%s' is not a %s handle", t->text + 1, what);
  return v->handle;
}

static const char* const kKindNames[CC_KINDS] = {"compiler", "ruleset", "session",
                                                  "event",    "result",  "state"};

static void list_arg(const token* t, cc_arg* a, int handle_kind) {
  size_t n;
  if (is_null_word(t, &n)) {
    a->is_null = 1;
    a->count = n;
    return;
  }
  if (t->type != T_LIST) script_error("expected [...] or NULL");
  token items[MAX_TOKENS];
  int count = tokenize(t->text, items);
  if (count > CC_MAX_ITEMS) script_error("at most %d items", CC_MAX_ITEMS);
  for (int i = 0; i < count; ++i) {
    if (handle_kind >= 0) {
      a->handles[i] = handle_arg(&items[i], handle_kind, kKindNames[handle_kind]);
    } else {
      cc_arg item;
      memset(&item, 0, sizeof item);
      string_arg(&items[i], &item);
      a->items[i] = item.str;
      a->lens[i] = item.len;
    }
  }
  a->count = a->nhandles = (size_t)count;
}

static void opts_arg(const token* t, cc_arg* a) {
  size_t n;
  if (is_null_word(t, &n)) {
    a->is_null = 1;
    return;
  }
  if (t->type != T_OPTS) script_error("expected {key=value ...} or NULL");
  token items[MAX_TOKENS];
  int count = tokenize(t->text, items);
  if (count > CC_MAX_OPTS) script_error("at most %d options", CC_MAX_OPTS);
  for (int i = 0; i < count; ++i) {
    char* eq = strchr(items[i].text, '=');
    if (items[i].type != T_WORD || eq == NULL || (size_t)(eq - items[i].text) >= 24) {
      script_error("expected key=value, found '%s'", items[i].text);
    }
    memcpy(a->opts[i].key, items[i].text, (size_t)(eq - items[i].text));
    a->opts[i].key[eq - items[i].text] = '\0';
    a->opts[i].value = parse_int(eq + 1);
  }
  a->nopts = count;
}

/* ---------------------------------------------------------------- expectations */

static int contains(const char* hay, const char* needle, size_t needle_len) {
  size_t n = strlen(hay);
  if (needle_len == 0) return 1;
  for (size_t i = 0; i + needle_len <= n; ++i) {
    if (memcmp(hay + i, needle, needle_len) == 0) return 1;
  }
  return 0;
}

static void fail(const char* call, const char* what, const cc_obs* obs) {
  ++g_failures;
  const char* st = obs->has_status ? cc_status_name(obs->status) : NULL;
  fprintf(stderr, "%s:%d: %s: expected %s; got %s%s\"%s\"\n", g_script, g_line, call, what,
          st != NULL ? st : "", st != NULL ? " " : "", obs->text);
}

/* After "=>": [STATUS] then any of "text" (contained), = "text" (exact),
 * ! "text" (not contained). */
static void check(const char* call, const token* toks, int n, const cc_obs* obs) {
  int i = 0;
  char what[512];
  if (i < n && toks[i].type == T_WORD && isupper((unsigned char)toks[i].text[0])) {
    vigil_status want;
    if (!cc_status_parse(toks[i].text, &want)) script_error("unknown status '%s'", toks[i].text);
    if (!obs->has_status) script_error("%s returns no status", call);
    if (obs->status != want) {
      snprintf(what, sizeof what, "%s", toks[i].text);
      fail(call, what, obs);
      return;
    }
    ++i;
  }
  for (; i < n; ++i) {
    const token* t = &toks[i];
    if (t->type == T_WORD && (strcmp(t->text, "=") == 0 || strcmp(t->text, "!") == 0)) {
      if (i + 1 >= n || toks[i + 1].type != T_STR) script_error("expected a string after %s", t->text);
      const token* s = &toks[++i];
      int ok = t->text[0] == '=' ? strlen(obs->text) == s->len && memcmp(obs->text, s->text, s->len) == 0
                                 : !contains(obs->text, s->text, s->len);
      if (!ok) {
        snprintf(what, sizeof what, "%s \"%.400s\"", t->text[0] == '=' ? "exactly" : "no", s->text);
        fail(call, what, obs);
      }
    } else if (t->type == T_STR) {
      if (!contains(obs->text, t->text, t->len)) {
        snprintf(what, sizeof what, "\"%.400s\"", t->text);
        fail(call, what, obs);
      }
    } else {
      script_error("unexpected '%s' after =>", t->text);
    }
  }
}

/* ---------------------------------------------------------------- lines */

static void run_line(const char* line, int verbose) {
  token toks[MAX_TOKENS];
  int n = tokenize(line, toks);
  if (n == 0) return;
  if (toks[0].type != T_WORD) script_error("a line starts with a call's name");
  const cc_call* call = cc_find(toks[0].text);
  if (call == NULL) script_error("unknown call '%s'", toks[0].text);
  int arrow = n;
  for (int i = 1; i < n; ++i) {
    if (toks[i].type == T_WORD && strcmp(toks[i].text, "=>") == 0) {
      arrow = i;
      break;
    }
  }
  size_t nargs = strlen(call->sig);
  if ((size_t)(arrow - 1) != nargs) {
    script_error("%s takes %zu arguments (%s), found %d", call->name, nargs, call->sig, arrow - 1);
  }
  cc_arg args[8];
  memset(args, 0, sizeof args);
  const char* out_name = NULL;
  for (size_t i = 0; i < nargs; ++i) {
    const token* t = &toks[i + 1];
    cc_arg* a = &args[i];
    char k = call->sig[i];
    int kind = cc_handle_kind(k);
    size_t null_n;
    if (kind >= 0) {
      a->handle = handle_arg(t, kind, kKindNames[kind]);
    } else if (k == 's' || k == 'z') {
      string_arg(t, a);
    } else if (k == 'u' || k == 'i' || k == 'n') {
      if (t->type != T_WORD) script_error("expected a number");
      a->i = parse_int(t->text);
    } else if (k == 'd') {
      if (t->type != T_WORD) script_error("expected a number");
      a->d = strtod(t->text, NULL);
    } else if (k == 'L') {
      list_arg(t, a, -1);
    } else if (k == 'A' || k == 'B') {
      list_arg(t, a, k == 'A' ? CC_EVENT : CC_RESULT);
    } else if (k == 'O') {
      opts_arg(t, a);
    } else if (k == 'o' || k == 'p') {
      if (is_null_word(t, &null_n)) {
        a->is_null = 1;
      } else if (t->type == T_WORD && t->text[0] == '&') {
        if (k == 'o') out_name = t->text + 1;
      } else {
        script_error("expected &name or NULL");
      }
    }
  }
  /* eval_batch reads `count` entries of each array it is given. */
  if (strcmp(call->name, "session_eval_batch") == 0 &&
      ((!args[1].is_null && (size_t)args[3].i > args[1].nhandles) ||
       (!args[2].is_null && (size_t)args[3].i > args[2].nhandles))) {
    script_error("count is larger than an array");
  }
  if (out_name != NULL && find_var(out_name) != NULL) {
    script_error("'%s' already holds a handle; free it or use another name", out_name);
  }
  cc_obs* obs = calloc(1, sizeof *obs);
  if (obs == NULL) script_error("out of memory");
  call->fn(args, obs);
  if (verbose) {
    const char* st = obs->has_status ? cc_status_name(obs->status) : "";
    fprintf(stderr, "%d: %s -> %s %.300s\n", g_line, call->name, st ? st : "?", obs->text);
  }
  if (call->frees && toks[1].type == T_WORD && toks[1].text[0] == '$') forget_var(toks[1].text + 1);
  for (size_t i = 0; i < nargs; ++i) {
    if (call->sig[i] != 'o' || args[i].out == NULL) continue;
    if (out_name == NULL) {
      cc_free_handle(call->out_kind, args[i].out); /* a retain whose result the script drops */
    } else {
      if (g_nvars == MAX_VARS) script_error("too many handles");
      var* v = &g_vars[g_nvars++];
      snprintf(v->name, sizeof v->name, "%s", out_name);
      v->kind = call->out_kind;
      v->handle = args[i].out;
    }
  }
  if (arrow < n) check(call->name, toks + arrow + 1, n - arrow - 1, obs);
  free(obs);
}

int main(int argc, char** argv) {
  int verbose = argc > 2 && strcmp(argv[1], "-v") == 0;
  if (argc != 2 + verbose) {
    fprintf(stderr, "usage: badinput_capi [-v] SCRIPT\n");
    return 2;
  }
  g_script = argv[1 + verbose];
  FILE* f = fopen(g_script, "r");
  if (f == NULL) {
    fprintf(stderr, "cannot open %s\n", g_script);
    return 2;
  }
  static char line[1 << 20];
  while (fgets(line, sizeof line, f) != NULL) {
    ++g_line;
    run_line(line, verbose);
    while (g_nowned > 0) free(g_owned[--g_nowned]);
  }
  fclose(f);
  while (g_nvars > 0) {
    --g_nvars;
    cc_free_handle(g_vars[g_nvars].kind, g_vars[g_nvars].handle);
  }
  return g_failures == 0 ? 0 : 1;
}
