// External lists (`list NAME: set<T> external`): sets the host supplies and
// replaces at run time, without recompiling and without pausing evaluation
// on other threads. A replacement is built aside and published with one
// atomic store; an evaluation that started with the old contents finishes
// with them. Until the host supplies a list, `x in NAME` is unknown (a rule
// needing it does not fire), never a silent "not in the list".
#pragma once

#include <atomic>
#include <memory>
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
};

struct ExternalList {
  std::string name;
  Kind kind = Kind::kString;
  bool hashed = false;
  Normalization normalization = Normalization::kNone;
  std::string hmac_key;
  // Replaced whole by ReplaceExternalList; read by every evaluation.
  mutable std::atomic<std::shared_ptr<const ExternalSet>> current;
};

// Parses `values` as the list's element type (as a list file's lines are
// parsed; hashed lists take 64-hex-digit digests) and publishes them. On a
// bad value, returns false and says which, leaving the list as it was.
bool ReplaceExternalList(const ExternalList& list, const std::vector<std::string_view>& values,
                         std::string* error);

}  // namespace vigil::eval
