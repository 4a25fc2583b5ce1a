// Command line shared by the benchmarks: `--workload DIR` (a directory
// written by ../shared/bench/gen.py); everything else goes to Google Benchmark.
#pragma once

#include <cstring>
#include <string>
#include <vector>

namespace vigil::bench {

struct BenchArgs {
  std::string workload;
  std::vector<char*> rest;  // argv for benchmark::Initialize
};

inline BenchArgs ParseBenchArgs(int argc, char** argv) {
  BenchArgs a;
  a.rest.push_back(argv[0]);
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--workload") == 0 && i + 1 < argc) {
      a.workload = argv[++i];
    } else {
      a.rest.push_back(argv[i]);
    }
  }
  return a;
}

}  // namespace vigil::bench
