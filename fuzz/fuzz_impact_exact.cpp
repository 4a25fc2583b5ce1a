// Fuzz target: any bytes as a member's exact impact file
// (`vigil.impact-exact/1`, the input of `vigil impact merge`, docs/impact.md).
// Reading must fail with a message or succeed, never crash; what reads must
// write back to bytes that read to the same counts; merging the file with
// itself (two members) and publishing the totals, as JSON and as the HTML
// page, must not crash (no count overflows, no hang) and must leave no
// suppressed cell recoverable unless Publish says so.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "impact/html.hpp"
#include "impact/impact.hpp"
#include "impact/publish.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace vigil::impact;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  Exact e;
  std::string error;
  if (!ReadExact(text, "fuzz.json", &e, &error)) {
    if (error.empty()) std::abort();  // every refusal says why
    return 0;
  }
  const std::string written = WriteExact(e);
  Exact back;
  if (!ReadExact(written, "written.json", &back, &error)) std::abort();
  if (WriteExact(back) != written) std::abort();

  Exact total = e;
  if (!MergeExact(&total, back, &error)) {
    if (error.empty()) std::abort();
    return 0;
  }
  if (total.members != 2 * e.members) std::abort();
  PublishStats stats;
  const vigil::json::Value published = Publish(total, 10, &stats);
  if (stats.primary < 0 || stats.complementary < 0 || stats.recoverable < 0) std::abort();
  if (WritePublished(published).empty() || RenderHtml(published).empty()) std::abort();
  return 0;
}
