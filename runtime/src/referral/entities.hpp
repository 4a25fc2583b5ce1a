// A subject's cases as FollowTheMoney-style entities (docs/referral.md,
// "entities.ftm.jsonl"): the subject (Person or LegalEntity), its accounts,
// its counterparties and merchants, and one Payment per transaction, each
// one JSON object per line: {"id", "schema", "properties": {name: [values]}}.
// In keyed jurisdictions every value of a keyed field (@pii, or named in the
// policy's keyed_fields) is written as "hmac:" + HMAC-SHA-256, and so are
// those values inside the evidence records; entity ids are always keyed.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <unordered_set>
#include <vector>

#include "base/decimal.hpp"
#include "case/case.hpp"
#include "referral/keyer.hpp"
#include "referral/policy.hpp"

namespace vigil::referral {

// What one subject added to its package.
struct SubjectStats {
  int64_t cases = 0;
  int64_t alerts = 0;
  int64_t payments = 0;
  int64_t entities = 0;
  std::map<std::string, std::pair<int64_t, Decimal>> amounts;  // currency → payments, sum
  std::set<std::string> typologies;
};

class EntityWriter {
 public:
  EntityWriter(const Policy& policy, const std::set<std::string>& keyed, const Keyer& keyer)
      : policy_(policy), keyed_(keyed), keyer_(keyer) {}

  // The id of a subject's entity: it orders subjects in every file, so that
  // the order says nothing about the identifiers.
  std::string SubjectId(const cases::Subject& s) const;

  // Appends one subject's entity lines to `entities` and its alerts'
  // evidence records to `evidence`. `note` goes into the subject's "notes"
  // (why it is unassigned); `country` into its "country" when assigned.
  // Entities already in `emitted` (a counterparty shared by two subjects of
  // the package) are not written again.
  void WriteSubject(const std::vector<cases::Case>& cases, bool keyed_ids,
                    const std::string& country, const std::vector<std::string>& notes,
                    std::unordered_set<std::string>* emitted, std::string* entities,
                    std::string* evidence, SubjectStats* stats) const;

 private:
  std::string Out(const std::string& field, std::string_view text, bool keyed_ids) const;
  json::Value Rewrite(const json::Value& v, bool keyed_ids, bool pii_shown) const;

  const Policy& policy_;
  const std::set<std::string>& keyed_;
  const Keyer& keyer_;
};

// A scalar event value as text ("" for null, objects and arrays).
std::string ScalarText(const json::Value& v);

}  // namespace vigil::referral
