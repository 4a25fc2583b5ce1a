// One connection to one Redis server, with the adapter's timeouts: every
// connect and command waits at most `timeout_ms` (less when the caller's
// deadline is nearer), and after a failure the node is not tried again for
// `retry_ms` (callers fail fast meanwhile). One thread at a time.
#pragma once

#include <hiredis/hiredis.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "cluster/address.hpp"

namespace vigil::redis {

using Clock = std::chrono::steady_clock;

struct ReplyFree {
  void operator()(redisReply* r) const { freeReplyObject(r); }
};
using Reply = std::unique_ptr<redisReply, ReplyFree>;

struct Timeouts {
  int timeout_ms = 50;
  int retry_ms = 1000;
};

class Node {
 public:
  Node(Address address, Timeouts timeouts) : address_(std::move(address)), t_(timeouts) {}
  ~Node() { Close(); }
  Node(const Node&) = delete;
  Node& operator=(const Node&) = delete;

  const Address& address() const { return address_; }
  bool connected() const { return ctx_ != nullptr; }
  // Still within retry_ms of the last failure: not worth trying.
  bool Resting(Clock::time_point now) const { return ctx_ == nullptr && now < retry_after_; }

  // Connects unless connected; false with *error when resting or failing.
  bool Connect(Clock::time_point deadline, std::string* error);
  // Sends one command (after ASKING when `asking`) and reads its reply.
  // Null on an I/O failure or timeout (the node is then closed and rests);
  // the command may or may not have run.
  Reply Command(const std::vector<std::string>& args, bool asking, Clock::time_point deadline,
                std::string* error);
  // Closes the connection and rests for retry_ms.
  void Fail(const std::string& why, std::string* error);
  void Close();

 private:
  bool SetTimeout(Clock::time_point deadline);

  Address address_;
  Timeouts t_;
  redisContext* ctx_ = nullptr;
  int socket_timeout_ms_ = 0;  // what the socket is set to
  Clock::time_point retry_after_{};
  std::string last_error_;
};

}  // namespace vigil::redis
