#include "report/fit.hpp"

#include <fmt/format.h>
#include <re2/re2.h>

#include <algorithm>

#include "base/utf8.hpp"
#include "report/transliterate.hpp"
#include "report/xml_tree.hpp"

namespace vigil::report {

bool CharSet::Parse(std::string_view spec, CharSet* out, std::string* error) {
  if (!utf8::IsValid(spec)) {
    *error = "the character set is not valid UTF-8";
    return false;
  }
  std::vector<char32_t> cps;
  std::vector<bool> escaped;
  for (size_t i = 0; i < spec.size();) {
    char32_t cp = utf8::Decode(spec, i);
    bool esc = false;
    if (cp == '\\') {
      if (i >= spec.size()) {
        *error = "the character set ends with a lone '\\'";
        return false;
      }
      cp = utf8::Decode(spec, i);
      esc = true;
    }
    cps.push_back(cp);
    escaped.push_back(esc);
  }
  CharSet set;
  set.spec_ = std::string(spec);
  for (size_t i = 0; i < cps.size(); ++i) {
    const bool range = i + 2 < cps.size() && cps[i + 1] == '-' && !escaped[i + 1];
    if (range) {
      if (cps[i + 2] < cps[i]) {
        *error = fmt::format("the range at character {} of the set runs backwards", i + 1);
        return false;
      }
      set.ranges_.emplace_back(cps[i], cps[i + 2]);
      i += 2;
    } else {
      set.ranges_.emplace_back(cps[i], cps[i]);
    }
  }
  if (set.ranges_.empty()) {
    *error = "the character set is empty";
    return false;
  }
  *out = std::move(set);
  return true;
}

bool CharSet::Contains(char32_t cp) const {
  for (const auto& [lo, hi] : ranges_) {
    if (cp >= lo && cp <= hi) return true;
  }
  return false;
}

void FitRule::Compile() {
  auto split = [](const std::vector<std::string>& names) {
    std::vector<Selector> out;
    for (const std::string& e : names) {
      Selector sel;
      std::string_view rest(e);
      while (true) {
        size_t slash = rest.rfind('/');
        sel.emplace_back(slash == std::string_view::npos ? rest : rest.substr(slash + 1));
        if (slash == std::string_view::npos) break;
        rest = rest.substr(0, slash);
      }
      out.push_back(std::move(sel));
    }
    return out;
  };
  element_selectors_ = split(elements);
  except_selectors_ = split(except);
}

bool FitRule::Matches(const XmlNode& node) const {
  return AnyMatches(element_selectors_, node) && !AnyMatches(except_selectors_, node);
}

bool FitRule::AnyMatches(const std::vector<Selector>& selectors, const XmlNode& node) {
  for (const Selector& sel : selectors) {
    if (sel.size() == 1 && sel[0] == "*") return true;
    const XmlNode* n = &node;
    size_t i = 0;
    while (i < sel.size() && n != nullptr && n->name() == sel[i]) {
      n = n->parent();
      ++i;
    }
    if (i == sel.size()) return true;
  }
  return false;
}

std::string_view CutToChars(std::string_view s, size_t max_chars) {
  size_t count = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    if ((static_cast<unsigned char>(s[i]) & 0xC0) == 0x80) continue;
    if (count == max_chars) return s.substr(0, i);
    ++count;
  }
  return s;
}

std::string Excerpt(std::string_view s) {
  std::string_view cut = CutToChars(s, 60);
  return cut.size() == s.size() ? std::string(s) : std::string(cut) + "...";
}

namespace {

// XML 1.0 Char: #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF].
bool XmlChar(char32_t cp) {
  return cp == 0x9 || cp == 0xA || cp == 0xD || (cp >= 0x20 && cp <= 0xD7FF) ||
         (cp >= 0xE000 && cp <= 0xFFFD) || cp >= 0x10000;
}

bool IsSpace(char32_t cp) { return cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r'; }

// Keeps the code points `keep` accepts; lists each distinct one it drops
// ("\"'\", \"-\"", control characters as U+0007) in `dropped`.
template <typename Keep>
std::string Filter(std::string_view s, Keep keep, std::string* dropped) {
  std::string out;
  std::vector<char32_t> seen;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    size_t start = i;
    char32_t cp = utf8::Decode(s, i);
    if (keep(cp)) {
      out.append(s.substr(start, i - start));
      continue;
    }
    if (std::find(seen.begin(), seen.end(), cp) != seen.end() || seen.size() >= 10) continue;
    seen.push_back(cp);
    if (!dropped->empty()) *dropped += ", ";
    if (cp < 0x20 || cp == 0x7F || (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0xFFFD) {
      *dropped += fmt::format("U+{:04X}", static_cast<uint32_t>(cp));
    } else {
      *dropped += '"';
      dropped->append(s.substr(start, i - start));
      *dropped += '"';
    }
  }
  return out;
}

// Whether FoldSpaces would change `s`: a tab or line break, a leading or
// trailing space, or two spaces in a row.
bool NeedsFolding(std::string_view s) {
  if (s.empty()) return false;
  if (s.front() == ' ' || s.back() == ' ') return true;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\t' || s[i] == '\n' || s[i] == '\r') return true;
    if (s[i] == ' ' && i + 1 < s.size() && s[i + 1] == ' ') return true;
  }
  return false;
}

bool AllIn(std::string_view s, const CharSet& set) {
  for (size_t i = 0; i < s.size();) {
    if (!set.Contains(utf8::Decode(s, i))) return false;
  }
  return true;
}

std::string FoldSpaces(std::string_view s) {
  std::string out;
  bool pending = false;
  for (size_t i = 0; i < s.size();) {
    size_t start = i;
    char32_t cp = utf8::Decode(s, i);
    if (IsSpace(cp)) {
      pending = !out.empty();
      continue;
    }
    if (pending) out += ' ';
    pending = false;
    out.append(s.substr(start, i - start));
  }
  return out;
}

}  // namespace

FitOutcome FitValue(const std::vector<FitRule>& rules, const XmlNode& node, std::string& value) {
  FitOutcome outcome;
  if (!utf8::IsValid(value)) {
    outcome.error = "the value is not valid UTF-8";
    return outcome;
  }
  // Most values are short printable ASCII: check before copying anything.
  bool ascii = true, xml_legal = true;
  for (unsigned char c : value) {
    if (c >= 0x80) ascii = false;
    if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') xml_legal = false;
  }
  if (!ascii && value.find("\xEF\xBF") != std::string::npos) xml_legal = false;  // U+FFFE, U+FFFF
  std::string dropped;
  std::string legal = xml_legal ? std::string() : Filter(value, XmlChar, &dropped);
  if (!xml_legal && legal != value) {
    // The value is quoted after the removal: control characters would garble the message.
    outcome.changes.push_back(
        fmt::format("removed {} (not allowed in XML), leaving '{}'", dropped, Excerpt(legal)));
    value = std::move(legal);
  }
  // Which rules apply, decided once (a profile has a handful).
  std::vector<const FitRule*> applying;
  for (const FitRule& rule : rules) {
    if (rule.Matches(node)) applying.push_back(&rule);
  }
  for (const FitRule* r : applying) {
    const FitRule& rule = *r;
    if (rule.transliterate && !ascii) {
      std::string t = Transliterate(value);
      if (t != value) {
        outcome.changes.push_back(
            fmt::format("transliterated '{}' to '{}'", Excerpt(value), Excerpt(t)));
        value = std::move(t);
      }
    }
    if (rule.single_line && NeedsFolding(value)) {
      std::string f = FoldSpaces(value);
      if (f != value) {
        outcome.changes.push_back(
            fmt::format("folded line breaks and repeated spaces in '{}'", Excerpt(f)));
        value = std::move(f);
      }
    }
    if (!rule.allowed.empty() && !AllIn(value, rule.allowed)) {
      dropped.clear();
      std::string a = Filter(value, [&](char32_t cp) { return rule.allowed.Contains(cp); },
                             &dropped);
      if (rule.single_line) a = FoldSpaces(a);
      if (a != value) {
        outcome.changes.push_back(fmt::format("removed {} (outside [{}]): '{}' became '{}'",
                                              dropped, rule.allowed.spec(), Excerpt(value),
                                              Excerpt(a)));
        value = std::move(a);
      }
    }
    if (rule.max_chars > 0) {
      const size_t n = utf8::CountCodePoints(value);
      if (n > rule.max_chars) {
        std::string cut(CutToChars(value, rule.max_chars));
        if (rule.single_line) cut = FoldSpaces(cut);
        outcome.changes.push_back(
            fmt::format("cut from {} to {} characters (the limit is {})", n,
                        utf8::CountCodePoints(cut), rule.max_chars));
        value = std::move(cut);
      }
    }
  }
  for (const FitRule* r : applying) {
    const FitRule& rule = *r;
    const size_t n = utf8::CountCodePoints(value);
    if (n < rule.min_chars) {
      outcome.error = fmt::format("'{}' has {} characters after fitting; the profile needs at least {}",
                                  Excerpt(value), n, rule.min_chars);
      return outcome;
    }
    if (rule.regex != nullptr && !re2::RE2::FullMatch(value, *rule.regex)) {
      outcome.error = fmt::format("'{}' does not match the pattern '{}' after fitting",
                                  Excerpt(value), rule.pattern);
      return outcome;
    }
  }
  return outcome;
}

}  // namespace vigil::report
