// The string sets of rules (eval/sets.hpp): HashBytes reads the last bytes of
// a string by fixed loads (LoadTail), which must give a zero-padded copy of
// them on every length, and StrSet must find exactly its members.
#include "eval/sets.hpp"

#include <gtest/gtest.h>

#include <random>
#include <set>
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

}  // namespace
}  // namespace vigil::eval
