// Arena (base/arena.hpp) with a caller's first chunk: what fits goes there,
// what does not goes to chunks of the arena's own, and Reset starts again at
// the caller's chunk (an Event's strings right after its values, eval/event.hpp).
#include <gtest/gtest.h>

#include <cstring>
#include <string>

#include "base/arena.hpp"

namespace vigil {
namespace {

bool Within(const char* p, size_t n, const char* begin, size_t size) {
  return p >= begin && p + n <= begin + size;
}

TEST(Arena, AFirstChunkOfTheCallersIsUsedFirstAndAfterEachReset) {
  alignas(16) char first[64];
  Arena arena(first, sizeof(first), 128);
  EXPECT_EQ(arena.capacity(), 64u);
  for (int round = 0; round < 3; ++round) {
    std::string_view a = arena.Copy("abcdefgh");
    EXPECT_EQ(a.data(), first) << "round " << round;
    EXPECT_EQ(a, "abcdefgh");
    char* b = arena.Allocate(16, 8);
    EXPECT_EQ(b, first + 8);  // 8 is aligned already: no padding
    // 24 bytes are used; 41 more do not fit in the 64: a chunk of its own,
    // and the first chunk's bytes stay as they were.
    std::string forty(41, 'x');
    std::string_view c = arena.Copy(forty);
    EXPECT_FALSE(Within(c.data(), c.size(), first, sizeof(first)));
    EXPECT_EQ(c, forty);
    EXPECT_EQ(std::string_view(first, 8), "abcdefgh");
    EXPECT_EQ(arena.capacity(), 64u + 128u);  // the second chunk is kept, not remade
    arena.Reset();
  }
}

TEST(Arena, AnAllocationLargerThanTheFirstChunkSkipsIt) {
  alignas(16) char first[32];
  Arena arena(first, sizeof(first), 64);
  char* big = arena.Allocate(100);
  EXPECT_FALSE(Within(big, 100, first, sizeof(first)));
  std::memset(big, 1, 100);
  arena.Reset();
  EXPECT_EQ(arena.Allocate(8), first);
}

}  // namespace
}  // namespace vigil
