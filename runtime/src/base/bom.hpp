// The UTF-8 byte-order mark. Editors on some systems start text files with
// EF BB BF; it is not content. Every text input vigil reads (rule files and
// the files they import, list files, `vigil list hash` input, event and
// fixture files, override files, a JSON event given to the C ABI) skips one
// BOM at its very start through this function, and nowhere else: a BOM in the
// middle of a text is content and is treated as such (docs/language.md).
#pragma once

#include <string>
#include <string_view>

namespace vigil {

inline constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";

// `text` without a BOM at its start.
inline std::string_view SkipUtf8Bom(std::string_view text) {
  return text.starts_with(kUtf8Bom) ? text.substr(kUtf8Bom.size()) : text;
}

// The same, in place, for inputs read into a string.
inline void StripUtf8Bom(std::string& text) {
  text.erase(0, text.size() - SkipUtf8Bom(text).size());
}

}  // namespace vigil
