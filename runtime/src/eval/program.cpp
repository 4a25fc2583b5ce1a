#include "eval/program.hpp"

#include <re2/re2.h>

namespace vigil::eval {

Program::Program() = default;
Program::~Program() = default;

const char* SeverityName(RuleSeverity s) {
  switch (s) {
    case RuleSeverity::kLow: return "low";
    case RuleSeverity::kMedium: return "medium";
    case RuleSeverity::kHigh: return "high";
    case RuleSeverity::kCritical: return "critical";
  }
  return "medium";
}

const char* StrategyName(EvalStrategy s) {
  return s == EvalStrategy::kOrdered ? "ordered" : "index";
}

const char* OverrideKindName(AppliedOverride::Kind k) {
  switch (k) {
    case AppliedOverride::Kind::kSetParam: return "set";
    case AppliedOverride::Kind::kDisable: return "disable";
    case AppliedOverride::Kind::kSeverity: return "severity";
    case AppliedOverride::Kind::kMode: return "mode";
  }
  return "set";
}

}  // namespace vigil::eval
