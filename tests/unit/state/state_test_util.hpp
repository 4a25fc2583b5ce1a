// Helpers for the aggregate and state tests: a payments schema with key
// fields, and a driver that feeds events one by one and reads the value of
// each aggregate as text.
#pragma once

#include "state/store.hpp"
#include "test_util.hpp"

namespace vigil::testing {

inline std::string PayHeader() {
  return R"(ruleset t.state version "1.0.0"
schema pay version 1 {
  ts: time
  card: string @key
  merchant: string @key
  n: int @key
  amount: decimal
  rate: float
  wait: duration
  note: string
}
uses schema pay
)";
}

// Compiles a rule set whose only rule reads `exprs` (aggregates, in order)
// and evaluates events against one session.
class AggDriver {
 public:
  explicit AggDriver(const std::vector<std::string>& exprs,
                     std::shared_ptr<state::Backend> store = nullptr) {
    std::string cond;
    for (const auto& e : exprs) cond += (cond.empty() ? "" : " and ") + ("(" + e + ") is present");
    compilation_ = CompileText(PayHeader() + "rule r { when " + cond + " then score 1 }\n");
    if (!compilation_.ok()) {
      ADD_FAILURE() << compilation_.RenderDiagnostics();
      return;
    }
    session_ = std::make_unique<eval::Session>(compilation_.program, std::move(store));
    event_ = std::make_unique<eval::Event>(compilation_.program->schema);
  }

  // Evaluates one event; returns each aggregate's value as text
  // ("(missing)" when missing).
  std::vector<std::string> Feed(const std::map<std::string, FieldValue>& fields,
                                bool record = true) {
    std::vector<std::string> out;
    if (!session_) return out;
    event_->Reset();
    for (const auto& [name, v] : fields) SetField(*event_, name, v);
    eval::EvalOptions options;
    options.record = record;
    session_->Evaluate(*event_, result_, options);
    const eval::Program& p = *compilation_.program;
    for (size_t a = 0; a < p.aggregates.size(); ++a) {
      std::string s;
      eval::FormatValue(session_->aggregate_values()[a], p.aggregates[a].type, s);
      out.push_back(s);
    }
    return out;
  }
  std::string One(const std::map<std::string, FieldValue>& fields, bool record = true) {
    std::vector<std::string> v = Feed(fields, record);
    return v.empty() ? std::string("<none>") : v[0];
  }
  bool Record(const std::map<std::string, FieldValue>& fields) {
    event_->Reset();
    for (const auto& [name, v] : fields) SetField(*event_, name, v);
    return session_->Record(*event_);
  }

  eval::Session& session() { return *session_; }
  const eval::Result& result() const { return result_; }
  const Compilation& compilation() const { return compilation_; }

 private:
  Compilation compilation_;
  std::unique_ptr<eval::Session> session_;
  std::unique_ptr<eval::Event> event_;
  eval::Result result_;
};

inline Time At(const std::string& hms) { return Time{"2026-03-01T" + hms + "Z"}; }

}  // namespace vigil::testing
