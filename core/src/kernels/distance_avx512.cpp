// The AVX-512 level's own kernels (compiled with -mavx512f -mavx512vl -mavx512bw
// -mavx512vpopcntdq; the level exists only on CPUs with all four). Its float and byte kernels are
// AVX2's (distance.cpp builds the table); what AVX-512 adds is VPOPCNTQ, a popcount of eight
// 64-bit lanes in one instruction, for the Hamming scans that rank binary codes.
#include <immintrin.h>

#include <cstdint>

#include "kernels/distance_impl.h"

namespace annlab::detail {

namespace {

inline uint32_t hmin_epu32(__m256i v) {
  __m128i m = _mm_min_epu32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
  m = _mm_min_epu32(m, _mm_shuffle_epi32(m, _MM_SHUFFLE(1, 0, 3, 2)));
  m = _mm_min_epu32(m, _mm_shuffle_epi32(m, _MM_SHUFFLE(2, 3, 0, 1)));
  return uint32_t(_mm_cvtsi128_si32(m));
}

// 64-bit codes: eight per vector.
uint32_t scan_64(const uint64_t* q, const uint64_t* codes, size_t n, uint32_t* out) {
  const __m512i qv = _mm512_set1_epi64(static_cast<long long>(q[0]));
  __m256i mn = _mm256_set1_epi32(-1);
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m512i v = _mm512_loadu_si512(codes + i);
    const __m256i c = _mm512_cvtepi64_epi32(_mm512_popcnt_epi64(_mm512_xor_si512(v, qv)));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + i), c);
    mn = _mm256_min_epu32(mn, c);
  }
  uint32_t least = hmin_epu32(mn);
  for (; i < n; ++i) {
    out[i] = kAvx2Kernels.hamming(q, codes + i, 1);
    least = out[i] < least ? out[i] : least;
  }
  return least;
}

// 128-bit codes: eight per step from two vectors, their first and second words gathered into one
// vector each by a two-source permute, so the two popcounts add lane by lane.
uint32_t scan_128(const uint64_t* q, const uint64_t* codes, size_t n, uint32_t* out) {
  const __m512i q0 = _mm512_set1_epi64(static_cast<long long>(q[0]));
  const __m512i q1 = _mm512_set1_epi64(static_cast<long long>(q[1]));
  const __m512i even = _mm512_setr_epi64(0, 2, 4, 6, 8, 10, 12, 14), odd = _mm512_setr_epi64(1, 3, 5, 7, 9, 11, 13, 15);
  __m256i mn = _mm256_set1_epi32(-1);
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m512i a = _mm512_loadu_si512(codes + 2 * i), b = _mm512_loadu_si512(codes + 2 * i + 8);
    const __m512i w0 = _mm512_permutex2var_epi64(a, even, b), w1 = _mm512_permutex2var_epi64(a, odd, b);
    const __m512i s = _mm512_add_epi64(_mm512_popcnt_epi64(_mm512_xor_si512(w0, q0)),
                                       _mm512_popcnt_epi64(_mm512_xor_si512(w1, q1)));
    const __m256i c = _mm512_cvtepi64_epi32(s);
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + i), c);
    mn = _mm256_min_epu32(mn, c);
  }
  uint32_t least = hmin_epu32(mn);
  for (; i < n; ++i) {
    out[i] = kAvx2Kernels.hamming(q, codes + 2 * i, 2);
    least = out[i] < least ? out[i] : least;
  }
  return least;
}

// Codes of a multiple of 8 words: one vector of popcounts per 8 words, summed across lanes once.
uint32_t scan_8k(const uint64_t* q, const uint64_t* codes, size_t n, size_t words, uint32_t* out) {
  uint32_t least = UINT32_MAX;
  for (size_t i = 0; i < n; ++i) {
    const uint64_t* c = codes + i * words;
    __m512i acc = _mm512_setzero_si512();
    for (size_t j = 0; j < words; j += 8)
      acc = _mm512_add_epi64(acc, _mm512_popcnt_epi64(_mm512_xor_si512(_mm512_loadu_si512(c + j), _mm512_loadu_si512(q + j))));
    out[i] = uint32_t(_mm512_reduce_add_epi64(acc));
    least = out[i] < least ? out[i] : least;
  }
  return least;
}

}  // namespace

uint32_t hamming_scan_avx512(const uint64_t* q, const uint64_t* codes, size_t n, size_t words, uint32_t* out) {
  if (words == 1) return scan_64(q, codes, n, out);
  if (words == 2) return scan_128(q, codes, n, out);
  if (words % 8 == 0) return scan_8k(q, codes, n, words, out);
  return kAvx2Kernels.hamming_scan(q, codes, n, words, out);
}

}  // namespace annlab::detail
