// vigil_state_*: the aggregates' state shared by sessions, and its snapshots.
#include <cstddef>

#include "handles.hpp"
#include "state/external_backend.hpp"

using vigil::capi::Failure;
using vigil::capi::Guard;
using vigil::capi::kSessionMagic;
using vigil::capi::kStateMagic;
using vigil::capi::Valid;

namespace {

// A state is shared between threads, so the message of a failed call is kept
// per thread rather than on the handle.
thread_local std::string t_state_errmsg;

// The sizes of the 1.0 structs, which the library must keep accepting.
constexpr uint32_t kStateOptionsSize10 = 16;
constexpr uint32_t kStateStatsSize10 = 48;

vigil_state* Wrap(std::shared_ptr<vigil::state::Backend> store) {
  auto* h = new vigil_state();
  h->store = std::move(store);
  return h;
}

// Save or load a snapshot of an embedded state.
vigil_status Snapshot(vigil_state* state, const char* path, bool save) {
  if (!Valid(state, kStateMagic) || path == nullptr) {
    t_state_errmsg = "invalid state handle or NULL path";
    return VIGIL_ERR_MISUSE;
  }
  return Guard(&t_state_errmsg, [&]() -> vigil_status {
    if (dynamic_cast<vigil::state::Store*>(state->store.get()) == nullptr) {
      throw Failure{VIGIL_ERR_MISUSE, "an external state is kept by its backend, not in snapshots"};
    }
    std::string error;
    bool ok = save ? state->store->Save(path, &error) : state->store->Load(path, &error);
    if (!ok) throw Failure{VIGIL_ERR_IO, error};
    return VIGIL_OK;
  });
}

}  // namespace

extern "C" {

vigil_status vigil_state_new(const vigil_state_options* options, vigil_state** out) {
  if (out == nullptr) return VIGIL_ERR_MISUSE;
  *out = nullptr;
  // The library reads only what the host's version of the struct has: 1.0
  // hosts pass 16 bytes (without max_skew_us).
  if (options != nullptr && options->struct_size < kStateOptionsSize10) {
    return VIGIL_ERR_MISUSE;
  }
  return Guard(&t_state_errmsg, [&]() -> vigil_status {
    vigil::state::StoreOptions o;
    if (options != nullptr) {
      if (options->shards > 4096) throw Failure{VIGIL_ERR_LIMIT, "shards: at most 4096"};
      if (options->shards > 0) o.shards = options->shards;
      if (options->lateness_us >= 0) o.lateness_us = options->lateness_us;
      if (options->struct_size >= offsetof(vigil_state_options, max_skew_us) + sizeof(int64_t)) {
        if (options->max_skew_us == 0) o.max_skew_us = vigil::state::kNoSkewBound;
        if (options->max_skew_us > 0) o.max_skew_us = options->max_skew_us;
      }
    }
    *out = Wrap(std::make_shared<vigil::state::Store>(o));
    return VIGIL_OK;
  });
}

vigil_status vigil_state_new_external(const vigil_backend* backend, int64_t lateness_us,
                                      vigil_state** out) {
  if (out == nullptr) return VIGIL_ERR_MISUSE;
  *out = nullptr;
  if (backend == nullptr || backend->struct_size < sizeof(vigil_backend) ||
      backend->apply == nullptr) {
    t_state_errmsg = "invalid backend: set struct_size and apply";
    return VIGIL_ERR_MISUSE;
  }
  return Guard(&t_state_errmsg, [&]() -> vigil_status {
    vigil_backend copy = *backend;
    auto fn = [copy](const vigil::state::ExternalRequest& req,
                     vigil::state::ExternalReply& reply) {
      const std::string group(req.group);
      vigil_backend_request r{};
      r.struct_size = sizeof(r);
      r.record = req.record ? 1 : 0;
      r.group = group.c_str();
      r.key = req.key.data();
      r.key_len = req.key.size();
      r.ts_us = req.ts;
      r.lateness_us = req.lateness_us;
      r.keep_us = req.keep_us;
      r.from_us = req.from_us;
      r.entry = req.entry.data();
      r.entry_len = req.entry.size();
      r.event_id = req.id;
      r.reference = req.ref;
      r.reversal = req.reversal ? 1 : 0;
      vigil_status status = copy.apply(copy.user, &r, reinterpret_cast<vigil_backend_reply*>(&reply));
      if (status != VIGIL_OK && reply.error.empty()) {
        reply.error = std::string("the backend returned ") + vigil_status_str(status);
      }
      return status == VIGIL_OK;
    };
    int64_t lateness = lateness_us >= 0 ? lateness_us : vigil::state::StoreOptions().lateness_us;
    *out = Wrap(std::make_shared<vigil::state::ExternalBackend>(
        std::move(fn), lateness, (copy.flags & VIGIL_BACKEND_FAIL_CLOSED) != 0,
        (copy.flags & VIGIL_BACKEND_EXACTLY_ONCE) != 0));
    return VIGIL_OK;
  });
}

vigil_status vigil_backend_reply_add(vigil_backend_reply* reply, int64_t ts_us, const void* entry,
                                     size_t len) {
  if (reply == nullptr || (entry == nullptr && len > 0)) return VIGIL_ERR_MISUSE;
  return Guard(nullptr, [&]() -> vigil_status {
    auto* r = reinterpret_cast<vigil::state::ExternalReply*>(reply);
    r->entries.emplace_back(ts_us, std::string(static_cast<const char*>(entry), len));
    return VIGIL_OK;
  });
}

vigil_status vigil_backend_reply_set_late(vigil_backend_reply* reply, int32_t late) {
  if (reply == nullptr) return VIGIL_ERR_MISUSE;
  reinterpret_cast<vigil::state::ExternalReply*>(reply)->late = late != 0;
  return VIGIL_OK;
}

vigil_status vigil_backend_reply_set_duplicate(vigil_backend_reply* reply, int32_t duplicate) {
  if (reply == nullptr) return VIGIL_ERR_MISUSE;
  reinterpret_cast<vigil::state::ExternalReply*>(reply)->duplicate = duplicate != 0;
  return VIGIL_OK;
}

vigil_status vigil_backend_reply_set_reversed(vigil_backend_reply* reply, int32_t reversed) {
  if (reply == nullptr) return VIGIL_ERR_MISUSE;
  reinterpret_cast<vigil::state::ExternalReply*>(reply)->reversed = reversed != 0;
  return VIGIL_OK;
}

vigil_status vigil_backend_reply_set_error(vigil_backend_reply* reply, const char* message) {
  if (reply == nullptr) return VIGIL_ERR_MISUSE;
  return Guard(nullptr, [&]() -> vigil_status {
    reinterpret_cast<vigil::state::ExternalReply*>(reply)->error =
        message != nullptr ? message : "";
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
  return Snapshot(state, path, /*save=*/true);
}

vigil_status vigil_state_load(vigil_state* state, const char* path) {
  return Snapshot(state, path, /*save=*/false);
}

const char* vigil_state_errmsg(void) { return t_state_errmsg.c_str(); }

vigil_status vigil_state_get_stats(vigil_state* state, vigil_state_stats* stats) {
  if (!Valid(state, kStateMagic) || stats == nullptr || stats->struct_size < kStateStatsSize10) {
    return VIGIL_ERR_MISUSE;
  }
  return Guard(&t_state_errmsg, [&]() -> vigil_status {
    vigil::state::StoreStats st = state->store->Stats();
    stats->keys = st.keys;
    stats->entries = st.entries;
    stats->bytes = st.bytes;
    stats->late_events = st.late_events;
    stats->dropped_keys = st.dropped_keys;
    // Fields appended in 1.2, written only when the host's struct has them.
    if (stats->struct_size >= sizeof(vigil_state_stats)) {
      stats->outlier_events = st.outlier_events;
      stats->aggregates = st.aggregates;
      stats->unused_aggregates = st.unused_aggregates;
    }
    return VIGIL_OK;
  });
}

}  // extern "C"
