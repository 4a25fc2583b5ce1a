#include "base/json_writer.hpp"

#include <cstring>

#include "base/json_scan.hpp"

namespace vigil {

namespace {

// Whether a byte must be written as an escape.
struct NeedsEscape {
  bool escape[256] = {};
  constexpr NeedsEscape() {
    for (int c = 0; c < 0x20; ++c) escape[c] = true;
    escape[static_cast<unsigned char>('"')] = true;
    escape[static_cast<unsigned char>('\\')] = true;
  }
};
constexpr NeedsEscape kNeedsEscape;

}  // namespace

void AppendJsonString(std::string_view s, std::string& out) {
  static const char kHex[] = "0123456789abcdef";
  // Nearly every string (ids, decisions, rule names) is plain ASCII without
  // a byte to escape: then it is written with its quotes in one append.
  // A short one is put together with its quotes in a buffer on the stack
  // (PutPlainJsonString) and appended in one call.
  if (s.size() <= 62) {
    char quoted[64 + 16];
    if (const char* e = PutPlainJsonString(s, quoted, quoted + sizeof quoted)) {
      out.append(quoted, static_cast<size_t>(e - quoted));
      return;
    }
  } else if (json_scan::FindStringStop(s.data(), s.data() + s.size()) == s.data() + s.size()) {
    out.reserve(out.size() + s.size() + 2);
    out += '"';
    out.append(s);
    out += '"';
    return;
  }
  out += '"';
  // Runs of bytes that need no escape (nearly every string) are appended
  // whole rather than a byte at a time.
  size_t run = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    auto c = static_cast<unsigned char>(s[i]);
    if (!kNeedsEscape.escape[c]) continue;
    out.append(s.data() + run, i - run);
    run = i + 1;
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        out += "\\u00";
        out += kHex[c >> 4];
        out += kHex[c & 15];
    }
  }
  out.append(s.data() + run, s.size() - run);
  out += '"';
}

}  // namespace vigil
