// vigil report goaml|fincen-sar: a regulator's report file from a case file
// through an FIU profile, validated against the FIU's XSD on request
// (runtime/src/report, docs/reporting.md).
#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "base/atomic_file.hpp"
#include "base/list_file.hpp"
#include "base/time_util.hpp"
#include "base/tz.hpp"
#include "case/case_json.hpp"
#include "cli.hpp"
#include "report/paths.hpp"
#include "report/profile.hpp"
#include "report/report.hpp"
#include "report/xsd_validate.hpp"

namespace vigil::cli {

namespace {

namespace fs = std::filesystem;

struct Options {
  report::ReportKind kind = report::ReportKind::kGoaml;
  std::string profile, case_path, out, xsd, date;
  std::vector<std::string> lookups;  // NAME=FILE
};

// The report day: --date, or today in the profile's time zone.
bool ReportDate(const Options& opt, const TimeZone& zone, std::string* date, std::string* error) {
  if (!opt.date.empty()) {
    std::optional<int64_t> t = ParseTime(opt.date + "T00:00:00Z");
    if (opt.date.size() != 10 || !t) {
      *error = fmt::format("--date: expected YYYY-MM-DD, found \"{}\"", opt.date);
      return false;
    }
    *date = opt.date;
    return true;
  }
  const int64_t now = NowMicros();
  const int64_t local = now / 1000000 + zone.OffsetSeconds(now);
  int64_t y;
  unsigned m, d;
  CivilFromDays(local / 86400 - (local % 86400 < 0 ? 1 : 0), &y, &m, &d);
  *date = fmt::format("{:04}-{:02}-{:02}", y, m, d);
  return true;
}

bool LoadLookups(const Options& opt, const report::Profile& profile, report::Lookups* out,
                 std::string* error) {
  for (const std::string& spec : opt.lookups) {
    size_t eq = spec.find('=');
    const std::string name = spec.substr(0, eq), path = spec.substr(eq + 1);
    auto declared = std::find_if(profile.lookups.begin(), profile.lookups.end(),
                                 [&](const auto& l) { return l.first == name; });
    if (declared == profile.lookups.end()) {
      *error = fmt::format("--lookup {}: the profile declares no lookup '{}'", spec, name);
      return false;
    }
    report::LookupTable table;
    table.name = name;
    table.key = declared->second;
    if (!report::ReadLookupFile(path, &table, error)) return false;
    (*out)[name] = std::move(table);
  }
  for (const auto& [name, key] : profile.lookups) {
    if (out->count(name) == 0) {
      *error = fmt::format("the profile reads lookup '{}' (records keyed by {}): give it with "
                           "--lookup {}=FILE.jsonl", name, key, name);
      return false;
    }
  }
  return true;
}

// The case files to report: the file, or every .json file in the directory.
bool CaseFiles(const std::string& path, std::vector<std::string>* files, bool* is_dir,
               std::string* error) {
  std::error_code ec;
  *is_dir = fs::is_directory(path, ec);
  if (!*is_dir) {
    files->push_back(path);
    return true;
  }
  for (auto it = fs::directory_iterator(path, ec); !ec && it != fs::end(it); it.increment(ec)) {
    if (it->is_regular_file() && it->path().extension() == ".json") {
      files->push_back(it->path().string());
    }
  }
  if (ec) {
    *error = fmt::format("cannot read the directory \"{}\": {}", path, ec.message());
    return false;
  }
  std::sort(files->begin(), files->end());
  if (files->empty()) {
    *error = fmt::format("\"{}\" holds no case files (*.json)", path);
    return false;
  }
  return true;
}

int Run(const Options& opt) {
  const std::string cmd = fmt::format("vigil report {}", report::ReportKindName(opt.kind));
  std::string error;
  report::Profile profile;
  if (!report::ReadProfileFile(opt.profile, &profile, &error)) {
    fmt::print(stderr, "{}: {}\n", cmd, error);
    return kExitUsage;
  }
  if (profile.kind != opt.kind) {
    fmt::print(stderr, "{}: {}: the profile is for '{}' reports; use `vigil report {}`\n", cmd,
               opt.profile, report::ReportKindName(profile.kind),
               report::ReportKindName(profile.kind));
    return kExitUsage;
  }
  std::unique_ptr<TimeZone> zone = TimeZone::Load(profile.time_zone, &error);
  if (zone == nullptr) {
    fmt::print(stderr, "{}: {}: member 'time_zone': {}\n", cmd, opt.profile, error);
    return kExitUsage;
  }
  report::ReportInput input;
  input.profile = &profile;
  input.zone = zone.get();
  if (!ReportDate(opt, *zone, &input.report_date, &error)) {
    fmt::print(stderr, "{}: {}\n", cmd, error);
    return kExitUsage;
  }
  report::Lookups lookups;
  if (!LoadLookups(opt, profile, &lookups, &error)) {
    fmt::print(stderr, "{}: {}\n", cmd, error);
    return kExitUsage;
  }
  input.lookups = &lookups;
  std::unique_ptr<report::XsdValidator> validator;
  if (!opt.xsd.empty()) {
    validator = report::XsdValidator::Load(opt.xsd, &error);
    if (validator == nullptr) {
      fmt::print(stderr, "{}: {}\n", cmd, error);
      return kExitUsage;
    }
  }
  std::vector<std::string> files;
  bool batch = false;
  if (!CaseFiles(opt.case_path, &files, &batch, &error)) {
    fmt::print(stderr, "{}: {}\n", cmd, error);
    return kExitUsage;
  }
  if (batch) {
    std::error_code ec;
    if (opt.out.empty() || !fs::is_directory(opt.out, ec)) {
      fmt::print(stderr, "{}: --case is a directory: -o must name an existing directory for the "
                         "reports\n", cmd);
      return kExitUsage;
    }
  }
  int status = kExitOk;
  size_t written = 0, warnings = 0;
  // A folder of reports is written in batches, each report atomically, with
  // one sync per batch rather than two per report (base/atomic_file.hpp).
  AtomicFileBatch reports;
  size_t added = 0;  // reports added to the batch (a case id twice counts twice, as before)
  auto commit = [&]() {
    std::vector<std::pair<std::string, std::string>> failed;
    reports.Commit(&failed);
    written += added - failed.size();
    added = 0;
    for (const auto& [name, why] : failed) {
      fmt::print(stderr, "{}: cannot write \"{}\"\n", cmd, name);
      status = std::max(status, kExitUsage);
    }
  };
  constexpr size_t kReportsPerSync = 256;
  for (const std::string& file : files) {
    cases::Case c;
    if (!cases::ReadCaseFile(file, &c, &error)) {
      fmt::print(stderr, "{}: {}\n", cmd, error);
      status = std::max(status, kExitUsage);
      continue;
    }
    input.c = &c;
    report::ReportOutput out = report::BuildReport(input);
    const std::string name = batch ? (fs::path(opt.out) / (c.case_id + ".xml")).string()
                             : opt.out.empty() ? std::string("<stdout>") : opt.out;
    warnings += out.warnings.size();
    for (const std::string& w : out.warnings) fmt::print(stderr, "{}: {}\n", file, w);
    for (const std::string& e : out.errors) fmt::print(stderr, "{}: {}\n", file, e);
    if (!out.errors.empty()) {
      fmt::print(stderr, "{}: {}: {} error{}: no report written\n", cmd, file, out.errors.size(),
                 out.errors.size() == 1 ? "" : "s");
      status = std::max(status, kExitUsage);
      continue;
    }
    if (validator != nullptr) {
      std::vector<report::XsdError> errors;
      if (!validator->Validate(out.xml, &errors)) {
        for (const report::XsdError& e : errors) {
          fmt::print(stderr, "{}:{}: {}{}\n", name, e.line, e.path.empty() ? "" : e.path + ": ",
                     e.message);
        }
        fmt::print(stderr, "{}: {}: the report does not validate against \"{}\" ({} error{}): "
                           "no report written\n", cmd, file, opt.xsd, errors.size(),
                   errors.size() == 1 ? "" : "s");
        status = std::max(status, kExitFailure);
        continue;
      }
    }
    if (batch) {
      std::string why;
      if (!reports.Add(name, out.xml, 0666, &why)) {
        fmt::print(stderr, "{}: cannot write \"{}\"\n", cmd, name);
        status = std::max(status, kExitUsage);
        continue;
      }
      ++added;
      if (reports.pending() == kReportsPerSync) commit();
      continue;
    }
    if (opt.out.empty()) {
      fmt::print("{}", out.xml);
    } else if (!WriteFileAtomically(name, out.xml)) {
      fmt::print(stderr, "{}: cannot write \"{}\"\n", cmd, name);
      status = std::max(status, kExitUsage);
      continue;
    }
    ++written;
  }
  commit();
  if (batch || !opt.out.empty()) {
    fmt::print(stderr, "{} of {} report{} written{}{}, {} warning{}\n", written, files.size(),
               files.size() == 1 ? "" : "s", validator != nullptr ? ", each valid against " : "",
               validator != nullptr ? opt.xsd : "", warnings, warnings == 1 ? "" : "s");
  }
  return status;
}

}  // namespace

int RunReport(const std::vector<std::string>& args) {
  const Command& self = *FindCommand("report");
  if (args.empty()) return Usage(self, "expected `vigil report goaml ...` or `vigil report fincen-sar ...`");
  Options opt;
  if (args[0] == "goaml") {
    opt.kind = report::ReportKind::kGoaml;
  } else if (args[0] == "fincen-sar") {
    opt.kind = report::ReportKind::kFincenSar;
  } else {
    return Usage(self, fmt::format("unknown report kind '{}' (goaml or fincen-sar)", args[0]));
  }
  for (size_t i = 1; i < args.size(); ++i) {
    const std::string& a = args[i];
    const bool takes_value = a == "--profile" || a == "--case" || a == "-o" || a == "--xsd" ||
                             a == "--lookup" || a == "--date";
    if (takes_value && i + 1 == args.size()) return Usage(self, fmt::format("{} needs a value", a));
    if (a == "--profile") {
      opt.profile = args[++i];
    } else if (a == "--case") {
      opt.case_path = args[++i];
    } else if (a == "-o") {
      opt.out = args[++i];
    } else if (a == "--xsd") {
      opt.xsd = args[++i];
    } else if (a == "--date") {
      opt.date = args[++i];
    } else if (a == "--lookup") {
      const std::string& spec = args[++i];
      size_t eq = spec.find('=');
      if (eq == std::string::npos || eq == 0 || eq + 1 == spec.size()) {
        return Usage(self, fmt::format("--lookup: expected NAME=FILE, found \"{}\"", spec));
      }
      opt.lookups.push_back(spec);
    } else {
      return Usage(self, fmt::format("unknown option '{}'", a));
    }
  }
  if (opt.profile.empty()) return Usage(self, "--profile is required");
  if (opt.case_path.empty()) return Usage(self, "--case is required");
  return Run(opt);
}

}  // namespace vigil::cli
