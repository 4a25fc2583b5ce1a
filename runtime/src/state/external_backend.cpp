#include "state/external_backend.hpp"

#include <sodium.h>

#include <algorithm>
#include <cstring>

#include "state/saturating.hpp"

namespace vigil::state {

namespace {

thread_local std::string t_last_error;

// Entry encoding: per column u8 on, u8 scale, i64 payload; then per string
// column u32 length and bytes. The group id pins the column layout, so an
// entry is only ever decoded with the layout that wrote it.
void Encode(const GroupLayout& g, const Probe& p, std::string& out) {
  out.clear();
  for (size_t c = 0; c < g.columns.size(); ++c) {
    const Cell& cell = p.cells[c];
    out += static_cast<char>(cell.on);
    out += static_cast<char>(cell.scale);
    char buf[8];
    std::memcpy(buf, &cell.i, 8);
    out.append(buf, 8);
  }
  for (uint32_t k = 0; k < g.str_cols; ++k) {
    uint32_t len = static_cast<uint32_t>(p.strs[k].size());
    char buf[4];
    std::memcpy(buf, &len, 4);
    out.append(buf, 4);
    out.append(p.strs[k]);
  }
}

bool Decode(const GroupLayout& g, std::string_view data, Cell* cells, std::string* strs) {
  const size_t nc = g.columns.size();
  if (data.size() < nc * 10) return false;
  for (size_t c = 0; c < nc; ++c) {
    cells[c].on = static_cast<uint8_t>(data[0]) != 0;
    cells[c].scale = static_cast<uint8_t>(data[1]);
    std::memcpy(&cells[c].i, data.data() + 2, 8);
    data.remove_prefix(10);
  }
  for (uint32_t k = 0; k < g.str_cols; ++k) {
    uint32_t len;
    if (data.size() < 4) return false;
    std::memcpy(&len, data.data(), 4);
    data.remove_prefix(4);
    if (data.size() < len) return false;
    strs[k].assign(data.data(), len);
    data.remove_prefix(len);
  }
  return data.empty();
}

std::string GroupId(const GroupLayout& g) {
  std::string text = g.signature;
  for (const Column& c : g.columns) text += "\n" + c.signature;
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(text.data()), text.size());
  static const char kHex[] = "0123456789abcdef";
  std::string id;
  for (int i = 0; i < 12; ++i) {
    id += kHex[digest[i] >> 4];
    id += kHex[digest[i] & 15];
  }
  return id;
}

}  // namespace

const std::string& ExternalBackend::LastError() { return t_last_error; }

void ExternalBackend::Attach(const Layout& layout) {
  std::lock_guard<std::mutex> lock(mu_);
  for (const std::string& key : layout.ColumnKeys()) ++users_[key];
  Layout next = Layout::Union(layout_, layout, /*merge_columns=*/false);
  if (next == layout_ && group_ids_.size() == next.groups.size()) return;
  layout_ = std::move(next);
  group_ids_.clear();
  for (const GroupLayout& g : layout_.groups) group_ids_.push_back(GroupId(g));
  ++version_;
}

void ExternalBackend::Detach(const Layout& layout) {
  std::lock_guard<std::mutex> lock(mu_);
  for (const std::string& key : layout.ColumnKeys()) {
    auto it = users_.find(key);
    if (it != users_.end() && it->second > 0) --it->second;
  }
}

uint64_t ExternalBackend::ReadLayout(Layout* out) const {
  std::lock_guard<std::mutex> lock(mu_);
  *out = layout_;
  return version_;
}

ApplyStatus ExternalBackend::Apply(uint64_t version, const Probe& probe, eval::Value* out,
                                   QueryScratch& scratch) {
  std::string group_id;
  GroupLayout g;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (version != version_) return ApplyStatus::kStale;
    g = layout_.groups[probe.group];
    group_id = group_ids_[probe.group];
  }
  std::string entry;
  Encode(g, probe, entry);
  ExternalRequest req;
  req.group = group_id;
  req.key = probe.key;
  req.ts = probe.ts;
  // A backend that cannot take back is never asked to record a reversal.
  req.record = probe.record && (exactly_once_ || !probe.reversal);
  if (exactly_once_) {
    req.id = probe.id;
    req.ref = probe.ref;
    req.reversal = probe.reversal;
  }
  req.lateness_us = lateness_us_;
  int64_t keep = 0;
  req.keep_us = __builtin_add_overflow(lateness_us_, g.longest_us, &keep) ? INT64_MAX : keep;
  req.from_us = SatSub(probe.ts, g.longest_us);
  req.entry = entry;
  ExternalReply reply;
  bool ok = false;
  try {
    ok = fn_(req, reply);
  } catch (const std::exception& e) {
    reply.error = e.what();
  } catch (...) {
    reply.error = "the state backend threw an exception";
  }
  const uint32_t nc = static_cast<uint32_t>(g.columns.size());
  auto fail = [&](const std::string& why) {
    errors_.fetch_add(1, std::memory_order_relaxed);
    t_last_error = why;
    for (uint32_t c = 0; c < nc; ++c) {
      out[c] = eval::Value::Missing();
      if (probe.events != nullptr) probe.events[c] = 0;
    }
    return ApplyStatus::kError;
  };
  if (!ok) return fail(reply.error.empty() ? "the state backend failed" : reply.error);

  // The key's recent history, in time order.
  std::sort(reply.entries.begin(), reply.entries.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  KeyHistory h(nc);
  const size_t n = reply.entries.size();
  h.Resize(n);
  h.strs.resize(n * g.str_cols);
  for (size_t e = 0; e < n; ++e) {
    h.time(e) = reply.entries[e].first;
    if (!Decode(g, reply.entries[e].second, h.row(e), h.strs.data() + e * g.str_cols)) {
      return fail("the state backend returned an entry this rule set did not write");
    }
  }
  const bool late = reply.late;
  const bool duplicate = exactly_once_ && reply.duplicate;
  // A duplicate or a reversal is not a new contribution.
  const bool counts = !duplicate && !probe.reversal;
  if (late && probe.record && counts) late_events_.fetch_add(1, std::memory_order_relaxed);
  if (probe.outcome != nullptr) {
    *probe.outcome = ApplyOutcome{duplicate, exactly_once_ && reply.reversed};
  }
  const bool recorded = probe.record && !late && counts;
  const size_t end = static_cast<size_t>(
      std::upper_bound(h.times(), h.times() + n, probe.ts) - h.times());
  if (recorded) {
    // Windows without the current event (baselines, since_previous) leave
    // out the entry at end - 1: make it one the backend holds for this event.
    // Entries at one time come back in no particular order, but one with the
    // same bytes as the event's contributes exactly what the event does.
    for (size_t e = end; e-- > 0 && h.time(e) == probe.ts;) {
      if (reply.entries[e].second != entry) continue;
      std::swap_ranges(h.row(e), h.row(e) + nc, h.row(end - 1));
      for (size_t k = 0; k < g.str_cols; ++k) {
        std::swap(h.strs[e * g.str_cols + k], h.strs[(end - 1) * g.str_cols + k]);
      }
      break;
    }
  }
  for (uint32_t c = 0; c < nc; ++c) {
    const Column& col = g.columns[c];
    size_t lo = 0, hi = 0;
    bool with_current = true;
    ColumnWindow(col, h.times(), 0, end, probe.ts, recorded, &lo, &hi, &with_current);
    const bool extra_on = !recorded && counts && with_current;
    const Cell* extra = extra_on ? &probe.cells[c] : nullptr;
    std::string_view extra_str = extra_on && col.str_col >= 0 ? probe.strs[col.str_col]
                                                               : std::string_view();
    out[c] = Summarise(col, &h, nc, c, lo, hi, extra, extra_str, scratch,
                       probe.events != nullptr ? &probe.events[c] : nullptr, probe.ts);
  }
  return late && counts ? ApplyStatus::kLate : ApplyStatus::kOk;
}

StoreStats ExternalBackend::Stats() const {
  StoreStats st;
  st.late_events = late_events_.load(std::memory_order_relaxed);
  st.outlier_events = time_guard().outliers();
  std::lock_guard<std::mutex> lock(mu_);
  for (const std::string& key : layout_.ColumnKeys()) {
    ++st.aggregates;
    auto it = users_.find(key);
    st.unused_aggregates += it == users_.end() || it->second == 0 ? 1 : 0;
  }
  return st;
}

bool ExternalBackend::Save(const std::string&, std::string* error) const {
  *error = "an external state backend keeps its own state: snapshot it there";
  return false;
}

bool ExternalBackend::Load(const std::string&, std::string* error) {
  *error = "an external state backend keeps its own state: restore it there";
  return false;
}

}  // namespace vigil::state
