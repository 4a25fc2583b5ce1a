// Snapshots: a save/restore in the middle of a stream changes nothing; a
// damaged or foreign file is refused and leaves the running state as it was.
// Also hot reloads, which keep exactly the aggregates whose definition is
// unchanged.
#include <unistd.h>

#include <sodium.h>

#include <fstream>

#include <fmt/format.h>

#include "state/state_test_util.hpp"

namespace vigil::testing {
namespace {

const std::vector<std::string> kAggs = {
    "count(by: card, within: 1h)",
    "sum(amount, by: card, within: 1h, where: amount < 100.00)",
    "distinct(merchant, by: card, within: 1h)",
    "max(rate, by: (card, merchant), within: 30m)",
};

std::map<std::string, FieldValue> NthEvent(int i) {
  char buf[48];
  int64_t t = *ParseTime("2026-03-01T00:00:00Z") + int64_t{i} * 97 * 1000000;
  std::string ts(buf, FormatTime(t, buf));
  return {{"ts", Time{ts}},
          {"card", fmt::format("c{}", i % 7)},
          {"merchant", fmt::format("m{}", i % 5)},
          {"amount", Dec{std::to_string(i % 150) + ".25"}},
          {"rate", 0.5 * (i % 9)}};
}

std::string TempPath(const std::string& name) {
  return ::testing::TempDir() + "/vigil_" + std::to_string(::getpid()) + "_" + name;
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

void WriteAll(const std::string& path, const std::string& data) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << data;
}

TEST(Snapshot, SaveKillRestoreContinueEqualsAnUninterruptedRun) {
  AggDriver straight(kAggs);
  std::vector<std::vector<std::string>> want;
  for (int i = 0; i < 400; ++i) want.push_back(straight.Feed(NthEvent(i)));

  const std::string path = TempPath("roundtrip.snap");
  {
    AggDriver first(kAggs);
    for (int i = 0; i < 250; ++i) ASSERT_EQ(first.Feed(NthEvent(i)), want[i]) << i;
    std::string error;
    ASSERT_TRUE(first.session().store()->Save(path, &error)) << error;
  }  // the first process is gone
  AggDriver second(kAggs);
  std::string error;
  ASSERT_TRUE(second.session().store()->Load(path, &error)) << error;
  for (int i = 250; i < 400; ++i) EXPECT_EQ(second.Feed(NthEvent(i)), want[i]) << i;
  EXPECT_EQ(::access((path + ".tmp").c_str(), F_OK), -1);  // no temporary left behind
  ::unlink(path.c_str());
}

// The saved bytes themselves: the format, and the order of the keys, which
// is the order of their shards (KeyHash) and of their arrival in each. A
// change to either, or to what an entry keeps, moves this digest; files
// saved by one version must be read, and written, alike by the next.
TEST(Snapshot, SavedBytesAreThoseOfTheFormat) {
  // No string column: the cell of a string column is saved with bytes that
  // differ from run to run (its value is in the strings), which a digest of
  // the file cannot take.
  AggDriver d({"count(by: card, within: 1h)",
               "sum(amount, by: card, within: 1h, where: amount < 100.00)",
               "max(rate, by: (card, merchant), within: 30m)"});
  for (int i = 0; i < 250; ++i) d.Feed(NthEvent(i));
  const std::string path = TempPath("fixed.snap");
  std::string error;
  ASSERT_TRUE(d.session().store()->Save(path, &error)) << error;
  const std::string bytes = ReadAll(path);
  ::unlink(path.c_str());
  ASSERT_EQ(sodium_init() >= 0, true);
  unsigned char digest[16];
  crypto_generichash(digest, sizeof(digest), reinterpret_cast<const unsigned char*>(bytes.data()),
                     bytes.size(), nullptr, 0);
  std::string hex;
  for (unsigned char b : digest) hex += fmt::format("{:02x}", b);
  EXPECT_EQ(bytes.size(), 4958u);
  EXPECT_EQ(hex, "5ed87b4f2789ea6a35d358fedea5481b");  // as main (fcf193e) saves it
}

// A string column's cells keep no bits of the value (it lives in the
// strings): they once kept the event's pointer, so that every run saved
// different bytes, and an address, into the file (and into Redis). Two runs
// over the same events, whose texts lie at different addresses, save the
// same file.
TEST(Snapshot, AStringColumnSavesTheSameBytesWhereverTheEventsLay) {
  std::vector<std::string> files;
  std::vector<std::unique_ptr<char[]>> ballast;  // moves the second run's heap
  for (int run = 0; run < 2; ++run) {
    AggDriver d(kAggs);
    for (int i = 0; i < 250; ++i) {
      if (run == 1) ballast.push_back(std::make_unique<char[]>(24 + i % 40));
      d.Feed(NthEvent(i));
    }
    const std::string path = TempPath("strings.snap");
    std::string error;
    ASSERT_TRUE(d.session().store()->Save(path, &error)) << error;
    files.push_back(ReadAll(path));
    ::unlink(path.c_str());
  }
  ASSERT_GT(files[0].size(), 4958u);  // the distinct column's strings are in it
  EXPECT_TRUE(files[0] == files[1]) << "the two runs saved different bytes";
}

TEST(Snapshot, DamagedFilesAreRefusedAndTheStateIsUntouched) {
  AggDriver d(kAggs);
  for (int i = 0; i < 100; ++i) d.Feed(NthEvent(i));
  const std::string path = TempPath("good.snap");
  std::string error;
  ASSERT_TRUE(d.session().store()->Save(path, &error)) << error;
  const std::string good = ReadAll(path);
  ASSERT_GT(good.size(), 100u);

  struct Case {
    std::string name;
    std::string data;
    std::string message;
  };
  std::string flipped = good;
  flipped[good.size() / 2] ^= 0x40;
  std::string version = good;
  version[8] = 4;
  std::vector<Case> cases = {
      {"truncated", good.substr(0, good.size() - 10), "truncated"},
      {"flipped", flipped, "checksum mismatch"},
      {"version", version, "snapshot format 4 is not supported (this vigil reads 1 to 3)"},
      {"foreign", "hello, this is not a snapshot at all, but it is long enough......", "not a vigil"},
      {"empty", "", "not a vigil"},
  };
  for (const Case& c : cases) {
    const std::string bad = TempPath(c.name + ".snap");
    WriteAll(bad, c.data);
    // A copy of the running state's answers before the failed load...
    AggDriver probe_before(kAggs, d.session().store());
    std::vector<std::string> before = probe_before.Feed(NthEvent(100), false);
    EXPECT_FALSE(d.session().store()->Load(bad, &error)) << c.name;
    EXPECT_NE(error.find(c.message), std::string::npos) << c.name << ": " << error;
    // ...and after it: the same.
    EXPECT_EQ(probe_before.Feed(NthEvent(100), false), before) << c.name;
    ::unlink(bad.c_str());
  }
  EXPECT_FALSE(d.session().store()->Load(TempPath("does-not-exist"), &error));
  ::unlink(path.c_str());
}

TEST(Snapshot, ABodyWithBadStructureIsRefusedEvenWithAValidChecksum) {
  // Write a snapshot of an empty state, then forge one whose body claims a
  // huge number of groups: the parser must reject it without allocating.
  state::Store store;
  std::string body(4 + 8, '\0');
  body[8] = '\xff';
  body[9] = '\xff';
  body[10] = '\xff';
  body[11] = '\x7f';
  std::string file = std::string("VIGILST", 8);
  uint32_t version = 1, reserved = 0;
  uint64_t length = body.size();
  file.append(reinterpret_cast<const char*>(&version), 4);
  file.append(reinterpret_cast<const char*>(&reserved), 4);
  file.append(reinterpret_cast<const char*>(&length), 8);
  unsigned char digest[32];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(body.data()), body.size());
  file.append(reinterpret_cast<const char*>(digest), 32);
  file += body;
  const std::string path = TempPath("forged.snap");
  WriteAll(path, file);
  std::string error;
  EXPECT_FALSE(store.Load(path, &error));
  EXPECT_NE(error.find("corrupt snapshot"), std::string::npos) << error;
  ::unlink(path.c_str());
}

TEST(HotReload, UnchangedAggregatesKeepTheirStateAndChangedOnesStartEmpty) {
  auto store = std::make_shared<state::Store>();
  AggDriver v1({"count(by: card, within: 1h)", "count(by: card, within: 1h, where: amount > 5)"},
               store);
  v1.Feed({{"ts", At("10:00:00")}, {"card", "c"}, {"amount", Dec{"10"}}});
  v1.Feed({{"ts", At("10:01:00")}, {"card", "c"}, {"amount", Dec{"10"}}});
  // Version 2: the first aggregate is unchanged (written differently), the
  // second has another threshold, and a third is new.
  AggDriver v2({"count( by: card,within: 60m )", "count(by: card, within: 1h, where: amount > 6)",
                "distinct(merchant, by: card, within: 1h)"},
               store);
  auto v = v2.Feed({{"ts", At("10:02:00")}, {"card", "c"}, {"amount", Dec{"10"}}, {"merchant", "m"}});
  EXPECT_EQ(v, (std::vector<std::string>{"3", "1", "1"}));
  // A thread still on version 1 sees the shared aggregate and the one version
  // 2 does not have, which the state keeps (it is not dropped while a rule
  // set uses it): it counts the events version 1 evaluated, 10:00, 10:01 and
  // this one, not the event version 2 evaluated at 10:02.
  v = v1.Feed({{"ts", At("10:03:00")}, {"card", "c"}, {"amount", Dec{"10"}}});
  EXPECT_EQ(v, (std::vector<std::string>{"4", "3"}));
}

}  // namespace
}  // namespace vigil::testing
