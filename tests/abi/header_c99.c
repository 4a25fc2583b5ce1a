/* vigil.h compiles as strict C99 with every warning on, and its public
 * structs keep their layout (fields are only ever appended). */
#include "vigil/vigil.h"

#include <stddef.h>

#define STATIC_ASSERT(cond, name) typedef char static_assert_##name[(cond) ? 1 : -1]

STATIC_ASSERT(sizeof(vigil_status) == 4, status_size);
STATIC_ASSERT(offsetof(vigil_compile_options, struct_size) == 0, compile_options_size_first);
STATIC_ASSERT(sizeof(vigil_compile_options) == 16, compile_options_size);
STATIC_ASSERT(offsetof(vigil_session_options, struct_size) == 0, session_options_size_first);
STATIC_ASSERT(sizeof(vigil_session_options) == 8, session_options_size);
STATIC_ASSERT(offsetof(vigil_diag_info, byte_offset) == 32, diag_info_offset);
STATIC_ASSERT(sizeof(vigil_diag_info) == 72, diag_info_size);
STATIC_ASSERT(offsetof(vigil_rule_info, id) == 16, rule_info_offset);
STATIC_ASSERT(sizeof(vigil_rule_info) == 48, rule_info_size);
STATIC_ASSERT(sizeof(vigil_field_info) == 24, field_info_size);
STATIC_ASSERT(offsetof(vigil_fired_info, score) == 16, fired_info_offset);
STATIC_ASSERT(sizeof(vigil_fired_info) == 56, fired_info_size);
STATIC_ASSERT(offsetof(vigil_override_info, file) == 16, override_info_offset);
STATIC_ASSERT(sizeof(vigil_override_info) == 56, override_info_size);
STATIC_ASSERT(VIGIL_NO_SLOT == -1, no_slot);
/* 1.0 fields keep their offsets; 1.2 appended max_skew_us and three stats. */
STATIC_ASSERT(offsetof(vigil_state_options, lateness_us) == 8, state_options_lateness);
STATIC_ASSERT(offsetof(vigil_state_options, max_skew_us) == 16, state_options_skew);
STATIC_ASSERT(sizeof(vigil_state_options) == 24, state_options_size);
STATIC_ASSERT(offsetof(vigil_state_stats, dropped_keys) == 40, state_stats_dropped);
STATIC_ASSERT(offsetof(vigil_state_stats, outlier_events) == 48, state_stats_outliers);
STATIC_ASSERT(sizeof(vigil_state_stats) == 72, state_stats_size);
/* The backend request of ABI 1.0 ends at entry_len; 1.3 appended the marks. */
STATIC_ASSERT(offsetof(vigil_backend_request, entry_len) == 72, backend_request_v10_end);
STATIC_ASSERT(offsetof(vigil_backend_request, event_id) == 80, backend_request_event_id);
STATIC_ASSERT(offsetof(vigil_backend_request, reversal) == 96, backend_request_reversal);
STATIC_ASSERT(sizeof(vigil_backend_request) == 104, backend_request_size);

int main(void) {
  vigil_compile_options options = VIGIL_COMPILE_OPTIONS_INIT;
  vigil_session_options session_options = VIGIL_SESSION_OPTIONS_INIT;
  /* The header's version and the library's must agree. */
  if (vigil_version_number() != VIGIL_VERSION_NUMBER) return 1;
  if (vigil_abi_version() != VIGIL_ABI_VERSION) return 2;
  return (int)(options.struct_size != sizeof options) +
         (int)(session_options.struct_size != sizeof session_options);
}
