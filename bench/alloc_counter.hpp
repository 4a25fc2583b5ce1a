// Counts the heap allocations of this process (the benchmark replaces the
// global operator new), so that the table can print allocations per event.
#pragma once

#include <cstdint>

namespace vigil::bench {

// Allocations made by the calling thread so far.
uint64_t ThreadAllocations();

}  // namespace vigil::bench
