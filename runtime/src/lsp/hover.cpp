// Hover: what a name is, as the checker sees it.
#include <fmt/format.h>

#include <filesystem>

#include "base/file_io.hpp"
#include "lsp/builtins.hpp"
#include "lsp/features.hpp"
#include "pack/pack.hpp"

namespace vigil::lsp {

namespace fs = std::filesystem;

namespace {

constexpr size_t kMaxShownValue = 300;

std::string Clip(std::string_view s) {
  std::string out(s.substr(0, kMaxShownValue));
  if (s.size() > kMaxShownValue) out += " …";
  for (char& ch : out) {
    if (ch == '\n' || ch == '\r') ch = ' ';
  }
  return out;
}

std::string Slice(const Context& c, SourceRange r) {
  std::string_view text = c.analysis->Text(r.file);
  if (r.begin > text.size() || r.end > text.size() || r.begin > r.end) return "";
  return std::string(text.substr(r.begin, r.end - r.begin));
}

std::string Where(const Context& c, SourceRange r) {
  Position p = c.analysis->Lines(r.file).ToPosition(r.begin);
  return fmt::format("{}:{}", c.analysis->Path(r.file), p.line + 1);
}

// The comment beside a schema field: on its line, else the comment lines
// right above it.
std::string FieldComment(const Context& c, const Decl& d) {
  std::string_view text = c.analysis->Text(d.range.file);
  if (d.range.end > text.size()) return "";
  size_t eol = text.find('\n', d.range.end);
  std::string_view rest = text.substr(d.range.end, (eol == std::string_view::npos ? text.size() : eol) - d.range.end);
  size_t hash = rest.find('#');
  size_t slashes = rest.find("//");
  size_t at = std::min(hash, slashes);
  if (at != std::string_view::npos) {
    std::string_view comment = rest.substr(at + (at == hash ? 1 : 2));
    while (!comment.empty() && comment.front() == ' ') comment.remove_prefix(1);
    while (!comment.empty() && (comment.back() == ' ' || comment.back() == '\r')) comment.remove_suffix(1);
    return std::string(comment);
  }
  // Lines above, while they are comments.
  std::vector<std::string> above;
  size_t line_start = text.rfind('\n', d.range.begin == 0 ? 0 : d.range.begin - 1);
  while (line_start != std::string_view::npos && line_start > 0 && above.size() < 5) {
    size_t prev = text.rfind('\n', line_start - 1);
    size_t start = prev == std::string_view::npos ? 0 : prev + 1;
    std::string_view line = text.substr(start, line_start - start);
    while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.remove_prefix(1);
    if (!line.starts_with("#") && !line.starts_with("//")) break;
    line.remove_prefix(line.starts_with("#") ? 1 : 2);
    while (!line.empty() && line.front() == ' ') line.remove_prefix(1);
    above.insert(above.begin(), std::string(line));
    if (prev == std::string_view::npos) break;
    line_start = prev;
  }
  std::string out;
  for (const auto& l : above) out += (out.empty() ? "" : " ") + l;
  return out;
}

// The TLP marking pack.json gives a list file, when the list is in a pack.
std::string ListMarking(const Context& c, const Decl& d) {
  if (d.list_source != "file") return "";
  fs::path file = c.workspace.AbsolutePath(c.analysis->Path(d.range.file));
  fs::path list = (file.parent_path() / d.list_path).lexically_normal();
  for (fs::path dir = file.parent_path(); !dir.empty(); dir = dir.parent_path()) {
    std::string text, error;
    if (ReadWholeFile((dir / pack::kManifestName).string(), size_t{1} << 20, &text, &error)) {
      pack::Manifest m;
      if (!pack::ParseManifest(text, &m, &error)) return "";
      for (const auto& entry : m.lists) {
        if ((dir / entry.path).lexically_normal() == list) return pack::MarkingName(entry.marking);
      }
      return "";
    }
    if (dir == dir.root_path()) break;
  }
  return "";
}

std::string Code(const std::string& s) { return "```vgl\n" + s + "\n```"; }

std::string TestStatus(const Context& c, const Decl& rule) {
  const Index& index = c.analysis->index;
  size_t named = 0;
  for (const Decl& t : index.decls) {
    if (t.kind == DeclKind::kTest &&
        std::find(t.rules.begin(), t.rules.end(), rule.name) != t.rules.end()) {
      ++named;
    }
  }
  return named == 0 ? "no test names this rule"
                    : fmt::format("{} test{} name{} this rule", named, named == 1 ? "" : "s",
                                  named == 1 ? "s" : "");
}

std::string DeclMarkdown(const Context& c, const Decl& d) {
  const Index& index = c.analysis->index;
  std::string out;
  switch (d.kind) {
    case DeclKind::kField: {
      std::string head = fmt::format("field {}: {}", d.name, d.type);
      for (const auto& a : d.annotations) head += " @" + a;
      out = Code(head) + fmt::format("\n\nschema `{}`", d.container);
      std::string comment = FieldComment(c, d);
      if (!comment.empty()) out += " — " + comment;
      break;
    }
    case DeclKind::kLet:
      out = Code(fmt::format("let {}{} = {}", d.name, d.type.empty() ? "" : ": " + d.type,
                             d.value ? Clip(Slice(c, *d.value)) : ""));
      out += "\n\ncomputed at most once per event, shared by every rule";
      break;
    case DeclKind::kConst:
      out = Code(fmt::format("const {}{} = {}", d.name, d.type.empty() ? "" : ": " + d.type,
                             d.value ? Clip(Slice(c, *d.value)) : ""));
      break;
    case DeclKind::kParam: {
      std::string def = d.value ? Clip(Slice(c, *d.value)) : "";
      out = Code(fmt::format("param {}: {} = {}", d.name, d.type, def));
      const ParamOverride* in_force = nullptr;
      for (const auto& o : index.overrides) {
        if (o.param == d.name) in_force = &o;
      }
      if (in_force != nullptr) {
        out += fmt::format("\n\ndefault `{}`; **overridden**: `{}` in force (set at {})", def,
                           Clip(Slice(c, in_force->value)), Where(c, in_force->range));
      } else {
        out += fmt::format("\n\ndefault `{}`, no override in force", def);
      }
      break;
    }
    case DeclKind::kList: {
      out = Code(fmt::format("list {}: {}", d.name, d.type));
      std::vector<std::string> facts;
      if (d.list_source == "external") {
        facts.push_back("external: the host supplies the values at run time");
      } else {
        std::string size = d.size >= 0 ? fmt::format("{} entr{}", d.size, d.size == 1 ? "y" : "ies")
                                       : "entries not known (the rules do not check)";
        facts.push_back(d.list_source == "file" ? fmt::format("{} from \"{}\"", size, d.list_path)
                                                : size + ", inline");
      }
      if (d.hashed) {
        facts.push_back(fmt::format("hashed: {}{}",
                                    d.hmac_key.empty() ? "SHA-256"
                                                       : "HMAC-SHA-256 with key '" + d.hmac_key + "'",
                                    d.normalize.empty() ? "" : ", normalised '" + d.normalize + "'"));
      } else {
        facts.push_back("not hashed");
      }
      std::string marking = ListMarking(c, d);
      facts.push_back(marking.empty() ? "no pack marking" : "marking TLP:" + marking + " (pack.json)");
      out += "\n\n";
      for (size_t i = 0; i < facts.size(); ++i) out += (i ? " · " : "") + facts[i];
      break;
    }
    case DeclKind::kRule: {
      out = Code("rule " + d.name);
      if (!d.title.empty()) out += "\n\n" + d.title;
      out += fmt::format("\n\nrule set `{}` · severity {} · mode {}{}",
                         d.container.empty() ? "(none)" : d.container,
                         d.severity.empty() ? "medium" : d.severity,
                         d.mode.empty() ? "enforce" : d.mode,
                         d.decides.empty() ? "" : " · decides " + d.decides[0]);
      out += " · " + TestStatus(c, d);
      break;
    }
    case DeclKind::kDecision: {
      out = Code("decision " + d.name);
      std::string order;
      for (const auto& n : index.decisions) order += (order.empty() ? "" : " < ") + n;
      out += "\n\ndecisions, lowest first: " + order;
      break;
    }
    case DeclKind::kSchema: {
      size_t fields = 0;
      for (const Decl& f : index.decls) fields += f.kind == DeclKind::kField && f.container == d.name;
      out = Code(fmt::format("schema {} version {}", d.name, d.type)) +
            fmt::format("\n\n{} fields{}", fields, d.name == index.schema ? " · in use" : "");
      break;
    }
    case DeclKind::kRuleset:
      out = Code(fmt::format("ruleset {} version \"{}\"", d.name, d.type));
      break;
    case DeclKind::kTest:
      out = Code(fmt::format("test \"{}\"", d.name));
      break;
  }
  if (d.stale) out += "\n\n(from the last version of its file without syntax errors)";
  return out;
}

std::string CallMarkdown(const Context& c, const Call& call) {
  std::string out;
  for (const BuiltinDoc* b : FindBuiltin(call.name)) {
    if (b->aggregate != call.aggregate) continue;
    out = Code(std::string(b->signature)) + "\n\n" + std::string(b->doc);
  }
  if (out.empty()) return "";
  if (call.aggregate) {
    out += "\n\n";
    if (call.within) out += fmt::format("window `{}` (exclusive start, inclusive end)", Slice(c, *call.within));
    if (call.by) out += fmt::format(" · key `{}`", Slice(c, *call.by));
    if (call.where) out += fmt::format(" · where `{}`", Clip(Slice(c, *call.where)));
  }
  return out;
}

// A decision of the default order, which no file declares.
json DefaultDecision(const Context& c) {
  uint32_t begin = 0;
  std::string word(WordAt(c.Text(), c.offset, &begin));
  const auto& order = c.analysis->index.decisions;
  if (word.empty() || std::find(order.begin(), order.end(), word) == order.end()) return nullptr;
  std::string text;
  for (const auto& n : order) text += (text.empty() ? "" : " < ") + n;
  std::string markdown = Code("decision " + word) + "\n\nthe default decisions, lowest first: " + text;
  return json{{"contents", {{"kind", "markdown"}, {"value", markdown}}},
              {"range", c.Range(SourceRange{c.file, begin, begin + static_cast<uint32_t>(word.size())})}};
}

}  // namespace

json Hover(const Context& c) {
  const Index& index = c.analysis->index;
  std::string markdown;
  SourceRange range{};
  if (const Call* call = index.CallAt(c.file, c.offset)) {
    markdown = CallMarkdown(c, *call);
    range = call->name_range;
  }
  if (markdown.empty()) {
    const Ref* ref = index.RefAt(c.file, c.offset);
    std::optional<uint32_t> decl = ref != nullptr ? std::optional<uint32_t>(ref->decl) : DeclAt(c);
    if (!decl) return DefaultDecision(c);
    markdown = DeclMarkdown(c, index.decls[*decl]);
    if (ref != nullptr) {
      range = ref->range;
    } else {
      uint32_t begin = 0;
      std::string_view word = WordAt(c.Text(), c.offset, &begin);
      range = SourceRange{c.file, begin, begin + static_cast<uint32_t>(word.size())};
    }
  }
  return json{{"contents", {{"kind", "markdown"}, {"value", markdown}}}, {"range", c.Range(range)}};
}

}  // namespace vigil::lsp
