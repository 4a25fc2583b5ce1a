#include "eval/rule_index.hpp"

#include <algorithm>
#include <map>

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
    if (f.classes > kMaxClassesPerField || bytes > kMaxBytes) continue;  // left to the evaluator

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
  return decided;
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

void RuleIndex::Candidates(const Value* fields, uint64_t* out) const {
  const size_t n = words_;
  if (fields_.empty()) {
    std::copy(all_rules_.begin(), all_rules_.end(), out);
    return;
  }
  // Dense ANDs over whole rows: the compiler vectorises them, and at 10,000
  // rules a row is 157 words, so the rows of one event stay in cache. The
  // most selective fields come first, and once no rule is left the other
  // fields are not looked up: like hand-written code that stops at the
  // first false predicate, most events of a small rule set need only a
  // field or two.
  auto row = [&](const FieldIndex& f) {
    return bits_.data() + f.offset + size_t{ClassOf(f, fields[f.slot])} * n;
  };
  const uint64_t* first = row(fields_[0]);
  uint64_t any = 0;
  for (size_t w = 0; w < n; ++w) any |= out[w] = first[w];
  for (size_t k = 1; k < fields_.size() && any != 0; ++k) {
    const uint64_t* r = row(fields_[k]);
    any = 0;
    for (size_t w = 0; w < n; ++w) any |= out[w] &= r[w];
  }
}

}  // namespace vigil::eval
