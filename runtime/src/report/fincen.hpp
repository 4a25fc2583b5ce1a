// FinCEN SAR batches (REPORTING.md §2.1): an EFilingBatchXML in the
// www.fincen.gov/base namespace holding one Activity with the five fixed
// parties of the profile and the case's subject, the suspicious activity
// with its classifications, the assets involved, and the narrative in
// blocks of at most 4,000 characters (at most 5). Every complex element
// gets a SeqNum unique in the file, as the schema's identity constraint asks.
#pragma once

#include <memory>

#include "report/emit.hpp"

namespace vigil::report {

inline constexpr size_t kFincenNarrativeBlock = 4000;
inline constexpr size_t kFincenNarrativeBlocks = 5;

std::unique_ptr<XmlNode> BuildFincen(const Context& ctx, Emitter& emit);

// Splits a narrative into blocks of at most `block` characters, at a space
// or line break where one is near the end of a block.
std::vector<std::string> SplitNarrative(std::string_view text, size_t block);

}  // namespace vigil::report
