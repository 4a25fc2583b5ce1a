// The string sets of rules (eval/sets.hpp): HashBytes reads the last bytes of
// a string by fixed loads (LoadTail), which must give a zero-padded copy of
// them on every length, and StrSet must find exactly its members.
#include "eval/sets.hpp"

#include <gtest/gtest.h>

#include <random>
#include <set>
#include <vector>
#include <string>

namespace vigil::eval {
namespace {

// Every tail length, every byte value: the word is a zero-padded copy.
TEST(Sets, TailOfEveryLengthAsAZeroPaddedCopy) {
  std::mt19937 rng(7);
  for (size_t n = 1; n <= 7; ++n) {
    for (int k = 0; k < 200; ++k) {
      char bytes[8];
      for (char& c : bytes) c = static_cast<char>(rng());
      uint64_t copy = 0;
      std::memcpy(&copy, bytes, n);
      ASSERT_EQ(LoadTail(bytes, n), copy) << "n " << n;
    }
  }
}

TEST(Sets, StringSetFindsItsMembersOnly) {
  std::mt19937 rng(11);
  std::vector<std::string> members;
  std::set<std::string> all;
  for (int k = 0; k < 300; ++k) {
    std::string s(rng() % 12, 'a');
    for (char& c : s) c = static_cast<char>('a' + rng() % 4);
    if (all.insert(s).second) members.push_back(s);
  }
  StrSet set;
  set.Build(members);
  for (int k = 0; k < 3000; ++k) {
    std::string s(rng() % 13, 'a');
    for (char& c : s) c = static_cast<char>('a' + rng() % 4);
    const bool member = all.count(s) > 0;
    ASSERT_EQ(set.Contains(s), member) << s;
    ASSERT_EQ(set.Rank(s) >= 0, member) << s;
    if (member) {
      EXPECT_EQ(set.sorted()[static_cast<size_t>(set.Rank(s))], s);
    }
  }
}

// I64Set is a bitmap over [min, max] when that range is small, else a hash
// table: both must find exactly their members, at the ends of the range, one
// past them, and for values whose distance from min overflows an int64
// (the offset is taken unsigned and must wrap past the span, not into it).
TEST(Sets, IntSetFindsItsMembersOnlyAsABitmapAndAsAHashTable) {
  std::mt19937_64 rng(29);
  // Values built in uint64_t and converted (modular in C++20): no signed overflow.
  auto at = [](int64_t base, uint64_t offset) {
    return static_cast<int64_t>(static_cast<uint64_t>(base) + offset);
  };
  struct Shape {
    int64_t base;
    uint64_t range;  // members drawn from [base, base + range]
    size_t count;
    bool bitmap;     // what Build should choose
  };
  const Shape shapes[] = {
      {4816, 3179, 11, true},                 // v100's mcc set: 3,180 values apart
      {0, 63, 64, true},                      // every value of one word
      {-5, 10, 3, true},                      // negative values
      {INT64_MIN, 4000, 20, true},            // at the lower end
      {at(INT64_MAX, -uint64_t{4000}), 4000, 20, true},  // at the upper end
      {-1000000, 2000000, 20000, true},       // wide but dense: 100 bits a member
      {0, 1000000, 50, false},                // sparse
      {INT64_MIN, UINT64_MAX, 200, false},    // anywhere
      {7, 0, 1, true},                        // one member
  };
  for (const Shape& shape : shapes) {
    std::set<int64_t> members;
    std::vector<int64_t> values;
    while (members.size() < shape.count) {
      const uint64_t offset = shape.range == UINT64_MAX ? rng() : rng() % (shape.range + 1);
      const int64_t v = at(shape.base, offset);
      members.insert(v);
      values.push_back(v);  // duplicates too: Build drops them
    }
    // The range's ends are members when the range is spanned at all.
    if (shape.range != UINT64_MAX && shape.count > 1) {
      members.insert(shape.base);
      members.insert(at(shape.base, shape.range));
      values.push_back(shape.base);
      values.push_back(at(shape.base, shape.range));
    }
    I64Set set;
    set.Build(values);
    ASSERT_EQ(set.is_bitmap(), shape.bitmap) << shape.base << " +" << shape.range;
    ASSERT_EQ(set.size(), members.size());
    std::vector<int64_t> probes = {INT64_MIN, INT64_MIN + 1, -1, 0, 1, INT64_MAX - 1, INT64_MAX};
    for (int64_t m : members) {
      probes.push_back(m);
      probes.push_back(at(m, 1));
      probes.push_back(at(m, UINT64_MAX));  // m - 1
      probes.push_back(at(m, uint64_t{1} << 63));  // as far as can be
      probes.push_back(at(m, 64));
    }
    for (int k = 0; k < 2000; ++k) {
      probes.push_back(static_cast<int64_t>(rng()));
      probes.push_back(at(shape.base, rng() % (shape.range == UINT64_MAX ? 1000 : shape.range + 130)));
    }
    for (int64_t v : probes) {
      ASSERT_EQ(set.Contains(v), members.count(v) > 0) << v << " in a set from " << shape.base;
    }
  }
  I64Set empty;
  empty.Build({});
  EXPECT_FALSE(empty.Contains(0));
  EXPECT_FALSE(empty.Contains(INT64_MIN));
}

}  // namespace
}  // namespace vigil::eval
