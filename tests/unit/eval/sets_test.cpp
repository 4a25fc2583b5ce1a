// The string sets of rules (eval/sets.hpp): HashBytes reads the last bytes of
// a string by fixed loads; it must give the value of the plain definition
// (a zero-padded copy of the tail) on every length, and StrSet must find
// exactly its members.
#include "eval/sets.hpp"

#include <gtest/gtest.h>

#include <random>
#include <set>
#include <string>

namespace vigil::eval {
namespace {

uint64_t PlainHash(std::string_view s) {
  uint64_t h = 0x9E3779B97F4A7C15ull ^ s.size();
  size_t i = 0;
  for (; i + 8 <= s.size(); i += 8) {
    uint64_t chunk;
    std::memcpy(&chunk, s.data() + i, 8);
    h = (h ^ chunk) * 0xff51afd7ed558ccdull;
    h ^= h >> 32;
  }
  if (i < s.size()) {
    uint64_t chunk = 0;
    std::memcpy(&chunk, s.data() + i, s.size() - i);
    h = (h ^ chunk) * 0xff51afd7ed558ccdull;
  }
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ull;
  h ^= h >> 33;
  return h;
}

TEST(Sets, HashOfEveryLength) {
  std::mt19937 rng(7);
  for (size_t length = 0; length <= 40; ++length) {
    for (int k = 0; k < 50; ++k) {
      std::string s(length, '\0');
      for (char& c : s) c = static_cast<char>(rng());
      ASSERT_EQ(HashBytes(s), PlainHash(s)) << "length " << length;
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
    if (member) EXPECT_EQ(set.sorted()[static_cast<size_t>(set.Rank(s))], s);
  }
}

}  // namespace
}  // namespace vigil::eval
