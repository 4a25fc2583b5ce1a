// Where the aggregates' state lives. The embedded Store (state/store.hpp) is
// the default; ExternalBackend (state/external_backend.hpp) hands each event's
// history to the host's own store (Redis, a stream processor's keyed state)
// through the C ABI. Sessions talk to either through this interface.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "eval/value.hpp"
#include "state/history.hpp"
#include "state/layout.hpp"
#include "state/time_guard.hpp"
#include "state/marks.hpp"

namespace vigil::state {

struct StoreStats {
  uint64_t keys = 0;
  uint64_t entries = 0;
  uint64_t bytes = 0;         // estimated heap memory of the state
  uint64_t late_events = 0;   // not recorded because they came too late
  uint64_t dropped_keys = 0;  // keys whose every entry left every window
  uint64_t outlier_events = 0;  // not recorded because their time was far ahead (TimeGuard)
  uint64_t aggregates = 0;      // aggregates (columns) the state keeps
  uint64_t unused_aggregates = 0;  // of those, kept for no session bound now (docs/state.md)
};

// One aggregate group's work for one event.
struct Probe {
  uint32_t group = 0;         // store group
  std::string_view key;       // encoded key fields
  // KeyHash(key) when key_hashed (a caller that hashed the key already, for
  // Backend::Prefetch): Apply then does not hash it again. It must be that
  // value: the hash picks the key's shard and slot.
  uint64_t key_hash = 0;
  bool key_hashed = false;
  int64_t ts = 0;
  bool record = true;
  const Cell* cells = nullptr;              // one per column of the group
  const std::string_view* strs = nullptr;   // one per string column
  // When set, receives per column the number of events that contributed to
  // its value (those in the window whose `where:` held and whose value was
  // present, the current event included): evidence records show it.
  int64_t* events = nullptr;
  // Duplicates and reversals (docs/language.md): the event's id and its
  // reversal field's value (MarkHash; 0 when absent), and whether it is a
  // reversal. A duplicate or a reversal is never recorded, and never counts
  // in its own windows.
  uint64_t id = 0;
  uint64_t ref = 0;
  bool reversal = false;
  ApplyOutcome* outcome = nullptr;  // when set, receives what happened
};

enum class ApplyStatus : uint8_t {
  kOk,
  kLate,   // too late to be recorded; the values cover the state there was
  kStale,  // the layout changed since the caller's mapping; nothing was done
  kError,  // the backend failed (see Backend::fail_closed); the values are missing
};

// Reused buffers for distinct counts, medians and percentiles, and a measure
// of the work done.
struct QueryScratch {
  std::vector<int64_t> ints;
  std::vector<double> floats;  // median and percentile of floats
  std::vector<std::string_view> strs;
  // Window entries summarised so far (each column counts its own): how the
  // test runner bounds the work of a test (limits::kMaxTestWindowWork).
  uint64_t entries_scanned = 0;
};

class Backend {
 public:
  explicit Backend(int64_t max_skew_us = kDefaultMaxSkewUs) : time_guard_(max_skew_us) {}
  virtual ~Backend() = default;

  // Which event times the state records (state/time_guard.hpp); sessions ask
  // it before recording an event.
  TimeGuard& time_guard() { return time_guard_; }
  const TimeGuard& time_guard() const { return time_guard_; }

  // A session of a rule set whose aggregates are `layout` starts using the
  // state: the backend's layout becomes the union of its own and `layout`
  // (Layout::Union). Nothing is dropped, so the aggregates of other rule sets
  // sharing the state, of a rule set that a hot reload replaces, or of a
  // loaded snapshot keep their history (docs/state.md). Counts one more user
  // of each of `layout`'s aggregates.
  virtual void Attach(const Layout& layout) = 0;
  // That session stops using the state (freed or rebound): one user fewer.
  // The aggregates stay; those without users are reported as unused and are
  // swept like any other once their entries leave every window.
  virtual void Detach(const Layout& layout) = 0;
  // The current layout and its version (which Apply checks).
  virtual uint64_t ReadLayout(Layout* out) const = 0;
  // Records the event (unless !probe.record or late) and writes each
  // column's value over its window ending at probe.ts into out[column], and
  // the number of events behind it into probe.events[column] when set.
  virtual ApplyStatus Apply(uint64_t version, const Probe& probe, eval::Value* out,
                            QueryScratch& scratch) = 0;
  // A hint that Apply will soon be called for the key whose KeyHash is
  // `key_hash` in `group`: a backend may ask the CPU for the memory it will
  // read (Store: the key's slot in its table's index), so that the miss
  // overlaps the caller's work before the call. Changes nothing; the
  // default does nothing.
  virtual void Prefetch(uint32_t group, uint64_t key_hash) const {
    (void)group;
    (void)key_hash;
  }
  virtual StoreStats Stats() const = 0;
  // Snapshots; backends that persist state themselves return false with a
  // message.
  virtual bool Save(const std::string& path, std::string* error) const = 0;
  virtual bool Load(const std::string& path, std::string* error) = 0;
  // Whether an evaluation whose backend failed is an error (true) or goes on
  // with the aggregates missing (false).
  virtual bool fail_closed() const { return false; }

 private:
  TimeGuard time_guard_;
};

// Column `c`'s window over a key's entries `ts[first, end)` (sorted) for an
// event at `now`: the entries [*lo, *hi) and whether the current event, when
// it is not among them (not recorded), counts as well (*with_current).
// `recorded`: the current event is recorded, as the entry at end - 1 (the
// last one at its time). state/window.cpp.
void ColumnWindow(const Column& column, const int64_t* ts, size_t first, size_t end, int64_t now,
                  bool recorded, size_t* lo, size_t* hi, bool* with_current);

// Summarises column `c` of `h` over entries [lo, hi) plus `extra` (the
// current event when it is not recorded); `*events` (when not null) receives
// the number of entries that contributed. `now` is the current event's time
// (since_previous). state/window.cpp.
eval::Value Summarise(const Column& column, const KeyHistory* h, uint32_t columns, uint32_t c,
                      size_t lo, size_t hi, const Cell* extra, std::string_view extra_str,
                      QueryScratch& scratch, int64_t* events = nullptr, int64_t now = 0);

}  // namespace vigil::state
