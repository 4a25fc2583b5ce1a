// vigil refer --cases DIR --policy FILE --id-key KEY --signing-key KEY
// --created TIME -o DIR: one signed referral package per jurisdiction
// (docs/referral.md); vigil refer verify PACKAGE --trust KEY: the
// receiver's check.
#include <fmt/format.h>
#include <sodium.h>

#include <algorithm>
#include <filesystem>
#include <map>

#include "base/file_io.hpp"
#include "base/time_util.hpp"
#include "cli.hpp"
#include "pack/pack.hpp"
#include "referral/package.hpp"
#include "referral/policy.hpp"

namespace vigil::cli {

namespace {

namespace fs = std::filesystem;

constexpr size_t kMaxPolicyBytes = size_t{4} << 20;

int ReferFail(const std::string& message) {
  fmt::print(stderr, "vigil refer: {}\n", message);
  return kExitFailure;
}

// The events' fields (name → @pii) from the rule file the policy names.
bool SchemaFields(const std::string& path, std::map<std::string, bool>* fields,
                  std::string* error) {
  Compilation c = CompileFiles({path});
  if (!c.ok()) {
    *error = fmt::format("the events' schema '{}' does not compile:\n{}", path,
                         c.RenderDiagnostics());
    return false;
  }
  for (const eval::FieldInfo& f : c.program->schema.fields) (*fields)[f.name] = f.pii;
  if (fields->empty()) {
    *error = fmt::format("'{}' uses no schema (name a rule file with `uses schema NAME`, e.g. the rules that raised the alerts)", path);
    return false;
  }
  return true;
}

bool CaseFiles(const std::string& dir, std::vector<std::string>* files, std::string* error) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    *error = fmt::format("--cases: '{}' is not a folder of case files", dir);
    return false;
  }
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    if (entry.is_regular_file() && entry.path().extension() == ".json") {
      files->push_back(entry.path().string());
    }
  }
  if (ec) {
    *error = fmt::format("--cases: cannot read the folder '{}'", dir);
    return false;
  }
  std::sort(files->begin(), files->end());
  if (files->empty()) {
    *error = fmt::format("--cases: '{}' holds no case files (*.json)", dir);
    return false;
  }
  return true;
}

std::string Amounts(const referral::PackageSummary& p) {
  std::string s;
  for (const auto& [cur, a] : p.amounts) {
    if (!s.empty()) s += ", ";
    s += fmt::format("{} {}", DecimalToString(a.second), cur.empty() ? "(no currency)" : cur);
  }
  return s.empty() ? "-" : s;
}

int VerifyReferrals(const std::vector<std::string>& args) {
  std::vector<std::string> dirs;
  std::string trust;
  OnceOptions once;
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--trust" && i + 1 < args.size()) {
      if (std::string twice = once.Take("--trust"); !twice.empty()) {
        return Usage(*FindCommand("refer"), twice);
      }
      trust = args[++i];
    } else if (!args[i].starts_with("-")) {
      dirs.push_back(args[i]);
    } else {
      return Usage(*FindCommand("refer"), fmt::format("unknown option '{}'", args[i]));
    }
  }
  if (dirs.empty() || trust.empty()) {
    return Usage(*FindCommand("refer"), "usage: vigil refer verify PACKAGE... --trust KEY.pub");
  }
  std::vector<std::string> keys;
  std::string error;
  if (!ReadPublicKeys(trust, &keys, &error)) return ReferFail(fmt::format("--trust: {}", error));
  int failed = 0;
  for (const std::string& dir : dirs) {
    std::string signer;
    if (!referral::VerifyPackage(dir, keys, &signer, &error)) {
      fmt::print(stderr, "vigil refer verify: refused: {}\n", error);
      ++failed;
      continue;
    }
    fmt::print("ok {}: signed by {}\n", dir, signer.substr(0, 16));
  }
  return failed == 0 ? kExitOk : kExitFailure;
}

}  // namespace

int RunRefer(const std::vector<std::string>& args) {
  if (!args.empty() && args[0] == "verify") {
    return VerifyReferrals(std::vector<std::string>(args.begin() + 1, args.end()));
  }
  std::string cases_dir, policy_path, id_key_path, signing_key_path, created, out;
  OnceOptions once;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a.starts_with("-")) {
      if (std::string twice = once.Take(a); !twice.empty()) {
        return Usage(*FindCommand("refer"), twice);
      }
    }
    auto value = [&](std::string* target) {
      if (i + 1 >= args.size()) return false;
      *target = args[++i];
      return true;
    };
    bool ok = true;
    if (a == "--cases") {
      ok = value(&cases_dir);
    } else if (a == "--policy") {
      ok = value(&policy_path);
    } else if (a == "--id-key") {
      ok = value(&id_key_path);
    } else if (a == "--signing-key") {
      ok = value(&signing_key_path);
    } else if (a == "--created") {
      ok = value(&created);
    } else if (a == "-o") {
      ok = value(&out);
    } else {
      return Usage(*FindCommand("refer"), fmt::format("unknown argument '{}'", a));
    }
    if (!ok) return Usage(*FindCommand("refer"), fmt::format("'{}' needs a value", a));
  }
  if (cases_dir.empty() || policy_path.empty() || id_key_path.empty() ||
      signing_key_path.empty() || created.empty() || out.empty()) {
    return Usage(*FindCommand("refer"),
                 "expected --cases, --policy, --id-key, --signing-key, --created and -o");
  }
  std::optional<int64_t> created_us = ParseTime(created);
  if (!created_us) {
    return Usage(*FindCommand("refer"),
                 fmt::format("--created: expected an RFC 3339 time, found \"{}\"", created));
  }
  if (sodium_init() < 0) return ReferFail("libsodium cannot be initialised");

  referral::ReferOptions o;
  o.created = TimeToString(*created_us);
  o.out_dir = out;
  std::string error, text;
  if (!ReadWholeFile(policy_path, kMaxPolicyBytes, &text, &error)) {
    return ReferFail(fmt::format("--policy: {}: {}", policy_path, error));
  }
  if (!referral::ReadPolicy(text, policy_path, &o.policy, &error)) return ReferFail(error);
  const fs::path schema = fs::path(policy_path).parent_path() / o.policy.schema;
  std::map<std::string, bool> fields;
  if (!SchemaFields(schema.string(), &fields, &error)) {
    return ReferFail(fmt::format("{}: member 'schema': {}", policy_path, error));
  }
  if (!referral::CheckPolicyFields(o.policy, policy_path, fields, &o.keyed, &error)) {
    return ReferFail(error);
  }
  if (!ReadKeyFile(id_key_path, &o.id_key)) {
    return ReferFail(fmt::format("--id-key: cannot read a key from \"{}\" (a key file as `vigil list "
                            "hash --key` reads it, e.g. 64 hex digits)", id_key_path));
  }
  std::string hex;
  if (!ReadKeyFile(signing_key_path, &hex) ||
      !pack::FromHex(hex, crypto_sign_SECRETKEYBYTES, &o.signing_key)) {
    return ReferFail(fmt::format("--signing-key: \"{}\" is not a secret key file (from `vigil pack "
                            "keygen`)", signing_key_path));
  }
  std::vector<std::string> files;
  if (!CaseFiles(cases_dir, &files, &error)) return ReferFail(error);
  std::vector<referral::PackageSummary> summary;
  const bool ok = referral::WriteReferrals(o, files, &summary, &error);
  sodium_memzero(o.signing_key.data(), o.signing_key.size());
  sodium_memzero(o.id_key.data(), o.id_key.size());
  if (!ok) return ReferFail(error);

  // The summary table.
  int64_t subjects = 0, payments = 0, unassigned = 0;
  size_t countries = 0;
  fmt::print("{:<12} {:>9} {:>7} {:>8} {:>9} {:>8}  {}\n", "package", "subjects", "cases",
             "alerts", "payments", "related", "amounts");
  for (const referral::PackageSummary& p : summary) {
    fmt::print("{:<12} {:>9} {:>7} {:>8} {:>9} {:>8}  {}\n", p.jurisdiction, p.subjects, p.cases,
               p.alerts, p.payments, p.related, Amounts(p));
    subjects += p.subjects;
    payments += p.payments;
    if (p.jurisdiction == referral::kUnassigned) {
      unassigned = p.subjects;
    } else {
      ++countries;
    }
  }
  fmt::print("{} countries, {} subjects, {} payments, {} unassigned; packages in {}\n", countries,
             subjects, payments, unassigned, out);
  return kExitOk;
}

}  // namespace vigil::cli
