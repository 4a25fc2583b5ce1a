// goAML reports (REPORTING.md §1): a no-namespace <report> whose header and
// transactions follow the element order shared by the goAML 4.x and 5.0.x
// schemas (UAE 5.0.2, generic 5.0.1, Sri Lanka 2.0 were checked), with the
// parties written from the profile's templates in the FIU's own order.
#pragma once

#include <memory>

#include "report/emit.hpp"

namespace vigil::report {

std::unique_ptr<XmlNode> BuildGoaml(const Context& ctx, Emitter& emit);

}  // namespace vigil::report
