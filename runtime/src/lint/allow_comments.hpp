// `# vigil: allow CODE [CODE...]` comments, indexed once per file so that
// deciding whether a warning is silenced costs a binary search, not a scan
// of its rule's text (a file of 100,000 rules on one line would otherwise
// make linting quadratic).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "base/source.hpp"

namespace vigil::lint {

class AllowComments {
 public:
  explicit AllowComments(const SourceManager& sources) : sources_(sources) {}

  // Whether a comment allowing `code` ("W5003") lies inside `scope` or on
  // the line just above where it starts.
  bool Allows(SourceRange scope, const std::string& code);

 private:
  // Per file: for each code, the sorted offsets of the comments allowing it.
  using FileIndex = std::unordered_map<std::string, std::vector<uint32_t>>;
  const FileIndex& IndexOf(uint32_t file);

  const SourceManager& sources_;
  std::unordered_map<uint32_t, FileIndex> files_;
};

}  // namespace vigil::lint
