#include "impact/html.hpp"

namespace vigil::impact {

std::string RenderHtml(const json::Value& published) {
  (void)published;
  return "<!doctype html>\n";
}

}  // namespace vigil::impact
