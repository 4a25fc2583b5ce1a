// A state backend that keeps each key's history in the host's own store
// (Redis, a stream processor's keyed state), so that several nodes of a
// bank's platform share one velocity state. The engine encodes what an event
// contributes as an opaque entry; the host's callback appends it to the key's
// history and returns the history's recent entries, atomically; the engine
// then summarises the windows itself, exactly as the embedded store does.
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "state/backend.hpp"

namespace vigil::state {

struct ExternalRequest {
  std::string_view group;  // the aggregate group and its definitions, as an id
  std::string_view key;    // encoded key fields
  int64_t ts = 0;
  bool record = false;     // append `entry` unless the event is late
  int64_t lateness_us = 0; // late: ts < the key's latest ts - lateness_us
  int64_t keep_us = 0;     // entries with ts <= latest - keep_us may be dropped
  int64_t from_us = 0;     // return the entries with ts > from_us
  std::string_view entry;
};

struct ExternalReply {
  std::vector<std::pair<int64_t, std::string>> entries;
  bool late = false;
  std::string error;
};

// Returns false on failure (with reply.error set).
using ExternalFn = std::function<bool(const ExternalRequest&, ExternalReply&)>;

class ExternalBackend final : public Backend {
 public:
  ExternalBackend(ExternalFn fn, int64_t lateness_us, bool fail_closed,
                  int64_t max_skew_us = kDefaultMaxSkewUs)
      : Backend(max_skew_us), fn_(std::move(fn)), lateness_us_(lateness_us),
        fail_closed_(fail_closed) {}

  // The layout is the union of the exact groups of every rule set attached
  // (Layout::Union without merging): each group id pins its entries' encoding.
  void Attach(const Layout& layout) override;
  void Detach(const Layout& layout) override;
  uint64_t ReadLayout(Layout* out) const override;
  ApplyStatus Apply(uint64_t version, const Probe& probe, eval::Value* out,
                    QueryScratch& scratch) override;
  StoreStats Stats() const override;
  bool Save(const std::string& path, std::string* error) const override;
  bool Load(const std::string& path, std::string* error) override;
  bool fail_closed() const override { return fail_closed_; }

  // The message of this thread's last backend failure.
  static const std::string& LastError();

 private:
  ExternalFn fn_;
  const int64_t lateness_us_;
  const bool fail_closed_;
  mutable std::mutex mu_;
  Layout layout_;
  std::vector<std::string> group_ids_;
  uint64_t version_ = 1;
  std::atomic<uint64_t> late_events_{0};
  std::atomic<uint64_t> errors_{0};
  std::map<std::string, uint32_t> users_;  // column key → attached sessions (mu_)
};

}  // namespace vigil::state
