// The structs behind the opaque C handles, and the guard that turns every
// C++ exception into a status code at the ABI boundary.
#pragma once

#include <atomic>
#include <memory>
#include <new>
#include <string>
#include <vector>

#include "api/compiler.hpp"
#include "eval/event.hpp"
#include "eval/event_json.hpp"
#include "eval/program.hpp"
#include "eval/result.hpp"
#include "eval/session.hpp"
#include "state/store.hpp"
#include "vigil/vigil.h"

namespace vigil::capi {

// Each handle starts with a tag; freeing overwrites it, so that a call on a
// freed handle is caught while its memory has not been reused.
enum Magic : uint32_t {
  kCompilerMagic = 0x56434f4d,  // "VCOM"
  kRulesetMagic = 0x5652534e,
  kSessionMagic = 0x56534553,
  kEventMagic = 0x56455654,
  kResultMagic = 0x56524553,
  kStateMagic = 0x56535441,
  kFreed = 0xDEADBEEF,
};

// A process-wide unique id for each event and session, taken once when the
// handle is made (never per event: the hot path stays free of shared
// atomics). With per-handle counters, "this session's last evaluation, of
// this event unchanged since, into this result" is a comparison of numbers
// that a freed and reallocated handle can never match by accident.
uint64_t NextHandleId() noexcept;

}  // namespace vigil::capi

struct vigil_compiler {
  uint32_t magic = vigil::capi::kCompilerMagic;
  vigil::CompileOptions options;
  std::vector<vigil::SourceInput> sources;
  std::vector<std::string> files;
  bool built = false;
  vigil::Compilation compilation;
  std::vector<std::string> code_names;  // "E2001" per diagnostic, for vigil_diag_info
  std::string rendered;
  std::string errmsg;
};

struct vigil_ruleset {
  uint32_t magic = vigil::capi::kRulesetMagic;
  std::atomic<int64_t> refs{1};
  std::shared_ptr<const vigil::eval::Program> program;
};

struct vigil_state {
  uint32_t magic = vigil::capi::kStateMagic;
  std::atomic<int64_t> refs{1};
  std::shared_ptr<vigil::state::Backend> store;
};

struct vigil_event {
  uint32_t magic = vigil::capi::kEventMagic;
  vigil_ruleset* ruleset = nullptr;  // retained
  std::unique_ptr<vigil::eval::Event> event;
  std::string errmsg;
  uint64_t id = vigil::capi::NextHandleId();
  uint64_t version = 0;  // counts the calls that may change it: setters, reset, set_json
};

struct vigil_session {
  uint32_t magic = vigil::capi::kSessionMagic;
  vigil_ruleset* ruleset = nullptr;  // retained
  std::unique_ptr<vigil::eval::Session> session;
  vigil::eval::EvalOptions options;
  std::string errmsg;
  // The last successful evaluation, which vigil_session_explain reuses: its
  // serial number (also written into the result) and the event as it then
  // was. `last_valid` is false when the session's aggregate values no longer
  // belong to it (vigil_session_record, rebind, a failed call).
  uint64_t id = vigil::capi::NextHandleId();
  uint64_t evaluations = 0;
  uint64_t last_event_id = 0;
  uint64_t last_event_version = 0;
  bool last_valid = false;
};

struct vigil_result {
  uint32_t magic = vigil::capi::kResultMagic;
  std::shared_ptr<const vigil::eval::Program> program;  // of the last evaluation
  vigil::eval::Result result;
  std::string json;
  std::string explain;
  // Which evaluation filled it: the session's id and serial number; 0 for
  // none, or a failed one.
  uint64_t session_id = 0;
  uint64_t evaluation = 0;
};

namespace vigil::capi {

// An error with its status, thrown inside entry points and caught by Guard.
struct Failure {
  vigil_status status;
  std::string message;
};

inline void SetMessage(std::string* errmsg, const std::string& message) noexcept {
  if (errmsg == nullptr) return;
  try {
    *errmsg = message;
  } catch (...) {
    errmsg->clear();
  }
}

// Runs `body` and converts every exception to a status, storing the message
// in `errmsg` (the handle's) when there is one.
template <typename Body>
vigil_status Guard(std::string* errmsg, Body&& body) noexcept {
  try {
    vigil_status status = body();
    if (status == VIGIL_OK && errmsg != nullptr) errmsg->clear();
    return status;
  } catch (const Failure& f) {
    SetMessage(errmsg, f.message);
    return f.status;
  } catch (const std::bad_alloc&) {
    SetMessage(errmsg, "out of memory");
    return VIGIL_ERR_NOMEM;
  } catch (const std::exception& e) {
    SetMessage(errmsg, std::string("internal error: ") + e.what());
    return VIGIL_ERR_INTERNAL;
  } catch (...) {
    SetMessage(errmsg, "internal error");
    return VIGIL_ERR_INTERNAL;
  }
}

template <typename H>
bool Valid(const H* h, uint32_t magic) {
  return h != nullptr && h->magic == magic;
}

// Copies host text after checking it: non-NULL when len > 0, valid UTF-8.
std::string_view CheckedText(const char* data, size_t len, const char* what);

}  // namespace vigil::capi
