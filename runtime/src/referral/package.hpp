// Referral packages (docs/referral.md, "format": "vigil.referral/1"): one
// folder per jurisdiction holding manifest.json, entities.ftm.jsonl,
// evidence.jsonl, summary.md and `signatures` (Ed25519 over the content hash
// of the other four, computed as rule packs compute theirs, under the domain
// kReferralSignatureDomain).
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "base/decimal.hpp"
#include "referral/policy.hpp"

namespace vigil::referral {

inline constexpr const char* kPackageFormat = "vigil.referral/1";
inline constexpr std::string_view kReferralSignatureDomain = "vigil-referral-signature-v1\n";
// The files of a package, sorted by path (the order of the content hash).
inline constexpr const char* kPackageFiles[] = {"entities.ftm.jsonl", "evidence.jsonl",
                                                "manifest.json", "summary.md"};
inline constexpr const char* kSignatureFile = "signatures";

struct ReferOptions {
  Policy policy;
  std::set<std::string> keyed;  // fields keyed in keyed jurisdictions
  std::string id_key;           // the referral key (key file bytes)
  std::string signing_key;      // 64-byte Ed25519 secret key
  std::string created;          // RFC 3339, from the command line
  std::string out_dir;
};

// One package, for the summary table.
struct PackageSummary {
  std::string jurisdiction;  // "PH" or "unassigned"
  int64_t subjects = 0;
  int64_t cases = 0;
  int64_t alerts = 0;
  int64_t payments = 0;
  std::map<std::string, std::pair<int64_t, Decimal>> amounts;  // currency → payments, sum
  size_t related = 0;  // related countries
};

// Reads every case file (sorted by path), decides each subject's
// jurisdiction and writes one signed package per jurisdiction under
// `options.out_dir`, which must not exist or be empty. Everything is
// written into a temporary folder beside it, renamed into place at the end:
// on failure nothing is left behind.
bool WriteReferrals(const ReferOptions& options, const std::vector<std::string>& case_files,
                    std::vector<PackageSummary>* summary, std::string* error);

// The receiving side: the folder holds exactly the package's files, each
// file's SHA-256 is the manifest's, and the package carries a valid
// signature by one of `trusted` (raw 32-byte Ed25519 public keys).
// `manifest` receives the parsed manifest when it can be read.
bool VerifyPackage(const std::string& dir, const std::vector<std::string>& trusted,
                   std::string* signer_hex, std::string* error);

}  // namespace vigil::referral
