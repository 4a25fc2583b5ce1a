// Versions order as semver 2.0.0 says, everywhere they are compared (pack
// minimum versions, VIGIL_MIN_PACK_VERSION, override `version` fits).
#include <gtest/gtest.h>

#include "base/semver.hpp"

namespace vigil {
namespace {

TEST(Semver, APrereleaseComesBeforeItsRelease) {
  EXPECT_LT(CompareVersions("1.2.0-rc.1", "1.2.0"), 0);
  EXPECT_GT(CompareVersions("1.2.0", "1.2.0-rc.1"), 0);
  EXPECT_GT(CompareVersions("1.2.0-rc.1", "1.1.9"), 0);
  EXPECT_EQ(CompareVersions("1.2.0", "1.2.0+build.7"), 0);  // build metadata is ignored
}

TEST(Semver, PrereleaseIdentifiersOrderAsTheSpecSays) {
  // The example of semver 2.0.0 §11, in order.
  const char* order[] = {"1.0.0-alpha",      "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta",
                         "1.0.0-beta.2",     "1.0.0-beta.11", "1.0.0-rc.1",       "1.0.0"};
  for (size_t i = 0; i + 1 < std::size(order); ++i) {
    EXPECT_LT(CompareVersions(order[i], order[i + 1]), 0) << order[i] << " < " << order[i + 1];
    EXPECT_GT(CompareVersions(order[i + 1], order[i]), 0);
  }
  EXPECT_LT(CompareVersions("1.0.0-rc.2", "1.0.0-rc.10"), 0);  // numerically, not as text
}

TEST(Semver, InvalidVersionsAreRefused) {
  for (const char* bad : {"1.0", "1.0.0-", "1.0.0-rc..1", "1.0.0-rc.01", "01.0.0", "1.0.0+",
                          "1.0.0-r$c", "v1.0.0"}) {
    EXPECT_FALSE(ParseSemver(bad)) << bad;
  }
  EXPECT_TRUE(ParseSemver("1.0.0-rc.1+build.5"));
}

TEST(Semver, CaretFitsUseSemverOrder) {
  EXPECT_TRUE(SatisfiesCaret("1.4.2", "1.4.0"));
  EXPECT_FALSE(SatisfiesCaret("1.4.0-rc.1", "1.4.0"));  // before the release it was written for
  EXPECT_TRUE(SatisfiesCaret("1.5.0-rc.1", "1.4.0"));
  EXPECT_FALSE(SatisfiesCaret("2.0.0-rc.1", "1.4.0"));
  EXPECT_FALSE(SatisfiesCaret("0.3.0", "0.2.0"));
}

}  // namespace
}  // namespace vigil
