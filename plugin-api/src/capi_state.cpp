// vigil_state_*: the aggregates' state shared by sessions, and its snapshots.
#include "handles.hpp"

using vigil::capi::Failure;
using vigil::capi::Guard;
using vigil::capi::kSessionMagic;
using vigil::capi::kStateMagic;
using vigil::capi::Valid;

namespace {

// A state is shared between threads, so the message of a failed call is kept
// per thread rather than on the handle.
thread_local std::string t_state_errmsg;

vigil_state* Wrap(std::shared_ptr<vigil::state::Backend> store) {
  auto* h = new vigil_state();
  h->store = std::move(store);
  return h;
}

}  // namespace

extern "C" {

vigil_status vigil_state_new(const vigil_state_options* options, vigil_state** out) {
  if (out == nullptr) return VIGIL_ERR_MISUSE;
  *out = nullptr;
  if (options != nullptr && options->struct_size < sizeof(vigil_state_options)) {
    return VIGIL_ERR_MISUSE;
  }
  return Guard(&t_state_errmsg, [&]() -> vigil_status {
    vigil::state::StoreOptions o;
    if (options != nullptr) {
      if (options->shards > 4096) throw Failure{VIGIL_ERR_LIMIT, "shards: at most 4096"};
      if (options->shards > 0) o.shards = options->shards;
      if (options->lateness_us >= 0) o.lateness_us = options->lateness_us;
    }
    *out = Wrap(std::make_shared<vigil::state::Store>(o));
    return VIGIL_OK;
  });
}

vigil_state* vigil_state_retain(vigil_state* state) {
  if (!Valid(state, kStateMagic)) return nullptr;
  state->refs.fetch_add(1, std::memory_order_relaxed);
  return state;
}

void vigil_state_release(vigil_state* state) {
  if (!Valid(state, kStateMagic)) return;
  if (state->refs.fetch_sub(1, std::memory_order_acq_rel) != 1) return;
  state->magic = vigil::capi::kFreed;
  delete state;
}

vigil_status vigil_session_set_state(vigil_session* session, vigil_state* state) {
  if (!Valid(session, kSessionMagic) || !Valid(state, kStateMagic)) return VIGIL_ERR_MISUSE;
  return Guard(&session->errmsg, [&]() -> vigil_status {
    session->session =
        std::make_unique<vigil::eval::Session>(session->ruleset->program, state->store);
    return VIGIL_OK;
  });
}

vigil_status vigil_session_get_state(vigil_session* session, vigil_state** out) {
  if (out == nullptr) return VIGIL_ERR_MISUSE;
  *out = nullptr;
  if (!Valid(session, kSessionMagic)) return VIGIL_ERR_MISUSE;
  return Guard(&session->errmsg, [&]() -> vigil_status {
    if (session->session->store() != nullptr) *out = Wrap(session->session->store());
    return VIGIL_OK;
  });
}

vigil_status vigil_state_save(vigil_state* state, const char* path) {
  if (!Valid(state, kStateMagic) || path == nullptr) {
    t_state_errmsg = "invalid state handle or NULL path";
    return VIGIL_ERR_MISUSE;
  }
  return Guard(&t_state_errmsg, [&]() -> vigil_status {
    std::string error;
    if (!state->store->Save(path, &error)) throw Failure{VIGIL_ERR_IO, error};
    return VIGIL_OK;
  });
}

vigil_status vigil_state_load(vigil_state* state, const char* path) {
  if (!Valid(state, kStateMagic) || path == nullptr) {
    t_state_errmsg = "invalid state handle or NULL path";
    return VIGIL_ERR_MISUSE;
  }
  return Guard(&t_state_errmsg, [&]() -> vigil_status {
    std::string error;
    if (!state->store->Load(path, &error)) throw Failure{VIGIL_ERR_IO, error};
    return VIGIL_OK;
  });
}

const char* vigil_state_errmsg(void) { return t_state_errmsg.c_str(); }

vigil_status vigil_state_get_stats(vigil_state* state, vigil_state_stats* stats) {
  if (!Valid(state, kStateMagic) || stats == nullptr ||
      stats->struct_size < sizeof(vigil_state_stats)) {
    return VIGIL_ERR_MISUSE;
  }
  return Guard(&t_state_errmsg, [&]() -> vigil_status {
    vigil::state::StoreStats st = state->store->Stats();
    stats->keys = st.keys;
    stats->entries = st.entries;
    stats->bytes = st.bytes;
    stats->late_events = st.late_events;
    stats->dropped_keys = st.dropped_keys;
    return VIGIL_OK;
  });
}

}  // extern "C"
