/* Fuzz target: the input drives a sequence of vigil.h calls. Each call is a
 * byte choosing an entry of the table of calls (tests/badinput/capi_calls.c),
 * then one or more bytes per argument choosing a handle (or NULL), a string
 * (NULL with a length, invalid UTF-8, rule sources, JSON, 9 MiB, raw input
 * bytes), a number (0, -1, INT64_MAX, raw), an options struct (NULL, short or
 * odd sizes and flags) or where a result goes. So the calls come in any order:
 * add after build, eval before any set, events of another rule set, rebinds,
 * a state shared across rule sets, snapshots saved by one rule set and loaded
 * by another, failing and malformed external backends. Nothing may crash,
 * leak or trip a sanitizer.
 *
 * Excluded, because C leaves them undefined (tests/badinput/README.md): using
 * a handle after it was freed (a freed handle leaves its slot), a handle of
 * another kind, pointers to fewer bytes than the length passed with them,
 * arrays shorter than their count, struct_size larger than the struct. Every
 * handle left at the end of an input is freed.
 *
 * Seeds: fuzz/capi_seeds.py encodes call sequences by name (tools/fuzz.sh). */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "capi_calls.h"

#define SLOTS 4
#define MAX_CALLS 64

typedef struct input {
  const uint8_t* p;
  size_t n;
} input;

static uint8_t next(input* in) {
  if (in->n == 0) return 0;
  --in->n;
  return *in->p++;
}

static int64_t next64(input* in) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | next(in);
  return (int64_t)v;
}

static void* g_pool[CC_KINDS][SLOTS];

/* ---------------------------------------------------------------- inputs */

static const char kRules[] =
    "ruleset f.rules version \"1.0.0\"\n"
    "schema s version 1 {\n  ts: time\n  id: string\n  card: string @key @pii\n"
    "  amount: decimal\n  n: int\n  rate: float\n  ok: bool\n  wait: duration\n"
    "  flags: set<string>\n}\n"
    "uses schema s\n"
    "list WATCH: set<string> external\n"
    "rule big { title \"b\" severity high when amount > 10.00 and not ok\n"
    "  then score 10 decide review reason \"{amount} by {card} {id}\" }\n"
    "rule burst { title \"c\" severity low when count(by: card, within: 1h) >= 2\n"
    "  and sum(amount, by: card, within: 1h) > 5 and distinct(id, by: card, within: 1d) > 1\n"
    "  then score 5 decide report reason \"{count(by: card, within: 1h)}\" }\n"
    "rule listed { title \"l\" severity low mode shadow when id in WATCH or \"VPN\" in flags\n"
    "  then score 1 tag \"t\" }\n"
    "test \"big\" {\n  event { amount: 50.00, ok: false }\n  expect fires big\n}\n"
    "test \"fails\" {\n  event { amount: 1.00 }\n  expect fires big\n}\n";
static const char kOther[] =
    "ruleset f.other version \"2.0.0\"\n"
    "schema o version 1 {\n  ts: time\n  acct: string @key\n  v: int\n}\n"
    "uses schema o\n"
    "rule many { title \"m\" severity low when count(by: acct, within: 1d) >= 3\n"
    "  and max(v, by: acct, within: 1h) > 2 then score 1 }\n";
static const char kBroken[] = "ruleset f.broken version \"1.0\"\nrule r { when x > then }\n";
static const char kEvent[] =
    "{\"ts\":\"2026-01-01T00:00:00Z\",\"id\":\"e1\",\"card\":\"c1\",\"amount\":50,\"n\":1,"
    "\"rate\":0.5,\"ok\":false,\"wait\":\"1h\",\"flags\":[\"VPN\"],\"acct\":\"a\",\"v\":5}";
static const char kBadUtf8[] = "\xff\xfe\xc0\xaf\xed\xa0\x80";

static char* g_big;      /* 9 MiB: above every text limit */
static char g_dir[256];  /* a directory of this process's own */
static char g_rules_path[300], g_missing_path[300];
static char g_paths[5][300];

enum { STRINGS = 16 };

/* A string argument: one byte picks it; raw ones take their bytes from the input. */
static void next_string(input* in, cc_arg* a) {
  static const struct {
    const char* s;
    size_t len;
  } kFixed[] = {
      {NULL, 0},  /* 0: NULL, 0 */
      {NULL, 5},  /* 1: NULL with a length */
      {"", 0},    /* 2 */
      {kRules, sizeof kRules - 1},
      {kOther, sizeof kOther - 1},
      {kBroken, sizeof kBroken - 1},
      {NULL, 0},  /* 6: the rules' path on disk */
      {"mem.vgl", 7},
      {kEvent, sizeof kEvent - 1},
      {"WATCH", 5},
      {kBadUtf8, sizeof kBadUtf8 - 1},
      {NULL, 0},  /* 11: 9 MiB */
      {"20.10", 5},
      {"d75a980182b10ab7d54bfed3c964073a", 32},
      {"p.vgp", 5},
      {NULL, 0},  /* 15: raw */
  };
  uint8_t k = next(in) % STRINGS;
  a->str = kFixed[k].s;
  a->len = kFixed[k].len;
  if (k == 6) {
    a->str = (next(in) & 1) ? g_rules_path : g_missing_path;
    a->len = strlen(a->str);
  } else if (k == 11) {
    a->str = g_big;
    a->len = (9u << 20);
  } else if (k == 15) {
    size_t len = next(in);
    if (len > in->n) len = in->n;
    a->str = (const char*)in->p;
    a->len = len;
    in->p += len;
    in->n -= len;
  }
  a->is_null = a->str == NULL;
}

static int64_t next_number(input* in) {
  static const int64_t kValues[] = {0, 1, 2, 3, 5, 8, -1, 0};
  uint8_t k = next(in) % 9;
  if (k == 7) return INT64_MAX;
  if (k == 8) return next64(in);
  return kValues[k];
}

static double next_double(input* in) {
  static const double kValues[] = {0.0, 1.5, 20.5, -1.0, 1e308, -0.0};
  uint8_t k = next(in) % 9;
  if (k < 6) return kValues[k];
  if (k == 6) return NAN;
  if (k == 7) return INFINITY;
  int64_t bits = next64(in);
  double d;
  memcpy(&d, &bits, sizeof d);
  return d;
}

static void* next_handle(input* in, int kind, int* slot) {
  uint8_t k = next(in) % (SLOTS + 1);
  *slot = k < SLOTS ? k : -1;
  return k < SLOTS ? g_pool[kind][k] : NULL;
}

static const char* const kOptKeys[] = {"struct_size", "flags", "max_errors", "shards",
                                       "lateness_us", "mode",  "apply"};

/* ---------------------------------------------------------------- the sequence */

static void free_all(void) {
  for (int k = 0; k < CC_KINDS; ++k) {
    for (int s = 0; s < SLOTS; ++s) {
      if (g_pool[k][s] != NULL) cc_free_handle(k, g_pool[k][s]);
      g_pool[k][s] = NULL;
    }
  }
}

static void run_call(input* in) {
  const cc_call* call = &cc_calls[next(in) % cc_call_count];
  cc_arg args[8];
  int slots[8];
  int out_slot = -1;
  memset(args, 0, sizeof args);
  size_t nargs = strlen(call->sig);
  for (size_t i = 0; i < nargs; ++i) {
    cc_arg* a = &args[i];
    char letter = call->sig[i];
    int kind = cc_handle_kind(letter);
    slots[i] = -1;
    if (kind >= 0) {
      a->handle = next_handle(in, kind, &slots[i]);
    } else if (letter == 's') {
      next_string(in, a);
    } else if (letter == 'z') {
      uint8_t k = next(in) % 6;
      a->is_null = k == 5;
      a->str = k == 5 ? NULL : g_paths[k];
    } else if (letter == 'u' || letter == 'i' || letter == 'n') {
      a->i = next_number(in);
    } else if (letter == 'd') {
      a->d = next_double(in);
    } else if (letter == 'L') {
      uint8_t c = next(in) % 5;
      if (c == 4) {
        a->is_null = 1;
        a->count = 2; /* NULL arrays with a count: misuse the library must catch */
      } else {
        for (a->count = 0; a->count < c; ++a->count) {
          cc_arg item;
          memset(&item, 0, sizeof item);
          next_string(in, &item);
          a->items[a->count] = item.str;
          a->lens[a->count] = item.len;
        }
      }
    } else if (letter == 'A' || letter == 'B') {
      uint8_t c = next(in) % 4;
      a->is_null = c == 3;
      for (a->nhandles = 0; c < 3 && a->nhandles < c; ++a->nhandles) {
        int unused;
        a->handles[a->nhandles] = next_handle(in, letter == 'A' ? CC_EVENT : CC_RESULT, &unused);
      }
    } else if (letter == 'O') {
      uint8_t f = next(in);
      a->is_null = f & 1;
      a->nopts = (f >> 1) % 4;
      for (int o = 0; o < a->nopts; ++o) {
        snprintf(a->opts[o].key, sizeof a->opts[o].key, "%s",
                 kOptKeys[next(in) % (sizeof kOptKeys / sizeof kOptKeys[0])]);
        a->opts[o].value = next_number(in);
        /* A struct_size larger than the struct would make the library read past it. */
        if (strcmp(a->opts[o].key, "struct_size") == 0 && (a->opts[o].value < 0 || a->opts[o].value > 16)) {
          a->opts[o].value = 8;
        }
      }
    } else if (letter == 'o') {
      uint8_t v = next(in) % (SLOTS + 1);
      a->is_null = v == SLOTS;
      out_slot = v < SLOTS ? v : -1;
    } else if (letter == 'p') {
      a->is_null = next(in) & 1;
    }
  }
  if (strcmp(call->name, "session_eval_batch") == 0) {
    /* count never exceeds an array that is passed */
    size_t count = (size_t)args[3].i % 3;
    if (!args[1].is_null && count > args[1].nhandles) count = args[1].nhandles;
    if (!args[2].is_null && count > args[2].nhandles) count = args[2].nhandles;
    args[3].i = (int64_t)count;
  }
  cc_obs* obs = malloc(sizeof *obs);
  if (obs == NULL) return;
  obs->text[0] = '\0';
  obs->has_status = 0;
  call->fn(args, obs);
  /* vigil.h: "On failure, out-parameters are set to NULL." */
  for (size_t i = 0; i < nargs; ++i) {
    if (call->sig[i] == 'o' && obs->has_status && obs->status != VIGIL_OK && args[i].out != NULL) {
      fprintf(stderr, "%s failed (%d) but wrote a handle\n", call->name, (int)obs->status);
      __builtin_trap();
    }
  }
  free(obs);
  /* The freed handle leaves its slot (a retained rule set keeps its other slots). */
  if (call->frees && slots[0] >= 0) g_pool[cc_handle_kind(call->sig[0])][slots[0]] = NULL;
  for (size_t i = 0; i < nargs; ++i) {
    if (call->sig[i] != 'o' || args[i].out == NULL) continue;
    if (out_slot < 0) {  /* a retain whose new reference has nowhere to go */
      cc_free_handle(call->out_kind, args[i].out);
      continue;
    }
    void* old = g_pool[call->out_kind][out_slot];
    g_pool[call->out_kind][out_slot] = args[i].out;
    if (old != NULL) cc_free_handle(call->out_kind, old);
  }
}

static void init(void) {
  snprintf(g_dir, sizeof g_dir, "/tmp/vigil_fuzz_capi.%d", (int)getpid());
  mkdir(g_dir, 0700);
  snprintf(g_rules_path, sizeof g_rules_path, "%s/rules.vgl", g_dir);
  snprintf(g_missing_path, sizeof g_missing_path, "%s/missing.vgl", g_dir);
  FILE* f = fopen(g_rules_path, "w");
  if (f != NULL) {
    fputs(kRules, f);
    fclose(f);
  }
  const char* names[5] = {"s.snap", "t.snap", "garbage.snap", "", "no/such/dir/x.snap"};
  for (int i = 0; i < 5; ++i) snprintf(g_paths[i], sizeof g_paths[i], "%s/%s", g_dir, names[i]);
  f = fopen(g_paths[2], "w");
  if (f != NULL) {
    fputs("VIGILST\0 not really", f);
    fclose(f);
  }
  g_big = malloc(9u << 20);
  if (g_big != NULL) memset(g_big, '#', 9u << 20);
}

int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static int ready = 0;
  if (!ready) {
    init();
    ready = 1;
  }
  /* Each input starts without snapshots from earlier inputs. */
  unlink(g_paths[0]);
  unlink(g_paths[1]);
  input in = {data, size};
  for (int calls = 0; in.n > 0 && calls < MAX_CALLS; ++calls) run_call(&in);
  free_all();
  return 0;
}
