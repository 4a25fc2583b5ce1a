// One report file from one case through one profile: the entry point of
// `vigil report` (docs/reporting.md).
#pragma once

#include <string>
#include <vector>

#include "case/case.hpp"
#include "report/paths.hpp"
#include "report/profile.hpp"

namespace vigil::report {

struct ReportInput {
  const Profile* profile = nullptr;
  const cases::Case* c = nullptr;
  const Lookups* lookups = nullptr;
  const TimeZone* zone = nullptr;  // the profile's time zone
  std::string report_date;         // YYYY-MM-DD: submission/filing date
};

struct ReportOutput {
  std::string xml;                    // the document (empty when there are errors)
  std::vector<std::string> warnings;  // "warning: /report/...: transliterated ..."
  std::vector<std::string> errors;    // "error: /report/...: no value: ..."
};

// Builds the report the profile's kind says (goAML or FinCEN SAR). Values
// the profile marks mandatory but the case lacks are errors naming the
// element and the field that should have supplied them; every change made
// to fit the FIU's rules is a warning naming the element.
ReportOutput BuildReport(const ReportInput& in);

}  // namespace vigil::report
