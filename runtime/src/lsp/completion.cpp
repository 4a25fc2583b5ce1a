// Completion: what may be written at the cursor, from the text before it
// (which may not parse yet) and the names of the unit.
#include <fmt/format.h>

#include "lsp/builtins.hpp"
#include "lsp/features.hpp"

namespace vigil::lsp {

namespace {

// LSP CompletionItemKind ("kItem": outline.cpp's semantic token types have
// the same names, and unity builds put the two files in one translation unit).
constexpr int kItemFunction = 3, kItemField = 5, kItemVariable = 6, kItemClass = 7,
              kItemModule = 9, kItemUnit = 11, kItemValue = 12, kItemEnum = 13, kItemKeyword = 14,
              kItemConstant = 21, kItemEnumMember = 20;

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

// Text before the cursor, read backwards token by token (comments are not
// skipped: the cursor is rarely right after one).
class Backwards {
 public:
  Backwards(std::string_view text, uint32_t pos) : text_(text), pos_(pos) {}
  // The previous token: an identifier or one character; empty at the start.
  std::string_view Prev() {
    while (pos_ > 0 && IsSpace(text_[pos_ - 1])) --pos_;
    if (pos_ == 0) return {};
    uint32_t end = pos_;
    if (IsIdentChar(text_[pos_ - 1])) {
      while (pos_ > 0 && IsIdentChar(text_[pos_ - 1])) --pos_;
    } else {
      --pos_;
    }
    return text_.substr(pos_, end - pos_);
  }
  uint32_t pos() const { return pos_; }

 private:
  std::string_view text_;
  uint32_t pos_;
};

enum class Where : uint8_t {
  kAnywhere, kKey, kDecision, kRule, kSeverity, kMode, kSchema, kAnnotation, kDuration, kNothing,
};

// Inside `by:` (after the colon, or inside the tuple after it).
bool InByClause(std::string_view text, uint32_t pos) {
  Backwards b(text, pos);
  std::string_view t = b.Prev();
  // Inside a tuple: back over "a, b, " to its '('.
  for (int guard = 0; guard < 64 && (t == "," || (!t.empty() && IsIdentChar(t[0]))); ++guard) {
    t = b.Prev();
  }
  if (t == "(") t = b.Prev();
  if (t != ":") return false;
  return b.Prev() == "by";
}

Where Classify(std::string_view text, uint32_t word_begin, std::string_view word) {
  if (!word.empty() && word[0] >= '0' && word[0] <= '9') return Where::kDuration;
  if (word_begin > 0 && text[word_begin - 1] == '@') return Where::kAnnotation;
  if (InByClause(text, word_begin)) return Where::kKey;
  Backwards b(text, word_begin);
  std::string_view prev = b.Prev();
  if (prev == "decide" || prev == "decision") return Where::kDecision;
  if (prev == "fires" || prev == "disable") return Where::kRule;
  if (prev == "rule") {
    return b.Prev() == "disable" ? Where::kRule : Where::kNothing;  // a new rule's id
  }
  if (prev == "severity") return Where::kSeverity;
  if (prev == "mode") return Where::kMode;
  if (prev == "schema") return b.Prev() == "uses" ? Where::kSchema : Where::kNothing;
  if (prev == "let" || prev == "const" || prev == "param" || prev == "list" || prev == "ruleset" ||
      prev == "import" || prev == "test" || prev == "override") {
    return Where::kNothing;  // a name being declared, or a string
  }
  return Where::kAnywhere;
}

json Item(std::string_view label, int kind, std::string_view detail, std::string_view doc = {}) {
  json item{{"label", label}, {"kind", kind}};
  if (!detail.empty()) item["detail"] = detail;
  if (!doc.empty()) item["documentation"] = {{"kind", "markdown"}, {"value", doc}};
  return item;
}

int KindOf(DeclKind k) {
  switch (k) {
    case DeclKind::kField: return kItemField;
    case DeclKind::kLet: return kItemVariable;
    case DeclKind::kConst: return kItemConstant;
    case DeclKind::kParam: return kItemConstant;
    case DeclKind::kList: return kItemEnum;
    case DeclKind::kRule: return kItemClass;
    case DeclKind::kDecision: return kItemEnumMember;
    case DeclKind::kSchema: return kItemModule;
    default: return kItemValue;
  }
}

}  // namespace

json Completion(const Context& c) {
  std::string_view text = c.Text();
  uint32_t begin = 0;
  // Only the part of the word before the cursor counts.
  std::string_view word = WordAt(text, c.offset, &begin);
  word = word.substr(0, c.offset - begin);
  const Index& index = c.analysis->index;
  json items = json::array();
  auto decls = [&](auto keep) {
    for (const Decl& d : index.decls) {
      if (!keep(d)) continue;
      std::string detail = d.type.empty() ? DeclKindName(d.kind)
                                          : fmt::format("{}: {}", DeclKindName(d.kind), d.type);
      if (d.kind == DeclKind::kRule && !d.title.empty()) detail = "rule: " + d.title;
      items.push_back(Item(d.name, KindOf(d.kind), detail));
    }
  };
  auto words = [&](std::initializer_list<std::string_view> list, int kind, std::string_view detail) {
    for (auto w : list) items.push_back(Item(w, kind, detail));
  };
  auto in_namespace = [&](const Decl& d) {
    auto id = index.FindValue(d.name);
    return id && &index.decls[*id] == &d;
  };

  switch (Classify(text, begin, word)) {
    case Where::kNothing:
      break;
    case Where::kDuration: {
      size_t digits = 0;
      while (digits < word.size() && word[digits] >= '0' && word[digits] <= '9') ++digits;
      std::string number(word.substr(0, digits));
      static const char* kNames[] = {"microseconds", "milliseconds", "seconds", "minutes", "hours",
                                     "days"};
      size_t i = 0;
      for (auto unit : DurationUnits()) {
        json item = Item(number + std::string(unit), kItemUnit, fmt::format("duration: {}", kNames[i++]));
        item["filterText"] = number + std::string(unit);
        items.push_back(std::move(item));
      }
      break;
    }
    case Where::kAnnotation:
      words({"key", "time", "pii"}, kItemKeyword, "field annotation");
      break;
    case Where::kKey:
      decls([&](const Decl& d) {
        return d.kind == DeclKind::kField && in_namespace(d) &&
               std::find(d.annotations.begin(), d.annotations.end(), "key") != d.annotations.end();
      });
      break;
    case Where::kDecision:
      for (const auto& n : index.decisions) items.push_back(Item(n, kItemEnumMember, "decision"));
      break;
    case Where::kRule:
      decls([](const Decl& d) { return d.kind == DeclKind::kRule; });
      break;
    case Where::kSeverity:
      words({"low", "medium", "high", "critical"}, kItemEnumMember, "severity");
      break;
    case Where::kMode:
      words({"enforce", "shadow"}, kItemEnumMember, "mode");
      break;
    case Where::kSchema:
      decls([](const Decl& d) { return d.kind == DeclKind::kSchema; });
      break;
    case Where::kAnywhere: {
      decls([&](const Decl& d) {
        return (d.kind == DeclKind::kField || d.kind == DeclKind::kLet ||
                d.kind == DeclKind::kConst || d.kind == DeclKind::kParam ||
                d.kind == DeclKind::kList) &&
               in_namespace(d);
      });
      for (const BuiltinDoc& b : Builtins()) {
        json item = Item(b.name, kItemFunction, b.signature, b.doc);
        if (c.caps.snippets) {
          item["insertText"] = b.snippet;
          item["insertTextFormat"] = 2;
        }
        items.push_back(std::move(item));
      }
      for (const auto& n : index.decisions) items.push_back(Item(n, kItemEnumMember, "decision"));
      for (auto k : Keywords()) items.push_back(Item(k, kItemKeyword, "keyword"));
      break;
    }
  }
  return json{{"isIncomplete", false}, {"items", items}};
}

}  // namespace vigil::lsp
