// The limits of vigil.h on one event's values (docs/limits.md), through the
// C ABI as a host meets them: every setter and vigil_event_set_json.
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "vigil/vigil.h"

namespace {

const char kRules[] = R"(ruleset capi.limits version "1.0.0"
schema s version 1 {
  note: string
  flags: set<string>
}
uses schema s
rule r { title "r" severity low when note matches "\\pL{100}x" then score 1 }
)";

class EventLimits : public ::testing::Test {
 protected:
  void SetUp() override {
    vigil_compiler* c = nullptr;
    ASSERT_EQ(vigil_compiler_new(nullptr, &c), VIGIL_OK);
    ASSERT_EQ(vigil_compiler_add_source(c, "limits.vgl", 10, kRules, sizeof(kRules) - 1), VIGIL_OK);
    ASSERT_EQ(vigil_compiler_build(c, &rs_), VIGIL_OK) << vigil_compiler_diag_render(c);
    vigil_compiler_free(c);
    ASSERT_EQ(vigil_event_new(rs_, &e_), VIGIL_OK);
    note_ = static_cast<uint32_t>(vigil_ruleset_field_slot(rs_, "note", 4));
    flags_ = static_cast<uint32_t>(vigil_ruleset_field_slot(rs_, "flags", 5));
  }
  void TearDown() override {
    vigil_event_free(e_);
    vigil_ruleset_release(rs_);
  }
  std::string Message() const { return vigil_event_errmsg(e_); }

  vigil_ruleset* rs_ = nullptr;
  vigil_event* e_ = nullptr;
  uint32_t note_ = 0, flags_ = 0;
};

TEST_F(EventLimits, StringAtTheLimitIsKeptAboveItRefusedNamingTheField) {
  const std::string at(65536, 'a');
  EXPECT_EQ(vigil_event_set_string(e_, note_, at.data(), at.size()), VIGIL_OK);
  const std::string above(65537, 'a');
  EXPECT_EQ(vigil_event_set_string(e_, note_, above.data(), above.size()), VIGIL_ERR_LIMIT);
  EXPECT_NE(Message().find("field 'note'"), std::string::npos) << Message();
  EXPECT_NE(Message().find("65537 bytes"), std::string::npos) << Message();
}

TEST_F(EventLimits, TenMegabyteStringIsRefusedBeforeAnyMatching) {
  // The input that stalled an evaluating thread against \pL{100}x.
  const std::string huge(10u << 20, 'a');
  EXPECT_EQ(vigil_event_set_string(e_, note_, huge.data(), huge.size()), VIGIL_ERR_LIMIT);
  const std::string json = "{\"note\":\"" + huge + "\"}";
  EXPECT_EQ(vigil_event_set_json(e_, json.data(), json.size()), VIGIL_ERR_INVALID_ARG);
  EXPECT_NE(Message().find("field 'note'"), std::string::npos) << Message();
}

TEST_F(EventLimits, SetItemsAndTheirSizesAreBounded) {
  std::vector<std::string> items(10001, "x");
  std::vector<const char*> values;
  std::vector<size_t> lens;
  for (const auto& s : items) {
    values.push_back(s.data());
    lens.push_back(s.size());
  }
  EXPECT_EQ(vigil_event_set_string_set(e_, flags_, values.data(), lens.data(), 10000), VIGIL_OK);
  EXPECT_EQ(vigil_event_set_string_set(e_, flags_, values.data(), lens.data(), 10001),
            VIGIL_ERR_LIMIT);
  EXPECT_NE(Message().find("field 'flags'"), std::string::npos) << Message();
  const std::string big(65537, 'b');
  const char* one[] = {big.data()};
  const size_t one_len[] = {big.size()};
  EXPECT_EQ(vigil_event_set_string_set(e_, flags_, one, one_len, 1), VIGIL_ERR_LIMIT);
  EXPECT_NE(Message().find("field 'flags'"), std::string::npos) << Message();
}

TEST_F(EventLimits, JsonAboveSixteenMebibytesIsRefusedUnread) {
  const std::string json((16u << 20) + 1, ' ');
  EXPECT_EQ(vigil_event_set_json(e_, json.data(), json.size()), VIGIL_ERR_LIMIT);
  EXPECT_NE(Message().find("16777216"), std::string::npos) << Message();
}

}  // namespace
