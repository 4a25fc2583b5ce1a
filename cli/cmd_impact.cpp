// vigil impact (docs/impact.md).
#include <fmt/format.h>

#include "cli.hpp"

namespace vigil::cli {

int RunImpact(const std::vector<std::string>& args) {
  (void)args;
  fmt::print(stderr, "vigil impact: not built yet\n");
  return kExitFailure;
}

}  // namespace vigil::cli
