// Document symbols (the outline) and semantic tokens.
#include <algorithm>

#include "lsp/builtins.hpp"
#include "lsp/features.hpp"
#include "syntax/tokens.hpp"

namespace vigil::lsp {

namespace {

// LSP SymbolKind.
int SymbolKindOf(DeclKind k) {
  switch (k) {
    case DeclKind::kRuleset: return 3;   // Namespace
    case DeclKind::kSchema: return 23;   // Struct
    case DeclKind::kField: return 8;     // Field
    case DeclKind::kConst: return 14;    // Constant
    case DeclKind::kParam: return 7;     // Property
    case DeclKind::kList: return 18;     // Array
    case DeclKind::kLet: return 13;      // Variable
    case DeclKind::kRule: return 12;     // Function
    case DeclKind::kDecision: return 22; // EnumMember
    case DeclKind::kTest: return 24;     // Event
  }
  return 13;
}

// The semantic token legend; indexes below match it.
const std::vector<std::string> kTokenTypes = {
    "keyword", "type", "property", "variable", "parameter", "function", "string", "number",
    "comment", "operator", "enumMember", "namespace", "struct", "class", "enum", "decorator"};
enum TokenType {
  kKeyword, kType, kProperty, kVariable, kParameter, kFunction, kString, kNumber, kComment,
  kOperator, kEnumMember, kNamespace, kStruct, kClass, kEnum, kDecorator,
};
const std::vector<std::string> kTokenModifiers = {"declaration", "readonly", "defaultLibrary"};
constexpr uint32_t kDeclaration = 1, kReadonly = 2, kDefaultLibrary = 4;

int TokenTypeOf(DeclKind k) {
  switch (k) {
    case DeclKind::kRuleset: return kNamespace;
    case DeclKind::kSchema: return kStruct;
    case DeclKind::kField: return kProperty;
    case DeclKind::kConst: return kVariable;
    case DeclKind::kParam: return kParameter;
    case DeclKind::kList: return kEnum;
    case DeclKind::kLet: return kVariable;
    case DeclKind::kRule: return kClass;
    case DeclKind::kDecision: return kEnumMember;
    case DeclKind::kTest: return kString;
  }
  return kVariable;
}

bool IsTypeName(std::string_view s) {
  static const std::vector<std::string_view> kTypes = {"bool", "int", "decimal", "float",
                                                      "string", "time", "duration", "set"};
  return std::find(kTypes.begin(), kTypes.end(), s) != kTypes.end();
}

}  // namespace

json DocumentSymbols(const Context& c) {
  const Index& index = c.analysis->index;
  json out = json::array();
  std::map<std::string, size_t> schema_slot;  // schema name → index in out
  for (const Decl& d : index.decls) {
    if (d.name_range.file != c.file) continue;
    json sym{{"name", d.kind == DeclKind::kTest ? "test \"" + d.name + "\"" : d.name},
             {"kind", SymbolKindOf(d.kind)},
             {"range", c.Range(d.range)},
             {"selectionRange", c.Range(d.name_range)}};
    std::string detail = d.kind == DeclKind::kRule ? d.title : d.type;
    if (!detail.empty()) sym["detail"] = detail;
    if (d.kind == DeclKind::kField) {
      auto it = schema_slot.find(d.container);
      if (it != schema_slot.end()) {
        out[it->second]["children"].push_back(std::move(sym));
        continue;
      }
    }
    if (d.kind == DeclKind::kSchema) {
      sym["children"] = json::array();
      schema_slot[d.name] = out.size();
    }
    out.push_back(std::move(sym));
  }
  if (!c.caps.hierarchical_symbols) {
    json flat = json::array();
    for (auto& s : out) {
      auto add = [&](const json& x, const std::string& container) {
        json info{{"name", x["name"]}, {"kind", x["kind"]},
                  {"location", {{"uri", c.doc.uri}, {"range", x["selectionRange"]}}}};
        if (!container.empty()) info["containerName"] = container;
        flat.push_back(std::move(info));
      };
      add(s, "");
      if (s.contains("children")) {
        for (auto& ch : s["children"]) add(ch, s["name"].get<std::string>());
      }
    }
    return flat;
  }
  return out;
}

json SemanticTokensLegend() {
  return json{{"tokenTypes", kTokenTypes}, {"tokenModifiers", kTokenModifiers}};
}

json SemanticTokens(const Context& c) {
  std::string_view text = c.Text();
  const Index& index = c.analysis->index;
  const LineIndex& lines = c.analysis->Lines(c.file);
  std::vector<syntax::LexToken> tokens = syntax::Tokenize(text);
  std::vector<uint32_t> data;
  Position last{0, 0};
  std::string_view before;  // previous significant token
  for (size_t i = 0; i < tokens.size(); ++i) {
    const syntax::LexToken& t = tokens[i];
    if (t.kind == "WS") continue;
    auto begin = static_cast<uint32_t>(t.text.data() - text.data());
    int type = -1;
    uint32_t modifiers = 0;
    const Ref* ref = nullptr;
    if (t.kind == "ID" || (t.text.size() > 0 && std::isalpha(static_cast<unsigned char>(t.text[0])))) {
      ref = index.RefAt(c.file, begin);
      if (ref != nullptr && ref->range.begin != begin) ref = nullptr;
    }
    if (ref != nullptr) {
      const Decl& d = index.decls[ref->decl];
      type = TokenTypeOf(d.kind);
      if (ref->is_decl) modifiers |= kDeclaration;
      if (d.kind == DeclKind::kConst || d.kind == DeclKind::kList) modifiers |= kReadonly;
    } else if (t.kind == "ID") {
      // A call of a built-in, a type name, an annotation, or a name the
      // analysis does not know (a file with syntax errors): by its word.
      size_t next = i + 1;
      while (next < tokens.size() && tokens[next].kind == "WS") ++next;
      std::string word(t.text);
      if (before == "@") {
        type = kDecorator;
      } else if (next < tokens.size() && tokens[next].kind == "LPAREN" && !FindBuiltin(word).empty()) {
        type = kFunction;
        modifiers |= kDefaultLibrary;
      } else if (IsTypeName(word)) {
        type = kType;
      } else if (auto v = index.FindValue(word)) {
        type = TokenTypeOf(index.decls[*v].kind);
      } else if (auto r = index.FindRule(word)) {
        type = kClass;
      }
    } else if (t.kind == "STRING" || t.kind == "UNTERMINATED_STRING") {
      type = kString;
    } else if (t.kind == "INT" || t.kind == "DECIMAL" || t.kind == "FLOAT" || t.kind == "TIME" ||
               t.kind == "SUFFIXED_NUMBER") {
      type = kNumber;
    } else if (t.kind == "LINE_COMMENT") {
      type = kComment;
    } else if (t.kind == "EQ" || t.kind == "NE" || t.kind == "LE" || t.kind == "GE" ||
               t.kind == "LT" || t.kind == "GT" || t.kind == "ASSIGN" || t.kind == "PLUS" ||
               t.kind == "MINUS" || t.kind == "STAR" || t.kind == "SLASH" || t.kind == "PERCENT") {
      type = kOperator;
    } else if (!t.text.empty() && std::isalpha(static_cast<unsigned char>(t.text[0]))) {
      type = kKeyword;
    }
    if (t.kind != "LINE_COMMENT") before = t.text;
    if (type < 0) continue;
    Position start = lines.ToPosition(begin);
    Position end = lines.ToPosition(begin + static_cast<uint32_t>(t.text.size()));
    if (end.line != start.line) continue;  // tokens never span lines; be safe
    uint32_t delta_line = start.line - last.line;
    uint32_t delta_char = delta_line == 0 ? start.character - last.character : start.character;
    data.insert(data.end(), {delta_line, delta_char, end.character - start.character,
                             static_cast<uint32_t>(type), modifiers});
    last = start;
  }
  return json{{"data", data}};
}

}  // namespace vigil::lsp
