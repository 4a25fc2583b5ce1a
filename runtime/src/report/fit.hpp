// Fitting values to what an FIU's schema accepts, as the profile says:
// transliterate to ASCII, drop characters outside an allowed set, fold
// whitespace, cut to a length. Every change is returned as a note for the
// element; a value that still cannot fit (too short, or not matching the
// profile's pattern) is an error. Nothing is changed silently.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace re2 {
class RE2;
}

namespace vigil::report {

class XmlNode;

// A set of code points written like the inside of a regex character class:
// "A-Za-z0-9 .'-" (a '-' first or last is literal, "\\-" too).
class CharSet {
 public:
  static bool Parse(std::string_view spec, CharSet* out, std::string* error);
  bool Contains(char32_t cp) const;
  const std::string& spec() const { return spec_; }
  bool empty() const { return ranges_.empty(); }

 private:
  std::string spec_;
  std::vector<std::pair<char32_t, char32_t>> ranges_;
};

// One rule of the profile's "text" section; it applies to the elements it
// names ("first_name", or "to_entity/name" for a name under to_entity; "*"
// for every element). Every matching rule applies, in profile order.
struct FitRule {
  std::vector<std::string> elements;
  std::vector<std::string> except;  // elements the rule leaves alone (same syntax)
  bool transliterate = false;   // non-ASCII letters to their ASCII form (transliterate.hpp)
  bool single_line = false;     // whitespace runs become one space; no leading/trailing space
  CharSet allowed;              // empty: any character
  size_t max_chars = 0;         // 0: no limit; characters are code points, as in XSD
  size_t min_chars = 0;         // shorter is an error (nothing sensible can be added)
  std::string pattern;          // a full match is required after fitting (RE2 syntax)
  std::shared_ptr<re2::RE2> regex;

  // Splits `elements` and `except` into their names, last first, for
  // Matches; call after setting them (the profile reader does).
  void Compile();
  bool Matches(const XmlNode& node) const;

 private:
  using Selector = std::vector<std::string>;  // "to_entity/name" → {"name", "to_entity"}
  static bool AnyMatches(const std::vector<Selector>& selectors, const XmlNode& node);
  std::vector<Selector> element_selectors_, except_selectors_;
};

struct FitOutcome {
  std::vector<std::string> changes;  // one line per change, without the element path
  std::string error;                 // non-empty: the value cannot be made to fit
};

// Applies every rule that matches `node` to `value`, in order: characters
// XML cannot carry are always removed, then for each rule transliteration,
// whitespace, allowed characters, length, and last the pattern and minimum.
FitOutcome FitValue(const std::vector<FitRule>& rules, const XmlNode& node, std::string& value);

// Cuts valid UTF-8 to at most `max_chars` code points.
std::string_view CutToChars(std::string_view s, size_t max_chars);

// `s` for a message: at most 60 characters, with "..." when cut.
std::string Excerpt(std::string_view s);

}  // namespace vigil::report
