#include "report/emit.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace vigil::report {

std::string RenderProblem(const Problem& p) {
  const std::string where = p.node != nullptr ? p.node->Path() + ": " : "";
  return fmt::format("{}: {}{}", p.error ? "error" : "warning", where, p.message);
}

size_t Emitter::errors() const {
  return static_cast<size_t>(std::count_if(problems_->begin(), problems_->end(),
                                           [](const Problem& p) { return p.error; }));
}

void Emitter::Fit(XmlNode* node, std::string text) {
  FitOutcome outcome = FitValue(profile_.text, *node, text);
  for (std::string& change : outcome.changes) Warning(node, std::move(change));
  if (!outcome.error.empty()) Error(node, outcome.error);
  node->SetText(std::move(text));
}

XmlNode* Emitter::Text(XmlNode* parent, const std::string& name, std::string text) {
  XmlNode* node = parent->Add(name);
  Fit(node, std::move(text));
  return node;
}

XmlNode* Emitter::Value(XmlNode* parent, const std::string& name, const ValueSpec& spec,
                        const Context& ctx) {
  std::string text, why;
  switch (EvalValue(ctx, spec, &text, &why)) {
    case ValueStatus::kOk:
      return Text(parent, name, std::move(text));
    case ValueStatus::kMissing:
      if (spec.optional) return nullptr;
      Error(parent->Add(name), fmt::format("no value: {} ({})", why, spec.where));
      return nullptr;
    case ValueStatus::kInvalid:
      Error(parent->Add(name), fmt::format("{} ({})", why, spec.where));
      return nullptr;
  }
  return nullptr;
}

void Emitter::Elements(XmlNode* parent, const std::vector<ElementSpec>& elements,
                       const Context& ctx) {
  for (const ElementSpec& e : elements) {
    if (e.leaf) {
      Value(parent, e.name, e.value, ctx);
      continue;
    }
    XmlNode* node = parent->Add(e.name);
    const size_t mark = problems_->size();
    Elements(node, e.children, ctx);
    const bool failed = std::any_of(problems_->begin() + static_cast<ptrdiff_t>(mark),
                                    problems_->end(), [](const Problem& p) { return p.error; });
    if ((e.optional && failed) || (node->children().empty() && node->text().empty())) {
      // Left out: its problems concern an element that is not written.
      problems_->resize(mark);
      parent->RemoveLastChild();
    }
  }
}

}  // namespace vigil::report
