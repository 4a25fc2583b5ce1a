// A chunked bump allocator for per-event strings. Reset() keeps the chunks,
// so once warm an event or session allocates nothing; pointers handed out stay
// valid until the next Reset() because chunks never move.
#pragma once

#include <cstddef>
#include <cstring>
#include <memory>
#include <string_view>
#include <utility>
#include <vector>

namespace vigil {

class Arena {
 public:
  explicit Arena(size_t chunk_size = 4096) : chunk_size_(chunk_size) {}
  // With a first chunk of `first_size` bytes at `first`, which the caller
  // owns and keeps alive (and unmoved) as long as the arena: an Event puts its
  // strings right after its values, in one allocation (eval/event.hpp).
  // `first` must be aligned for anything asked of Allocate.
  Arena(char* first, size_t first_size, size_t chunk_size) : chunk_size_(chunk_size) {
    chunks_.push_back(Chunk{nullptr, first, first_size});
  }
  Arena(const Arena&) = delete;
  Arena& operator=(const Arena&) = delete;

  char* Allocate(size_t n, size_t align = 1) {
    size_t pad = (align - (used_ % align)) % align;
    if (current_ >= chunks_.size() || used_ + pad + n > chunks_[current_].size) {
      NextChunk(n + align);
      pad = 0;
    }
    char* p = chunks_[current_].data + used_ + pad;
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
    std::unique_ptr<char[]> owned;  // null for a caller's first chunk
    char* data;
    size_t size;
  };

  void NextChunk(size_t min_size) {
    // Reuse the next kept chunk if it is large enough; otherwise insert one.
    size_t next = chunks_.empty() ? 0 : current_ + 1;
    if (!chunks_.empty() && used_ == 0) next = current_;
    while (next < chunks_.size() && chunks_[next].size < min_size) ++next;
    if (next >= chunks_.size()) {
      size_t size = std::max(chunk_size_, min_size);
      auto owned = std::make_unique<char[]>(size);
      char* data = owned.get();
      chunks_.push_back(Chunk{std::move(owned), data, size});
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
