// A chunked bump allocator for per-event strings. Reset() keeps the chunks,
// so once warm an event or session allocates nothing; pointers handed out stay
// valid until the next Reset() because chunks never move.
#pragma once

#include <cstddef>
#include <cstring>
#include <memory>
#include <string_view>
#include <vector>

namespace vigil {

class Arena {
 public:
  explicit Arena(size_t chunk_size = 4096) : chunk_size_(chunk_size) {}
  Arena(const Arena&) = delete;
  Arena& operator=(const Arena&) = delete;

  char* Allocate(size_t n, size_t align = 1) {
    size_t pad = (align - (used_ % align)) % align;
    if (current_ >= chunks_.size() || used_ + pad + n > chunks_[current_].size) {
      NextChunk(n + align);
      pad = 0;
    }
    char* p = chunks_[current_].data.get() + used_ + pad;
    used_ += pad + n;
    return p;
  }

  std::string_view Copy(std::string_view s) {
    if (s.empty()) return std::string_view();
    char* p = Allocate(s.size());
    std::memcpy(p, s.data(), s.size());
    return std::string_view(p, s.size());
  }

  void Reset() {
    current_ = 0;
    used_ = 0;
  }

  size_t capacity() const {
    size_t total = 0;
    for (const auto& c : chunks_) total += c.size;
    return total;
  }

 private:
  struct Chunk {
    std::unique_ptr<char[]> data;
    size_t size;
  };

  void NextChunk(size_t min_size) {
    // Reuse the next kept chunk if it is large enough; otherwise insert one.
    size_t next = chunks_.empty() ? 0 : current_ + 1;
    if (!chunks_.empty() && used_ == 0) next = current_;
    while (next < chunks_.size() && chunks_[next].size < min_size) ++next;
    if (next >= chunks_.size()) {
      size_t size = std::max(chunk_size_, min_size);
      chunks_.push_back(Chunk{std::make_unique<char[]>(size), size});
      next = chunks_.size() - 1;
    }
    current_ = next;
    used_ = 0;
  }

  size_t chunk_size_;
  std::vector<Chunk> chunks_;
  size_t current_ = 0;
  size_t used_ = 0;
};

}  // namespace vigil
