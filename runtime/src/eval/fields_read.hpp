// Which event fields a compiled program reads: through its rules'
// conditions and reasons, the lets and aggregates they use (an aggregate
// reads its `by:` keys, its value, its `where:` and the event time). The
// host-schema check (E2019) requires exactly these of the host.
#pragma once

#include <vector>

#include "eval/program.hpp"

namespace vigil::eval {

// One flag per schema slot.
std::vector<bool> FieldsRead(const Program& program);

}  // namespace vigil::eval
