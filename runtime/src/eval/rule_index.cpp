#include "eval/rule_index.hpp"

#include <algorithm>
#include <climits>
#include <cstring>
#include <map>

#include "base/bytes.hpp"

namespace vigil::eval {

namespace {

using plan::CmpOp;
using plan::Compare;


// Truth of a string atom for one class: `value` is the class's string, or
// null for "any string that is no constant of this field".
bool StringAtomHolds(const RuleIndex::Atom& a, const std::string* value) {
  bool t;
  if (a.is_set) {
    t = value != nullptr && std::binary_search(a.strs.begin(), a.strs.end(), *value);
  } else {
    // Only == and != are atoms on strings: another string equals no constant.
    bool equal = value != nullptr && *value == a.strs[0];
    t = a.cmp == CmpOp::kEq ? equal : !equal;
  }
  return t != a.negated;
}

// Truth of a numeric atom for one class, given as twice a representative
// value: 2p for the constant p, an odd number for an open interval between
// constants (the doubling makes "between" an integer, and __int128 keeps it
// exact at the ends of int64).
bool NumberAtomHolds(const RuleIndex::Atom& a, __int128 rep2) {
  bool t;
  if (a.is_set) {
    t = rep2 % 2 == 0 &&
        std::binary_search(a.ints.begin(), a.ints.end(), static_cast<int64_t>(rep2 / 2));
  } else {
    t = Compare(a.cmp, rep2, static_cast<__int128>(a.ints[0]) * 2);
  }
  return t != a.negated;
}

}  // namespace

std::vector<bool> RuleIndex::Build(const std::vector<Atom>& atoms, size_t rule_count) {
  words_ = (rule_count + 63) / 64;
  all_rules_.assign(words_, ~uint64_t{0});
  if (rule_count % 64 != 0) all_rules_.back() = (uint64_t{1} << (rule_count % 64)) - 1;

  std::vector<bool> decided(atoms.size(), false);
  std::map<uint32_t, std::vector<size_t>> by_slot;  // field slot → its atoms, in order
  for (size_t i = 0; i < atoms.size(); ++i) by_slot[atoms[i].slot].push_back(i);

  std::vector<bool> rule_indexed(rule_count, false);
  for (auto& [slot, ids] : by_slot) {
    FieldIndex f;
    f.slot = slot;
    f.is_string = atoms[ids[0]].is_string;
    std::vector<std::string> strs;
    std::vector<int64_t> ints;
    for (size_t i : ids) {
      strs.insert(strs.end(), atoms[i].strs.begin(), atoms[i].strs.end());
      ints.insert(ints.end(), atoms[i].ints.begin(), atoms[i].ints.end());
    }
    std::sort(ints.begin(), ints.end());
    ints.erase(std::unique(ints.begin(), ints.end()), ints.end());
    size_t constants = 0;
    if (f.is_string) {
      f.strings.Build(std::move(strs));
      constants = f.strings.size();
      f.classes = static_cast<uint32_t>(constants + 2);  // each constant, other, missing
    } else {
      f.points = std::move(ints);
      constants = f.points.size();
      f.classes = static_cast<uint32_t>(2 * constants + 2);  // points, gaps, above, missing
    }
    size_t bytes = (bits_.size() + f.classes * words_) * sizeof(uint64_t);
    if (f.classes > kMaxClassesPerField || bytes > kMaxBytes || fields_.size() > UINT16_MAX) {
      continue;  // left to the evaluator (a Lookup numbers its field in 16 bits)
    }

    f.offset = bits_.size();
    bits_.resize(bits_.size() + f.classes * words_);
    uint64_t* base = bits_.data() + f.offset;
    for (uint32_t c = 0; c < f.classes; ++c) {
      std::copy(all_rules_.begin(), all_rules_.end(), base + c * words_);
    }
    // Rules with atoms on this field: a class keeps the rule's bit only when
    // all of the rule's atoms on the field hold there. "Missing" (the last
    // class) holds none: an atom on a missing field is unknown.
    std::map<uint32_t, std::vector<size_t>> by_rule;
    for (size_t i : ids) by_rule[atoms[i].rule].push_back(i);
    const uint32_t missing = f.classes - 1;
    for (auto& [rule, rule_atoms] : by_rule) {
      const uint64_t bit = uint64_t{1} << (rule % 64);
      for (uint32_t c = 0; c < f.classes; ++c) {
        bool holds = c != missing;
        for (size_t i = 0; holds && i < rule_atoms.size(); ++i) {
          const Atom& a = atoms[rule_atoms[i]];
          if (f.is_string) {
            holds = StringAtomHolds(a, c < constants ? &f.strings.sorted()[c] : nullptr);
          } else {
            __int128 rep2 = f.points.empty()    ? 0  // `F in {}`: no constant at all
                            : c % 2 == 1        ? static_cast<__int128>(f.points[c / 2]) * 2
                            : c / 2 < constants ? static_cast<__int128>(f.points[c / 2]) * 2 - 1
                                                : static_cast<__int128>(f.points.back()) * 2 + 1;
            holds = NumberAtomHolds(a, rep2);
          }
        }
        if (!holds) base[c * words_ + rule / 64] &= ~bit;
      }
    }
    size_t set = 0;
    for (size_t w = 0; w < (f.classes - 1) * words_; ++w) set += __builtin_popcountll(base[w]);
    f.density = static_cast<double>(set) / static_cast<double>((f.classes - 1) * rule_count);
    if (f.density > kMaxDensity) {
      // Too few rules are excluded by this field for its lookup and row to
      // pay: its atoms stay with the evaluator.
      bits_.resize(f.offset);
      continue;
    }
    for (auto& [rule, rule_atoms] : by_rule) {
      rule_indexed[rule] = true;
      for (size_t i : rule_atoms) decided[i] = true;
    }
    fields_.push_back(std::move(f));
  }
  // The most selective fields first, so that the first rows read decide
  // the most (and a profile shows which field does what).
  std::stable_sort(fields_.begin(), fields_.end(),
                   [](const FieldIndex& a, const FieldIndex& b) { return a.density < b.density; });
  indexed_rules_ = static_cast<size_t>(std::count(rule_indexed.begin(), rule_indexed.end(), true));
  MakeLookups();
  return decided;
}

namespace {

// A string of at most 8 bytes as a zero-padded little-endian word, reading
// none of the bytes after it (an event's string may end its buffer).
inline uint64_t ShortKey(const char* p, size_t n) {
  return LoadTailLittleEndian(reinterpret_cast<const unsigned char*>(p), n);
}

// The slot of a short string in its field's table: the top bits of a
// product, which depend on every bit of the bytes and the length.
inline uint64_t ShortSlot(uint64_t key, uint64_t len, uint64_t mult, unsigned shift) {
  return ((key ^ len) * mult) >> shift;
}

constexpr uint64_t kEmptySlot = 0xFFFFFFFF;  // no string is this long

}  // namespace

// Whether sorted `points` get a class table over their range: a few values
// a point at most (the table's one load then costs no more cache than the
// search's), and room for a value below and above them.
bool RuleIndex::SmallRange(const std::vector<int64_t>& points) {
  if (points.empty() || points.front() == INT64_MIN || points.back() == INT64_MAX) return false;
  const uint64_t entries =
      static_cast<uint64_t>(points.back()) - static_cast<uint64_t>(points.front()) + 3;
  return entries >= 3 && entries <= kMaxRangeEntries &&
         entries <= kMaxRangeEntriesPerPoint * points.size();
}

// Each field's lookup. A field whose constants are all of at most 8 bytes
// (country codes, channels, currencies) gets a table in which each constant
// has a slot to itself (a perfect hash: a multiplier is tried until no two
// constants share a slot), so that an event's string is found by one hash of
// one word, one load and one compare, with no loop and no compare of bytes
// in memory; a field with a longer constant, or whose constants no tried
// multiplier separates, keeps the StrSet probe.
void RuleIndex::MakeLookups() {
  lookups_.clear();
  tables_.clear();
  ranges_.clear();
  for (size_t k = 0; k < fields_.size(); ++k) {
    const FieldIndex& f = fields_[k];
    Lookup l;
    l.at = static_cast<uint32_t>(f.slot * sizeof(Value));
    l.missing = f.classes - 1;
    l.rows = static_cast<uint32_t>(f.offset);
    l.table = static_cast<uint32_t>(tables_.size());
    l.field = static_cast<uint16_t>(k);
    if (!f.is_string && SmallRange(f.points)) {
      // A class per value from one below the first point to one above the
      // last (mcc, account_age_days): the lookup is a clamp and one load
      // instead of a step per halving of the points. What ClassOf gives.
      l.kind = kSmallRange;
      const int64_t lo = f.points.front() - 1;
      const int64_t hi = f.points.back() + 1;
      l.mult = static_cast<uint64_t>(lo);
      l.n = static_cast<uint32_t>(hi - lo);
      l.table = static_cast<uint32_t>(ranges_.size());
      // Filled by ClassOf itself (a search per value, at load only), so
      // the table cannot disagree with the reference lookup.
      for (int64_t x = lo;; ++x) {
        ranges_.push_back(static_cast<uint16_t>(ClassOf(f, Value::Int(x))));
        if (x == hi) break;
      }
      lookups_.push_back(l);
      continue;
    }
    if (!f.is_string) {
      // The points, then INT64_MAX (never below a value, never equal to
      // one taken as a point's) up to a power of two entries, at least one:
      // the search below halves that power each step.
      l.kind = kNumber;
      l.n = static_cast<uint32_t>(f.points.size());
      unsigned log2 = 0;
      while ((size_t{1} << log2) < f.points.size() + 1) ++log2;
      l.shift = static_cast<uint8_t>(log2);
      for (int64_t p : f.points) tables_.push_back(static_cast<uint64_t>(p));
      tables_.resize(tables_.size() + (size_t{1} << log2) - f.points.size(),
                     static_cast<uint64_t>(INT64_MAX));
      lookups_.push_back(l);
      continue;
    }
    l.kind = kString;
    l.n = static_cast<uint32_t>(f.strings.size());
    const std::vector<std::string>& strs = f.strings.sorted();
    constexpr size_t kMaxShortConstants = 1024;
    bool short_strings = strs.size() <= kMaxShortConstants;
    std::vector<uint64_t> keys;
    for (const std::string& s : strs) {
      short_strings = short_strings && s.size() <= 8;
      if (short_strings) keys.push_back(ShortKey(s.data(), s.size()));
    }
    if (short_strings) {
      // Deterministic (a fixed seed), so a rule set always gets the same
      // tables. Slots from twice the constants up to 32 times, 64
      // multipliers at each size.
      uint64_t seed = 0x243F6A8885A308D3ull;
      auto next = [&seed] {  // splitmix64
        uint64_t z = (seed += 0x9E3779B97F4A7C15ull);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        return z ^ (z >> 31);
      };
      unsigned log2 = 1;
      while ((size_t{1} << log2) < 2 * strs.size()) ++log2;
      bool found = false;
      std::vector<uint8_t> used;
      for (unsigned size = log2; size <= log2 + 4 && !found; ++size) {
        for (int attempt = 0; attempt < 64 && !found; ++attempt) {
          const uint64_t mult = next() | 1;
          const unsigned shift = 64 - size;
          used.assign(size_t{1} << size, 0);
          found = true;
          for (size_t i = 0; i < keys.size() && found; ++i) {
            uint8_t& u = used[ShortSlot(keys[i], strs[i].size(), mult, shift)];
            found = u == 0;
            u = 1;
          }
          if (found) {
            l.kind = kShortString;
            l.mult = mult;
            l.shift = static_cast<uint8_t>(shift);
            const size_t base = tables_.size();
            for (size_t i = 0; i < (size_t{1} << size); ++i) {
              tables_.push_back(0);
              tables_.push_back(kEmptySlot);
            }
            for (size_t i = 0; i < keys.size(); ++i) {
              uint64_t* slot =
                  tables_.data() + base + 2 * ShortSlot(keys[i], strs[i].size(), mult, shift);
              slot[0] = keys[i];
              slot[1] = strs[i].size() | (static_cast<uint64_t>(i) << 32);  // its rank, its class
            }
          }
        }
      }
    }
    lookups_.push_back(l);
  }
  str_set_lookups_ = std::any_of(lookups_.begin(), lookups_.end(),
                                 [](const Lookup& l) { return l.kind == kString; });
}

std::vector<RuleIndex::FieldShape> RuleIndex::field_shapes() const {
  std::vector<FieldShape> shapes;
  for (const FieldIndex& f : fields_) {
    shapes.push_back({f.is_string, f.is_string ? f.strings.size() : f.points.size()});
  }
  return shapes;
}

inline uint32_t RuleIndex::ClassOf(const FieldIndex& f, const Value& v) const {
  if (f.is_string) {
    if (!v.present) return f.classes - 1;
    int64_t rank = f.strings.Rank(v.str());
    return rank >= 0 ? static_cast<uint32_t>(rank) : f.classes - 2;
  }
  if (!v.present) return f.classes - 1;
  auto it = std::lower_bound(f.points.begin(), f.points.end(), v.i);
  auto i = static_cast<uint32_t>(it - f.points.begin());
  return it != f.points.end() && *it == v.i ? 2 * i + 1 : 2 * i;
}

void RuleIndex::CandidatesReference(const Value* fields, uint64_t* out) const {
  std::copy(all_rules_.begin(), all_rules_.end(), out);
  for (const FieldIndex& f : fields_) {
    const uint64_t* row = bits_.data() + f.offset + size_t{ClassOf(f, fields[f.slot])} * words_;
    for (size_t w = 0; w < words_; ++w) out[w] &= row[w];
  }
}

static_assert(RuleIndex::kMaxClassesPerField <= 4096,
              "a number's search below unrolls steps for at most 2^12 entries");

// Candidates for a rule set of kWords words (0: words_, known only at run
// time). One or two words (up to 128 rules, the common sizes) are ANDed in
// registers, without a loop. kStrSet: some field is looked up in its StrSet
// (kString), a call. Without one the loop makes no call, so that nothing
// it keeps (the lookup, the accumulated words, the tables) has to live in
// callee-saved registers: with the call GCC ran out of them and kept the
// lookup pointer on the stack, each step's loads waiting on a store to it.
template <size_t kWords, bool kStrSet>
bool RuleIndex::CandidatesOf(const Value* fields, uint64_t* out) const {
  const size_t n = kWords != 0 ? kWords : words_;
  const char* values = reinterpret_cast<const char*>(fields);
  const uint64_t* bits = bits_.data();
  const uint64_t* tables = tables_.data();
  const uint16_t* ranges = ranges_.data();
  // An event's class in one field, forced inline: GCC made it a call in
  // CandidatesOf<0, ...>, which has two uses of it (the first field, the others).
  auto class_of = [&](const Lookup& l) __attribute__((always_inline)) -> uint32_t {
    const Value& v = *reinterpret_cast<const Value*>(values + l.at);
    switch (l.kind) {
      case kNumber: {
        // How many points are below x: a binary search over the table's
        // 2^shift entries, one unrolled step per halving, each a
        // conditional add rather than a branch (std::lower_bound's branch
        // on each comparison goes either way at random: a misprediction
        // every other step). The only branch is the jump into the steps,
        // the same for every event. Every value of an event is initialised,
        // so a missing number is searched like any other and its class
        // replaced at the end.
        const int64_t x = v.i;
        const uint64_t* points = tables + l.table;
        size_t i = 0;
        auto step = [&](size_t s) { i += static_cast<int64_t>(points[i + s - 1]) < x ? s : 0; };
        switch (l.shift) {
          case 12: step(2048); [[fallthrough]];
          case 11: step(1024); [[fallthrough]];
          case 10: step(512); [[fallthrough]];
          case 9: step(256); [[fallthrough]];
          case 8: step(128); [[fallthrough]];
          case 7: step(64); [[fallthrough]];
          case 6: step(32); [[fallthrough]];
          case 5: step(16); [[fallthrough]];
          case 4: step(8); [[fallthrough]];
          case 3: step(4); [[fallthrough]];
          case 2: step(2); [[fallthrough]];
          case 1: step(1); [[fallthrough]];
          default: break;
        }
        // i is the first point not below x (l.n when none), and the class
        // says whether it is x.
        const uint32_t c = static_cast<uint32_t>(
            2 * i + ((i < l.n) & (static_cast<int64_t>(points[i]) == x)));
        return v.present ? c : l.missing;
      }
      case kShortString: {
        if (!v.present) return l.missing;
        const size_t len = v.s.len;
        if (len > 8) return l.n;  // longer than every constant: "any other string"
        const uint64_t key = ShortKey(v.s.ptr, len);
        const uint64_t* slot = tables + l.table + 2 * ShortSlot(key, len, l.mult, l.shift);
        return slot[0] == key && static_cast<uint32_t>(slot[1]) == len
                   ? static_cast<uint32_t>(slot[1] >> 32)
                   : l.n;
      }
      case kString:
        if constexpr (kStrSet) return ClassOf(fields_[l.field], v);
        [[fallthrough]];  // never: no kString lookup without kStrSet (MakeLookups)
      case kSmallRange:
      default: {
        // Clamped (by conditional moves), so that any value, a missing
        // one's too, reads inside the table.
        const int64_t lo = static_cast<int64_t>(l.mult);
        const int64_t hi = lo + static_cast<int64_t>(l.n);
        int64_t x = v.i;
        x = x < lo ? lo : x;
        x = x > hi ? hi : x;
        const uint32_t c = ranges[l.table + static_cast<uint64_t>(x - lo)];
        return v.present ? c : l.missing;
      }
    }
  };
  // The most selective fields come first, and once no rule is left the
  // other fields are not looked up: like hand-written code that stops at
  // the first false predicate.
  const Lookup* l = lookups_.data();
  const Lookup* const end = l + lookups_.size();
  if constexpr (kWords != 0) {
    // Every row has the bits past the last rule clear, so starting from all
    // ones is starting from all rules.
    uint64_t acc[kWords];
    for (size_t w = 0; w < kWords; ++w) acc[w] = ~uint64_t{0};
    uint64_t any;
    do {
      const uint64_t* row = bits + l->rows + size_t{class_of(*l)} * kWords;
      any = 0;
      for (size_t w = 0; w < kWords; ++w) any |= acc[w] &= row[w];
    } while (any != 0 && ++l != end);
    for (size_t w = 0; w < kWords; ++w) out[w] = acc[w];
    return any != 0;
  } else {
    const uint64_t* row = bits + l->rows + size_t{class_of(*l)} * n;
    uint64_t any = 0;
    for (size_t w = 0; w < n; ++w) any |= out[w] = row[w];
    for (++l; l != end && any != 0; ++l) {
      row = bits + l->rows + size_t{class_of(*l)} * n;
      any = 0;
      for (size_t w = 0; w < n; ++w) any |= out[w] &= row[w];
    }
    return any != 0;
  }
}

// CandidatesOf for the rule set's row width: one or two words unrolled, any
// other in a loop (at 10,000 rules a row is 157 words: the ANDs vectorise).
template <bool kStrSet>
bool RuleIndex::CandidatesSized(const Value* fields, uint64_t* out) const {
  switch (words_) {
    case 1:
      return CandidatesOf<1, kStrSet>(fields, out);
    case 2:
      return CandidatesOf<2, kStrSet>(fields, out);
    default:
      return CandidatesOf<0, kStrSet>(fields, out);
  }
}

bool RuleIndex::Candidates(const Value* fields, uint64_t* out) const {
  if (lookups_.empty()) {
    std::copy(all_rules_.begin(), all_rules_.end(), out);
    return words_ != 0;  // all_rules_ has a bit for every rule
  }
  return str_set_lookups_ ? CandidatesSized<true>(fields, out) : CandidatesSized<false>(fields, out);
}

}  // namespace vigil::eval
