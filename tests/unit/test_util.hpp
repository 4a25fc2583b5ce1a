// Helpers shared by the unit tests: compile a rule set from a string, build
// events by field name, evaluate, and read results back by rule id.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include <map>
#include <string>
#include <variant>
#include <vector>

#include "api/compiler.hpp"
#include "base/decimal.hpp"
#include "base/time_util.hpp"
#include "eval/event.hpp"
#include "eval/result.hpp"
#include "eval/session.hpp"

namespace vigil::testing {

inline Compilation CompileText(const std::string& text, const std::string& path = "test.vgl") {
  return CompileSources({SourceInput{path, text}});
}

// The diagnostic codes of a compilation, in order: {"E2001", "E3001"}.
inline std::vector<std::string> Codes(const Compilation& c) {
  std::vector<std::string> out;
  for (const auto& d : c.diagnostics) out.push_back(CodeName(d));
  return out;
}

// A standard schema and rule-set header for expression tests.
inline std::string Header() {
  return R"(ruleset t.unit version "1.0.0"
schema txn version 1 {
  ts: time
  card_id: string @key @pii
  amount: decimal
  rate: float
  count_: int
  mcc: int
  country: string
  card_country: string
  name: string
  flags: set<string>
  ok: bool
  wait: duration
}
uses schema txn
)";
}

struct Dec {
  std::string text;
};
struct Time {
  std::string text;
};
using FieldValue = std::variant<bool, int64_t, int, double, std::string, const char*, Dec, Time,
                                std::vector<std::string>>;

inline void SetField(eval::Event& e, const std::string& name, const FieldValue& v) {
  int slot = e.schema().Find(name);
  ASSERT_GE(slot, 0) << "no field " << name;
  if (auto* b = std::get_if<bool>(&v)) e.SetBool(slot, *b);
  if (auto* i = std::get_if<int64_t>(&v)) e.SetInt(slot, *i);
  if (auto* i = std::get_if<int>(&v)) e.SetInt(slot, *i);
  if (auto* f = std::get_if<double>(&v)) e.SetFloat(slot, *f);
  if (auto* s = std::get_if<std::string>(&v)) e.SetString(slot, *s);
  if (auto* s = std::get_if<const char*>(&v)) e.SetString(slot, *s);
  if (auto* d = std::get_if<Dec>(&v)) e.SetDecimal(slot, *ParseDecimal(d->text));
  if (auto* t = std::get_if<Time>(&v)) e.SetTime(slot, *ParseTime(t->text));
  if (auto* s = std::get_if<std::vector<std::string>>(&v)) {
    std::vector<std::string_view> items(s->begin(), s->end());
    e.SetStringSet(slot, items);
  }
}

struct Outcome {
  std::string decision;
  int64_t score = 0;
  std::vector<std::string> fired;   // rule ids
  std::vector<std::string> shadow;  // rule ids
  std::map<std::string, std::string> reasons;
  std::vector<std::string> tags;
};

inline Outcome Evaluate(const Compilation& c, const std::map<std::string, FieldValue>& fields,
                   bool allow_pii = false) {
  Outcome out;
  if (!c.ok()) {
    ADD_FAILURE() << "compile failed:\n" << c.RenderDiagnostics();
    return out;
  }
  eval::Session session(c.program);
  eval::Event event(c.program->schema);
  for (const auto& [name, v] : fields) SetField(event, name, v);
  eval::Result result;
  session.Evaluate(event, result, eval::EvalOptions{allow_pii});
  const eval::Program& p = *c.program;
  out.decision = p.decisions[result.decision];
  out.score = result.score;
  for (const auto& f : result.fired) {
    out.fired.push_back(p.rules[f.rule].id);
    out.reasons[p.rules[f.rule].id] = std::string(result.reason(f));
  }
  for (const auto& f : result.shadow) out.shadow.push_back(p.rules[f.rule].id);
  for (const auto* t : result.tags) out.tags.push_back(*t);
  return out;
}

// Compiles Header() + "rule r { when <cond> then score 1 }" and reports
// whether r fires for the event: "true", "false" (did not fire).
inline bool Fires(const std::string& cond, const std::map<std::string, FieldValue>& fields,
                  const std::string& extra = "") {
  Compilation c = CompileText(Header() + extra + "\nrule r { when " + cond + " then score 1 }\n");
  if (!c.ok()) {
    ADD_FAILURE() << "compile failed for `" << cond << "`:\n" << c.RenderDiagnostics();
    return false;
  }
  return !Evaluate(c, fields).fired.empty();
}

}  // namespace vigil::testing
