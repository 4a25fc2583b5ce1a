// Versions and status texts.
#include "handles.hpp"

extern "C" {

uint32_t vigil_version_number(void) { return VIGIL_VERSION_NUMBER; }
const char* vigil_version_string(void) { return VIGIL_VERSION_STRING; }
uint32_t vigil_abi_version(void) { return VIGIL_ABI_VERSION; }

const char* vigil_status_str(vigil_status status) {
  switch (status) {
    case VIGIL_OK: return "ok";
    case VIGIL_ERR_INVALID_ARG: return "invalid argument";
    case VIGIL_ERR_MISUSE: return "API misuse";
    case VIGIL_ERR_NOMEM: return "out of memory";
    case VIGIL_ERR_COMPILE: return "the rules do not compile";
    case VIGIL_ERR_EVAL: return "evaluation failed";
    case VIGIL_ERR_LIMIT: return "limit exceeded";
    case VIGIL_ERR_IO: return "input/output error";
    case VIGIL_ERR_VERSION: return "incompatible version";
    case VIGIL_ERR_INTERNAL: return "internal error";
    case VIGIL_ERR_TYPE: return "wrong type";
    case VIGIL_ERR_RANGE: return "index out of range";
    case VIGIL_ERR_STATE: return "the state backend failed";
    case VIGIL_ERR_TEST: return "a self-test failed";
    default: return "unknown status";
  }
}

}  // extern "C"
