// Where each command goes: to one Redis server (standalone), to the primary
// the sentinels name (Sentinel), or to the primary that serves the key's
// slot (Cluster), following redirections, failovers and slot migrations.
// hiredis speaks the protocol; this is only the routing. One thread at a time.
//
// A command is sent again only when the server said it did not run it
// (MOVED, ASK, TRYAGAIN, NOSCRIPT, READONLY) or when it could not be sent
// (no connection): a command whose reply was lost is never repeated, so an
// event is never recorded twice by a retry. Every call ends by its deadline.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "cluster/address.hpp"
#include "node.hpp"

namespace vigil::redis {

enum class Mode : uint8_t { kStandalone, kCluster, kSentinel };

struct RouterConfig {
  Mode mode = Mode::kStandalone;
  std::vector<Address> nodes;  // the server; the cluster's seed nodes; or the sentinels
  std::string master_name;     // Sentinel: the name the sentinels monitor the primary under
  Timeouts timeouts;
};

struct RouterStats {
  uint64_t commands = 0;      // scripts sent (redirected ones count again)
  uint64_t failures = 0;      // calls that failed
  uint64_t moved = 0;         // MOVED redirections followed
  uint64_t ask = 0;           // ASK redirections followed
  uint64_t tryagain = 0;      // TRYAGAIN answers waited out
  uint64_t refreshes = 0;     // slot maps loaded or primaries discovered
  uint64_t primary_changes = 0;  // a slot's (or the sentinels') primary moved elsewhere
  uint64_t script_loads = 0;  // SCRIPT LOAD sent (first use, or NOSCRIPT after a failover)
};

class Router {
 public:
  Router(RouterConfig config, std::string script);
  ~Router();

  // Connects: the server, the slot map from a seed, or the primary from a
  // sentinel. False with *error when none answers as it should.
  bool Start(std::string* error);

  // Runs the script: `cmd` is {"EVALSHA", <filled in>, numkeys, keys...,
  // args...}; it is routed by the slot of `slot_key` (the first key; all keys
  // must share its slot). Null with *error on failure.
  Reply Script(std::vector<std::string>& cmd, std::string_view slot_key, std::string* error);

  const RouterStats& stats() const { return stats_; }
  // Primaries known (cluster), or 1 once connected.
  uint32_t primaries() const;

 private:
  Node* NodeAt(const Address& address);
  // The node to send a command for `slot` to (refreshing or discovering
  // first when due); null with *error.
  Node* Primary(uint16_t slot, Clock::time_point deadline, std::string* error);
  bool RefreshSlots(Clock::time_point deadline, std::string* error);
  bool DiscoverPrimary(Clock::time_point deadline, std::string* error);
  bool LoadScript(Node* node, Clock::time_point deadline, std::string* error);
  // A node failed or said the topology changed: look again, at most once
  // per retry_ms.
  void TopologyChanged();

  RouterConfig config_;
  const std::string script_;
  std::string sha_;
  std::vector<std::unique_ptr<Node>> nodes_;  // every node seen, one connection each
  std::vector<Node*> slots_;                  // cluster: slot → primary
  Node* primary_ = nullptr;                   // standalone and Sentinel
  bool look_again_ = false;
  Clock::time_point next_look_{};
  Clock::time_point next_check_{};  // Sentinel: the next routine lookup
  std::string last_error_;
  RouterStats stats_;
};

}  // namespace vigil::redis
