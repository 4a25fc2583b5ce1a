// Node addresses ("host:port") and the redirections a cluster node answers
// with when it does not serve a key's slot:
//   MOVED <slot> <host:port>  the slot lives there now: update the slot map
//   ASK <slot> <host:port>    during a migration, ask there once (after ASKING)
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace vigil::redis {

struct Address {
  std::string host;
  int port = 0;

  std::string Text() const { return host + ":" + std::to_string(port); }
  bool operator==(const Address& other) const = default;
};

// "host:port"; the port follows the last ':' (IPv6 hosts contain colons).
// An empty host is allowed (a node that does not know its own address says
// ":6380"); the caller fills it in.
bool ParseAddress(std::string_view text, Address* out);

// "host:port,host:port,...", blanks around items ignored; false on an empty
// list or a bad item (named in *why).
bool ParseAddressList(std::string_view text, std::vector<Address>* out, std::string* why);

struct Redirect {
  enum Kind : uint8_t { kNone, kMoved, kAsk };
  Kind kind = kNone;
  uint16_t slot = 0;
  Address to;
};

// Parses an error reply's text; kind kNone when it is not a redirection.
// `from` is the node that answered (its host stands in for an empty one).
Redirect ParseRedirect(std::string_view error, const Address& from);

}  // namespace vigil::redis
