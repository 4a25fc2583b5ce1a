// A memory resource for tests of the state's raw blocks: forwards to
// new/delete and remembers what is out, so that a block freed with another
// size or alignment than it was taken with, freed twice, or never freed,
// fails the test that owns the resource.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <map>
#include <memory_resource>
#include <utility>

namespace vigil::testing {

class CheckedResource : public std::pmr::memory_resource {
 public:
  ~CheckedResource() override { EXPECT_TRUE(out_.empty()) << out_.size() << " blocks leaked"; }
  size_t out() const { return out_.size(); }

 private:
  void* do_allocate(size_t bytes, size_t align) override {
    void* p = std::pmr::new_delete_resource()->allocate(bytes, align);
    EXPECT_EQ(reinterpret_cast<uintptr_t>(p) % align, 0u);
    out_[p] = {bytes, align};
    return p;
  }
  void do_deallocate(void* p, size_t bytes, size_t align) override {
    auto it = out_.find(p);
    ASSERT_NE(it, out_.end()) << "a block freed twice or never allocated";
    EXPECT_EQ(it->second.first, bytes);
    EXPECT_EQ(it->second.second, align);
    out_.erase(it);
    std::pmr::new_delete_resource()->deallocate(p, bytes, align);
  }
  bool do_is_equal(const memory_resource& other) const noexcept override { return this == &other; }

  std::map<void*, std::pair<size_t, size_t>> out_;
};

}  // namespace vigil::testing
