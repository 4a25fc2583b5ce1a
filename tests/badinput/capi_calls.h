/* The calls of vigil.h as data: each entry names a function, the kinds of its
 * arguments and how to call it with arguments decoded elsewhere. Two programs
 * share this table: the script driver of the bad-input table (capi_driver.c,
 * which reads the arguments from text) and the C ABI fuzzer
 * (fuzz/fuzz_capi.c, which decodes them from bytes). Uses only vigil.h. */
#ifndef VIGIL_TESTS_BADINPUT_CAPI_CALLS_H_
#define VIGIL_TESTS_BADINPUT_CAPI_CALLS_H_

#include <stddef.h>
#include <stdint.h>

#include "vigil/vigil.h"

/* Handle kinds. */
enum {
  CC_COMPILER,
  CC_RULESET,
  CC_SESSION,
  CC_EVENT,
  CC_RESULT,
  CC_STATE,
  CC_KINDS
};

/* Argument kinds, one letter each in a call's signature:
 *   C R S E X T  a handle: compiler, ruleset, session, event, result, state
 *   s            a string as (pointer, length); the pointer may be NULL
 *   z            a NUL-terminated string (a path), or NULL
 *   u i n d      uint32, int64, size_t, double
 *   L            strings as (values, lens, count); NULL arrays with a count
 *   A B          events and results as arrays of handles (eval_batch), or NULL
 *   O            an options or info struct (fields by name, struct_size first), or NULL
 *   o            where a new handle is written, or NULL
 *   p            where a number is written, or NULL */
#define CC_MAX_OPTS 8
#define CC_MAX_ITEMS 16

typedef struct cc_opt {
  char key[24];
  int64_t value;
} cc_opt;

typedef struct cc_arg {
  int is_null; /* pass NULL (s, z, L, A, B, O, o, p) */
  void* handle;
  const char* str;
  size_t len;
  int64_t i;
  double d;
  const char* items[CC_MAX_ITEMS];
  size_t lens[CC_MAX_ITEMS];
  size_t count;
  void* handles[CC_MAX_ITEMS];
  size_t nhandles;
  int nopts;
  cc_opt opts[CC_MAX_OPTS];
  void* out; /* after the call: the handle written to an 'o' argument */
} cc_arg;

#define CC_TEXT 8192

/* What a call did: its status (when it returns one) and a text: the error
 * message on failure; on success what it returned or filled in, as
 * "key=value ..." (control bytes and backslashes shown as \xNN). */
typedef struct cc_obs {
  int has_status;
  vigil_status status;
  char text[CC_TEXT];
} cc_obs;

typedef struct cc_call {
  const char* name;  /* the function's name without "vigil_" */
  const char* sig;   /* argument kinds, in order */
  int out_kind;      /* the handle kind written to the 'o' argument, or -1 */
  int frees;         /* 1: the call releases its first argument */
  void (*fn)(cc_arg* args, cc_obs* obs);
} cc_call;

extern const cc_call cc_calls[];
extern const size_t cc_call_count;

const cc_call* cc_find(const char* name);
/* "OK", "MISUSE", ... for a status; NULL for an unknown one. */
const char* cc_status_name(vigil_status status);
/* The status named `name` ("OK", "INVALID_ARG"...); 0 when unknown. */
int cc_status_parse(const char* name, vigil_status* status);
/* The kind of handle a signature letter stands for, or -1. */
int cc_handle_kind(char letter);
/* Frees a handle of `kind` (release for reference-counted ones). */
void cc_free_handle(int kind, void* handle);

/* The state backends 'O' options of state_new_external choose with mode=N:
 * 0 echoes the event's own entry, 1 fails (fail open), 2 fails (with
 * flags=1: fail closed), 3 replies with a malformed entry. */
#define CC_BACKEND_MODES 4

#endif /* VIGIL_TESTS_BADINPUT_CAPI_CALLS_H_ */
