// Where the aggregates' state lives. The embedded Store (state/store.hpp) is
// the default; ExternalBackend (state/external_backend.hpp) hands each event's
// history to the host's own store (Redis, a stream processor's keyed state)
// through the C ABI. Sessions talk to either through this interface.
#pragma once

#include <boost/container/small_vector.hpp>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "eval/value.hpp"
#include "state/layout.hpp"

namespace vigil::state {

// One event's contribution to one aggregate.
struct Cell {
  union {
    int64_t i;  // int, time, duration, bool, decimal units
    double f;
  };
  uint8_t scale;  // decimal: fractional digits, for printing
  uint8_t on;     // `where:` held and the value was present
  Cell() : i(0), scale(0), on(0) {}
};

struct StoreStats {
  uint64_t keys = 0;
  uint64_t entries = 0;
  uint64_t bytes = 0;         // estimated heap memory of the state
  uint64_t late_events = 0;   // not recorded because they came too late
  uint64_t dropped_keys = 0;  // keys whose every entry left every window
};

// One aggregate group's work for one event.
struct Probe {
  uint32_t group = 0;         // store group
  std::string_view key;       // encoded key fields
  int64_t ts = 0;
  bool record = true;
  const Cell* cells = nullptr;              // one per column of the group
  const std::string_view* strs = nullptr;   // one per string column
};

enum class ApplyStatus : uint8_t {
  kOk,
  kLate,   // too late to be recorded; the values cover the state there was
  kStale,  // the layout changed since the caller's mapping; nothing was done
  kError,  // the backend failed (see Backend::fail_closed); the values are missing
};

// Reused buffers for distinct counts, and a measure of the work done.
struct QueryScratch {
  std::vector<int64_t> ints;
  std::vector<std::string_view> strs;
  // Window entries summarised so far (each column counts its own): how the
  // test runner bounds the work of a test (limits::kMaxTestWindowWork).
  uint64_t entries_scanned = 0;
};

class Backend {
 public:
  virtual ~Backend() = default;

  // Makes `layout` the backend's own, keeping the state of every column
  // whose signature is unchanged where the backend can. No-op when equal.
  virtual void Adopt(const Layout& layout) = 0;
  // The current layout and its version (which Apply checks).
  virtual uint64_t ReadLayout(Layout* out) const = 0;
  // Records the event (unless !probe.record or late) and writes each
  // column's value over its window ending at probe.ts into out[column].
  virtual ApplyStatus Apply(uint64_t version, const Probe& probe, eval::Value* out,
                            QueryScratch& scratch) = 0;
  virtual StoreStats Stats() const = 0;
  // Snapshots; backends that persist state themselves return false with a
  // message.
  virtual bool Save(const std::string& path, std::string* error) const = 0;
  virtual bool Load(const std::string& path, std::string* error) = 0;
  // Whether an evaluation whose backend failed is an error (true) or goes on
  // with the aggregates missing (false).
  virtual bool fail_closed() const { return false; }
};

// Most keys (cards, accounts) have one or two events in their window, so the
// first ones are stored inline: a key that comes back after its state was
// dropped costs one allocation (its map node), not three.
struct KeyHistory {
  boost::container::small_vector<int64_t, 2> ts;  // sorted; entries before `head` are dropped
  boost::container::small_vector<Cell, 4> cells;   // ts.size() × columns
  std::vector<std::string> strs;                   // ts.size() × string columns
  uint32_t head = 0;
  int64_t max_ts = INT64_MIN;     // the latest event recorded for this key
};

// Summarises column `c` of `h` over entries [lo, hi) plus `extra` (the
// current event when it is not recorded). state/window.cpp.
eval::Value Summarise(const Column& column, const KeyHistory* h, uint32_t columns, uint32_t c,
                      size_t lo, size_t hi, const Cell* extra, std::string_view extra_str,
                      QueryScratch& scratch);

}  // namespace vigil::state
