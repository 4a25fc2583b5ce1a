#include "cluster/slot_map.hpp"

#include "cluster/slot.hpp"

namespace vigil::redis {

bool ParseClusterSlots(const redisReply* reply, const Address& from, std::vector<SlotRange>* out,
                       std::string* why) {
  out->clear();
  if (reply == nullptr || reply->type != REDIS_REPLY_ARRAY) {
    *why = "CLUSTER SLOTS did not answer an array";
    return false;
  }
  for (size_t i = 0; i < reply->elements; ++i) {
    const redisReply* range = reply->element[i];
    // [first, last, [host, port, id, ...], replicas...]
    if (range->type != REDIS_REPLY_ARRAY || range->elements < 3 ||
        range->element[0]->type != REDIS_REPLY_INTEGER ||
        range->element[1]->type != REDIS_REPLY_INTEGER ||
        range->element[2]->type != REDIS_REPLY_ARRAY || range->element[2]->elements < 2) {
      *why = "CLUSTER SLOTS answered a slot range of an unexpected shape";
      return false;
    }
    const long long first = range->element[0]->integer, last = range->element[1]->integer;
    const redisReply* node = range->element[2];
    if (first < 0 || last < first || last >= kClusterSlots ||
        node->element[0]->type != REDIS_REPLY_STRING ||
        node->element[1]->type != REDIS_REPLY_INTEGER || node->element[1]->integer <= 0 ||
        node->element[1]->integer > 65535) {
      *why = "CLUSTER SLOTS answered a bad slot range or node";
      return false;
    }
    SlotRange r;
    r.first = static_cast<uint16_t>(first);
    r.last = static_cast<uint16_t>(last);
    r.primary.host.assign(node->element[0]->str, node->element[0]->len);
    r.primary.port = static_cast<int>(node->element[1]->integer);
    if (r.primary.host == "?") continue;
    if (r.primary.host.empty()) r.primary.host = from.host;
    out->push_back(std::move(r));
  }
  if (out->empty()) {
    *why = "the cluster serves no slots (not created yet, or every primary is down)";
    return false;
  }
  return true;
}

}  // namespace vigil::redis
