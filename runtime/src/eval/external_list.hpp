// External lists (`list NAME: set<T> external`): sets the host supplies and
// replaces at run time, without recompiling and without pausing evaluation
// on other threads. A replacement is built aside, published under a mutex
// and announced by bumping an atomic version. Each session keeps its own
// reference to the contents it uses and compares versions once per event (a
// plain atomic load: readers never write shared memory or take the lock
// until the list has changed), so evaluating threads do not contend, and
// every rule of one event sees the same contents.
// Until the host supplies a list, `x in NAME` is unknown (a rule needing it
// does not fire), never a silent "not in the list".
#pragma once

#include <atomic>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "base/list_hash.hpp"
#include "eval/sets.hpp"
#include "eval/types.hpp"

namespace vigil::eval {

struct ExternalSet {
  StrSet strs;  // string lists; hashed lists hold lowercase hex digests
  I64Set ints;  // int, decimal (units), time, duration lists
  std::string digest;  // SetDigest of the entries, for evidence records
  size_t size = 0;
};

struct ExternalList {
  std::string name;
  Kind kind = Kind::kString;
  bool hashed = false;
  ListDigest digest;  // for hashed lists: how a value becomes a digest
  // Replaced whole by ReplaceExternalList.
  mutable std::mutex mu;
  mutable std::shared_ptr<const ExternalSet> current;  // guarded by mu
  mutable std::atomic<uint64_t> version{0};            // bumped after each replacement

  std::shared_ptr<const ExternalSet> Load() const {
    std::lock_guard<std::mutex> lock(mu);
    return current;
  }
};

// A session's view of one external list: the contents as of `version`.
struct ExternalView {
  uint64_t version = 0;
  std::shared_ptr<const ExternalSet> set;

  const ExternalSet* Refresh(const ExternalList& list) {
    const uint64_t now = list.version.load(std::memory_order_acquire);
    if (now != version) {
      set = list.Load();
      version = now;
    }
    return set.get();
  }
};

// The external list named `name`, or null.
const ExternalList* FindExternalList(const std::deque<ExternalList>& lists, std::string_view name);

// Parses `values` as the list's element type (as a list file's lines are
// parsed; hashed lists take 64-hex-digit digests) and publishes them. On a
// bad value, returns false and says which ("value N (...)"; its index also in
// `*bad_index` when given, so a caller can name the line of a file),
// leaving the list as it was.
bool ReplaceExternalList(const ExternalList& list, const std::vector<std::string_view>& values,
                         std::string* error, size_t* bad_index = nullptr);

}  // namespace vigil::eval
