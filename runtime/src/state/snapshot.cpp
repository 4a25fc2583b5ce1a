// Snapshots of the state store. Format (little-endian):
//
//   "VIGILST\0"  magic, 8 bytes
//   u32          format version (3; versions 1 and 2 still load)
//   u32          0 (reserved)
//   u64          body length
//   32 bytes     SHA-256 of the body
//   body:        i64 lateness_us, u32 groups, then per group:
//                  str signature, u32 columns, per column: str signature,
//                  u8 kind, u8 cell kind, u8 value kind, i64 within_us, i32 str_col,
//                  then (version 3: baselines) i64 offset_us, u8 exclude_current,
//                  i64 percentile (units of 10^-6);
//                  u64 keys, per key: str key, i64 max_ts, u32 entries,
//                  per entry: i64 ts, per column: i64 payload, u8 scale, u8 on
//                  (a string column's payload and scale are 0: its value is
//                  the string below);
//                  per string column: str; then (version 2) u64 id, u64 ref,
//                  u8 reversed (state/marks.hpp; version 1 entries have none)
//   str = u32 length + bytes
//
// Save writes "<path>.tmp", fsyncs it, renames it over <path> and fsyncs the
// directory (base/atomic_file.hpp), so a crash leaves the old snapshot or the
// new one, never half of one (tests/state/kill_test.py kills saves at random
// points to check it). Load reads and checks everything before touching the
// running state.
#include <sodium.h>
#include <sys/stat.h>

#include <cstring>

#include "base/atomic_file.hpp"
#include "base/file_io.hpp"
#include "base/limits.hpp"
#include "state/store.hpp"

namespace vigil::state {

namespace {

constexpr char kMagic[8] = {'V', 'I', 'G', 'I', 'L', 'S', 'T', '\0'};
constexpr uint32_t kFormatVersion = 3;
constexpr uint32_t kOldestFormatVersion = 1;
constexpr size_t kHeaderSize = 8 + 4 + 4 + 8 + 32;
// A snapshot file is read whole: larger ones are refused before reading.
constexpr size_t kMaxSnapshotBytes = limits::kMaxSnapshotBytes;

class Writer {
 public:
  std::string out;
  template <typename T>
  void Put(T v) {
    char buf[sizeof(T)];
    std::memcpy(buf, &v, sizeof(T));
    out.append(buf, sizeof(T));
  }
  void Str(std::string_view s) {
    Put<uint32_t>(static_cast<uint32_t>(s.size()));
    out.append(s);
  }
};

class Reader {
 public:
  Reader(std::string_view data) : data_(data) {}
  template <typename T>
  bool Get(T* v) {
    if (data_.size() - pos_ < sizeof(T)) return Fail();
    std::memcpy(v, data_.data() + pos_, sizeof(T));
    pos_ += sizeof(T);
    return true;
  }
  template <typename S>
  bool Str(S* s) {
    uint32_t len;
    if (!Get(&len) || data_.size() - pos_ < len) return Fail();
    s->assign(data_.data() + pos_, len);
    pos_ += len;
    return true;
  }
  // A count of items each at least `min_bytes` long: bounded by what is left.
  bool Count(uint64_t n, size_t min_bytes) const { return n <= (data_.size() - pos_) / min_bytes; }
  bool done() const { return pos_ == data_.size(); }
  bool failed() const { return failed_; }

 private:
  bool Fail() {
    failed_ = true;
    return false;
  }
  std::string_view data_;
  size_t pos_ = 0;
  bool failed_ = false;
};

}  // namespace

// Store internals for snapshots.
class SnapshotIo {
 public:
  // The body, written shard by shard (each key's history is consistent; the
  // layout cannot change meanwhile: the caller holds layout_mu_).
  static std::string Body(const Store& s) {
    const Layout& layout = *s.layout_;
    std::vector<Writer> groups(layout.groups.size());
    std::vector<uint64_t> keys(layout.groups.size(), 0);
    for (const auto& shard_ref : s.shards_) {
      auto& shard = const_cast<Store::Shard&>(shard_ref);
      std::lock_guard<std::mutex> lock(shard.mu);
      for (size_t g = 0; g < layout.groups.size() && g < shard.maps.size(); ++g) {
        const GroupLayout& gl = layout.groups[g];
        const size_t nc = gl.columns.size();
        Writer& w = groups[g];
        for (const auto& [key, h] : shard.maps[g]) {
          ++keys[g];
          w.Str(key);
          w.Put<int64_t>(h.max_ts);
          w.Put<uint32_t>(static_cast<uint32_t>(h.live()));
          for (size_t e = h.head; e < h.size(); ++e) {
            w.Put<int64_t>(h.time(e));
            for (size_t c = 0; c < nc; ++c) {
              const Cell& cell = h.cell(e, static_cast<uint32_t>(c));
              w.Put<int64_t>(cell.i);
              w.Put<uint8_t>(cell.scale);
              w.Put<uint8_t>(cell.on);
            }
            for (uint32_t k = 0; k < gl.str_cols; ++k) w.Str(h.strs[e * gl.str_cols + k]);
            const Mark& m = h.mark(e);
            w.Put<uint64_t>(m.id);
            w.Put<uint64_t>(m.ref);
            w.Put<uint8_t>(m.reversed ? 1 : 0);
          }
        }
      }
    }
    Writer w;
    w.Put<int64_t>(s.options_.lateness_us);
    w.Put<uint32_t>(static_cast<uint32_t>(layout.groups.size()));
    for (size_t g = 0; g < layout.groups.size(); ++g) {
      const GroupLayout& gl = layout.groups[g];
      w.Str(gl.signature);
      w.Put<uint32_t>(static_cast<uint32_t>(gl.columns.size()));
      for (const Column& c : gl.columns) {
        w.Str(c.signature);
        w.Put<uint8_t>(static_cast<uint8_t>(c.kind));
        w.Put<uint8_t>(static_cast<uint8_t>(c.cell));
        w.Put<uint8_t>(static_cast<uint8_t>(c.value_kind));
        w.Put<int64_t>(c.within_us);
        w.Put<int32_t>(c.str_col);
        w.Put<int64_t>(c.offset_us);
        w.Put<uint8_t>(c.exclude_current ? 1 : 0);
        w.Put<int64_t>(c.percentile);
      }
      w.Put<uint64_t>(keys[g]);
      w.out += groups[g].out;
      groups[g].out = std::string();
    }
    return std::move(w.out);
  }

  // Parses a body into a layout and one map per group (not yet sharded).
  static bool Parse(std::string_view body, uint32_t version, Layout* layout,
                    std::vector<Store::Map>* maps, std::string* error) {
    const size_t mark_bytes = version >= 2 ? 17 : 0;  // version 3 entries are as version 2
    Reader r(body);
    int64_t lateness;
    uint32_t groups;
    auto bad = [&](const std::string& what) {
      *error = "corrupt snapshot: " + what;
      return false;
    };
    if (!r.Get(&lateness) || !r.Get(&groups) || !r.Count(groups, 16)) return bad("header");
    for (uint32_t g = 0; g < groups; ++g) {
      GroupLayout gl;
      uint32_t columns;
      if (!r.Str(&gl.signature) || !r.Get(&columns) || !r.Count(columns, 20)) {
        return bad("group layout");
      }
      for (uint32_t c = 0; c < columns; ++c) {
        Column col;
        uint8_t kind, cell, value_kind;
        if (!r.Str(&col.signature) || !r.Get(&kind) || !r.Get(&cell) || !r.Get(&value_kind) ||
            !r.Get(&col.within_us) || !r.Get(&col.str_col)) {
          return bad("column");
        }
        // Versions 1 and 2 have no baselines: their columns end at now,
        // include the current event and are none of the kinds added since.
        const eval::AggKind last =
            version >= 3 ? eval::kLastAggKind : eval::AggKind::kDistinct;
        if (version >= 3) {
          uint8_t exclude;
          if (!r.Get(&col.offset_us) || !r.Get(&exclude) || !r.Get(&col.percentile)) {
            return bad("column");
          }
          if (exclude > 1 || col.offset_us < 0 || col.percentile < 0 ||
              col.percentile > 100000000) {
            return bad("column definition");
          }
          col.exclude_current = exclude == 1;
        }
        if (kind > static_cast<uint8_t>(last) ||
            cell > static_cast<uint8_t>(eval::CellKind::kString) ||
            value_kind > static_cast<uint8_t>(Kind::kTuple) || col.within_us <= 0 ||
            col.str_col != (cell == static_cast<uint8_t>(eval::CellKind::kString)
                                ? static_cast<int32_t>(gl.str_cols)
                                : -1)) {
          return bad("column definition");
        }
        col.kind = static_cast<eval::AggKind>(kind);
        col.cell = static_cast<eval::CellKind>(cell);
        col.value_kind = static_cast<Kind>(value_kind);
        if (col.str_col >= 0) ++gl.str_cols;
        gl.longest_us = std::max(gl.longest_us, col.reach_us());
        gl.columns.push_back(std::move(col));
      }
      uint64_t keys;
      if (!r.Get(&keys) || !r.Count(keys, 16)) return bad("key count");
      Store::Map map;
      const size_t nc = gl.columns.size();
      for (uint64_t k = 0; k < keys; ++k) {
        std::pmr::string key;
        KeyHistory h(static_cast<uint32_t>(nc));
        uint32_t entries;
        if (!r.Str(&key) || !r.Get(&h.max_ts) || !r.Get(&entries) ||
            !r.Count(entries, 8 + nc * 10 + mark_bytes)) {
          return bad("key");
        }
        h.Resize(entries);
        h.strs.resize(entries * gl.str_cols);
        for (uint32_t e = 0; e < entries; ++e) {
          if (!r.Get(&h.time(e))) return bad("entry");
          if (e > 0 && h.time(e) < h.time(e - 1)) return bad("entries out of order");
          for (size_t c = 0; c < nc; ++c) {
            Cell& cell = h.cell(e, static_cast<uint32_t>(c));
            if (!r.Get(&cell.i) || !r.Get(&cell.scale) || !r.Get(&cell.on) || cell.on > 1) {
              return bad("cell");
            }
          }
          for (uint32_t s = 0; s < gl.str_cols; ++s) {
            if (!r.Str(&h.strs[e * gl.str_cols + s])) return bad("string cell");
          }
          if (version >= 2) {
            Mark& m = h.mark(e);
            uint8_t reversed;
            if (!r.Get(&m.id) || !r.Get(&m.ref) || !r.Get(&reversed) || reversed > 1) {
              return bad("entry mark");
            }
            m.reversed = reversed != 0;
          }
        }
        if (!map.TryInsert(key, std::move(h))) return bad("duplicate key");
      }
      layout->groups.push_back(std::move(gl));
      maps->push_back(std::move(map));
    }
    if (!r.done()) return bad("trailing bytes");
    return true;
  }

  // Replaces the state with `maps` (laid out as `from`), shard by shard;
  // each shard's new maps are built under its lock, from its own pool. The
  // layout becomes the union of the running one and the snapshot's: what no
  // attached rule set uses is kept (and saved back), never dropped.
  static void Install(Store& s, const Layout& from, std::vector<Store::Map>& maps) {
    std::lock_guard<std::mutex> lock(s.layout_mu_);
    Store::LoadReport report;
    for (const std::string& key : from.ColumnKeys()) {
      ++report.snapshot_aggregates;
      auto it = s.users_.find(key);
      report.used += it != s.users_.end() && it->second > 0 ? 1 : 0;
    }
    s.last_load_ = report;
    auto next = std::make_shared<const Layout>(Layout::Union(*s.layout_, from, true));
    ++s.version_;
    s.layout_ = next;
    std::vector<Store::Map> migrated =
        Store::Migrate(maps, from, *s.layout_, std::pmr::new_delete_resource());
    struct Item {
      size_t group;
      KeyTable::Entry* entry;
    };
    const size_t n = s.shards_.size();
    int64_t newest = INT64_MIN;
    std::vector<std::vector<Item>> per_shard(n);
    for (size_t g = 0; g < migrated.size(); ++g) {
      for (auto& entry : migrated[g]) {
        per_shard[s.ShardIndex(KeyHash(entry.key))].push_back(Item{g, &entry});
      }
    }
    for (size_t i = 0; i < n; ++i) {
      Store::Shard& shard = s.shards_[i];
      std::lock_guard<std::mutex> shard_lock(shard.mu);
      std::vector<Store::Map> fresh;
      for (size_t g = 0; g < s.layout_->groups.size(); ++g) fresh.emplace_back(&shard.pool);
      int64_t max_ts = INT64_MIN;
      for (const Item& item : per_shard[i]) {
        max_ts = std::max(max_ts, item.entry->history.max_ts);
        fresh[item.group].TryInsert(item.entry->key, std::move(item.entry->history));
      }
      shard.maps = std::move(fresh);
      shard.max_ts = max_ts;
      s.SetLayout(shard, s.layout_);
      shard.version = s.version_;
      newest = std::max(newest, max_ts);
    }
    // Event times far ahead are judged against the snapshot's newest event.
    s.time_guard().Reset(newest);
  }
};

bool Store::Save(const std::string& path, std::string* error) const {
  std::string body;
  {
    std::lock_guard<std::mutex> layout_lock(layout_mu_);
    body = SnapshotIo::Body(*this);
  }
  if (kHeaderSize + body.size() > kMaxSnapshotBytes) {
    // It could not be loaded again: say so now, and keep the old file.
    *error = path + ": the state is " + std::to_string(kHeaderSize + body.size()) +
             " bytes, above the snapshot limit of " + std::to_string(kMaxSnapshotBytes) + " bytes";
    return false;
  }
  Writer header;
  header.out.append(kMagic, sizeof(kMagic));
  header.Put<uint32_t>(kFormatVersion);
  header.Put<uint32_t>(0);
  header.Put<uint64_t>(body.size());
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(body.data()), body.size());
  header.out.append(reinterpret_cast<const char*>(digest), sizeof(digest));

  return WriteFileAtomically(path, {header.out, body}, 0600, error);
}

bool Store::Load(const std::string& path, std::string* error) {
  auto fail = [&](const std::string& why) {
    *error = path + ": " + why;
    return false;
  };
  // Only a regular file of at most kMaxSnapshotBytes is read: a directory,
  // /dev/zero or a FIFO is refused before anything is allocated or awaited.
  std::string data, why;
  if (!ReadWholeFile(path, kMaxSnapshotBytes, &data, &why)) {
    *error = "cannot open " + path + ": " + why;
    return false;
  }
  if (data.size() < kHeaderSize || std::memcmp(data.data(), kMagic, sizeof(kMagic)) != 0) {
    return fail("not a vigil state snapshot");
  }
  Reader header(std::string_view(data).substr(8, kHeaderSize - 8));
  // Zeros first: the header is exactly long enough for the three Gets, but
  // GCC cannot always see that every Get writes (-Wmaybe-uninitialized).
  uint32_t version = 0, reserved = 0;
  uint64_t length = 0;
  header.Get(&version);
  header.Get(&reserved);
  header.Get(&length);
  if (version < kOldestFormatVersion || version > kFormatVersion) {
    return fail("snapshot format " + std::to_string(version) +
                " is not supported (this vigil reads " + std::to_string(kOldestFormatVersion) +
                " to " + std::to_string(kFormatVersion) + ")");
  }
  if (length > kMaxSnapshotBytes || length != data.size() - kHeaderSize) {
    return fail("truncated or extended: the header says " + std::to_string(length) +
                " bytes of state, the file has " + std::to_string(data.size() - kHeaderSize));
  }
  std::string_view body = std::string_view(data).substr(kHeaderSize);
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(body.data()), body.size());
  if (std::memcmp(digest, data.data() + kHeaderSize - 32, 32) != 0) {
    return fail("checksum mismatch: the snapshot is corrupted");
  }
  Layout from;
  std::vector<Map> maps;
  if (!SnapshotIo::Parse(body, version, &from, &maps, &why)) return fail(why);
  SnapshotIo::Install(*this, from, maps);
  return true;
}

}  // namespace vigil::state
