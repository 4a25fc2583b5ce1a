// Normalisation and digests of hashed watchlists: every member must get the
// same digest for the same identifier however it was typed.
#include "base/list_hash.hpp"

#include <gtest/gtest.h>

namespace vigil {
namespace {

std::string Norm(Normalization n, std::string_view in) {
  std::string out(in.size(), '\0');
  out.resize(NormalizeInto(n, in, out.data()));
  return out;
}

std::string Hex(std::string_view value, std::string_view key = {},
                Normalization n = Normalization::kNone) {
  std::string scratch(value.size(), '\0');
  char out[kDigestHexLen];
  ListDigest(n, key).Hex(value, scratch.data(), out);
  return std::string(out, kDigestHexLen);
}

TEST(ListHash, Normalisations) {
  EXPECT_EQ(Norm(Normalization::kDigits, " 4111-1111 1111\t1111 "), "4111111111111111");
  EXPECT_EQ(Norm(Normalization::kLowerTrim, "  Jane.Doe@Example.ORG \r\n"), "jane.doe@example.org");
  EXPECT_EQ(Norm(Normalization::kTrim, "  a B  "), "a B");
  EXPECT_EQ(Norm(Normalization::kAlnumUpper, "gb82 west-1234 5698 7654 32"), "GB82WEST12345698765432");
  EXPECT_EQ(Norm(Normalization::kNone, " x "), " x ");
  EXPECT_EQ(Norm(Normalization::kDigits, "no digits"), "");
  // Non-ASCII bytes are kept as they are by the case-changing forms.
  EXPECT_EQ(Norm(Normalization::kLowerTrim, "\xC3\x89T\xC3\x89"), "\xC3\x89t\xC3\x89");
}

TEST(ListHash, NamesRoundTrip) {
  for (const char* name : {"none", "digits", "lower_trim", "trim", "alnum_upper"}) {
    std::optional<Normalization> n = ParseNormalization(name);
    ASSERT_TRUE(n.has_value()) << name;
    EXPECT_STREQ(NormalizationName(*n), name);
  }
  EXPECT_FALSE(ParseNormalization("Digits").has_value());
}

TEST(ListHash, DigestsMatchKnownVectors) {
  // sha256sum of the bytes, and RFC 4231 test case 2 for HMAC-SHA-256.
  EXPECT_EQ(Hex("4111111111111111"), "9bbef19476623ca56c17da75fd57734dbf82530686043a6e491c6d71befe8f6e");
  EXPECT_EQ(Hex("what do ya want for nothing?", "Jefe"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  // The same digest twice from one keyed ListDigest: its key state is reused, not consumed.
  ListDigest keyed(Normalization::kDigits, "Jefe");
  char a[kDigestHexLen], b[kDigestHexLen], scratch[32];
  keyed.Hex("4111 1111", scratch, a);
  keyed.Hex("4111-1111", scratch, b);
  EXPECT_EQ(std::string(a, kDigestHexLen), std::string(b, kDigestHexLen));
  EXPECT_EQ(std::string(a, kDigestHexLen), Hex("41111111", "Jefe"));
}

TEST(ListHash, ParsesDigests) {
  std::string out;
  EXPECT_TRUE(ParseDigestHex("9BBEF19476623CA56C17DA75FD57734DBF82530686043A6E491C6D71BEFE8F6E", &out));
  EXPECT_EQ(out, "9bbef19476623ca56c17da75fd57734dbf82530686043a6e491c6d71befe8f6e");
  EXPECT_FALSE(ParseDigestHex("9bbef194", &out));
  EXPECT_FALSE(ParseDigestHex(std::string(63, 'a') + "g", &out));
}

}  // namespace
}  // namespace vigil
