// The first '\n' of a range of input bytes: what cutting lines costs most of
// (block_lines.hpp, range_lines.hpp). Inline, so that the cutting loops keep
// it in line; AVX2 where the CPU has it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace vigil::stream {

#if defined(__x86_64__)
// The first '\n' in [p, end), 64 bytes a step with AVX2: two compares, one
// or, one test a step (8 instructions), 57 a line of 276 bytes by callgrind
// where glibc's memchr (AVX2 too, but made for any length) took 78. The last
// bytes of the buffer, fewer than 64, go to memchr: nothing past `end` is
// read.
[[gnu::target("avx2")]] inline const void* FindNewlineAvx2(const char* p, const char* end) {
  const __m256i nl = _mm256_set1_epi8('\n');
  // Counted steps: no subtraction and compare of the pointers a step.
  for (size_t steps = static_cast<size_t>(end - p) / 64; steps > 0; --steps, p += 64) {
    const __m256i a = _mm256_cmpeq_epi8(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)), nl);
    const __m256i b = _mm256_cmpeq_epi8(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + 32)), nl);
    if (!_mm256_testz_si256(_mm256_or_si256(a, b), _mm256_or_si256(a, b))) {
      const uint64_t mask = static_cast<uint32_t>(_mm256_movemask_epi8(a)) |
                            static_cast<uint64_t>(static_cast<uint32_t>(_mm256_movemask_epi8(b))) << 32;
      return p + __builtin_ctzll(mask);
    }
  }
  return std::memchr(p, '\n', static_cast<size_t>(end - p));
}

inline bool CpuHasAvx2() { return __builtin_cpu_supports("avx2"); }
#else
inline bool CpuHasAvx2() { return false; }
#endif

// The first '\n' in [p, end), or null; by AVX2 when `avx2` (which the
// caller sets only where CpuHasAvx2()), else by memchr.
inline const void* FindNewline(const char* p, const char* end, bool avx2) {
#if defined(__x86_64__)
  if (avx2) return FindNewlineAvx2(p, end);
#endif
  return std::memchr(p, '\n', static_cast<size_t>(end - p));
}

}  // namespace vigil::stream
