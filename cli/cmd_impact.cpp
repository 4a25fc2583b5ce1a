// vigil impact --cases DIR --outcomes FILE -o impact.json [--k N]
// [--period month|week] [--exact FILE] [--html FILE]; vigil impact merge
// EXACT... -o coalition.json: impact metrics with small cells suppressed
// (docs/impact.md).
#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <filesystem>

#include "base/file_io.hpp"
#include "cli.hpp"
#include "impact/html.hpp"
#include "impact/impact.hpp"
#include "impact/publish.hpp"

namespace vigil::cli {

namespace {

namespace fs = std::filesystem;

constexpr size_t kMaxExactBytes = size_t{256} << 20;

int ImpactFail(const std::string& message) {
  fmt::print(stderr, "vigil impact: {}\n", message);
  return kExitFailure;
}

struct Outputs {
  std::string out, html, exact;
  int64_t k = 10;
  OnceOptions once;  // every option once, as in every command
};

// Writes the published file (and the page, and the exact file), each
// atomically; the summary line on stderr.
int WriteOutputs(const impact::Exact& e, const Outputs& o) {
  impact::PublishStats stats;
  const json::Value published = impact::Publish(e, o.k, &stats);
  if (stats.recoverable > 0) {
    return ImpactFail(fmt::format("{} suppressed cells could still be recovered from the totals and no "
                            "cell was left to hide: nothing was written", stats.recoverable));
  }
  if (!o.exact.empty() && !WriteFileAtomically(o.exact, impact::WriteExact(e), 0600)) {
    return ImpactFail(fmt::format("cannot write '{}'", o.exact));
  }
  if (!WriteFileAtomically(o.out, impact::WritePublished(published))) {
    return ImpactFail(fmt::format("cannot write '{}'", o.out));
  }
  if (!o.html.empty() && !WriteFileAtomically(o.html, impact::RenderHtml(published))) {
    return ImpactFail(fmt::format("cannot write '{}'", o.html));
  }
  fmt::print(stderr, "wrote {} (k = {}: {} cells below k and {} complementary cells suppressed)\n",
             o.out, o.k, stats.primary, stats.complementary);
  return kExitOk;
}

// Shared options; false (with a usage message printed) on a bad one.
bool ParseCommon(const std::vector<std::string>& args, size_t* i, Outputs* o, int* status) {
  const std::string& a = args[*i];
  if (std::string twice = o->once.Take(a); !twice.empty()) {
    *status = Usage(*FindCommand("impact"), twice);
    return false;
  }
  auto value = [&](std::string* target) {
    if (*i + 1 >= args.size()) {
      *status = Usage(*FindCommand("impact"), fmt::format("'{}' needs a value", a));
      return false;
    }
    *target = args[++*i];
    return true;
  };
  if (a == "-o") return value(&o->out);
  if (a == "--html") return value(&o->html);
  if (a == "--exact") return value(&o->exact);
  if (a == "--k") {
    std::string text;
    if (!value(&text)) return false;
    auto r = std::from_chars(text.data(), text.data() + text.size(), o->k);
    if (r.ec != std::errc() || r.ptr != text.data() + text.size() || o->k < 2 || o->k > 1000000) {
      *status = Usage(*FindCommand("impact"),
                      fmt::format("--k: expected a whole number from 2 to 1000000, found \"{}\"", text));
      return false;
    }
    return true;
  }
  *status = Usage(*FindCommand("impact"), fmt::format("unknown argument '{}'", a));
  return false;
}

int Merge(const std::vector<std::string>& args) {
  Outputs o;
  std::vector<std::string> inputs;
  for (size_t i = 0; i < args.size(); ++i) {
    if (!args[i].starts_with("-")) {
      inputs.push_back(args[i]);
      continue;
    }
    int status = 0;
    if (!ParseCommon(args, &i, &o, &status)) return status;
  }
  if (inputs.empty() || o.out.empty()) {
    return Usage(*FindCommand("impact"), "usage: vigil impact merge EXACT.json... -o OUT.json");
  }
  impact::Exact total;
  for (size_t i = 0; i < inputs.size(); ++i) {
    std::string text, error;
    if (!ReadWholeFile(inputs[i], kMaxExactBytes, &text, &error)) {
      return ImpactFail(fmt::format("{}: {}", inputs[i], error));
    }
    impact::Exact e;
    if (!impact::ReadExact(text, inputs[i], &e, &error)) return ImpactFail(error);
    if (i == 0) {
      total = std::move(e);
    } else if (!impact::MergeExact(&total, e, &error)) {
      return ImpactFail(fmt::format("{}: {}", inputs[i], error));
    }
  }
  return WriteOutputs(total, o);
}

}  // namespace

int RunImpact(const std::vector<std::string>& args) {
  if (!args.empty() && args[0] == "merge") {
    return Merge(std::vector<std::string>(args.begin() + 1, args.end()));
  }
  Outputs o;
  std::string cases_dir, outcomes, period = "month";
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if ((a == "--cases" || a == "--outcomes" || a == "--period") && i + 1 < args.size()) {
      if (std::string twice = o.once.Take(a); !twice.empty()) {
        return Usage(*FindCommand("impact"), twice);
      }
      (a == "--cases" ? cases_dir : a == "--outcomes" ? outcomes : period) = args[++i];
      continue;
    }
    int status = 0;
    if (!ParseCommon(args, &i, &o, &status)) return status;
  }
  if (cases_dir.empty() || outcomes.empty() || o.out.empty()) {
    return Usage(*FindCommand("impact"), "expected --cases, --outcomes and -o");
  }
  if (period != "month" && period != "week") {
    return Usage(*FindCommand("impact"),
                 fmt::format("--period: expected month or week, found \"{}\"", period));
  }
  std::error_code ec;
  if (!fs::is_directory(cases_dir, ec)) {
    return ImpactFail(fmt::format("--cases: '{}' is not a folder of case files", cases_dir));
  }
  std::vector<std::string> files;
  for (const auto& entry : fs::directory_iterator(cases_dir, ec)) {
    if (entry.is_regular_file() && entry.path().extension() == ".json") {
      files.push_back(entry.path().string());
    }
  }
  std::sort(files.begin(), files.end());
  impact::Exact e;
  std::string error;
  if (!impact::CountImpact(files, outcomes,
                           period == "week" ? impact::Period::kWeek : impact::Period::kMonth, &e,
                           &error)) {
    return ImpactFail(error);
  }
  return WriteOutputs(e, o);
}

}  // namespace vigil::cli
