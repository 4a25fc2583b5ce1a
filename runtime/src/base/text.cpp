#include "base/text.hpp"

#include "base/utf8.hpp"

namespace vigil::text {

char32_t ToLower(char32_t c) {
  if (c < 0x80) return (c >= 'A' && c <= 'Z') ? c + 32 : c;
  if (c >= 0xC0 && c <= 0xDE && c != 0xD7) return c + 0x20;
  if ((c >= 0x100 && c <= 0x137) || (c >= 0x14A && c <= 0x177)) return c | 1;
  if ((c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17E)) return (c & 1) ? c + 1 : c;
  if (c >= 0x391 && c <= 0x3A9 && c != 0x3A2) return c + 0x20;
  if (c >= 0x410 && c <= 0x42F) return c + 0x20;
  if (c >= 0x400 && c <= 0x40F) return c + 0x50;
  return c;
}

char32_t ToUpper(char32_t c) {
  if (c < 0x80) return (c >= 'a' && c <= 'z') ? c - 32 : c;
  if (c >= 0xE0 && c <= 0xFE && c != 0xF7) return c - 0x20;
  if ((c >= 0x100 && c <= 0x137) || (c >= 0x14A && c <= 0x177)) return c & ~char32_t{1};
  if ((c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17E)) return (c & 1) ? c : c - 1;
  if (c >= 0x3B1 && c <= 0x3C9 && c != 0x3C2) return c - 0x20;
  if (c >= 0x430 && c <= 0x44F) return c - 0x20;
  if (c >= 0x450 && c <= 0x45F) return c - 0x50;
  return c;
}

namespace {

template <char32_t (*Map)(char32_t)>
size_t MapInto(std::string_view s, char* out) {
  size_t i = 0;
  size_t n = 0;
  while (i < s.size()) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      out[n++] = static_cast<char>(Map(c));
      ++i;
      continue;
    }
    size_t start = i;
    char32_t cp = utf8::Decode(s, i);
    char32_t mapped = Map(cp);
    char buf[4];
    int len = utf8::Encode(mapped, buf);
    if (static_cast<size_t>(len) != i - start) {  // keep the byte length: copy unchanged
      for (size_t k = start; k < i && k < s.size(); ++k) out[n++] = s[k];
    } else {
      for (int k = 0; k < len; ++k) out[n++] = buf[k];
    }
  }
  return n;
}

}  // namespace

size_t LowerInto(std::string_view s, char* out) { return MapInto<ToLower>(s, out); }
size_t UpperInto(std::string_view s, char* out) { return MapInto<ToUpper>(s, out); }

void HexInto(const void* bytes, size_t n, char* out) {
  static const char kHex[] = "0123456789abcdef";
  const auto* b = static_cast<const unsigned char*>(bytes);
  for (size_t i = 0; i < n; ++i) {
    out[2 * i] = kHex[b[i] >> 4];
    out[2 * i + 1] = kHex[b[i] & 15];
  }
}

}  // namespace vigil::text
