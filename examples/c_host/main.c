/* A C host that loads libvigil at run time with dlopen(), compiles a rule
 * pack and evaluates JSON Lines from stdin, printing one result per line.
 *
 *   c_host LIBRARY RULES.vgl < events.jsonl
 *
 * Written only from vigil.h (for the types) and docs/c-api.md. */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vigil/vigil.h"

#define LOAD(name) \
  typeof(&name) p_##name = (typeof(&name))dlsym(lib, #name); \
  if (p_##name == NULL) { fprintf(stderr, "missing symbol %s\n", #name); return 2; }

int main(int argc, char** argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: %s LIBRARY RULES.vgl < events.jsonl\n", argv[0]);
    return 2;
  }
  void* lib = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
  if (lib == NULL) {
    fprintf(stderr, "dlopen: %s\n", dlerror());
    return 2;
  }
  LOAD(vigil_abi_version);
  LOAD(vigil_status_str);
  LOAD(vigil_compiler_new);
  LOAD(vigil_compiler_add_file);
  LOAD(vigil_compiler_build);
  LOAD(vigil_compiler_diag_render);
  LOAD(vigil_compiler_free);
  LOAD(vigil_ruleset_release);
  LOAD(vigil_session_new);
  LOAD(vigil_session_free);
  LOAD(vigil_session_eval);
  LOAD(vigil_event_new);
  LOAD(vigil_event_free);
  LOAD(vigil_event_set_json);
  LOAD(vigil_event_errmsg);
  LOAD(vigil_result_new);
  LOAD(vigil_result_free);
  LOAD(vigil_result_json);

  /* Refuse a library of another ABI generation before calling anything else. */
  if (p_vigil_abi_version() != VIGIL_ABI_VERSION) {
    fprintf(stderr, "library ABI %u, header ABI %u\n", p_vigil_abi_version(), VIGIL_ABI_VERSION);
    return 2;
  }
  vigil_compiler* compiler = NULL;
  vigil_ruleset* rules = NULL;
  p_vigil_compiler_new(NULL, &compiler);
  p_vigil_compiler_add_file(compiler, argv[2], strlen(argv[2]));
  vigil_status st = p_vigil_compiler_build(compiler, &rules);
  if (st != VIGIL_OK) {
    fprintf(stderr, "%s%s\n", p_vigil_compiler_diag_render(compiler), p_vigil_status_str(st));
    p_vigil_compiler_free(compiler);
    return 1;
  }
  p_vigil_compiler_free(compiler);

  vigil_session* session = NULL;
  vigil_event* event = NULL;
  vigil_result* result = NULL;
  if (p_vigil_session_new(rules, NULL, &session) != VIGIL_OK ||
      p_vigil_event_new(rules, &event) != VIGIL_OK || p_vigil_result_new(&result) != VIGIL_OK) {
    fprintf(stderr, "out of memory\n");
    return 1;
  }
  char* line = NULL;
  size_t cap = 0;
  ssize_t len;
  long number = 0, skipped = 0;
  while ((len = getline(&line, &cap, stdin)) != -1) {
    ++number;
    while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r')) --len;
    if (len == 0) continue;
    if (p_vigil_event_set_json(event, line, (size_t)len) != VIGIL_OK) {
      fprintf(stderr, "line %ld: %s\n", number, p_vigil_event_errmsg(event));
      ++skipped;
      continue;
    }
    const char* json = NULL;
    size_t json_len = 0;
    if (p_vigil_session_eval(session, event, result) != VIGIL_OK ||
        p_vigil_result_json(result, &json, &json_len) != VIGIL_OK) {
      fprintf(stderr, "line %ld: evaluation failed\n", number);
      return 1;
    }
    fwrite(json, 1, json_len, stdout);
    fputc('\n', stdout);
  }
  free(line);
  p_vigil_result_free(result);
  p_vigil_event_free(event);
  p_vigil_session_free(session);
  p_vigil_ruleset_release(rules);
  fprintf(stderr, "%ld skipped\n", skipped);
  dlclose(lib);
  return 0;
}
