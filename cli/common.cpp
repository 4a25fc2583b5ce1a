#include <fmt/format.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <filesystem>
#include <cstring>
#include <map>

#include "api/file_gate.hpp"
#include "base/atomic_file.hpp"
#include "base/bom.hpp"
#include "base/file_io.hpp"
#include "base/list_file.hpp"
#include "base/semver.hpp"
#include "cli.hpp"

namespace vigil::cli {

namespace {

std::string TrimTrailingSpace(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  return s;
}

// "a,b,c" → its non-empty items.
std::vector<std::string> SplitCommas(std::string_view text) {
  std::vector<std::string> items;
  while (!text.empty()) {
    size_t comma = text.find(',');
    if (comma != 0) items.emplace_back(text.substr(0, comma));
    text = comma == std::string_view::npos ? std::string_view() : text.substr(comma + 1);
  }
  return items;
}

}  // namespace

std::string OnceOptions::Take(const std::string& option, const std::string& name) {
  const std::string key = name.empty() ? option : option + " " + name;
  if (std::find(seen_.begin(), seen_.end(), key) == seen_.end()) {
    seen_.push_back(key);
    return {};
  }
  if (name.empty()) return fmt::format("{} is given twice; give it once", option);
  return fmt::format("{} gives '{}' twice; give each once", option, name);
}

bool ReadKeyFile(const std::string& path, std::string* key, std::string* error) {
  std::string why;
  if (!ReadWholeFile(path, kMaxKeyFileBytes, key, &why)) {
    if (error != nullptr) *error = why;
    return false;
  }
  *key = TrimTrailingSpace(std::move(*key));
  if (key->empty() && error != nullptr) *error = "it is empty";
  return !key->empty();
}

bool ReadInput(const std::string& path, size_t limit, std::string* text, std::string* error) {
  if (path != "-") return ReadWholeFile(path, limit, text, error);
  text->clear();
  char buf[65536];
  size_t n = 0;
  while ((n = std::fread(buf, 1, sizeof(buf), stdin)) > 0) {
    if (text->size() + n > limit) {
      *error = fmt::format("input is too large (the limit is {} bytes)", limit);
      return false;
    }
    text->append(buf, n);
  }
  return true;
}

bool WriteFileAtomically(const std::string& path, const std::string& bytes, mode_t mode) {
  // Created with its final mode: a secret key is never readable by others,
  // not even for a moment.
  std::string error;
  return vigil::WriteFileAtomically(path, {bytes}, mode, &error);
}

// VIGIL_HMAC_KEYS="name=KEYFILE[,name=KEYFILE...]": the keys of keyed hashed
// lists. A key file holds the key's bytes (trailing newlines are dropped).
std::map<std::string, std::string> HmacKeysFromEnvironment() {
  std::map<std::string, std::string> keys;
  const char* env = std::getenv("VIGIL_HMAC_KEYS");
  if (env == nullptr) return keys;
  for (const std::string& item : SplitCommas(env)) {
    size_t eq = item.find('=');
    if (eq == std::string::npos) {
      fmt::print(stderr, "vigil: VIGIL_HMAC_KEYS: expected name=KEYFILE, found \"{}\"\n", item);
      continue;
    }
    std::string key;
    const std::string path = item.substr(eq + 1);
    if (!ReadKeyFile(path, &key)) {
      fmt::print(stderr, "vigil: VIGIL_HMAC_KEYS: cannot read a key from \"{}\"\n", path);
      continue;
    }
    keys[item.substr(0, eq)] = key;
  }
  return keys;
}

bool ReadPublicKeys(const std::string& list, std::vector<std::string>* keys, std::string* error) {
  for (const std::string& path : SplitCommas(list)) {
    std::string hex, key, why;
    if (!ReadKeyFile(path, &hex, &why)) {
      *error = fmt::format("cannot read public key file \"{}\": {}", path, why);
      return false;
    }
    if (!pack::FromHex(hex, 32, &key)) {
      *error = fmt::format("\"{}\" is not a public key file (64 hex digits, from `vigil pack keygen`)", path);
      return false;
    }
    keys->push_back(key);
  }
  return true;
}

// VIGIL_TRUSTED_KEYS=a.pub,b.pub: packs must be signed by one of these keys;
// VIGIL_REVOKED_KEYS=c.pub: packs signed by these are refused;
// VIGIL_MIN_PACK_VERSION=1.4.0: older packs are refused (anti-rollback).
bool PackPolicyFromEnvironment(pack::TrustPolicy* policy) {
  std::string error;
  if (const char* trusted = std::getenv("VIGIL_TRUSTED_KEYS")) {
    policy->require_signature = true;
    if (!ReadPublicKeys(trusted, &policy->trusted_keys, &error)) {
      fmt::print(stderr, "vigil: VIGIL_TRUSTED_KEYS: {}\n", error);
      return false;
    }
  }
  if (const char* revoked = std::getenv("VIGIL_REVOKED_KEYS")) {
    if (!ReadPublicKeys(revoked, &policy->revoked_keys, &error)) {
      fmt::print(stderr, "vigil: VIGIL_REVOKED_KEYS: {}\n", error);
      return false;
    }
  }
  if (const char* min = std::getenv("VIGIL_MIN_PACK_VERSION")) {
    if (!ParseVersion(min)) {
      fmt::print(stderr, "vigil: VIGIL_MIN_PACK_VERSION: \"{}\" is not a version (MAJOR.MINOR.PATCH)\n",
                 min);
      return false;
    }
    policy->min_version = min;
  }
  return true;
}

bool SupplyExternalList(const eval::Program& program, const std::string& spec, std::string* error) {
  size_t eq = spec.find('=');
  const std::string name = spec.substr(0, eq), path = spec.substr(eq + 1);
  const eval::ExternalList* list = eval::FindExternalList(program.external_lists, name);
  if (list == nullptr) {
    *error = fmt::format("the rules have no external list '{}'", name);
    return false;
  }
  std::string text;
  if (!ReadWholeFile(path, limits::kMaxListFileBytes, &text, error)) {
    *error = fmt::format("cannot read \"{}\": {}", path, *error);
    return false;
  }
  StripUtf8Bom(text);  // as every text input (base/bom.hpp)
  if (std::string bad_text = CheckListText(text, path); !bad_text.empty()) {
    *error = std::move(bad_text);
    return false;
  }
  const size_t entries = CountListEntries(text);
  if (entries > limits::kMaxListFileEntries) {
    *error = fmt::format("\"{}\" has {} entries (the limit is {} per list file)", path, entries,
                         limits::kMaxListFileEntries);
    return false;
  }
  // The syntax of list files (base/list_file.hpp), expiries included.
  const int64_t now = NowMicros();
  std::vector<std::string_view> values;
  std::vector<size_t> line_numbers;  // of each value, for messages
  values.reserve(entries);
  line_numbers.reserve(entries);
  size_t expired = 0;
  std::string bad;
  ForEachListLine(text, [&](const ListLine& line) {
    if (line.bad_expiry && bad.empty()) {
      bad = fmt::format("{}:{}: '{}' is not an expiry date", path, line.number,
                        std::string(line.expiry.substr(0, 40)));
    } else if (line.expires && *line.expires <= now) {
      ++expired;
    } else {
      values.push_back(line.value);
      line_numbers.push_back(line.number);
    }
  });
  if (!bad.empty()) {
    *error = bad;
    return false;
  }
  if (expired > 0) {
    fmt::print(stderr, "vigil: list '{}': {} expired {} of \"{}\" dropped\n", name, expired,
               expired == 1 ? "entry" : "entries", path);
  }
  size_t bad_index = 0;
  if (!eval::ReplaceExternalList(*list, values, error, &bad_index)) {
    *error = fmt::format("{}:{}: '{}' is not {} (list '{}')", path, line_numbers[bad_index],
                         std::string(values[bad_index].substr(0, 40)),
                         list->hashed ? "a SHA-256 digest (64 hex digits)"
                                      : fmt::format("a value of type {}", KindName(list->kind)),
                         name);
    return false;
  }
  return true;
}

bool CollectDirectory(const std::string& dir, std::vector<std::string>* rules,
                      std::vector<std::string>* fixtures, std::string* error) {
  namespace fs = std::filesystem;
  std::vector<std::string> found_rules, found_fixtures;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::end(it);
       it.increment(ec)) {
    if (!it->is_regular_file()) continue;
    std::string path = it->path().generic_string();
    if (path.ends_with(".vgl")) found_rules.push_back(path);
    if (path.ends_with(".jsonl") && fixtures != nullptr) found_fixtures.push_back(path);
  }
  if (ec) {
    *error = fmt::format("cannot read directory \"{}\": {}", dir, ec.message());
    return false;
  }
  // A stable order: the same rule set compiles the same way everywhere.
  std::sort(found_rules.begin(), found_rules.end());
  std::sort(found_fixtures.begin(), found_fixtures.end());
  rules->insert(rules->end(), found_rules.begin(), found_rules.end());
  if (fixtures != nullptr) fixtures->insert(fixtures->end(), found_fixtures.begin(), found_fixtures.end());
  return true;
}

namespace {

// The command line's compile flags (TakeCompileFlag), for OptionsFromEnvironment.
struct CompileFlags {
  bool allow_pack_overrides = false;
  std::vector<std::string> read_roots;
};
CompileFlags& Flags() {
  static CompileFlags flags;
  return flags;
}

}  // namespace

bool ParseThreads(const std::string& value, unsigned* threads, std::string* problem) {
  unsigned n = 0;
  auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
  if (ec != std::errc() || end != value.data() + value.size() || n == 0 || n > 1024) {
    *problem = fmt::format("--threads takes a number from 1 to 1024, not '{}'", value);
    return false;
  }
  *threads = n;
  return true;
}

int TakeCompileFlag(const std::vector<std::string>& args, size_t& i, std::string* problem) {
  if (args[i] == "--allow-pack-overrides") {
    Flags().allow_pack_overrides = true;
    return 1;
  }
  if (args[i] == "--read-root") {
    if (i + 1 >= args.size()) {
      *problem = "--read-root needs a directory";
      return -1;
    }
    Flags().read_roots.push_back(args[++i]);
    return 1;
  }
  return 0;
}

bool ExpandRulePaths(const std::vector<std::string>& paths, std::vector<std::string>* files,
                     std::string* error) {
  for (const std::string& path : paths) {
    std::error_code ec;
    if (!std::filesystem::is_directory(path, ec)) {
      files->push_back(path);
      continue;
    }
    const size_t before = files->size();
    if (!CollectDirectory(path, files, nullptr, error)) return false;
    if (files->size() == before) {
      *error = fmt::format("directory \"{}\" holds no rule files (.vgl)", path);
      return false;
    }
  }
  return true;
}

CompileOptions OptionsFromEnvironment() {
  CompileOptions options;
  options.allow_pack_overrides = Flags().allow_pack_overrides;
  options.read_roots = Flags().read_roots;
  options.hmac_keys = HmacKeysFromEnvironment();
  // VIGIL_HOST_SCHEMA=FILE: the schema this host's events follow (a .vgl
  // file declaring it); rules needing more fail to compile (E2019).
  if (const char* host = std::getenv("VIGIL_HOST_SCHEMA")) {
    std::string text, error;
    if (!ReadWholeFile(host, limits::kMaxSourceBytes, &text, &error)) {
      fmt::print(stderr, "vigil: VIGIL_HOST_SCHEMA: cannot read \"{}\": {}\n", host, error);
    }
    // An unreadable host schema stays declared (empty): the check fails closed.
    options.host_schema = SourceInput{host, std::move(text), false, {}};
  }
  if (!PackPolicyFromEnvironment(&options.pack_policy)) {
    // Fail closed: an unreadable trust setting must not mean "trust anything".
    options.pack_policy.require_signature = true;
    options.pack_policy.trusted_keys.clear();
  }
  // VIGIL_SIGNED_ONLY=1: plain rule files are under the pack policy too:
  // refused unless named in VIGIL_LOCAL_FILES (the host's own files).
  if (const char* only = std::getenv("VIGIL_SIGNED_ONLY"); only != nullptr && *only != '\0' &&
                                                           std::string_view(only) != "0") {
    options.require_packs = true;
    options.pack_policy.require_signature = true;
  }
  if (const char* local = std::getenv("VIGIL_LOCAL_FILES")) {
    for (const std::string& path : SplitCommas(local)) options.local_files.insert(PathKey(path));
  }
  return options;
}

Compilation CompileAndReport(const std::vector<std::string>& files, const char* side,
                             size_t max_warnings, bool index_rules) {
  std::string names;
  for (size_t i = 0; i < files.size() && i < 3; ++i) {
    names += fmt::format("{}\"{}\"", i == 0 ? "" : ", ", files[i]);
  }
  if (files.size() > 3) names += fmt::format(" and {} more files", files.size() - 3);
  Doing doing("compiling " + names);
  CompileOptions options = OptionsFromEnvironment();
  options.max_warnings = max_warnings;
  options.index_rules = index_rules;
  Compilation c = CompileFiles(files, options);
  std::string text = c.RenderDiagnostics();
  if (!text.empty()) fmt::print(stderr, "{}", text);
  if (c.ok()) {
    // Every override applied, where it comes from and what it changed: a
    // member's tuning (or a pack's) never changes a rule set silently.
    for (const eval::AppliedOverride& o : c.program->overrides) {
      std::string what;
      switch (o.kind) {
        case eval::AppliedOverride::Kind::kSetParam:
          what = fmt::format("set {} = {}", o.target, o.value);
          break;
        case eval::AppliedOverride::Kind::kDisable:
          what = fmt::format("disable rule {}", o.target);
          break;
        case eval::AppliedOverride::Kind::kSeverity:
          what = fmt::format("severity {} {}", o.target, o.value);
          break;
        case eval::AppliedOverride::Kind::kMode:
          what = fmt::format("mode {} {}", o.target, o.value);
          break;
      }
      fmt::print(stderr, "override applied{}: {}:{}:{}: rule set '{}': {}{}\n",
                 side == nullptr ? "" : fmt::format(" ({})", side), o.file, o.line, o.column,
                 o.ruleset, what, o.pack.empty() ? "" : fmt::format(" (from pack \"{}\")", o.pack));
    }
  }
  return c;
}

namespace {
Doing* g_doing = nullptr;
std::string g_unwound_from;  // the innermost Doing an exception left
}  // namespace

Doing::Doing(std::string what, const uint64_t* line)
    : what_(std::move(what)), line_(line), outer_(g_doing),
      exceptions_(std::uncaught_exceptions()) {
  g_doing = this;
}

Doing::~Doing() {
  // Left by an exception: remember what was being done, for the handler in
  // main(), which runs after every Doing is gone.
  if (std::uncaught_exceptions() > exceptions_ && g_unwound_from.empty()) {
    try {
      g_unwound_from = Describe();
    } catch (...) {  // no memory even for the message: say less
    }
  }
  g_doing = outer_;
}

std::string Doing::Describe() {
  if (g_doing == nullptr) return g_unwound_from;
  if (g_doing->line_ == nullptr) return g_doing->what_;
  return fmt::format("{} (line {})", g_doing->what_, *g_doing->line_);
}

bool LineReader::Next(std::string& line, bool* too_long) {
  line.clear();
  *too_long = false;
  bool any = false;
  for (;;) {
    if (pos_ == len_) {
      if (eof_) return any;
      len_ = std::fread(buf_.data(), 1, buf_.size(), file_);
      pos_ = 0;
      if (len_ == 0) {
        eof_ = true;
        // A read error (EISDIR, EIO) is not the end of the input.
        if (std::ferror(file_)) failed_ = true;
        if (any) Finish(line);
        return any;
      }
    }
    any = true;
    const char* start = buf_.data() + pos_;
    const void* nl = std::memchr(start, '\n', len_ - pos_);
    size_t take = nl == nullptr ? len_ - pos_ : static_cast<const char*>(nl) - start;
    if (!*too_long) {
      if (line.size() + take > kMaxLine) {
        *too_long = true;
        line.clear();
      } else {
        line.append(start, take);
      }
    }
    pos_ += take;
    if (nl != nullptr) {
      ++pos_;
      Finish(line);
      return true;
    }
  }
}

void LineReader::Finish(std::string& line) {
  if (!line.empty() && line.back() == '\r') line.pop_back();
  if (++lines_ == 1) StripUtf8Bom(line);  // the start of the input (base/bom.hpp)
}

ByteReader::ByteReader(std::FILE* file) : fd_(fileno(file)) {
  struct stat st;
  // A regular file of size 0 may still have bytes to read (procfs, some
  // FUSE file systems): read(2) tells.
  if (::fstat(fd_, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size == 0) return;
  const off_t at = ::lseek(fd_, 0, SEEK_CUR);  // stdin may be a file already read in part
  if (at < 0) return;
  ranges_ = true;
  start_ = static_cast<uint64_t>(at);
  size_ = st.st_size > at ? static_cast<uint64_t>(st.st_size - at) : 0;
}

stream::StreamTotals ByteReader::Run(std::span<const stream::Side> sides, stream::Handler& handler,
                                     const stream::StreamOptions& options) {
  if (ranges_) {
    const stream::StreamTotals totals = stream::RunStream(
        sides, handler,
        [this](char* buffer, size_t size, uint64_t offset) { return ReadAt(buffer, size, offset); },
        size_, options);
    // pread leaves the offset where it was: past what was read, as read(2)
    // would leave it, for whatever reads the same stdin next.
    if (!totals.stopped && !failed()) ::lseek(fd_, static_cast<off_t>(start_ + size_), SEEK_SET);
    return totals;
  }
  return stream::RunStream(
      sides, handler, [this](char* buffer, size_t size) { return Read(buffer, size); }, options);
}

size_t ByteReader::Read(char* buffer, size_t size) {
  if (error_.load() != 0) return 0;
  for (;;) {
    const ssize_t n = ::read(fd_, buffer, size);
    if (n >= 0) return static_cast<size_t>(n);
    if (errno == EINTR) continue;
    error_.store(errno);  // EISDIR, EIO: not the end of the input
    return 0;
  }
}

int64_t ByteReader::ReadAt(char* buffer, size_t size, uint64_t offset) {
  for (;;) {
    const ssize_t n = ::pread(fd_, buffer, size, static_cast<off_t>(start_ + offset));
    if (n >= 0) return n;
    if (errno == EINTR) continue;
    int none = 0;
    error_.compare_exchange_strong(none, errno);  // EIO: the first one is reported
    return -1;
  }
}

}  // namespace vigil::cli
