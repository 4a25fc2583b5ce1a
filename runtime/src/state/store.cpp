#include "state/store.hpp"

#include <algorithm>

#include "state/running.hpp"
#include "state/saturating.hpp"

namespace vigil::state {

namespace {

// Ops between two sweeps of a shard for keys that left every window.
constexpr uint32_t kSweepEvery = 4096;

}  // namespace

Store::Store(StoreOptions options)
    : Backend(options.max_skew_us),
      options_(options),
      layout_(std::make_shared<const Layout>()),
      shards_(std::max<uint32_t>(options.shards, 1)) {
  for (Shard& s : shards_) {
    s.version = version_;
    SetLayout(s, layout_);
  }
}

void Store::SetLayout(Shard& shard, std::shared_ptr<const Layout> layout) const {
  shard.straight.assign(layout->groups.size(), 0);
  for (size_t g = 0; g < layout->groups.size(); ++g) {
    const GroupLayout& gl = layout->groups[g];
    bool all = options_.running_totals && gl.str_cols == 0;
    for (const Column& col : gl.columns) all = all && UsesRunning(col);
    shard.straight[g] = all ? 1 : 0;
  }
  shard.layout = std::move(layout);
  PublishSlots(shard);
}

void Store::PublishSlots(Shard& shard) {
  for (uint32_t g = 0; g < kSlotCopies; ++g) {
    const bool has = g < shard.maps.size();
    shard.slots[g].store(has ? shard.maps[g].slots_data() : nullptr, std::memory_order_relaxed);
    shard.masks[g].store(has ? shard.maps[g].slot_mask() : 0, std::memory_order_relaxed);
  }
}

const char* Store::HomeSlotForTest(uint32_t group, std::string_view key) {
  const uint64_t hash = KeyHash(key);
  Shard& shard = shards_[ShardIndex(hash)];
  std::lock_guard<std::mutex> lock(shard.mu);
  if (group >= shard.maps.size() || shard.maps[group].slots_data() == nullptr) return nullptr;
  const Map& map = shard.maps[group];
  return KeyTable::HomeSlot(map.slots_data(), map.slot_mask(), hash);
}

Store::~Store() = default;

uint64_t Store::ReadLayout(Layout* out) const {
  std::lock_guard<std::mutex> lock(layout_mu_);
  *out = *layout_;
  return version_;
}

std::vector<Store::Map> Store::Migrate(std::vector<Map>& maps, const Layout& from,
                                       const Layout& to, std::pmr::memory_resource* memory) {
  std::vector<Map> result;
  result.reserve(to.groups.size());
  for (size_t g = 0; g < to.groups.size(); ++g) result.emplace_back(memory);
  for (size_t ng = 0; ng < to.groups.size(); ++ng) {
    const GroupLayout& n = to.groups[ng];
    for (size_t og = 0; og < from.groups.size() && og < maps.size(); ++og) {
      const GroupLayout& o = from.groups[og];
      if (o.signature != n.signature) continue;
      // New column k takes old column src[k], or starts empty.
      std::vector<int32_t> src(n.columns.size(), -1);
      bool any = false;
      for (size_t k = 0; k < n.columns.size(); ++k) {
        for (size_t j = 0; j < o.columns.size(); ++j) {
          if (o.columns[j].signature == n.columns[k].signature) src[k] = static_cast<int32_t>(j);
        }
        any = any || src[k] >= 0;
      }
      if (!any) break;
      const size_t nc = n.columns.size();
      for (auto& [key, h] : maps[og]) {
        KeyHistory nh(static_cast<uint32_t>(nc), memory);
        nh.max_ts = h.max_ts;
        const size_t count = h.live();
        nh.Resize(count);
        nh.strs.resize(count * n.str_cols);
        for (size_t e = 0; e < count; ++e) {
          nh.time(e) = h.time(h.head + e);
          nh.mark(e) = h.mark(h.head + e);
          for (size_t k = 0; k < nc; ++k) {
            if (src[k] < 0) continue;
            nh.cell(e, static_cast<uint32_t>(k)) =
                h.cell(h.head + e, static_cast<uint32_t>(src[k]));
            int32_t ns = n.columns[k].str_col, os = o.columns[src[k]].str_col;
            if (ns >= 0 && os >= 0) {
              nh.strs[e * n.str_cols + ns] = std::move(h.strs[(h.head + e) * o.str_cols + os]);
            }
          }
        }
        result[ng].TryInsert(key, std::move(nh));
      }
      break;
    }
  }
  return result;
}

void Store::Relayout(const Layout& layout) {
  auto next = std::make_shared<const Layout>(layout);
  ++version_;
  for (Shard& s : shards_) {
    std::lock_guard<std::mutex> shard_lock(s.mu);
    s.maps = Migrate(s.maps, *s.layout, *next, &s.pool);
    SetLayout(s, next);
    s.version = version_;
  }
  layout_ = std::move(next);
}

void Store::Attach(const Layout& layout) {
  std::lock_guard<std::mutex> lock(layout_mu_);
  for (const std::string& key : layout.ColumnKeys()) ++users_[key];
  Layout next = Layout::Union(*layout_, layout, /*merge_columns=*/true);
  if (next == *layout_ && shards_[0].maps.size() == next.groups.size()) return;
  // The layout grows (a reload, another rule set): first let go of what no
  // session uses and no entry holds any more, so that a state that sees many
  // reloads does not carry every old aggregate in every entry for ever.
  Relayout(Layout::Union(WithoutDeadColumns(), layout, /*merge_columns=*/true));
}

Layout Store::WithoutDeadColumns() {
  const Layout& current = *layout_;
  // dead[g][c]: column c of group g has no user and, so far, no value.
  std::vector<std::vector<bool>> dead(current.groups.size());
  bool any = false;
  for (size_t g = 0; g < current.groups.size(); ++g) {
    const GroupLayout& gl = current.groups[g];
    dead[g].resize(gl.columns.size());
    for (size_t c = 0; c < gl.columns.size(); ++c) {
      auto it = users_.find(gl.signature + "\n" + gl.columns[c].signature);
      dead[g][c] = it == users_.end() || it->second == 0;
      any = any || dead[g][c];
    }
  }
  if (!any) return current;
  // A column with a value in any entry still holds history: keep it.
  for (Shard& shard : shards_) {
    std::lock_guard<std::mutex> shard_lock(shard.mu);
    for (size_t g = 0; g < shard.maps.size() && g < dead.size(); ++g) {
      const size_t nc = dead[g].size();
      for (const auto& [key, h] : shard.maps[g]) {
        for (size_t e = h.head; e < h.size(); ++e) {
          for (size_t c = 0; c < nc; ++c) {
            if (dead[g][c] && h.cell(e, static_cast<uint32_t>(c)).on) dead[g][c] = false;
          }
        }
      }
    }
  }
  Layout kept;
  for (size_t g = 0; g < current.groups.size(); ++g) {
    const GroupLayout& gl = current.groups[g];
    GroupLayout ng;
    ng.signature = gl.signature;
    for (size_t c = 0; c < gl.columns.size(); ++c) {
      if (dead[g][c]) {
        users_.erase(gl.signature + "\n" + gl.columns[c].signature);
        continue;
      }
      Column col = gl.columns[c];
      col.str_col = col.str_col >= 0 ? static_cast<int32_t>(ng.str_cols++) : -1;
      ng.longest_us = std::max(ng.longest_us, col.reach_us());
      ng.columns.push_back(std::move(col));
    }
    if (!ng.columns.empty()) kept.groups.push_back(std::move(ng));
  }
  return kept;
}

void Store::Detach(const Layout& layout) {
  std::lock_guard<std::mutex> lock(layout_mu_);
  for (const std::string& key : layout.ColumnKeys()) {
    auto it = users_.find(key);
    if (it != users_.end() && it->second > 0) --it->second;
  }
}

Store::LoadReport Store::last_load() const {
  std::lock_guard<std::mutex> lock(layout_mu_);
  return last_load_;
}

void Store::EvictSlow(const GroupLayout& g, KeyHistory& h) const {
  const int64_t cutoff = EvictCutoff(g, h);
  const size_t size = h.size();
  const int64_t* ts = h.times();
  while (h.head < size && ts[h.head] <= cutoff) ++h.head;
  if (h.head == 0) return;
  if (h.head == size) {
    ShiftRunning(h, g, size);
    h.Clear();
    h.strs.clear();
    return;
  }
  if (h.head * 2 < size) return;  // compact once half is dead: amortised O(1)
  Compact(g, h);
}

void Store::Compact(const GroupLayout& g, KeyHistory& h) {
  const size_t ns = h.strs.size() / h.size();
  ShiftRunning(h, g, h.head);
  h.strs.EraseFront(h.head * ns);
  h.EraseFront(h.head);
}

void Store::Sweep(Shard& shard) {
  const Layout& layout = *shard.layout;
  for (size_t g = 0; g < shard.maps.size() && g < layout.groups.size(); ++g) {
    const int64_t cutoff =
        SatSub(SatSub(shard.max_ts, options_.lateness_us), layout.groups[g].longest_us);
    Map& m = shard.maps[g];
    for (auto it = m.begin(); it != m.end();) {
      if (it->history.max_ts <= cutoff) {
        it = m.Erase(it);
        dropped_keys_.fetch_add(1, std::memory_order_relaxed);
      } else {
        ++it;
      }
    }
  }
}

bool Store::IsDuplicate(const KeyHistory& h, const Probe& probe) {
  if (probe.id == 0) return false;
  // The same event: the same id at the same time (in a stream in order, the
  // event is newer than every entry, and there is nothing to search)...
  const int64_t* ts = h.times();
  const bool newest = h.live() == 0 || h.newest() < probe.ts;
  if (!newest) {
    auto range = std::equal_range(ts + h.head, ts + h.size(), probe.ts);
    for (const int64_t* it = range.first; it != range.second; ++it) {
      if (h.mark(static_cast<size_t>(it - ts)).id == probe.id) return true;
    }
  }
  // ... or a reversal that already took its original back.
  if (probe.reversal) {
    for (size_t e = h.head; e < h.size(); ++e) {
      if (h.mark(e).reversed && h.mark(e).ref == probe.id) return true;
    }
  }
  return false;
}

bool Store::TakeBack(KeyHistory& h, uint32_t columns, const Probe& probe) {
  if (probe.ref == 0) return false;
  for (size_t e = h.size(); e-- > h.head;) {
    Mark& m = h.mark(e);
    if (m.reversed || m.ref != probe.ref) continue;
    for (uint32_t c = 0; c < columns; ++c) h.cell(e, c).on = 0;
    InvalidateRunningFrom(h, e);
    m.reversed = true;
    m.ref = probe.id;  // a second delivery of this reversal is then a duplicate
    return true;
  }
  return false;
}

ApplyStatus Store::Apply(uint64_t version, const Probe& probe, eval::Value* out,
                         QueryScratch& scratch) {
  // The key is hashed once: the hash picks the shard and the table's slot.
  const uint64_t hash = probe.key_hashed ? probe.key_hash : KeyHash(probe.key);
  Shard& shard = shards_[ShardIndex(hash)];
  std::lock_guard<std::mutex> lock(shard.mu);
  if (shard.version != version) return ApplyStatus::kStale;
  const GroupLayout& g = shard.layout->groups[probe.group];
  const uint32_t nc = static_cast<uint32_t>(g.columns.size());
  Map& map = shard.maps[probe.group];
  KeyHistory* h = map.Find(probe.key, hash);
  if (h != nullptr && h->live() > 0) {
    // The history's block is read at its running totals (its start), at the
    // newest entry (where the new one goes) and at the window's start: ask
    // for those lines together rather than miss on each in turn.
    const size_t last = h->size() - 1;
    if (nc > 0) {
      __builtin_prefetch(&h->running(0));
      __builtin_prefetch(reinterpret_cast<const char*>(&h->running(nc - 1)) + sizeof(Running) - 1);
    }
    __builtin_prefetch(h->times() + last);
    __builtin_prefetch(h->times() + h->head);
    __builtin_prefetch(&h->mark(last));
    __builtin_prefetch(h->row(last));
    __builtin_prefetch(h->row(last) + nc);
    __builtin_prefetch(h->row(h->head));
  }
  if (h != nullptr && shard.straight[probe.group] != 0 && probe.record && !probe.reversal &&
      h->live() > 0 && probe.ts > h->newest() &&
      probe.ts >= SatSub(h->max_ts, options_.lateness_us)) {
    // The straight path: the commonest event of a stream in order, recorded
    // as the newest entry of a key that has some, in a group whose columns
    // all follow running totals. What the general path below would check
    // and find is known here: not late (the test above); not a duplicate (an
    // event newer than every entry has nothing to search, and it is no
    // reversal); nothing taken back; appended with no search; no strings.
    // RunningTotals.* compare it with scans on random streams.
    h->max_ts = std::max(h->max_ts, probe.ts);
    const int64_t cutoff = EvictCutoff(g, *h);
    if (probe.ts > cutoff) {
      // The new entry stays, so what leaves is only older entries: they are
      // dropped BEFORE the new one is appended, so that it goes into room
      // they leave rather than into a grown block (a key with two entries of
      // a day, then a quiet day, copied its block into one twice its size
      // to hold one entry).
      if (h->newest() <= cutoff) {
        // Every earlier entry left every window (the commonest eviction, on
        // keys with a few events a day): Evict's compaction of all of them,
        // inline. The totals ended at most at the newest, so every valid
        // one becomes empty; the new entry goes at position 0, in the
        // block's first lines, which KeyTable::Find prefetched.
        EmptyRunning(*h);
        h->Clear();
      } else {
        // Some left: past them (the newest stays, so the walk stops there at
        // the latest), compacted now only when the block is full, to make
        // room; otherwise after the values below, by Evict's rule.
        const int64_t* ts = h->times();
        uint32_t head = h->head;
        while (ts[head] <= cutoff) ++head;
        h->head = head;
        if (head != 0 && h->size() == h->capacity()) Compact(g, *h);
      }
      h->Append(probe.ts, Mark{probe.id, probe.ref, false}, probe.cells);
    } else {
      // The new entry itself is out of every window (a group whose longest
      // window is 0 and an event at the lateness' edge): as the general path.
      h->Append(probe.ts, Mark{probe.id, probe.ref, false}, probe.cells);
      Evict(g, *h);
    }
    map.HintLast(h->block_start());
    shard.max_ts = std::max(shard.max_ts, probe.ts);
    if (probe.outcome != nullptr) *probe.outcome = ApplyOutcome{};
    const size_t end = h->size();
    size_t lo = 0;
    int64_t lo_within = 0;
    // Read once: the values written into `out` (a uint8_t among them) may
    // alias the probe and the layout as far as the compiler knows.
    const Column* columns = g.columns.data();
    int64_t* const events = probe.events;
    const int64_t now = probe.ts;
    uint64_t scanned = 0;
    // The history's arrays, read once for every column: through `h` they
    // were read again after each store into a column's totals or value,
    // which may alias the history's fields as far as the compiler knows. The
    // block does not move in this loop (nothing is appended or compacted).
    const int64_t* const ts = h->times();
    const size_t head = h->head;
    const Cell* const cells = h->row(0);
    const size_t stride = h->columns();
    Running* const runs = &h->running(0);
    for (uint32_t c = 0; c < nc; ++c) {
      const Column& col = columns[c];
      // One window start per `within`, as below.
      if (c == 0 || col.within_us != lo_within) {
        lo = RunningWindowStartIn(runs[c], *h, ts, head, end, SatSub(now, col.within_us));
        lo_within = col.within_us;
      }
      scanned += end - lo;
      int64_t* col_events = events != nullptr ? events + c : nullptr;
      if (!RunningValueIn(col, runs[c], cells + c, stride, *h, c, lo, end, &out[c], col_events)) {
        out[c] = Summarise(col, h, nc, c, lo, end, nullptr, std::string_view(), scratch,
                           col_events, now);
      }
    }
    scratch.entries_scanned += scanned;
    // Evict's compaction, once half the entries are dropped, after the
    // values rather than before them: the totals no longer hold the dropped
    // entries (RunningValue took them out), so ShiftRunning only moves their
    // ranges, where before the values it took each entry out itself, in a
    // costlier loop than RunningValue's.
    if (h->head != 0 && size_t{h->head} * 2 >= h->size()) Compact(g, *h);
    if (++shard.ops % kSweepEvery == 0) Sweep(shard);
    return ApplyStatus::kOk;
  }

  const bool late = h != nullptr && probe.ts < SatSub(h->max_ts, options_.lateness_us);
  const bool duplicate = h != nullptr && IsDuplicate(*h, probe);
  bool reversed = false;
  if (h != nullptr && probe.reversal && probe.record && !duplicate) {
    reversed = TakeBack(*h, nc, probe);
  }
  // A duplicate or a reversal is not a new contribution.
  const bool counts = !duplicate && !probe.reversal;
  const bool record = probe.record && !late && counts;
  if (late && probe.record && counts) late_events_.fetch_add(1, std::memory_order_relaxed);
  if (probe.outcome != nullptr) *probe.outcome = ApplyOutcome{duplicate, reversed};
  bool appended = false;  // recorded as the key's newest entry
  if (record) {
    if (h == nullptr) {
      h = &map.Insert(probe.key, hash, KeyHistory(nc, &shard.pool));
      PublishSlots(shard);  // the index may have grown
    }
    appended = h->live() == 0 || h->newest() <= probe.ts;
    size_t at = h->size();
    if (appended) {
      // The stream in order (the common case): the new entry goes last, with
      // no search and no move.
      h->Append(probe.ts, Mark{probe.id, probe.ref, false}, probe.cells);
    } else {
      // After any equal timestamps: ties keep arrival order.
      const int64_t* ts = h->times();
      at = static_cast<size_t>(std::upper_bound(ts + h->head, ts + h->size(), probe.ts) - ts);
      InvalidateRunningFrom(*h, at);  // later entries move up
      h->Insert(at, probe.ts, Mark{probe.id, probe.ref, false}, probe.cells);
    }
    h->strs.Insert(at * g.str_cols, probe.strs, g.str_cols);
    h->max_ts = std::max(h->max_ts, probe.ts);
  }
  if (h != nullptr) {
    Evict(g, *h);
    map.HintLast(h->block_start());  // where the key's next event will find its block
  }
  // Only recorded events move the shard's clock (which decides sweeps): a
  // what-if or an outlier far ahead must not make every key look idle.
  if (record) shard.max_ts = std::max(shard.max_ts, probe.ts);

  size_t end = 0;
  if (appended) {
    end = h->size();  // the new entry is the last one (Evict kept it)
  } else if (h != nullptr) {
    const int64_t* ts = h->times();
    end = static_cast<size_t>(std::upper_bound(ts + h->head, ts + h->size(), probe.ts) - ts);
  }
  // The window start of the last running column: the next one of the same
  // `within` has the same (RunningWindowStart), found once per event rather
  // than once per column (a rule set's windows are mostly of one length).
  int64_t start_within = 0;
  size_t start_lo = SIZE_MAX;
  for (uint32_t c = 0; c < nc; ++c) {
    const Column& col = g.columns[c];
    size_t lo = end, hi = end;
    bool with_current = true;
    if (appended && options_.running_totals && UsesRunning(col)) {
      // The stream in order: running totals, as a hand-written window keeps
      // them (state/running.hpp); a scan only when they cannot be exact.
      if (start_lo == SIZE_MAX || col.within_us != start_within) {
        start_lo = RunningWindowStart(col, *h, c, end, probe.ts);
        start_within = col.within_us;
      }
      lo = start_lo;
      scratch.entries_scanned += end - lo;
      if (RunningValue(col, *h, c, lo, end, &out[c],
                       probe.events != nullptr ? &probe.events[c] : nullptr)) {
        continue;
      }
      out[c] = Summarise(col, h, nc, c, lo, end, nullptr, std::string_view(), scratch,
                         probe.events != nullptr ? &probe.events[c] : nullptr, probe.ts);
      continue;
    }
    if (h != nullptr) {
      // A recorded event is the last entry at its time (inserted after equal
      // times), so end - 1.
      ColumnWindow(col, h->times(), h->head, end, probe.ts, record, &lo, &hi, &with_current);
    } else {
      with_current = col.offset_us == 0 && !col.exclude_current &&
                     col.kind != eval::AggKind::kSincePrevious;
    }
    // The current event counts in its own windows, recorded or not (a
    // what-if), unless it is a duplicate or a reversal, or the column leaves
    // it out (a baseline).
    const bool extra_on = !record && counts && with_current;
    const Cell* extra = extra_on ? &probe.cells[c] : nullptr;
    std::string_view extra_str = extra_on && col.str_col >= 0 ? probe.strs[col.str_col]
                                                               : std::string_view();
    out[c] = Summarise(col, h, nc, c, lo, hi, extra, extra_str, scratch,
                       probe.events != nullptr ? &probe.events[c] : nullptr, probe.ts);
    scratch.entries_scanned += hi - lo;
  }
  if (++shard.ops % kSweepEvery == 0) Sweep(shard);
  return late && counts ? ApplyStatus::kLate : ApplyStatus::kOk;
}

StoreStats Store::Stats() const {
  StoreStats st;
  for (const Shard& s : shards_) {
    std::lock_guard<std::mutex> lock(const_cast<Shard&>(s).mu);
    for (const Map& m : s.maps) {
      st.keys += m.size();
      // The table's index and its entries (key and history).
      st.bytes += m.TableBytes();
      for (const auto& [key, h] : m) {
        st.entries += h.live();
        st.bytes += key.heap_bytes();  // a key longer than the entry's inline room
        st.bytes += h.BlockBytes();    // times, marks, cells and running totals
        st.bytes += h.strs.heap_bytes();
        for (const std::string& x : h.strs) {
          if (x.capacity() > 15) st.bytes += x.capacity() + 1;
        }
      }
    }
  }
  st.late_events = late_events_.load(std::memory_order_relaxed);
  st.dropped_keys = dropped_keys_.load(std::memory_order_relaxed);
  st.outlier_events = time_guard().outliers();
  std::lock_guard<std::mutex> lock(layout_mu_);
  for (const std::string& key : layout_->ColumnKeys()) {
    ++st.aggregates;
    auto it = users_.find(key);
    st.unused_aggregates += it == users_.end() || it->second == 0 ? 1 : 0;
  }
  return st;
}

}  // namespace vigil::state
