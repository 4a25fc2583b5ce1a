#include "node.hpp"

#include <algorithm>
#include <cerrno>

namespace vigil::redis {

namespace {

timeval Tv(int ms) { return timeval{ms / 1000, (ms % 1000) * 1000}; }

int RemainingMs(Clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  return static_cast<int>(std::max<int64_t>(left.count(), 0));
}

}  // namespace

void Node::Close() {
  if (ctx_ != nullptr) redisFree(ctx_);
  ctx_ = nullptr;
}

void Node::Fail(const std::string& why, std::string* error) {
  last_error_.assign("redis ").append(address_.Text()).append(": ").append(why);
  *error = last_error_;
  Close();
  retry_after_ = Clock::now() + std::chrono::milliseconds(t_.retry_ms);
}

bool Node::Connect(Clock::time_point deadline, std::string* error) {
  if (ctx_ != nullptr) return true;
  if (Clock::now() < retry_after_) {
    *error = "redis " + address_.Text() + " is unavailable (not retried for " +
             std::to_string(t_.retry_ms) + " ms after a failure): " + last_error_;
    return false;
  }
  const int ms = std::min(t_.timeout_ms, RemainingMs(deadline));
  if (ms <= 0) {
    *error = "redis " + address_.Text() + ": no time left to connect";
    return false;
  }
  ctx_ = redisConnectWithTimeout(address_.host.c_str(), address_.port, Tv(ms));
  if (ctx_ == nullptr || ctx_->err != 0) {
    Fail(ctx_ != nullptr ? ctx_->errstr : "cannot allocate a connection", error);
    return false;
  }
  socket_timeout_ms_ = -1;
  return true;
}

// The socket waits for the timeout, or for what is left until the deadline.
bool Node::SetTimeout(Clock::time_point deadline) {
  const int ms = std::min(t_.timeout_ms, RemainingMs(deadline));
  if (ms <= 0) return false;
  if (ms != socket_timeout_ms_) {
    redisSetTimeout(ctx_, Tv(ms));
    socket_timeout_ms_ = ms;
  }
  return true;
}

Reply Node::Command(const std::vector<std::string>& args, bool asking,
                    Clock::time_point deadline, std::string* error) {
  if (!SetTimeout(deadline)) {
    *error = "redis " + address_.Text() + ": no time left for the command";
    return nullptr;
  }
  std::vector<const char*> argv;
  std::vector<size_t> lens;
  argv.reserve(args.size());
  lens.reserve(args.size());
  for (const std::string& a : args) {
    argv.push_back(a.data());
    lens.push_back(a.size());
  }
  if (asking) {
    static const char* kAsking[] = {"ASKING"};
    static const size_t kAskingLen[] = {6};
    redisAppendCommandArgv(ctx_, 1, kAsking, kAskingLen);
  }
  redisAppendCommandArgv(ctx_, static_cast<int>(argv.size()), argv.data(), lens.data());
  void* raw = nullptr;
  if (asking) {
    if (redisGetReply(ctx_, &raw) != REDIS_OK) raw = nullptr;
    Reply ok(static_cast<redisReply*>(raw));
    if (ok == nullptr) {
      Fail(ctx_->errstr[0] != 0 ? ctx_->errstr : "no reply to ASKING", error);
      return nullptr;
    }
    raw = nullptr;
  }
  if (redisGetReply(ctx_, &raw) != REDIS_OK || raw == nullptr) {
    const bool timed_out = ctx_->err == REDIS_ERR_IO && (errno == EAGAIN || errno == EWOULDBLOCK);
    Fail(timed_out ? "no answer within " + std::to_string(socket_timeout_ms_) + " ms"
                   : std::string(ctx_->errstr[0] != 0 ? ctx_->errstr : "no reply"),
         error);
    return nullptr;
  }
  return Reply(static_cast<redisReply*>(raw));
}

}  // namespace vigil::redis
