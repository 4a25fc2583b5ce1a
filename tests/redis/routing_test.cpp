// The Redis Cluster routing's pure parts: key slots (checked against values
// that redis-server 7.0's CLUSTER KEYSLOT gives; cluster_test.py checks more
// keys against a live cluster), addresses and redirections.
#include <gtest/gtest.h>

#include "cluster/address.hpp"
#include "cluster/slot.hpp"

namespace vigil::redis {
namespace {

TEST(RedisSlot, Crc16IsXmodem) {
  EXPECT_EQ(Crc16("123456789"), 0x31C3);  // the check value of CRC-16/XMODEM
  EXPECT_EQ(Crc16(""), 0);
}

TEST(RedisSlot, KnownSlots) {
  EXPECT_EQ(KeySlot("foo"), 12182);
  EXPECT_EQ(KeySlot("bar"), 5061);
  EXPECT_EQ(KeySlot("hello"), 866);
  EXPECT_EQ(KeySlot("123456789"), 12739);
  EXPECT_EQ(KeySlot("vigil:abc:00"), 13429);
}

TEST(RedisSlot, HashTags) {
  EXPECT_EQ(KeySlot("{user1000}.following"), 3443);
  EXPECT_EQ(KeySlot("{user1000}.following"), KeySlot("{user1000}.followers"));
  EXPECT_EQ(KeySlot("foo{bar}{zap}"), KeySlot("bar"));  // the first tag only
  EXPECT_EQ(KeySlot("foo{bar}{zap}"), 5061);
  EXPECT_EQ(KeySlot("foo{}{bar}"), 8363);     // an empty tag: the whole key
  EXPECT_EQ(KeySlot("foo{{bar}}zap"), 4015);  // the tag is "{bar"
  EXPECT_EQ(KeySlot("{}"), 15257);
  EXPECT_EQ(KeySlot("a{b}c"), 3300);
  EXPECT_EQ(KeySlot("nobrace}{"), KeySlot("nobrace}{"));
  // The adapter's auxiliary keys "{<key>}:x" live in the slot of "<key>".
  EXPECT_EQ(KeySlot("{vigil:abc:00}:m"), KeySlot("vigil:abc:00"));
}

TEST(RedisAddress, ParsesHostPortAndLists) {
  Address a;
  ASSERT_TRUE(ParseAddress("127.0.0.1:7000", &a));
  EXPECT_EQ(a.host, "127.0.0.1");
  EXPECT_EQ(a.port, 7000);
  ASSERT_TRUE(ParseAddress("::1:7001", &a));
  EXPECT_EQ(a.host, "::1");
  ASSERT_TRUE(ParseAddress("[::1]:7002", &a));
  EXPECT_EQ(a.host, "::1");
  EXPECT_EQ(a.port, 7002);
  EXPECT_FALSE(ParseAddress("localhost", &a));
  EXPECT_FALSE(ParseAddress("h:0", &a));
  EXPECT_FALSE(ParseAddress("h:65536", &a));
  EXPECT_FALSE(ParseAddress("h:12x", &a));
  std::vector<Address> list;
  std::string why;
  ASSERT_TRUE(ParseAddressList(" a:1, b:2 ,c:3", &list, &why)) << why;
  ASSERT_EQ(list.size(), 3u);
  EXPECT_EQ(list[1].Text(), "b:2");
  EXPECT_FALSE(ParseAddressList("a:1,,b:2", &list, &why));
  EXPECT_EQ(why, "'' is not a node address (expected host:port)");
  EXPECT_FALSE(ParseAddressList(":6379", &list, &why));
}

TEST(RedisRedirect, MovedAndAsk) {
  const Address from{"10.0.0.1", 7000};
  Redirect r = ParseRedirect("MOVED 3999 127.0.0.1:6381", from);
  EXPECT_EQ(r.kind, Redirect::kMoved);
  EXPECT_EQ(r.slot, 3999);
  EXPECT_EQ(r.to.Text(), "127.0.0.1:6381");
  r = ParseRedirect("ASK 16383 10.0.0.2:7002", from);
  EXPECT_EQ(r.kind, Redirect::kAsk);
  EXPECT_EQ(r.slot, 16383);
  EXPECT_EQ(r.to.Text(), "10.0.0.2:7002");
  // A node that does not know its own address: the host is the one asked.
  r = ParseRedirect("MOVED 1 :7005", from);
  EXPECT_EQ(r.kind, Redirect::kMoved);
  EXPECT_EQ(r.to.Text(), "10.0.0.1:7005");
  EXPECT_EQ(ParseRedirect("MOVED 16384 a:1", from).kind, Redirect::kNone);
  EXPECT_EQ(ParseRedirect("MOVED x a:1", from).kind, Redirect::kNone);
  EXPECT_EQ(ParseRedirect("MOVED 1", from).kind, Redirect::kNone);
  EXPECT_EQ(ParseRedirect("ERR unknown command", from).kind, Redirect::kNone);
  EXPECT_EQ(ParseRedirect("TRYAGAIN Multiple keys request during rehashing of slot", from).kind,
            Redirect::kNone);
}

}  // namespace
}  // namespace vigil::redis
