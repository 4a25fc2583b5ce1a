// Go to definition, references and rename.
#include <fmt/format.h>

#include <algorithm>

#include "base/limits.hpp"
#include "lsp/builtins.hpp"
#include "lsp/features.hpp"

namespace vigil::lsp {

namespace {

bool Renameable(DeclKind k) {
  return k == DeclKind::kField || k == DeclKind::kConst || k == DeclKind::kParam ||
         k == DeclKind::kList || k == DeclKind::kLet || k == DeclKind::kRule ||
         k == DeclKind::kDecision;
}

bool ValidIdentifier(std::string_view s) {
  if (s.empty() || s.size() > limits::kMaxNameLength) return false;
  if (s[0] >= '0' && s[0] <= '9') return false;
  return std::all_of(s.begin(), s.end(), IsIdentChar);
}

}  // namespace

json Context::Range(SourceRange r) const {
  const LineIndex& lines = analysis->Lines(r.file);
  Position a = lines.ToPosition(r.begin);
  Position b = lines.ToPosition(std::max(r.begin, r.end));
  return json{{"start", {{"line", a.line}, {"character", a.character}}},
              {"end", {{"line", b.line}, {"character", b.character}}}};
}

std::string Context::Uri(uint32_t file_id) const {
  return workspace.PathToUri(analysis->Path(file_id));
}

json Context::Location(SourceRange r) const {
  return json{{"uri", Uri(r.file)}, {"range", Range(r)}};
}

std::string_view WordAt(std::string_view text, uint32_t offset, uint32_t* begin) {
  offset = std::min<uint32_t>(offset, static_cast<uint32_t>(text.size()));
  uint32_t b = offset;
  while (b > 0 && IsIdentChar(text[b - 1])) --b;
  uint32_t e = offset;
  while (e < text.size() && IsIdentChar(text[e])) ++e;
  if (begin != nullptr) *begin = b;
  return text.substr(b, e - b);
}

bool IsReserved(std::string_view word) {
  static const std::vector<std::string_view> kReserved = {
      "and", "or", "not", "in", "matches", "is", "missing", "present", "true", "false", "ruleset",
      "uses", "schema", "const", "list", "param", "let", "rule", "test", "import", "override",
      "when", "then"};
  return std::find(kReserved.begin(), kReserved.end(), word) != kReserved.end();
}

std::optional<uint32_t> DeclAt(const Context& c) {
  const Index& index = c.analysis->index;
  if (const Ref* ref = index.RefAt(c.file, c.offset)) return ref->decl;
  // No resolved name here (the file has syntax errors, or the name is
  // unknown): look the word up as the checker would.
  std::string word(WordAt(c.Text(), c.offset));
  if (word.empty() || (word[0] >= '0' && word[0] <= '9')) return std::nullopt;
  if (auto v = index.FindValue(word)) return v;
  if (auto r = index.FindRule(word)) return r;
  if (auto d = index.FindDecl(DeclKind::kDecision, word)) return d;
  return std::nullopt;
}

json Definition(const Context& c) {
  auto decl = DeclAt(c);
  if (!decl) return nullptr;
  return c.Location(c.analysis->index.decls[*decl].name_range);
}

json References(const Context& c, bool include_declaration) {
  auto decl = DeclAt(c);
  if (!decl) return nullptr;
  json out = json::array();
  for (const Ref* r : c.analysis->index.RefsTo(*decl)) {
    if (r->is_decl && !include_declaration) continue;
    out.push_back(c.Location(r->range));
  }
  return out;
}

json PrepareRename(const Context& c) {
  const Ref* ref = c.analysis->index.RefAt(c.file, c.offset);
  if (ref == nullptr) return nullptr;
  const Decl& d = c.analysis->index.decls[ref->decl];
  if (!Renameable(d.kind)) {
    throw RequestError(kRequestFailed,
                       fmt::format("a {} cannot be renamed here; rename fields, consts, params, "
                                   "lists, lets, rules and decisions",
                                   DeclKindName(d.kind)));
  }
  return json{{"range", c.Range(ref->range)}, {"placeholder", d.name}};
}

json Rename(const Context& c, const std::string& new_name) {
  const Index& index = c.analysis->index;
  const Ref* ref = index.RefAt(c.file, c.offset);
  if (ref == nullptr) {
    throw RequestError(kRequestFailed, "no name that can be renamed here");
  }
  const Decl& d = index.decls[ref->decl];
  if (!Renameable(d.kind)) {
    throw RequestError(kRequestFailed,
                       fmt::format("a {} cannot be renamed", DeclKindName(d.kind)));
  }
  if (!ValidIdentifier(new_name)) {
    throw RequestError(kInvalidParams,
                       fmt::format("'{}' is not a name: names are [A-Za-z_][A-Za-z0-9_]*, at most "
                                   "{} bytes",
                                   new_name.substr(0, 80), limits::kMaxNameLength));
  }
  if (IsReserved(new_name)) {
    throw RequestError(kInvalidParams, fmt::format("'{}' is a reserved word", new_name));
  }
  for (const Decl& other : index.decls) {
    if (other.stale) {
      throw RequestError(kRequestFailed,
                         "a file of this rule set has syntax errors; fix them before renaming");
    }
  }
  bool value = d.kind != DeclKind::kRule && d.kind != DeclKind::kDecision;
  std::optional<uint32_t> clash;
  if (value) {
    clash = index.FindValue(new_name);
  } else if (d.kind == DeclKind::kRule) {
    for (uint32_t i = 0; i < index.decls.size(); ++i) {
      const Decl& o = index.decls[i];
      if (o.kind == DeclKind::kRule && o.name == new_name && o.container == d.container) clash = i;
    }
  } else {
    clash = index.FindDecl(DeclKind::kDecision, new_name);
  }
  if (clash && *clash != ref->decl) {
    const Decl& o = index.decls[*clash];
    const LineIndex& lines = c.analysis->Lines(o.name_range.file);
    Position p = lines.ToPosition(o.name_range.begin);
    throw RequestError(kRequestFailed,
                       fmt::format("'{}' is already declared ({} at {}:{}:{})", new_name,
                                   DeclKindName(o.kind), c.analysis->Path(o.name_range.file),
                                   p.line + 1, p.character + 1));
  }
  json changes = json::object();
  for (const Ref* r : index.RefsTo(ref->decl)) {
    const std::string& path = c.analysis->Path(r->range.file);
    if (path.find(".vgp/") != std::string::npos) {
      throw RequestError(kRequestFailed,
                         fmt::format("'{}' is used inside the sealed pack \"{}\"; it cannot be "
                                     "renamed", d.name, path.substr(0, path.find(".vgp/") + 4)));
    }
    std::string uri = c.Uri(r->range.file);
    if (!changes.contains(uri)) changes[uri] = json::array();
    changes[uri].push_back(json{{"range", c.Range(r->range)}, {"newText", new_name}});
  }
  return json{{"changes", changes}};
}

}  // namespace vigil::lsp
