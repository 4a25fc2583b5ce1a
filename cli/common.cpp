#include <fmt/format.h>

#include <cstdlib>
#include <cstring>
#include <map>

#include "cli.hpp"

namespace vigil::cli {

namespace {

std::string TrimTrailingSpace(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  return s;
}

}  // namespace

bool ReadKeyFile(const std::string& path, std::string* key) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) return false;
  char buf[4096];
  size_t n = std::fread(buf, 1, sizeof(buf), f);
  std::fclose(f);
  *key = TrimTrailingSpace(std::string(buf, n));
  return !key->empty();
}

// VIGIL_HMAC_KEYS="name=KEYFILE[,name=KEYFILE...]": the keys of keyed hashed
// lists. A key file holds the key's bytes (trailing newlines are dropped).
std::map<std::string, std::string> HmacKeysFromEnvironment() {
  std::map<std::string, std::string> keys;
  const char* env = std::getenv("VIGIL_HMAC_KEYS");
  if (env == nullptr) return keys;
  std::string_view rest = env;
  while (!rest.empty()) {
    size_t comma = rest.find(',');
    std::string_view item = rest.substr(0, comma);
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    size_t eq = item.find('=');
    if (eq == std::string_view::npos) {
      fmt::print(stderr, "vigil: VIGIL_HMAC_KEYS: expected name=KEYFILE, found \"{}\"\n", item);
      continue;
    }
    std::string key;
    std::string path(item.substr(eq + 1));
    if (!ReadKeyFile(path, &key)) {
      fmt::print(stderr, "vigil: VIGIL_HMAC_KEYS: cannot read a key from \"{}\"\n", path);
      continue;
    }
    keys[std::string(item.substr(0, eq))] = key;
  }
  return keys;
}

bool ReadPublicKeys(const std::string& list, std::vector<std::string>* keys, std::string* error) {
  std::string_view rest = list;
  while (!rest.empty()) {
    size_t comma = rest.find(',');
    std::string path(rest.substr(0, comma));
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    std::string hex, key;
    if (!ReadKeyFile(path, &hex) || !pack::FromHex(hex, 32, &key)) {
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
  if (const char* min = std::getenv("VIGIL_MIN_PACK_VERSION")) policy->min_version = min;
  return true;
}

bool SupplyExternalList(const eval::Program& program, const std::string& spec, std::string* error) {
  size_t eq = spec.find('=');
  const std::string name = spec.substr(0, eq), path = spec.substr(eq + 1);
  const eval::ExternalList* list = nullptr;
  for (const auto& l : program.external_lists) {
    if (l.name == name) list = &l;
  }
  if (list == nullptr) {
    *error = fmt::format("the rules have no external list '{}'", name);
    return false;
  }
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) {
    *error = fmt::format("cannot read \"{}\"", path);
    return false;
  }
  // The same lines as a list file: trimmed, blank lines and # comments skipped.
  LineReader reader(f);
  std::string line;
  bool too_long = false;
  std::vector<std::string> values;
  while (reader.Next(line, &too_long)) {
    size_t b = line.find_first_not_of(" \t\r");
    if (too_long || b == std::string::npos || line[b] == '#') continue;
    size_t e = line.find_last_not_of(" \t\r");
    values.push_back(line.substr(b, e - b + 1));
  }
  std::fclose(f);
  std::vector<std::string_view> views(values.begin(), values.end());
  return eval::ReplaceExternalList(*list, views, error);
}

Compilation CompileAndReport(const std::vector<std::string>& files) {
  CompileOptions options;
  options.hmac_keys = HmacKeysFromEnvironment();
  // VIGIL_HOST_SCHEMA=FILE: the schema this host's events follow (a .vgl
  // file declaring it); rules needing more fail to compile (E2019).
  if (const char* host = std::getenv("VIGIL_HOST_SCHEMA")) {
    std::FILE* f = std::fopen(host, "rb");
    if (f == nullptr) {
      fmt::print(stderr, "vigil: VIGIL_HOST_SCHEMA: cannot read \"{}\"\n", host);
      options.host_schema = SourceInput{host, "", false};  // fails the check: fail closed
    } else {
      std::string text;
      char buf[65536];
      size_t n = 0;
      while ((n = std::fread(buf, 1, sizeof(buf), f)) > 0 && text.size() < limits::kMaxSourceBytes) {
        text.append(buf, n);
      }
      std::fclose(f);
      options.host_schema = SourceInput{host, std::move(text), false};
    }
  }
  if (!PackPolicyFromEnvironment(&options.pack_policy)) {
    // Fail closed: an unreadable trust setting must not mean "trust anything".
    options.pack_policy.require_signature = true;
    options.pack_policy.trusted_keys.clear();
  }
  Compilation c = CompileFiles(files, options);
  std::string text = c.RenderDiagnostics();
  if (!text.empty()) fmt::print(stderr, "{}", text);
  return c;
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
      if (!line.empty() && line.back() == '\r') line.pop_back();
      return true;
    }
  }
}

}  // namespace vigil::cli
