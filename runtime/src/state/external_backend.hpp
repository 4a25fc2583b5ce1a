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
  // Duplicates and reversals (backends with exactly_once only; see vigil.h):
  // the event's id and reference (MarkHash, 0 when absent) and whether it
  // is a reversal (never appended; with `record`, takes back the latest
  // entry with `ref`).
  uint64_t id = 0;
  uint64_t ref = 0;
  bool reversal = false;
};

struct ExternalReply {
  std::vector<std::pair<int64_t, std::string>> entries;
  bool late = false;
  bool duplicate = false;  // an entry with the request's id was there: nothing was done
  bool reversed = false;   // the reversal took back an entry
  std::string error;
};

// Returns false on failure (with reply.error set).
using ExternalFn = std::function<bool(const ExternalRequest&, ExternalReply&)>;

class ExternalBackend final : public Backend {
 public:
  // `exactly_once`: the backend honours ids and reversals (otherwise
  // duplicates are not detected, and reversals take nothing back and are
  // not recorded).
  ExternalBackend(ExternalFn fn, int64_t lateness_us, bool fail_closed, bool exactly_once = false,
                  int64_t max_skew_us = kDefaultMaxSkewUs)
      : Backend(max_skew_us),
        fn_(std::move(fn)),
        lateness_us_(lateness_us),
        fail_closed_(fail_closed),
        exactly_once_(exactly_once) {}

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
  const bool exactly_once_;
  mutable std::mutex mu_;
  Layout layout_;
  std::vector<std::string> group_ids_;
  uint64_t version_ = 1;
  std::atomic<uint64_t> late_events_{0};
  std::atomic<uint64_t> errors_{0};
  std::map<std::string, uint32_t> users_;  // column key → attached sessions (mu_)
};

}  // namespace vigil::state
