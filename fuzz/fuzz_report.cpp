// Fuzz target: report files from untrusted cases and profiles (docs/reporting.md).
// The first byte chooses: even, the rest is a case file reported through one
// of the example profiles; odd, the rest is a profile used on the test case.
// Building must succeed or fail with messages, never crash; a report built
// without errors must be well-formed XML (whatever the values held).
#include <libxml/parser.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/file_io.hpp"
#include "base/tz.hpp"
#include "case/case_json.hpp"
#include "report/paths.hpp"
#include "report/profile.hpp"
#include "report/report.hpp"

namespace {

using namespace vigil;

struct Fixed {
  std::vector<report::Profile> profiles;
  std::vector<std::unique_ptr<TimeZone>> zones;
  report::Lookups lookups;
  cases::Case test_case;
};

const Fixed& Load() {
  static const Fixed fixed = [] {
    Fixed f;
    std::string error;
    const std::string dir = std::string(VIGIL_SOURCE_DIR) + "/examples/reporting/";
    for (const char* name : {"goaml-ae.json", "goaml-generic.json", "goaml-lk.json", "fincen-sar.json"}) {
      report::Profile p;
      if (!report::ReadProfileFile(dir + name, &p, &error)) std::abort();
      f.zones.push_back(TimeZone::Load(p.time_zone, &error));
      if (f.zones.back() == nullptr) std::abort();
      f.profiles.push_back(std::move(p));
    }
    report::LookupTable kyc;
    kyc.name = "customer";
    kyc.key = "customer_id";
    if (!report::ReadLookupFile(std::string(VIGIL_SOURCE_DIR) + "/tests/report/data/customers.jsonl",
                                &kyc, &error)) {
      std::abort();
    }
    f.lookups["customer"] = std::move(kyc);
    if (!cases::ReadCaseFile(std::string(VIGIL_SOURCE_DIR) + "/tests/report/data/case-1001.json",
                             &f.test_case, &error)) {
      std::abort();
    }
    xmlInitParser();
    return f;
  }();
  return fixed;
}

void CheckWellFormed(const report::ReportOutput& out) {
  if (!out.errors.empty()) {
    if (!out.xml.empty()) std::abort();  // nothing is written for a case with errors
    return;
  }
  xmlDocPtr doc = xmlReadMemory(out.xml.data(), static_cast<int>(out.xml.size()), "fuzz.xml",
                                "UTF-8", XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
  if (doc == nullptr) std::abort();
  xmlFreeDoc(doc);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const Fixed& f = Load();
  const uint8_t mode = data[0];
  std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  std::string error;
  report::ReportInput in;
  in.lookups = &f.lookups;
  in.report_date = "2026-03-31";
  if (mode % 2 == 0) {
    cases::Case c;
    if (!cases::ReadCaseJson(text, "fuzz.json", &c, &error)) return 0;
    const size_t which = (mode / 2) % f.profiles.size();
    in.profile = &f.profiles[which];
    in.zone = f.zones[which].get();
    in.c = &c;
    CheckWellFormed(report::BuildReport(in));
    return 0;
  }
  report::Profile p;
  if (!report::ReadProfile(text, "fuzz.json", &p, &error)) {
    if (error.empty()) std::abort();  // every refusal says why
    return 0;
  }
  std::unique_ptr<TimeZone> zone = TimeZone::Load(p.time_zone, &error);
  if (zone == nullptr) return 0;
  in.profile = &p;
  in.zone = zone.get();
  in.c = &f.test_case;
  CheckWellFormed(report::BuildReport(in));
  return 0;
}
