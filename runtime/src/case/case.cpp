#include "case/case.hpp"

#include <sodium.h>

#include "base/text.hpp"

namespace vigil::cases {

std::string CaseId(const Subject& subject, const std::string& first_event) {
  std::string text = std::string(kCaseFormat) + "\n" + subject.field + "\n" + subject.value +
                     "\n" + first_event;
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(text.data()), text.size());
  std::string id = "case-";
  id.resize(5 + 32);
  text::HexInto(digest, 16, id.data() + 5);
  return id;
}

}  // namespace vigil::cases
