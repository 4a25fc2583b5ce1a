// Inline `test` blocks after checking: events as (slot, value) lists and the
// expectations with rule and decision names resolved to indexes.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "base/source.hpp"
#include "eval/value.hpp"

namespace vigil::sema {

struct TestExpectation {
  enum Kind : uint8_t { kFires, kNotFires, kDecision, kScore, kTag } kind = kFires;
  uint32_t index = 0;   // decision (kDecision)
  std::string rule;     // rule id (kFires/kNotFires); a rule disabled by an override never fires
  int64_t score = 0;
  std::string tag;
  std::string text;     // as written, for messages: "fires small_cross_border_digital"
  SourceRange range;
};

struct TestEventField {
  uint32_t slot = 0;
  eval::Value value;               // strings point into the owning TestCase::strings
  bool is_set = false;             // a set<string> field: the items below
  std::vector<std::string> items;
};

struct TestStep {
  std::vector<TestEventField> fields;
  int64_t repeat = 1;
  int64_t every_micros = 0;
  std::vector<TestExpectation> expectations;
  SourceRange range;
};

struct TestCase {
  std::string name;
  std::vector<TestStep> steps;
  SourceRange range;
  std::shared_ptr<std::deque<std::string>> strings;  // owns the test's string values
};

}  // namespace vigil::sema
