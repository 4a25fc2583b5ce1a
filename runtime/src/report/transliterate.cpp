#include "report/transliterate.hpp"

#include <cctype>

#include "base/utf8.hpp"

namespace vigil::report {

namespace {

// U+00C0..U+017F: Latin-1 Supplement letters and Latin Extended-A.
constexpr const char* kLatin[] = {
    // U+00C0
    "A", "A", "A", "A", "A", "A", "AE", "C", "E", "E", "E", "E", "I", "I", "I", "I",
    // U+00D0 (U+00D7 is the multiplication sign)
    "D", "N", "O", "O", "O", "O", "O", "x", "O", "U", "U", "U", "U", "Y", "TH", "ss",
    // U+00E0
    "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i", "i",
    // U+00F0 (U+00F7 is the division sign)
    "d", "n", "o", "o", "o", "o", "o", "/", "o", "u", "u", "u", "u", "y", "th", "y",
    // U+0100
    "A", "a", "A", "a", "A", "a", "C", "c", "C", "c", "C", "c", "C", "c", "D", "d",
    // U+0110
    "D", "d", "E", "e", "E", "e", "E", "e", "E", "e", "E", "e", "G", "g", "G", "g",
    // U+0120
    "G", "g", "G", "g", "H", "h", "H", "h", "I", "i", "I", "i", "I", "i", "I", "i",
    // U+0130
    "I", "i", "IJ", "ij", "J", "j", "K", "k", "k", "L", "l", "L", "l", "L", "l", "L",
    // U+0140
    "l", "L", "l", "N", "n", "N", "n", "N", "n", "n", "N", "n", "O", "o", "O", "o",
    // U+0150
    "O", "o", "OE", "oe", "R", "r", "R", "r", "R", "r", "S", "s", "S", "s", "S", "s",
    // U+0160
    "S", "s", "T", "t", "T", "t", "T", "t", "U", "u", "U", "u", "U", "u", "U", "u",
    // U+0170
    "U", "u", "U", "u", "W", "w", "Y", "y", "Y", "Z", "z", "Z", "z", "Z", "z", "s",
};

// U+0391..U+03C9: Greek, ELOT 743 simplified (no accents, no digraph rules).
constexpr const char* kGreek[] = {
    // U+0391
    "A", "V", "G", "D", "E", "Z", "I", "TH", "I", "K", "L", "M", "N", "X", "O",
    // U+03A0 (U+03A2 is unassigned)
    "P", "R", nullptr, "S", "T", "Y", "F", "CH", "PS", "O", "I", "Y",
    // U+03AC: accented lower case
    "a", "e", "i", "i", "y",
    // U+03B1
    "a", "v", "g", "d", "e", "z", "i", "th", "i", "k", "l", "m", "n", "x", "o",
    // U+03C0
    "p", "r", "s", "s", "t", "y", "f", "ch", "ps", "o",
};

// U+0410..U+044F: Russian Cyrillic, ICAO Doc 9303.
constexpr const char* kCyrillic[] = {
    "A", "B", "V", "G", "D", "E", "ZH", "Z", "I", "I", "K", "L", "M", "N", "O", "P",
    "R", "S", "T", "U", "F", "KH", "TS", "CH", "SH", "SHCH", "IE", "Y", "", "E", "IU", "IA",
    "a", "b", "v", "g", "d", "e", "zh", "z", "i", "i", "k", "l", "m", "n", "o", "p",
    "r", "s", "t", "u", "f", "kh", "ts", "ch", "sh", "shch", "ie", "y", "", "e", "iu", "ia",
};

struct Extra {
  char32_t cp;
  const char* ascii;
};

// Everything else with a form, sorted by code point.
constexpr Extra kExtras[] = {
    {0x00A0, " "},  {0x00AD, ""},     {0x018F, "E"},  {0x0192, "f"},  {0x0218, "S"},
    {0x0219, "s"},  {0x021A, "T"},    {0x021B, "t"},  {0x0259, "e"},  {0x0386, "A"},
    {0x0388, "E"},  {0x0389, "I"},    {0x038A, "I"},  {0x038C, "O"},  {0x038E, "Y"},
    {0x038F, "O"},  {0x0390, "i"},    {0x03CA, "i"},  {0x03CB, "y"},  {0x03CC, "o"},
    {0x03CD, "y"},  {0x03CE, "o"},    {0x0401, "E"},  {0x0404, "IE"}, {0x0406, "I"},
    {0x0407, "I"},  {0x040E, "U"},    {0x0451, "e"},  {0x0454, "ie"}, {0x0456, "i"},
    {0x0457, "i"},  {0x045E, "u"},    {0x0490, "G"},  {0x0491, "g"},  {0x1E9E, "SS"},
    {0x2010, "-"},  {0x2011, "-"},    {0x2012, "-"},  {0x2013, "-"},  {0x2014, "-"},
    {0x2015, "-"},  {0x2018, "'"},    {0x2019, "'"},  {0x201A, "'"},  {0x201B, "'"},
    {0x201C, "\""}, {0x201D, "\""},   {0x201E, "\""}, {0x2022, "*"},  {0x2026, "..."},
    {0x2032, "'"},  {0x2039, "<"},    {0x203A, ">"},  {0x20AC, "EUR"}, {0x2116, "No"},
};

}  // namespace

const char* AsciiForm(char32_t cp) {
  static char ascii[128][2];
  static const bool init = [] {
    for (int c = 0; c < 128; ++c) ascii[c][0] = static_cast<char>(c), ascii[c][1] = '\0';
    return true;
  }();
  (void)init;
  if (cp < 0x80) return ascii[cp];
  if (cp >= 0x00C0 && cp <= 0x017F) return kLatin[cp - 0x00C0];
  if (cp >= 0x0300 && cp <= 0x036F) return "";  // combining accents
  if (cp >= 0x0391 && cp <= 0x03C9) return kGreek[cp - 0x0391];
  if (cp >= 0x0410 && cp <= 0x044F) return kCyrillic[cp - 0x0410];
  size_t lo = 0, hi = std::size(kExtras);
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    if (kExtras[mid].cp < cp) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  if (lo < std::size(kExtras) && kExtras[lo].cp == cp) return kExtras[lo].ascii;
  return nullptr;
}

namespace {

bool IsUpperLetterAt(std::string_view s, size_t i) {
  if (i >= s.size()) return false;
  char32_t cp = utf8::Decode(s, i);
  const char* form = AsciiForm(cp);
  return form != nullptr && form[0] != '\0' && std::isupper(static_cast<unsigned char>(form[0]));
}

}  // namespace

std::string Transliterate(std::string_view in) {
  std::string out;
  out.reserve(in.size());
  size_t i = 0;
  bool prev_upper = false;
  while (i < in.size()) {
    const size_t start = i;
    const char32_t cp = utf8::Decode(in, i);
    const char* form = AsciiForm(cp);
    if (form == nullptr) {
      out.append(in.substr(start, i - start));
      prev_upper = false;
      continue;
    }
    std::string_view f(form);
    // Greek "ου" is one sound: "ou" (ELOT 743), not "oy".
    if ((cp == 0x03BF || cp == 0x039F || cp == 0x03CC || cp == 0x038C) && i < in.size()) {
      size_t j = i;
      const char32_t next = utf8::Decode(in, j);
      if (next == 0x03C5 || next == 0x03A5 || next == 0x03CD || next == 0x038E) {
        const bool upper_o = cp == 0x039F || cp == 0x038C;
        const bool upper_u = next == 0x03A5 || next == 0x038E;
        out += upper_o ? 'O' : 'o';
        out += upper_u ? 'U' : 'u';
        prev_upper = upper_u;
        i = j;
        continue;
      }
    }
    const bool upper = !f.empty() && std::isupper(static_cast<unsigned char>(f[0]));
    if (cp >= 0x80 && f.size() > 1 && upper && !prev_upper && !IsUpperLetterAt(in, i)) {
      // "Ж" before a lower-case letter or alone: "Zh", not "ZH".
      out += f[0];
      for (size_t k = 1; k < f.size(); ++k) {
        out += static_cast<char>(std::tolower(static_cast<unsigned char>(f[k])));
      }
    } else {
      out.append(f);
    }
    prev_upper = upper;
  }
  return out;
}

}  // namespace vigil::report
