#include "router.hpp"

#include <algorithm>
#include <thread>

#include "cluster/slot.hpp"
#include "cluster/slot_map.hpp"

namespace vigil::redis {

namespace {

// Redirections followed for one call before giving up (a slot cannot move
// that often; more means nodes disagree about the topology).
constexpr int kMaxRedirects = 8;
// The wait before sending again after TRYAGAIN (a multi-key command during
// the migration of its slot).
constexpr auto kTryAgainPause = std::chrono::milliseconds(2);

std::string Text(const redisReply* r) { return std::string(r->str, r->len); }

}  // namespace

Router::Router(RouterConfig config, std::string script)
    : config_(std::move(config)), script_(std::move(script)) {
  if (config_.mode == Mode::kCluster) slots_.assign(kClusterSlots, nullptr);
}

Router::~Router() = default;

Node* Router::NodeAt(const Address& address) {
  for (auto& n : nodes_) {
    if (n->address() == address) return n.get();
  }
  nodes_.push_back(std::make_unique<Node>(address, config_.timeouts));
  return nodes_.back().get();
}

uint32_t Router::primaries() const {
  if (config_.mode != Mode::kCluster) return primary_ != nullptr ? 1 : 0;
  std::vector<const Node*> seen;
  for (const Node* n : slots_) {
    if (n != nullptr && std::find(seen.begin(), seen.end(), n) == seen.end()) seen.push_back(n);
  }
  return static_cast<uint32_t>(seen.size());
}

bool Router::Start(std::string* error) {
  // At start, every seed or sentinel gets its own timeout.
  const auto deadline = Clock::now() + std::chrono::milliseconds(config_.timeouts.timeout_ms) *
                                           static_cast<int>(config_.nodes.size() + 1);
  switch (config_.mode) {
    case Mode::kStandalone:
      primary_ = NodeAt(config_.nodes.front());
      return primary_->Connect(deadline, error);
    case Mode::kCluster:
      return RefreshSlots(deadline, error);
    case Mode::kSentinel:
      return DiscoverPrimary(deadline, error);
  }
  return false;
}

bool Router::RefreshSlots(Clock::time_point deadline, std::string* error) {
  // Ask the nodes already connected first, then the seeds, then the rest.
  std::vector<Address> ask;
  for (auto& n : nodes_) {
    if (n->connected()) ask.push_back(n->address());
  }
  for (const Address& a : config_.nodes) ask.push_back(a);
  for (auto& n : nodes_) ask.push_back(n->address());
  std::string why = "no node to ask";
  std::vector<Address> asked;
  for (const Address& a : ask) {
    if (std::find(asked.begin(), asked.end(), a) != asked.end()) continue;
    asked.push_back(a);
    Node* node = NodeAt(a);
    if (Clock::now() >= deadline) break;
    if (node->Resting(Clock::now()) || !node->Connect(deadline, &why)) continue;
    Reply r = node->Command({"CLUSTER", "SLOTS"}, false, deadline, &why);
    if (r == nullptr) continue;
    if (r->type == REDIS_REPLY_ERROR) {
      why = "redis " + a.Text() + ": " + Text(r.get());
      continue;
    }
    std::vector<SlotRange> ranges;
    if (!ParseClusterSlots(r.get(), node->address(), &ranges, &why)) {
      why = "redis " + a.Text() + ": " + why;
      continue;
    }
    std::vector<Node*> next(kClusterSlots, nullptr);
    for (const SlotRange& range : ranges) {
      Node* primary = NodeAt(range.primary);
      std::fill(next.begin() + range.first, next.begin() + range.last + 1, primary);
    }
    bool changed = false;
    for (uint32_t s = 0; s < kClusterSlots; ++s) {
      changed = changed || (slots_[s] != nullptr && next[s] != nullptr && slots_[s] != next[s]);
    }
    if (changed) ++stats_.primary_changes;
    slots_ = std::move(next);
    ++stats_.refreshes;
    look_again_ = false;
    return true;
  }
  *error = "no Redis Cluster node gave the slot map: " + why;
  return false;
}

bool Router::DiscoverPrimary(Clock::time_point deadline, std::string* error) {
  std::string why = "no sentinel to ask";
  for (const Address& a : config_.nodes) {
    Node* sentinel = NodeAt(a);
    if (Clock::now() >= deadline) break;
    if (sentinel->Resting(Clock::now()) || !sentinel->Connect(deadline, &why)) continue;
    Reply r = sentinel->Command({"SENTINEL", "get-master-addr-by-name", config_.master_name}, false,
                                deadline, &why);
    if (r == nullptr) continue;
    if (r->type == REDIS_REPLY_NIL) {
      why = "sentinel " + a.Text() + " knows no primary named '" + config_.master_name + "'";
      continue;
    }
    if (r->type == REDIS_REPLY_ERROR) {
      why = "sentinel " + a.Text() + ": " + Text(r.get());
      continue;
    }
    Address address;
    if (r->type != REDIS_REPLY_ARRAY || r->elements != 2 ||
        r->element[0]->type != REDIS_REPLY_STRING || r->element[1]->type != REDIS_REPLY_STRING ||
        !ParseAddress(Text(r->element[0]) + ":" + Text(r->element[1]), &address)) {
      why = "sentinel " + a.Text() + " gave an address of an unexpected shape";
      continue;
    }
    Node* node = NodeAt(address);
    if (node == primary_ && node->connected()) {  // no change: checked when connected
      look_again_ = false;
      return true;
    }
    // The sentinels may lag behind a failover: make sure it is a primary.
    if (!node->Connect(deadline, &why)) continue;
    Reply role = node->Command({"ROLE"}, false, deadline, &why);
    if (role == nullptr) continue;
    if (role->type != REDIS_REPLY_ARRAY || role->elements < 1 ||
        role->element[0]->type != REDIS_REPLY_STRING || Text(role->element[0]) != "master") {
      why = "redis " + address.Text() + ", named primary '" + config_.master_name +
            "' by sentinel " + a.Text() + ", is not a primary (a failover is under way)";
      continue;
    }
    if (primary_ != nullptr && primary_ != node) ++stats_.primary_changes;
    primary_ = node;
    next_check_ = Clock::now() + std::chrono::milliseconds(config_.timeouts.retry_ms);
    ++stats_.refreshes;
    look_again_ = false;
    return true;
  }
  *error = "no sentinel named a reachable primary '" + config_.master_name + "': " + why;
  return false;
}

void Router::TopologyChanged() {
  if (config_.mode != Mode::kStandalone) look_again_ = true;
}

Node* Router::Primary(uint16_t slot, Clock::time_point deadline, std::string* error) {
  const auto now = Clock::now();
  if (config_.mode == Mode::kSentinel && now >= next_check_) {
    // A planned switch (SENTINEL FAILOVER) leaves the old primary up and
    // accepting writes until the sentinels demote it, and those writes are
    // lost: ask the sentinels every retry_ms, not only after a failure.
    next_check_ = now + std::chrono::milliseconds(config_.timeouts.retry_ms);
    look_again_ = true;
    next_look_ = now;
  }
  if (look_again_ && now >= next_look_) {
    next_look_ = now + std::chrono::milliseconds(config_.timeouts.retry_ms);
    std::string why;
    const bool found = config_.mode == Mode::kCluster ? RefreshSlots(deadline, &why)
                                                      : DiscoverPrimary(deadline, &why);
    if (!found) last_error_ = why;
  }
  Node* node = config_.mode == Mode::kCluster ? slots_[slot] : primary_;
  if (node == nullptr) {
    *error = config_.mode == Mode::kCluster
                 ? "no Redis Cluster primary serves slot " + std::to_string(slot) +
                       (last_error_.empty() ? "" : ": " + last_error_)
                 : "no Redis primary known: " + last_error_;
  }
  return node;
}

bool Router::LoadScript(Node* node, Clock::time_point deadline, std::string* error) {
  ++stats_.script_loads;
  Reply r = node->Command({"SCRIPT", "LOAD", script_}, false, deadline, error);
  if (r == nullptr) return false;
  if (r->type != REDIS_REPLY_STRING) {
    *error = "redis " + node->address().Text() + ": cannot load the state script" +
             (r->type == REDIS_REPLY_ERROR ? ": " + Text(r.get()) : "");
    return false;
  }
  sha_ = Text(r.get());
  return true;
}

Reply Router::Script(std::vector<std::string>& cmd, std::string_view slot_key,
                     std::string* error) {
  const auto deadline =
      Clock::now() + std::chrono::milliseconds(2 * config_.timeouts.timeout_ms);
  const uint16_t slot = config_.mode == Mode::kCluster ? KeySlot(slot_key) : 0;
  auto failed = [&]() -> Reply {
    ++stats_.failures;
    return nullptr;
  };
  Node* ask = nullptr;
  int redirects = 0;
  while (true) {
    Node* node = ask != nullptr ? ask : Primary(slot, deadline, error);
    if (node == nullptr) return failed();
    if (!node->Connect(deadline, error)) {
      TopologyChanged();
      return failed();
    }
    if (sha_.empty() && !LoadScript(node, deadline, error)) {
      TopologyChanged();
      return failed();
    }
    cmd[1] = sha_;
    ++stats_.commands;
    Reply r = node->Command(cmd, ask != nullptr, deadline, error);
    ask = nullptr;
    if (r == nullptr) {
      TopologyChanged();
      return failed();
    }
    if (r->type != REDIS_REPLY_ERROR) return r;
    const std::string_view msg(r->str, r->len);
    const std::string where = "redis " + node->address().Text() + ": ";
    const Redirect to = ParseRedirect(msg, node->address());
    if (to.kind != Redirect::kNone) {
      if (config_.mode != Mode::kCluster) {
        *error = where + "answered '" + std::string(msg) +
                 "': it is a Redis Cluster node (open it in cluster mode)";
        return failed();
      }
      if (++redirects > kMaxRedirects) {
        *error = where + "too many redirections for slot " + std::to_string(slot) +
                 " (the nodes disagree about the slot map): " + std::string(msg);
        TopologyChanged();
        return failed();
      }
      Node* target = NodeAt(to.to);
      if (to.kind == Redirect::kMoved) {
        ++stats_.moved;
        slots_[to.slot] = target;
        TopologyChanged();
      } else {
        ++stats_.ask;
        ask = target;
      }
      continue;
    }
    if (msg.starts_with("TRYAGAIN")) {
      ++stats_.tryagain;
      if (Clock::now() + kTryAgainPause >= deadline) {
        *error = where + "slot " + std::to_string(slot) + " is still migrating: " +
                 std::string(msg);
        return failed();
      }
      std::this_thread::sleep_for(kTryAgainPause);
      continue;
    }
    if (msg.starts_with("NOSCRIPT")) {  // a new node, a restart, a promoted replica
      if (++redirects > kMaxRedirects || !LoadScript(node, deadline, error)) return failed();
      continue;
    }
    if (msg.starts_with("READONLY")) {  // Sentinel: the primary was demoted
      if (config_.mode != Mode::kSentinel || ++redirects > kMaxRedirects) {
        *error = where + std::string(msg);
        return failed();
      }
      node->Close();
      TopologyChanged();
      next_look_ = Clock::now();
      continue;
    }
    if (msg.starts_with("CLUSTERDOWN") || msg.starts_with("MASTERDOWN") ||
        msg.starts_with("LOADING")) {
      TopologyChanged();
      *error = where + std::string(msg);
      return failed();
    }
    return r;  // the script's own error: the caller reports it
  }
}

}  // namespace vigil::redis
