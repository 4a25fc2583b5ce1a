// Fuzz target: any bytes as a referral policy (`vigil.referral-policy/1`,
// docs/referral.md), checked against the coalition rules' schema as `vigil
// refer` checks it, then used on the golden cases of the example events:
// each case's subject gets its jurisdiction and its entity and evidence
// lines, in memory. Reading must fail with a message or succeed, never
// crash; every line a policy makes must be one JSON object.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "api/compiler.hpp"
#include "base/json_value.hpp"
#include "case/case_json.hpp"
#include "referral/countries.hpp"
#include "referral/entities.hpp"
#include "referral/jurisdiction.hpp"
#include "referral/keyer.hpp"
#include "referral/policy.hpp"

namespace {

using namespace vigil;

struct Fixed {
  std::map<std::string, bool> fields;  // the schema's fields → @pii
  std::vector<cases::Case> cases;
};

const Fixed& Load() {
  static const Fixed fixed = [] {
    Fixed f;
    const std::string root = VIGIL_SOURCE_DIR;
    Compilation c = CompileFiles({root + "/rules/coalition/rules.vgl"});
    if (!c.ok()) std::abort();
    for (const eval::FieldInfo& field : c.program->schema.fields) f.fields[field.name] = field.pii;
    std::vector<std::string> files;
    for (const auto& entry :
         std::filesystem::directory_iterator(root + "/tests/cli/data/case/golden")) {
      if (entry.path().extension() == ".json") files.push_back(entry.path().string());
    }
    std::sort(files.begin(), files.end());
    std::string error;
    for (const std::string& path : files) {
      f.cases.emplace_back();
      if (!cases::ReadCaseFile(path, &f.cases.back(), &error)) std::abort();
    }
    if (f.cases.empty()) std::abort();
    return f;
  }();
  return fixed;
}

// Each line of `text` is one JSON object.
void CheckLines(const std::string& text) {
  size_t pos = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string::npos) std::abort();  // every line ends
    json::Value v;
    json::ParseError e;
    if (!json::Parse(std::string_view(text).substr(pos, nl - pos), &v, &e) || !v.is_object()) {
      std::abort();
    }
    pos = nl + 1;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const Fixed& f = Load();
  std::string_view text(reinterpret_cast<const char*>(data), size);
  referral::Policy policy;
  std::string error;
  if (!referral::ReadPolicy(text, "fuzz.json", &policy, &error)) {
    if (error.find("fuzz.json") != 0) std::abort();  // every refusal names the file
    return 0;
  }
  std::set<std::string> keyed;
  if (!referral::CheckPolicyFields(policy, "fuzz.json", f.fields, &keyed, &error)) {
    if (error.find("fuzz.json") != 0) std::abort();
    return 0;
  }
  const referral::Keyer keyer(std::string(32, '\x5f'), policy.normalize);
  const referral::EntityWriter writer(policy, keyed, keyer);
  for (const cases::Case& c : f.cases) {
    referral::CountryTally tally;
    for (const cases::Transaction& t : c.transactions) tally.Add(policy, t.data);
    const referral::Decision d = referral::Decide(policy, tally);
    const std::string code =
        d.country < 0 ? std::string(referral::kUnassigned) : referral::Countries()[d.country].code;
    if (d.country < 0 && d.reasons.empty()) std::abort();  // an unassigned subject says why
    const referral::Handling& h = policy.For(code);
    std::unordered_set<std::string> emitted;
    std::string entities, evidence;
    referral::SubjectStats stats;
    writer.WriteSubject({c}, h.identifiers == referral::Identifiers::kKeyed,
                        d.country < 0 ? "" : code, d.reasons, &emitted, &entities, &evidence,
                        &stats);
    CheckLines(entities);
    CheckLines(evidence);
  }
  return 0;
}
