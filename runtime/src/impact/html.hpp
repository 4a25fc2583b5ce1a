// The impact page (`vigil impact --html`): one self-contained HTML file,
// charts drawn as inline SVG from the published file only (suppressed cells
// stay suppressed), no script, no font or image fetched from anywhere.
#pragma once

#include <string>

#include "base/json_value.hpp"

namespace vigil::impact {

std::string RenderHtml(const json::Value& published);

}  // namespace vigil::impact
