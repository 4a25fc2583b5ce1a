#include "state_script.hpp"

#include <cstring>

namespace vigil::redis {

namespace {

constexpr size_t kHeader = 8 + 1 + 8 + 8;  // ts, flags, id, ref
constexpr size_t kUnique = 8;

void Put64(uint64_t v, std::string* out) {
  char buf[8];
  std::memcpy(buf, &v, 8);
  out->append(buf, 8);
}

}  // namespace

// Member offsets in Lua (1-based): flags 9, id 10-17, ref 18-25.
const char kStateScript[] = R"(
local key = KEYS[1]
local ts = tonumber(ARGV[1])
local record = ARGV[2] == '1'
local id, ref, reversal = ARGV[8], ARGV[9], ARGV[10] == '1'
local late, dup, reversed = 0, 0, 0
local latest = nil
local last = redis.call('ZRANGE', key, -1, -1, 'WITHSCORES')
if #last > 0 then
  latest = tonumber(last[2])
  if ts < latest - tonumber(ARGV[3]) then late = 1 end
end
if id ~= '' then
  for _, m in ipairs(redis.call('ZRANGEBYSCORE', key, ARGV[1], ARGV[1])) do
    if string.sub(m, 10, 17) == id then dup = 1 break end
  end
end
local all = nil
if reversal and dup == 0 and id ~= '' then
  all = redis.call('ZRANGE', key, 0, -1, 'WITHSCORES')
  for i = 1, #all, 2 do
    local m = all[i]
    if string.byte(m, 9) % 2 == 1 and string.sub(m, 18, 25) == id then dup = 1 break end
  end
end
if reversal and record and dup == 0 and ref ~= '' then
  all = all or redis.call('ZRANGE', key, 0, -1, 'WITHSCORES')
  for i = #all - 1, 1, -2 do
    local m = all[i]
    if string.byte(m, 9) % 2 == 0 and string.sub(m, 18, 25) == ref then
      local by = id
      if by == '' then by = string.rep('\0', 8) end
      local t = string.sub(m, 1, 8) .. string.char(string.byte(m, 9) + 1) ..
                string.sub(m, 10, 17) .. by .. string.sub(m, 26)
      redis.call('ZREM', key, m)
      redis.call('ZADD', key, all[i + 1], t)
      reversed = 1
      break
    end
  end
end
if record and late == 0 and dup == 0 and not reversal then
  redis.call('ZADD', key, ts, ARGV[6])
  if latest == nil or ts > latest then latest = ts end
end
-- Trimmed relative to the latest recorded entry: an event that is not
-- recorded (late, duplicate, reversal, what-if) moves nothing out.
if latest ~= nil then
  redis.call('ZREMRANGEBYSCORE', key, '-inf', latest - tonumber(ARGV[4]))
end
if redis.call('EXISTS', key) == 1 then redis.call('PEXPIRE', key, ARGV[7]) end
local r = redis.call('ZRANGEBYSCORE', key, '(' .. ARGV[5], '+inf')
table.insert(r, 1, reversed)
table.insert(r, 1, dup)
table.insert(r, 1, late)
return r
)";

void BuildMember(int64_t ts, uint64_t id, uint64_t ref, uint64_t unique, std::string_view entry,
                 std::string* out) {
  out->clear();
  Put64(static_cast<uint64_t>(ts), out);
  out->push_back('\0');
  Put64(id, out);
  Put64(ref, out);
  if (id == 0) Put64(unique, out);
  out->append(entry);
}

bool ParseMember(std::string_view data, Member* out) {
  if (data.size() < kHeader) return false;
  std::memcpy(&out->ts, data.data(), 8);
  const auto flags = static_cast<uint8_t>(data[8]);
  if (flags > 1) return false;
  out->reversed = flags == 1;
  std::memcpy(&out->id, data.data() + 9, 8);
  const size_t header = kHeader + (out->id == 0 ? kUnique : 0);
  if (data.size() < header) return false;
  out->entry = data.substr(header);
  return true;
}

std::string HashArg(uint64_t hash) {
  std::string out;
  if (hash != 0) Put64(hash, &out);
  return out;
}

}  // namespace vigil::redis
