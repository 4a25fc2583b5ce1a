#include "api/host_schema.hpp"

#include <fmt/format.h>

#include "eval/fields_read.hpp"
#include "syntax/parse.hpp"

namespace vigil {

namespace {

std::string TypeRefText(const ast::TypeRef& t) {
  return t.elem ? t.name.text + "<" + TypeRefText(*t.elem) + ">" : t.name.text;
}

}  // namespace

bool CheckHostSchema(const SourceInput& host, const eval::Program& program,
                     SourceManager& sources, DiagSink& diags) {
  uint32_t id = sources.Add(host.path, host.text);
  DiagSink parse_diags(limits::kMaxErrors);
  std::optional<ast::File> file = syntax::ParseFile(sources, id, parse_diags);
  const ast::SchemaDecl* schema = nullptr;
  if (file) {
    for (const auto& item : file->items) {
      if (const auto* s = std::get_if<ast::SchemaDecl>(&item)) schema = s;
    }
  }
  if (schema == nullptr || parse_diags.has_errors()) {
    for (const Diagnostic& d : parse_diags.diagnostics()) diags.Add(d);
    diags.ErrorNoRange(DiagCode::kHostSchema,
                       fmt::format("the host schema \"{}\" must declare one schema", host.path));
    return false;
  }
  const eval::Schema& need = program.schema;
  if (schema->name.text != need.name) {
    diags.Error(DiagCode::kHostSchema, schema->name.range,
                fmt::format("the rules read schema '{}', but the host provides schema '{}'",
                            need.name, schema->name.text));
    return false;
  }
  bool ok = true;
  if (schema->version < need.version) {
    diags.Error(DiagCode::kHostSchema, schema->range,
                fmt::format("the rules need schema '{}' version {}, but the host provides version {}",
                            need.name, need.version, schema->version));
    ok = false;
  }
  const std::vector<bool> read = eval::FieldsRead(program);
  std::vector<std::string> missing;
  for (size_t slot = 0; slot < need.fields.size(); ++slot) {
    if (!read[slot]) continue;  // declared by the rules' schema, read by no rule
    const eval::FieldInfo& f = need.fields[slot];
    const ast::FieldDecl* have = nullptr;
    for (const auto& hf : schema->fields) {
      if (hf.name.text == f.name) have = &hf;
    }
    const std::string want = TypeName(f.type);
    if (have == nullptr) {
      missing.push_back(fmt::format("'{}: {}'", f.name, want));
    } else if (TypeRefText(have->type) != want) {
      diags.Error(DiagCode::kHostSchema, have->range,
                  fmt::format("the rules need field '{}' as {}, but the host provides {}", f.name,
                              want, TypeRefText(have->type)));
      ok = false;
    }
  }
  if (!missing.empty()) {
    std::string list;
    for (const std::string& m : missing) list += (list.empty() ? "" : ", ") + m;
    diags.Error(DiagCode::kHostSchema, schema->name.range,
                missing.size() == 1
                    ? fmt::format("the rules need field {}, which the host's schema '{}' does not "
                                  "have", missing[0], schema->name.text)
                    : fmt::format("the rules need {} fields the host's schema '{}' does not have: "
                                  "{}", missing.size(), schema->name.text, list),
                "add them to the host's schema, or leave out the rules that read them");
    ok = false;
  }
  return ok;
}

}  // namespace vigil
