// vigil_session_* and vigil_result_*: evaluation and its results.
#include <atomic>

#include "eval/explain.hpp"
#include "eval/result_json.hpp"
#include "handles.hpp"
#include "state/external_backend.hpp"

using vigil::capi::Failure;
using vigil::capi::Guard;
using vigil::capi::kEventMagic;
using vigil::capi::kResultMagic;
using vigil::capi::kSessionMagic;
using vigil::capi::Valid;

namespace vigil::capi {

uint64_t NextHandleId() noexcept {
  static std::atomic<uint64_t> next{1};
  return next.fetch_add(1, std::memory_order_relaxed);
}

}  // namespace vigil::capi

namespace {

// A failed external state backend set to fail closed makes the call fail.
void CheckState(vigil_session* s, bool state_error) {
  if (state_error && s->session->store() != nullptr && s->session->store()->fail_closed()) {
    throw Failure{VIGIL_ERR_STATE, "the state backend failed: " +
                                       vigil::state::ExternalBackend::LastError()};
  }
}

void Evaluate(vigil_session* s, const vigil_event* e, vigil_result* r, bool record = true) {
  if (!Valid(e, kEventMagic) || !Valid(r, kResultMagic)) {
    throw Failure{VIGIL_ERR_MISUSE, "invalid event or result handle"};
  }
  if (e->ruleset->program != s->ruleset->program) {
    throw Failure{VIGIL_ERR_MISUSE,
                  "the event was made for another rule set; make events with vigil_event_new on "
                  "the session's rule set"};
  }
  if (r->program != s->ruleset->program) r->program = s->ruleset->program;
  vigil::eval::EvalOptions options = s->options;
  options.record = record;
  // Until this call succeeds, neither the result nor the session's aggregate
  // values describe a finished evaluation that explain could reuse.
  r->session_id = 0;
  s->last_valid = false;
  s->session->Evaluate(*e->event, r->result, options);
  CheckState(s, r->result.state_error);
  r->session_id = s->id;
  r->evaluation = ++s->evaluations;
  s->last_event_id = e->id;
  s->last_event_version = e->version;
  s->last_valid = true;
}

// Whether `r` holds this session's last evaluation, of `e` as it is now: then
// the session still holds that evaluation's aggregate values.
bool IsLastEvaluation(const vigil_session* s, const vigil_event* e, const vigil_result* r) {
  return s->last_valid && Valid(e, kEventMagic) && Valid(r, kResultMagic) &&
         r->session_id == s->id && r->evaluation == s->evaluations &&
         e->id == s->last_event_id && e->version == s->last_event_version &&
         r->program == s->ruleset->program;
}

}  // namespace

extern "C" {

vigil_status vigil_session_new(vigil_ruleset* ruleset, const vigil_session_options* options,
                               vigil_session** out) {
  if (out == nullptr) return VIGIL_ERR_MISUSE;
  *out = nullptr;
  if (!Valid(ruleset, vigil::capi::kRulesetMagic)) return VIGIL_ERR_MISUSE;
  if (options != nullptr && options->struct_size < sizeof(vigil_session_options)) {
    return VIGIL_ERR_MISUSE;
  }
  return Guard(nullptr, [&]() -> vigil_status {
    auto s = std::make_unique<vigil_session>();
    s->session = std::make_unique<vigil::eval::Session>(ruleset->program);
    s->options.allow_pii = options != nullptr && (options->flags & VIGIL_SESSION_ALLOW_PII) != 0;
    s->ruleset = vigil_ruleset_retain(ruleset);
    *out = s.release();
    return VIGIL_OK;
  });
}

void vigil_session_free(vigil_session* session) {
  if (!Valid(session, kSessionMagic)) return;
  session->magic = vigil::capi::kFreed;
  vigil_ruleset* rs = session->ruleset;
  delete session;
  vigil_ruleset_release(rs);
}

vigil_status vigil_session_rebind(vigil_session* session, vigil_ruleset* ruleset) {
  if (!Valid(session, kSessionMagic)) return VIGIL_ERR_MISUSE;
  if (!Valid(ruleset, vigil::capi::kRulesetMagic)) return VIGIL_ERR_MISUSE;
  return Guard(&session->errmsg, [&]() -> vigil_status {
    // The aggregates' state carries over (see vigil.h on hot reload).
    auto fresh = std::make_unique<vigil::eval::Session>(ruleset->program,
                                                        session->session->store());
    session->last_valid = false;
    vigil_ruleset* old = session->ruleset;
    session->session = std::move(fresh);
    session->ruleset = vigil_ruleset_retain(ruleset);
    vigil_ruleset_release(old);
    return VIGIL_OK;
  });
}

vigil_status vigil_session_eval(vigil_session* session, const vigil_event* event,
                                vigil_result* result) {
  if (!Valid(session, kSessionMagic)) return VIGIL_ERR_MISUSE;
  return Guard(&session->errmsg, [&]() -> vigil_status {
    Evaluate(session, event, result);
    return VIGIL_OK;
  });
}

vigil_status vigil_session_eval_ex(vigil_session* session, const vigil_event* event,
                                   vigil_result* result, uint32_t flags) {
  if (!Valid(session, kSessionMagic)) return VIGIL_ERR_MISUSE;
  return Guard(&session->errmsg, [&]() -> vigil_status {
    if ((flags & ~VIGIL_EVAL_NO_RECORD) != 0) {
      throw Failure{VIGIL_ERR_INVALID_ARG, "unknown flags for vigil_session_eval_ex"};
    }
    Evaluate(session, event, result, (flags & VIGIL_EVAL_NO_RECORD) == 0);
    return VIGIL_OK;
  });
}

vigil_status vigil_session_record(vigil_session* session, const vigil_event* event,
                                  int32_t* late) {
  if (late != nullptr) *late = 0;
  if (!Valid(session, kSessionMagic)) return VIGIL_ERR_MISUSE;
  return Guard(&session->errmsg, [&]() -> vigil_status {
    if (!Valid(event, kEventMagic)) throw Failure{VIGIL_ERR_MISUSE, "invalid event handle"};
    if (event->ruleset->program != session->ruleset->program) {
      throw Failure{VIGIL_ERR_MISUSE, "the event was made for another rule set"};
    }
    session->last_valid = false;  // Record overwrites the aggregate values
    bool recorded = session->session->Record(*event->event);
    CheckState(session, session->session->state_error());
    if (late != nullptr) *late = recorded ? 0 : session->session->last_outlier() ? 2 : 1;
    return VIGIL_OK;
  });
}

vigil_status vigil_session_eval_batch(vigil_session* session, const vigil_event* const* events,
                                      vigil_result* const* results, size_t count,
                                      size_t* failed_index) {
  if (!Valid(session, kSessionMagic)) return VIGIL_ERR_MISUSE;
  return Guard(&session->errmsg, [&]() -> vigil_status {
    if (count > 0 && (events == nullptr || results == nullptr)) {
      throw Failure{VIGIL_ERR_MISUSE, "events or results is NULL"};
    }
    for (size_t i = 0; i < count; ++i) {
      if (failed_index != nullptr) *failed_index = i;
      Evaluate(session, events[i], results[i]);
    }
    if (failed_index != nullptr) *failed_index = count;
    return VIGIL_OK;
  });
}

}  // extern "C"

namespace {

// Writes the evidence record of the session's last evaluation (of `event`
// into `result`); never evaluates again, so the aggregates' state is never
// touched by explaining.
void Explain(vigil_session* s, const vigil_event* e, vigil_result* r, uint32_t flags,
             const char** json, size_t* len) {
  vigil::eval::ExplainOptions options;
  options.fired_only = (flags & VIGIL_EXPLAIN_FIRED_ONLY) != 0;
  r->explain.clear();
  vigil::eval::AppendExplainJson(*s->session, *e->event, r->result, s->options, r->explain,
                                 options);
  *json = r->explain.c_str();
  if (len != nullptr) *len = r->explain.size();
}

}  // namespace

extern "C" {

vigil_status vigil_session_explain(vigil_session* session, const vigil_event* event,
                                   vigil_result* result, const char** json, size_t* len) {
  if (json != nullptr) *json = nullptr;
  if (len != nullptr) *len = 0;
  if (!Valid(session, kSessionMagic) || json == nullptr) return VIGIL_ERR_MISUSE;
  return Guard(&session->errmsg, [&]() -> vigil_status {
    // Explaining never changes the aggregates' state. The record describes
    // the evaluation that filled `result`: when that was this session's last
    // one, of this event unchanged since, its values are reused as they are;
    // otherwise the event is evaluated again as a what-if (not recorded).
    if (!IsLastEvaluation(session, event, result)) Evaluate(session, event, result, false);
    Explain(session, event, result, 0, json, len);
    return VIGIL_OK;
  });
}

vigil_status vigil_session_explain_ex(vigil_session* session, const vigil_event* event,
                                      vigil_result* result, uint32_t flags, const char** json,
                                      size_t* len) {
  if (json != nullptr) *json = nullptr;
  if (len != nullptr) *len = 0;
  if (!Valid(session, kSessionMagic) || json == nullptr) return VIGIL_ERR_MISUSE;
  return Guard(&session->errmsg, [&]() -> vigil_status {
    if ((flags & ~VIGIL_EXPLAIN_FIRED_ONLY) != 0) {
      throw Failure{VIGIL_ERR_INVALID_ARG, "unknown flags for vigil_session_explain_ex"};
    }
    if (!Valid(event, kEventMagic) || !Valid(result, kResultMagic)) {
      throw Failure{VIGIL_ERR_MISUSE, "invalid event or result handle"};
    }
    if (!IsLastEvaluation(session, event, result)) {
      throw Failure{VIGIL_ERR_MISUSE,
                    "vigil_session_explain_ex explains the event this session evaluated last, "
                    "into this result: evaluate it first"};
    }
    Explain(session, event, result, flags, json, len);
    return VIGIL_OK;
  });
}

}  // extern "C"

extern "C" {

const char* vigil_session_errmsg(const vigil_session* session) {
  if (!Valid(session, kSessionMagic)) return "invalid session handle";
  return session->errmsg.c_str();
}

vigil_status vigil_result_new(vigil_result** out) {
  if (out == nullptr) return VIGIL_ERR_MISUSE;
  *out = nullptr;
  return Guard(nullptr, [&]() -> vigil_status {
    *out = new vigil_result();
    return VIGIL_OK;
  });
}

void vigil_result_free(vigil_result* result) {
  if (!Valid(result, kResultMagic)) return;
  result->magic = vigil::capi::kFreed;
  delete result;
}

const char* vigil_result_decision(const vigil_result* result) {
  if (!Valid(result, kResultMagic) || result->program == nullptr) return nullptr;
  return result->program->decisions[result->result.decision].c_str();
}

int32_t vigil_result_state_error(const vigil_result* result) {
  return Valid(result, kResultMagic) && result->result.state_error ? 1 : 0;
}

int32_t vigil_result_late(const vigil_result* result) {
  return Valid(result, kResultMagic) && result->result.late ? 1 : 0;
}

int32_t vigil_result_outlier(const vigil_result* result) {
  return Valid(result, kResultMagic) && result->result.outlier ? 1 : 0;
}

int32_t vigil_result_duplicate(const vigil_result* result) {
  return Valid(result, kResultMagic) && result->result.duplicate ? 1 : 0;
}

int32_t vigil_result_reversal(const vigil_result* result) {
  if (!Valid(result, kResultMagic)) return 0;
  switch (result->result.reversal) {
    case vigil::eval::Reversal::kApplied: return VIGIL_REVERSAL_APPLIED;
    case vigil::eval::Reversal::kUnknown: return VIGIL_REVERSAL_UNKNOWN;
    default: return 0;
  }
}

int64_t vigil_result_score(const vigil_result* result) {
  return Valid(result, kResultMagic) ? result->result.score : 0;
}

size_t vigil_result_fired_count(const vigil_result* result) {
  return Valid(result, kResultMagic) ? result->result.fired.size() : 0;
}

size_t vigil_result_shadow_count(const vigil_result* result) {
  return Valid(result, kResultMagic) ? result->result.shadow.size() : 0;
}

vigil_status vigil_result_fired_get(const vigil_result* result, size_t index,
                                    vigil_fired_info* out) {
  if (!Valid(result, kResultMagic) || out == nullptr ||
      out->struct_size < sizeof(vigil_fired_info) || result->program == nullptr) {
    return VIGIL_ERR_MISUSE;
  }
  const vigil::eval::Result& r = result->result;
  bool shadow = index >= r.fired.size();
  if (index >= r.fired.size() + r.shadow.size()) return VIGIL_ERR_RANGE;
  const vigil::eval::FiredRule& f = shadow ? r.shadow[index - r.fired.size()] : r.fired[index];
  const vigil::eval::Program& p = *result->program;
  const vigil::eval::RuleInfo& rule = p.rules[f.rule];
  vigil_fired_info info{};
  info.struct_size = sizeof(vigil_fired_info);
  info.rule_index = f.rule;
  info.severity = static_cast<int32_t>(rule.severity);
  info.shadow = shadow ? 1 : 0;
  info.score = rule.score;
  info.qualified_id = rule.qualified_id.c_str();
  info.version = p.rulesets[rule.ruleset].version.c_str();
  info.reason = r.text.c_str() + f.reason_begin;  // NUL-terminated by the session
  info.decision = rule.decision >= 0 ? p.decisions[rule.decision].c_str() : nullptr;
  *out = info;
  return VIGIL_OK;
}

size_t vigil_result_tag_count(const vigil_result* result) {
  return Valid(result, kResultMagic) ? result->result.tags.size() : 0;
}

const char* vigil_result_tag(const vigil_result* result, size_t index) {
  if (!Valid(result, kResultMagic) || index >= result->result.tags.size()) return nullptr;
  return result->result.tags[index]->c_str();
}

vigil_status vigil_result_json(vigil_result* result, const char** json, size_t* len) {
  if (json != nullptr) *json = nullptr;
  if (len != nullptr) *len = 0;
  if (!Valid(result, kResultMagic) || json == nullptr || result->program == nullptr) {
    return VIGIL_ERR_MISUSE;
  }
  return Guard(nullptr, [&]() -> vigil_status {
    result->json.clear();
    vigil::eval::WriteResultJson(*result->program, result->result, 0, result->json);
    *json = result->json.c_str();
    if (len != nullptr) *len = result->json.size();
    return VIGIL_OK;
  });
}

}  // extern "C"
