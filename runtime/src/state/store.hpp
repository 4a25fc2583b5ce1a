// The embedded state store for windowed aggregates: per aggregate group and
// key, the recent events' timestamps and their contributions (cells), kept in
// time order. Bounded: entries older than the group's longest window plus the
// allowed lateness are dropped, and so are keys with nothing left.
//
// Thread-safe. Keys are spread over shards, each with its own mutex, so
// threads working on different keys rarely meet; an event's update and its
// window query happen under one lock, so concurrent evaluation gives the
// totals of some serial order.
#pragma once

#include <atomic>
#include <map>
#include <cstdint>
#include <memory>
#include <memory_resource>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "state/backend.hpp"
#include "state/key_table.hpp"
#include "state/saturating.hpp"

namespace vigil::state {

struct StoreOptions {
  // An event older than the key's latest by more than this is late: it is
  // evaluated over the state there is, but not recorded.
  int64_t lateness_us = 10LL * 60 * 1000000;
  uint32_t shards = 64;
  // An event more than this ahead of the recent events is an outlier: it is
  // evaluated, reported, and not recorded (state/time_guard.hpp).
  // kNoSkewBound turns the check off.
  int64_t max_skew_us = kDefaultMaxSkewUs;
  // Count and sum windows of a stream in order follow running totals
  // (state/running.hpp). False summarises every window by scanning it, as
  // before them: the same values, for comparing the two.
  bool running_totals = true;
};

class Store final : public Backend {
 public:
  explicit Store(StoreOptions options = {});
  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  const StoreOptions& options() const { return options_; }

  // Backend::Attach and Detach: the layout grows to the union of every
  // rule set that used the store (columns merged per group) and of loaded
  // snapshots; data is never dropped for want of a user.
  void Attach(const Layout& layout) override;
  void Detach(const Layout& layout) override;
  // The current layout and its version (which Apply checks).
  uint64_t ReadLayout(Layout* out) const override;

  // Records the event (unless !probe.record or late) and writes each
  // column's value over its window ending at probe.ts into out[column].
  // kStale: the layout changed since `version`; nothing was done.
  ApplyStatus Apply(uint64_t version, const Probe& probe, eval::Value* out,
                    QueryScratch& scratch) override;

  // Backend::Prefetch: asks for the key's home slot in its table's index,
  // from the shard's copy of where that index lies (Shard::slots), read
  // without the lock. A stale copy (the index grew or moved meanwhile) costs
  // a useless prefetch; nothing is read through it.
  void Prefetch(uint32_t group, uint64_t key_hash) const override {
    if (const char* slot = PrefetchAddress(group, key_hash)) __builtin_prefetch(slot);
  }
  // What Prefetch asks for (null: nothing, the group is past the copies or
  // its index is empty).
  const char* PrefetchAddress(uint32_t group, uint64_t key_hash) const {
    if (group >= kSlotCopies) return nullptr;
    const Shard& shard = shards_[ShardIndex(key_hash)];
    const char* slots = shard.slots[group].load(std::memory_order_relaxed);
    if (slots == nullptr) return nullptr;
    return KeyTable::HomeSlot(slots, shard.masks[group].load(std::memory_order_relaxed), key_hash);
  }
  // For tests: the home slot of `key` in its table now (under the lock),
  // which PrefetchAddress must give; null when the table's index is empty.
  const char* HomeSlotForTest(uint32_t group, std::string_view key);

  StoreStats Stats() const override;

  // Snapshots (state/snapshot.cpp). Save writes a temporary file, fsyncs
  // it and renames it over `path`. Load replaces the state only when the
  // whole file is valid; on error the state is untouched.
  bool Save(const std::string& path, std::string* error) const override;
  bool Load(const std::string& path, std::string* error) override;

  // What the last successful Load found, for warnings: how many aggregates
  // the snapshot held, and how many of them the rule sets attached at the
  // time use (the rest are kept, saved back, not updated).
  struct LoadReport {
    size_t snapshot_aggregates = 0;
    size_t used = 0;
  };
  LoadReport last_load() const;

 private:
  // Each shard allocates its keys from its own pool, under its lock: a key
  // dropped by one thread and re-created by another never crosses malloc
  // arenas, so threads do not contend in the allocator.
  using Map = KeyTable;
  // Groups whose index Prefetch can find (Shard::slots): two fit beside the
  // mutex in the shard's first cache line, which the prefetch thus also
  // brings in for the lock. Most rule sets have one or two aggregate groups.
  static constexpr uint32_t kSlotCopies = 2;
  struct alignas(64) Shard {
    std::mutex mu;
    // Copies of maps[g].slots_data() and slot_mask() for Prefetch, which
    // reads them without the lock (hence atomics; relaxed, as a pointer and
    // a mask of two different moments only make a useless prefetch). Set
    // under the lock whenever the index may have moved (PublishSlots).
    std::atomic<const char*> slots[kSlotCopies] = {};
    std::atomic<uint32_t> masks[kSlotCopies] = {};
    std::pmr::unsynchronized_pool_resource pool;
    uint64_t version = 0;
    std::shared_ptr<const Layout> layout;  // what `maps` are laid out as
    std::vector<Map> maps;                 // one per layout group
    // Per group of `layout`: whether every column follows running totals
    // and none keeps strings, so that Apply's straight path serves an event
    // recorded at its key's end (SetLayout keeps it with `layout`).
    std::vector<uint8_t> straight;
    int64_t max_ts = INT64_MIN;
    uint32_t ops = 0;
  };

  // The shard of a key whose KeyHash is `hash`: from its high bits (the
  // table's slot comes from its low bits), by a multiplication rather than a
  // division.
  size_t ShardIndex(uint64_t hash) const {
    return static_cast<size_t>((static_cast<unsigned __int128>(hash) * shards_.size()) >> 64);
  }
  // Drops the entries of `h` that left every window of `g`. Inline for its
  // common case, nothing to drop or compact (one comparison), which was a
  // call on every event; EvictSlow does the rest.
  void Evict(const GroupLayout& g, KeyHistory& h) const {
    const size_t size = h.size();
    if (h.head < size && h.time(h.head) > EvictCutoff(g, h) && (h.head == 0 || h.head * 2 < size)) {
      return;
    }
    EvictSlow(g, h);
  }
  int64_t EvictCutoff(const GroupLayout& g, const KeyHistory& h) const {
    return SatSub(SatSub(h.max_ts, options_.lateness_us), g.longest_us);
  }
  void EvictSlow(const GroupLayout& g, KeyHistory& h) const;
  // Erases the entries before `h.head` (some, not all), keeping its running
  // totals describing the same entries.
  static void Compact(const GroupLayout& g, KeyHistory& h);
  // Makes `layout` the shard's, with its `straight` flags (and publishes
  // its tables' indexes: the callers have just replaced `maps`).
  void SetLayout(Shard& shard, std::shared_ptr<const Layout> layout) const;
  // Copies where each of the first kSlotCopies tables' index lies into
  // shard.slots and shard.masks. Caller holds the shard's lock.
  static void PublishSlots(Shard& shard);
  // Duplicates and reversals (docs/language.md).
  static bool IsDuplicate(const KeyHistory& h, const Probe& probe);
  // Takes back the latest entry with probe.ref not yet reversed; false when
  // there is none.
  static bool TakeBack(KeyHistory& h, uint32_t columns, const Probe& probe);
  void Sweep(Shard& shard);
  // Rewrites `maps` (laid out as `from`) into the columns of `to`.
  static std::vector<Map> Migrate(std::vector<Map>& maps, const Layout& from, const Layout& to,
                                  std::pmr::memory_resource* memory);
  // Makes `next` the layout, migrating every shard. Caller holds layout_mu_.
  void Relayout(const Layout& next);
  // The layout without the columns that no session uses and no entry holds
  // a value for (their history has aged out, or they never had one). Caller
  // holds layout_mu_; scans the state, so only on a change of layout.
  Layout WithoutDeadColumns();

  StoreOptions options_;
  // Held while the layout changes (Adopt, Load) and while reading it. Shards
  // are then migrated one at a time, so no thread ever holds more than one
  // shard lock; a session's mapping is only ever built from a layout that
  // every shard already has.
  mutable std::mutex layout_mu_;
  std::shared_ptr<const Layout> layout_;
  uint64_t version_ = 1;
  std::vector<Shard> shards_;
  std::atomic<uint64_t> late_events_{0};
  std::atomic<uint64_t> dropped_keys_{0};
  std::map<std::string, uint32_t> users_;  // column key → attached sessions (layout_mu_)
  LoadReport last_load_;                    // (layout_mu_)

  friend class SnapshotIo;
};

}  // namespace vigil::state
