// Quick fixes: the checker's did-you-mean, and the missing `then`.
#include <fmt/format.h>

#include "lsp/features.hpp"

namespace vigil::lsp {

namespace {

// The names quoted in "did you mean 'a', 'b' or 'c'?".
std::vector<std::string> Suggestions(const std::string& help) {
  std::vector<std::string> out;
  size_t at = help.find("did you mean");
  if (at == std::string::npos) return out;
  for (size_t open = help.find('\'', at); open != std::string::npos;) {
    size_t close = help.find('\'', open + 1);
    if (close == std::string::npos) break;
    out.push_back(help.substr(open + 1, close - open - 1));
    open = help.find('\'', close + 1);
  }
  return out;
}

bool IsAction(std::string_view word) {
  return word == "score" || word == "decide" || word == "tag" || word == "reason";
}

bool Overlaps(const Position& a0, const Position& a1, const Position& b0, const Position& b1) {
  auto le = [](const Position& x, const Position& y) {
    return x.line < y.line || (x.line == y.line && x.character <= y.character);
  };
  return le(a0, b1) && le(b0, a1);
}

Position ToPos(const json& p) {
  return Position{p.at("line").get<uint32_t>(), p.at("character").get<uint32_t>()};
}

}  // namespace

json CodeActions(const Context& c, const json& range) {
  Position want0 = ToPos(range.at("start"));
  Position want1 = ToPos(range.at("end"));
  const LineIndex& lines = c.analysis->Lines(c.file);
  std::string_view text = c.Text();
  json out = json::array();
  for (const Diagnostic& d : c.analysis->compilation.diagnostics) {
    if (!d.has_range || d.range.file != c.file) continue;
    Position p0 = lines.ToPosition(d.range.begin);
    Position p1 = lines.ToPosition(std::max(d.range.begin, d.range.end));
    if (!Overlaps(p0, p1, want0, want1)) continue;
    json diag{{"range", c.Range(d.range)}, {"code", CodeName(d)}, {"source", "vigil"},
              {"message", d.message}, {"severity", d.severity == Severity::kError ? 1 : 2}};
    std::string_view found = text.substr(std::min<size_t>(d.range.begin, text.size()),
                                         d.range.end > d.range.begin ? d.range.end - d.range.begin : 0);
    bool identifier = !found.empty() && found.find_first_of(" \t\r\n\"") == std::string_view::npos;
    std::vector<std::string> names = Suggestions(d.help);
    for (size_t i = 0; identifier && i < names.size(); ++i) {
      json edit{{"range", c.Range(d.range)}, {"newText", names[i]}};
      out.push_back(json{{"title", fmt::format("Change '{}' to '{}'", found, names[i])},
                         {"kind", "quickfix"},
                         {"diagnostics", json::array({diag})},
                         {"isPreferred", i == 0},
                         {"edit", {{"changes", {{c.doc.uri, json::array({edit})}}}}}});
    }
    // "expected 'then' before 'score'": the rule lacks `then`.
    if (d.code == DiagCode::kSyntax && IsAction(found)) {
      uint32_t at = d.range.begin;
      SourceRange insert{c.file, at, at};
      json edit{{"range", c.Range(insert)}, {"newText", "then "}};
      out.push_back(json{{"title", "Add the missing 'then'"},
                         {"kind", "quickfix"},
                         {"diagnostics", json::array({diag})},
                         {"isPreferred", true},
                         {"edit", {{"changes", {{c.doc.uri, json::array({edit})}}}}}});
    }
  }
  return out;
}

}  // namespace vigil::lsp
