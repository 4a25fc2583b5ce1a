// vigil case --results RESULTS.jsonl --events EVENTS.jsonl -o DIR: groups
// the alerts of `vigil eval --explain` into case files by subject
// (docs/case.md). Streams both files in step: only the open cases are kept.
#include <fmt/format.h>

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <optional>

#include "base/json_writer.hpp"
#include "base/time_util.hpp"
#include "case/alert_reader.hpp"
#include "case/case_builder.hpp"
#include "case/case_json.hpp"
#include "cli.hpp"

namespace vigil::cli {

namespace {

namespace fs = std::filesystem;

struct CaseArgs {
  std::string results;
  std::string events;
  std::string out;
  std::string subject;  // --subject FIELD; empty: the evidence's @subject
  cases::BuildOptions build;
};

// A JSON Lines file read one object at a time, with its line numbers.
class JsonLines {
 public:
  JsonLines(std::FILE* file, std::string shown, json::ParseOptions options = {})
      : lines_(file), shown_(std::move(shown)), options_(std::move(options)) {}
  const std::string& shown() const { return shown_; }
  uint64_t line() const { return number_; }
  std::string Where() const { return fmt::format("{}:{}", shown_, number_); }

  // The next non-blank line as an object; false at the end (error empty) or
  // on a malformed line (error set). With `needle`, lines that do not
  // contain it are skipped unread (nothing they hold is wanted).
  bool Next(json::Value* out, std::string* error, std::string_view needle = {}) {
    bool too_long = false;
    while (lines_.Next(text_, &too_long)) {
      ++number_;
      if (too_long) {
        *error = fmt::format("{}: line is longer than {} bytes", Where(), LineReader::kMaxLine);
        return false;
      }
      if (!needle.empty() && text_.find(needle) == std::string::npos) continue;
      const std::string& text = text_;
      if (text.find_first_not_of(" \t\r") == std::string::npos) continue;
      json::ParseError e;
      if (!json::Parse(text, out, &e, options_)) {
        *error = fmt::format("{}:{}: {}", Where(), e.column, e.message);
        return false;
      }
      if (!out->is_object()) {
        *error = fmt::format("{}: expected a JSON object, found {}", Where(),
                             json::TypeName(out->type()));
        return false;
      }
      return true;
    }
    error->clear();
    return false;
  }

 private:
  LineReader lines_;
  std::string shown_;
  json::ParseOptions options_;
  std::string text_;
  uint64_t number_ = 0;
};

// Where case files are written until the run succeeds: a folder next to the
// output, renamed into place at the end, removed on failure.
class Staging {
 public:
  ~Staging() {
    if (!dir_.empty()) {
      std::error_code ec;
      fs::remove_all(dir_, ec);
    }
  }

  bool Open(const std::string& out, std::string* error) {
    out_ = out;
    std::error_code ec;
    fs::file_status st = fs::status(out, ec);
    if (fs::exists(st)) {
      if (!fs::is_directory(st)) {
        *error = fmt::format("-o \"{}\": exists and is not a folder", out);
        return false;
      }
      size_t n = 0;
      for (auto it = fs::directory_iterator(out, ec); !ec && it != fs::directory_iterator();
           it.increment(ec)) {
        ++n;
      }
      if (ec) {
        *error = fmt::format("-o \"{}\": cannot read the folder: {}", out, ec.message());
        return false;
      }
      if (n > 0) {
        *error = fmt::format("-o \"{}\": the folder already holds {} file{}; give a new or "
                             "empty folder (case files are never overwritten)",
                             out, n, n == 1 ? "" : "s");
        return false;
      }
    }
    fs::path target = fs::path(out).lexically_normal();
    if (target.filename().empty()) target = target.parent_path();
    fs::path parent = target.parent_path().empty() ? fs::path(".") : target.parent_path();
    dir_ = parent / fmt::format(".{}.vigil-tmp-{}", target.filename().string(), ::getpid());
    if (!fs::create_directories(dir_, ec) || ec) {
      *error = fmt::format("-o \"{}\": cannot create a folder next to it: {}", out,
                           ec ? ec.message() : "it already exists");
      dir_.clear();
      return false;
    }
    target_ = target;
    return true;
  }

  // Writes one case file into the staging folder (not yet synced: Commit
  // syncs them all at once, which is much faster than a sync per file).
  bool Write(const cases::Case& c, std::string* error) {
    fs::path path = dir_ / (c.case_id + ".json");
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
      *error = errno == EEXIST
                   ? fmt::format("two cases with id {} (the same subject and first event twice)",
                                 c.case_id)
                   : fmt::format("cannot write \"{}\": {}", path.string(), std::strerror(errno));
      return false;
    }
    const std::string bytes = cases::WriteCaseJson(c);
    size_t done = 0;
    while (done < bytes.size()) {
      ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
      if (n <= 0) break;
      done += static_cast<size_t>(n);
    }
    const int saved = errno;
    const bool ok = ::close(fd) == 0 && done == bytes.size();
    if (!ok) {
      *error = fmt::format("cannot write \"{}\": {}", path.string(), std::strerror(saved));
    }
    return ok;
  }

  // Makes the case files durable, then moves them into place in one rename:
  // a crash leaves either no case files or all of them.
  bool Commit(std::string* error) {
    int fd = ::open(dir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    const bool synced = fd >= 0 && ::syncfs(fd) == 0;
    if (fd >= 0) ::close(fd);
    if (!synced) {
      *error = fmt::format("cannot sync the case files: {}", std::strerror(errno));
      return false;
    }
    std::error_code ec;
    if (fs::exists(target_, ec)) fs::remove(target_, ec);  // empty: checked in Open
    fs::rename(dir_, target_, ec);
    if (ec) {
      *error = fmt::format("cannot move the case files into \"{}\": {}", out_, ec.message());
      return false;
    }
    dir_.clear();
    fd = ::open(target_.parent_path().empty() ? "." : target_.parent_path().c_str(),
                O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
      ::fsync(fd);  // the rename itself
      ::close(fd);
    }
    return true;
  }

 private:
  std::string out_;
  fs::path target_;
  fs::path dir_;
};

std::FILE* OpenInput(const std::string& path) {
  return path == "-" ? stdin : std::fopen(path.c_str(), "rb");
}

}  // namespace

int RunCase(const std::vector<std::string>& args) {
  const Command& self = *FindCommand("case");
  CaseArgs a;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    auto value = [&]() -> const std::string* {
      return i + 1 < args.size() ? &args[++i] : nullptr;
    };
    const std::string* v = nullptr;
    if (arg == "--results") {
      if ((v = value()) == nullptr) return Usage(self, "--results needs a file");
      a.results = *v;
    } else if (arg == "--events") {
      if ((v = value()) == nullptr) return Usage(self, "--events needs a file");
      a.events = *v;
    } else if (arg == "-o" || arg == "--out") {
      if ((v = value()) == nullptr) return Usage(self, "-o needs a folder");
      a.out = *v;
    } else if (arg == "--subject") {
      if ((v = value()) == nullptr) return Usage(self, "--subject needs a field name");
      a.subject = *v;
    } else if (arg == "--case-window") {
      if ((v = value()) == nullptr) {
        return Usage(self, "--case-window needs a duration such as 30d");
      }
      std::optional<int64_t> d = ParseDuration(*v);
      if (!d || *d <= 0) {
        return Usage(self, fmt::format("--case-window takes a duration such as 30d, not '{}'", *v));
      }
      a.build.window_us = *d;
    } else if (arg == "--min-decision") {
      if ((v = value()) == nullptr) return Usage(self, "--min-decision needs a decision");
      a.build.min_decision = *v;
    } else if (arg == "--amount") {
      if ((v = value()) == nullptr) return Usage(self, "--amount needs a member name");
      a.build.amount_member = *v;
    } else if (arg == "--currency") {
      if ((v = value()) == nullptr) return Usage(self, "--currency needs a member name");
      a.build.currency_member = *v;
    } else {
      return Usage(self, fmt::format("unexpected argument '{}'", arg));
    }
  }
  if (a.results.empty()) return Usage(self, "no results given (--results FILE.jsonl)");
  if (a.events.empty()) return Usage(self, "no events given (--events FILE.jsonl)");
  if (a.out.empty()) return Usage(self, "no output folder given (-o DIR)");
  if (a.results == "-" && a.events == "-") {
    return Usage(self, "--results and --events cannot both be standard input");
  }

  std::FILE* rf = OpenInput(a.results);
  if (rf == nullptr) {
    fmt::print(stderr, "vigil case: cannot open \"{}\": {}\n", a.results, std::strerror(errno));
    return kExitFailure;
  }
  std::FILE* ef = OpenInput(a.events);
  if (ef == nullptr) {
    fmt::print(stderr, "vigil case: cannot open \"{}\": {}\n", a.events, std::strerror(errno));
    if (rf != stdin) std::fclose(rf);
    return kExitFailure;
  }
  JsonLines results(rf, a.results == "-" ? "<stdin>" : a.results, cases::AlertParseOptions());
  JsonLines events(ef, a.events == "-" ? "<stdin>" : a.events);
  std::string error;
  Staging staging;
  uint64_t alerts = 0;
  bool ok = staging.Open(a.out, &error);
  cases::CaseBuilder builder(a.build, [&](cases::Case&& c, std::string* why) {
    return staging.Write(c, why);
  });
  json::Value result;
  json::Value event;
  std::string last_found;  // where the previous alert's event was found
  while (ok && results.Next(&result, &error)) {
    const std::string where = results.Where();
    bool alert = false;
    cases::AlertInput in;
    std::string id_member;
    if (!cases::ReadAlert(result, a.subject, where, &alert, &in, &id_member, &error)) {
      ok = false;
      break;
    }
    if (!alert) continue;
    ++alerts;
    // The alert's event: read the events forward to it, keeping nothing else.
    // Only lines holding the id (as JSON text) are parsed: the others were
    // read by vigil eval already and are not wanted here.
    std::string needle;
    if (std::optional<int64_t> number = json::Value::Number(in.alert.event).AsInt();
        number && *number >= 0) {
      needle = in.alert.event;
    } else {
      AppendJsonString(in.alert.event, needle);
    }
    bool found = false;
    while (events.Next(&event, &error, needle)) {
      if (cases::IdText(event.Find(id_member)) == in.alert.event) {
        found = true;
        break;
      }
    }
    if (!found) {
      if (error.empty()) {
        error = fmt::format(
            "{}: event '{}' is not in {}{} (results must follow the order of the events they "
            "came from, and name them by the member '{}')",
            where, in.alert.event, events.shown(),
            last_found.empty() ? "" : " after line " + last_found, id_member);
      }
      ok = false;
      break;
    }
    last_found = std::to_string(events.line());
    std::optional<std::string> subject = cases::IdText(event.Find(in.subject.field));
    if (!subject) {
      error = fmt::format("{}: event '{}' has no subject: member '{}' is missing or not a string "
                          "or an integer",
                          events.Where(), in.alert.event, in.subject.field);
      ok = false;
      break;
    }
    in.subject.value = *subject;
    in.transaction.event = in.alert.event;
    in.transaction.time = in.alert.time;
    in.transaction.time_us = in.alert.time_us;
    in.transaction.data = std::move(event);
    in.event_where = events.Where();
    if (!builder.Add(std::move(in), where, &error)) ok = false;
  }
  if (ok && !error.empty()) ok = false;  // a malformed results line ended the loop
  if (ok) ok = builder.Finish(&error);
  if (ok) ok = staging.Commit(&error);
  if (rf != stdin) std::fclose(rf);
  if (ef != stdin) std::fclose(ef);
  if (!ok) {
    fmt::print(stderr, "vigil case: {}\n", error);
    fmt::print(stderr, "vigil case: no case written\n");
    return kExitFailure;
  }
  fmt::print(stderr, "{} case{} written to {} ({} alert{} read; {} case{} below the minimum "
                     "decision not written; at most {} case{} open at once)\n",
             builder.cases_written(), builder.cases_written() == 1 ? "" : "s", a.out, alerts,
             alerts == 1 ? "" : "s", builder.cases_below_threshold(),
             builder.cases_below_threshold() == 1 ? "" : "s", builder.most_open_cases(),
             builder.most_open_cases() == 1 ? "" : "s");
  return kExitOk;
}

}  // namespace vigil::cli
