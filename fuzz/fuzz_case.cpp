// Fuzz target: any bytes as a case file (docs/case.md), the input that
// reports and referral packages read. Reading must fail with a message or
// succeed, never crash; what reads must write back to bytes that read to the
// same case, and any JSON the strict parser accepts must survive a
// write-and-parse round trip unchanged, whether parts of it are kept as raw
// text or not.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "base/json_value.hpp"
#include "case/case_json.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  vigil::json::Value v;
  vigil::json::ParseError e;
  const bool parsed = vigil::json::Parse(text, &v, &e);
  std::string once;
  if (parsed) {
    vigil::json::Write(v, once);
    vigil::json::Value again;
    if (!vigil::json::Parse(once, &again, &e) || !(again == v)) std::abort();
  } else if (e.line == 0 || e.message.empty()) {
    std::abort();  // every failure says where and what
  }
  // Members kept as raw text (how case files and results are read) accept
  // and refuse exactly the same texts, with the same messages, and write
  // the same bytes.
  vigil::json::ParseOptions raw;
  raw.raw = {{"[]"}, {"a"}, {"a", "[]", "b"}, {"alerts", "[]", "evidence", "rules"}};
  vigil::json::Value kept;
  vigil::json::ParseError raw_error;
  if (vigil::json::Parse(text, &kept, &raw_error, raw) != parsed) std::abort();
  if (parsed) {
    std::string written;
    vigil::json::Write(kept, written);
    if (written != once) std::abort();
  } else if (raw_error.line != e.line || raw_error.column != e.column ||
             raw_error.message != e.message) {
    std::abort();
  }
  vigil::cases::Case c;
  std::string error;
  if (!vigil::cases::ReadCaseJson(text, "fuzz.json", &c, &error)) {
    if (error.empty()) std::abort();
    return 0;
  }
  const std::string written = vigil::cases::WriteCaseJson(c);
  vigil::cases::Case back;
  if (!vigil::cases::ReadCaseJson(written, "fuzz.json", &back, &error)) std::abort();
  if (vigil::cases::WriteCaseJson(back) != written) std::abort();
  return 0;
}
