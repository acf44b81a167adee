// Private header for the x86 kernel files, each compiled with its own target flags: helpers with
// internal linkage, so every file keeps the copy its own flags compiled (an inline function shared
// across them could be merged into one copy with AVX-512 encodings).
#pragma once

#include <immintrin.h>

#include <cstdint>

namespace annlab::detail {
namespace {

// The sum of the eight int32 lanes of v (wrapping, as the lanes do).
inline int32_t hsum_epi32(__m256i v) {
  __m128i s = _mm_add_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
  s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0x4E));
  s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0xB1));
  return _mm_cvtsi128_si32(s);
}

}  // namespace
}  // namespace annlab::detail
