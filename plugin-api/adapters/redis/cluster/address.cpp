#include "cluster/address.hpp"

#include <charconv>

#include "cluster/slot.hpp"

namespace vigil::redis {

namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool ParseInt(std::string_view text, int min, int max, int* out) {
  int v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || v < min || v > max) return false;
  *out = v;
  return true;
}

}  // namespace

bool ParseAddress(std::string_view text, Address* out) {
  const size_t colon = text.rfind(':');
  if (colon == std::string_view::npos) return false;
  std::string_view host = text.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  int port = 0;
  if (!ParseInt(text.substr(colon + 1), 1, 65535, &port)) return false;
  out->host = std::string(host);
  out->port = port;
  return true;
}

bool ParseAddressList(std::string_view text, std::vector<Address>* out, std::string* why) {
  out->clear();
  while (true) {
    const size_t comma = text.find(',');
    std::string_view item = Trim(text.substr(0, comma));
    Address a;
    if (!ParseAddress(item, &a) || a.host.empty()) {
      std::string quoted(item);
      *why = "'" + quoted + "' is not a node address (expected host:port)";
      return false;
    }
    out->push_back(std::move(a));
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return true;
}

Redirect ParseRedirect(std::string_view error, const Address& from) {
  Redirect r;
  Redirect::Kind kind;
  if (error.starts_with("MOVED ")) {
    kind = Redirect::kMoved;
    error.remove_prefix(6);
  } else if (error.starts_with("ASK ")) {
    kind = Redirect::kAsk;
    error.remove_prefix(4);
  } else {
    return r;
  }
  const size_t space = error.find(' ');
  int slot = 0;
  if (space == std::string_view::npos ||
      !ParseInt(error.substr(0, space), 0, kClusterSlots - 1, &slot) ||
      !ParseAddress(Trim(error.substr(space + 1)), &r.to)) {
    return r;
  }
  if (r.to.host.empty()) r.to.host = from.host;
  r.kind = kind;
  r.slot = static_cast<uint16_t>(slot);
  return r;
}

}  // namespace vigil::redis
