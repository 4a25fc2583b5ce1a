#include <map>

#include "handwritten.hpp"

namespace vigil::bench {

namespace {
std::map<std::string, HandwrittenFn>& Registry() {
  static std::map<std::string, HandwrittenFn> registry;
  return registry;
}
}  // namespace

bool RegisterHandwritten(const char* ruleset, HandwrittenFn fn) {
  Registry()[ruleset] = fn;
  return true;
}

HandwrittenFn FindHandwritten(const std::string& ruleset) {
  auto it = Registry().find(ruleset);
  return it == Registry().end() ? nullptr : it->second;
}

}  // namespace vigil::bench
