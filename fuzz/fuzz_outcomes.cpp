// Fuzz target: any bytes as an outcomes file (JSON Lines, `vigil.outcomes/1`,
// docs/impact.md) over the golden cases of the example events (the cases the
// example outcomes name). Counting must fail with a message naming the line
// or succeed, never crash; what it counts must survive the exact file's
// write-and-read round trip and publish without a crash. The bytes are
// handed over in memory (memfd), as the file `vigil impact --outcomes` reads.
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "impact/impact.hpp"
#include "impact/publish.hpp"

namespace {

const std::vector<std::string>& CaseFiles() {
  static const std::vector<std::string> files = [] {
    std::vector<std::string> out;
    const std::string dir = std::string(VIGIL_SOURCE_DIR) + "/tests/cli/data/case/golden";
    for (const auto& entry : std::filesystem::directory_iterator(dir)) {
      if (entry.path().extension() == ".json") out.push_back(entry.path().string());
    }
    std::sort(out.begin(), out.end());
    if (out.empty()) std::abort();
    return out;
  }();
  return files;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace vigil::impact;
  const std::vector<std::string>& cases = CaseFiles();
  const int fd = memfd_create("outcomes", 0);
  if (fd < 0) std::abort();
  for (size_t done = 0; done < size;) {
    const ssize_t n = write(fd, data + done, size - done);
    if (n <= 0) std::abort();
    done += static_cast<size_t>(n);
  }
  const std::string path = "/proc/self/fd/" + std::to_string(fd);
  Exact e;
  std::string error;
  const bool ok = CountImpact(cases, path, (size > 0 && data[0] % 2) ? Period::kWeek
                                                                     : Period::kMonth,
                              &e, &error);
  close(fd);
  if (!ok) {
    // Every refusal names the outcomes file (and its line).
    if (error.find(path) != 0) std::abort();
    return 0;
  }
  const std::string written = WriteExact(e);
  Exact back;
  if (!ReadExact(written, "written.json", &back, &error) || WriteExact(back) != written) {
    std::abort();
  }
  PublishStats stats;
  if (WritePublished(Publish(e, 10, &stats)).empty()) std::abort();
  return 0;
}
