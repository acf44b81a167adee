// AVX2 kernels (compiled with -mavx2 and no -mfma: products are rounded before they are added,
// as in the scalar reference, so results are bit-identical to it).
#include <algorithm>
#include <immintrin.h>

#include "kernels/distance_impl.h"
#include "kernels/x86_sum.h"

namespace annlab::detail {
namespace {

inline float reduce(__m256 a0, __m256 a1, __m256 a2, __m256 a3) {
  const __m256 s = _mm256_add_ps(_mm256_add_ps(a0, a1), _mm256_add_ps(a2, a3));
  const __m128 t = _mm_add_ps(_mm256_castps256_ps128(s), _mm256_extractf128_ps(s, 1));
  const __m128 u = _mm_add_ps(t, _mm_movehl_ps(t, t));  // (t0 + t2, t1 + t3)
  return _mm_cvtss_f32(_mm_add_ss(u, _mm_shuffle_ps(u, u, 1)));
}

float l2sq_f32(const float* a, const float* b, size_t d) {
  __m256 acc[4] = {_mm256_setzero_ps(), _mm256_setzero_ps(), _mm256_setzero_ps(), _mm256_setzero_ps()};
  const size_t d32 = d & ~size_t{31};
  for (size_t i = 0; i < d32; i += 32)
    for (int l = 0; l < 4; ++l) {
      const __m256 t = _mm256_sub_ps(_mm256_loadu_ps(a + i + 8 * l), _mm256_loadu_ps(b + i + 8 * l));
      acc[l] = _mm256_add_ps(acc[l], _mm256_mul_ps(t, t));
    }
  float r = reduce(acc[0], acc[1], acc[2], acc[3]);
  for (size_t i = d32; i < d; ++i) {
    const float t = a[i] - b[i];
    r += t * t;
  }
  return r;
}

float ip_f32(const float* a, const float* b, size_t d) {
  __m256 acc[4] = {_mm256_setzero_ps(), _mm256_setzero_ps(), _mm256_setzero_ps(), _mm256_setzero_ps()};
  const size_t d32 = d & ~size_t{31};
  for (size_t i = 0; i < d32; i += 32)
    for (int l = 0; l < 4; ++l)
      acc[l] = _mm256_add_ps(acc[l], _mm256_mul_ps(_mm256_loadu_ps(a + i + 8 * l), _mm256_loadu_ps(b + i + 8 * l)));
  float r = reduce(acc[0], acc[1], acc[2], acc[3]);
  for (size_t i = d32; i < d; ++i) r += a[i] * b[i];
  return r;
}

uint32_t l2sq_u8(const uint8_t* a, const uint8_t* b, size_t d) {
  __m256i acc0 = _mm256_setzero_si256(), acc1 = _mm256_setzero_si256();
  size_t i = 0;
  for (; i + 32 <= d; i += 32) {
    const __m256i x0 = _mm256_cvtepu8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(a + i)));
    const __m256i y0 = _mm256_cvtepu8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(b + i)));
    const __m256i x1 = _mm256_cvtepu8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(a + i + 16)));
    const __m256i y1 = _mm256_cvtepu8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(b + i + 16)));
    const __m256i t0 = _mm256_sub_epi16(x0, y0), t1 = _mm256_sub_epi16(x1, y1);
    acc0 = _mm256_add_epi32(acc0, _mm256_madd_epi16(t0, t0));
    acc1 = _mm256_add_epi32(acc1, _mm256_madd_epi16(t1, t1));
  }
  for (; i + 16 <= d; i += 16) {
    const __m256i x = _mm256_cvtepu8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(a + i)));
    const __m256i y = _mm256_cvtepu8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(b + i)));
    const __m256i t = _mm256_sub_epi16(x, y);
    acc0 = _mm256_add_epi32(acc0, _mm256_madd_epi16(t, t));
  }
  uint32_t r = static_cast<uint32_t>(hsum_epi32(_mm256_add_epi32(acc0, acc1)));
  for (; i < d; ++i) {
    const int t = int(a[i]) - int(b[i]);
    r += static_cast<uint32_t>(t * t);
  }
  return r;
}

uint32_t ip_u8(const uint8_t* a, const uint8_t* b, size_t d) {
  __m256i acc = _mm256_setzero_si256();
  size_t i = 0;
  for (; i + 16 <= d; i += 16) {
    const __m256i x = _mm256_cvtepu8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(a + i)));
    const __m256i y = _mm256_cvtepu8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(b + i)));
    acc = _mm256_add_epi32(acc, _mm256_madd_epi16(x, y));
  }
  uint32_t r = static_cast<uint32_t>(hsum_epi32(acc));
  for (; i < d; ++i) r += uint32_t{a[i]} * uint32_t{b[i]};
  return r;
}

// Hamming distances with the POPCNT instruction (this file is built with -mpopcnt; every AVX2 CPU
// has it). Code lengths of 1, 2, 4, 8 and 16 words get unrolled loops with the query in registers.
uint32_t hamming(const uint64_t* a, const uint64_t* b, size_t words) {
  uint64_t r0 = 0, r1 = 0;
  size_t i = 0;
  for (; i + 2 <= words; i += 2) {
    r0 += uint64_t(_mm_popcnt_u64(a[i] ^ b[i]));
    r1 += uint64_t(_mm_popcnt_u64(a[i + 1] ^ b[i + 1]));
  }
  if (i < words) r0 += uint64_t(_mm_popcnt_u64(a[i] ^ b[i]));
  return uint32_t(r0 + r1);
}

template <size_t W>
uint32_t scan_fixed(const uint64_t* q, const uint64_t* codes, size_t n, uint32_t* out) {
  uint64_t qr[W];
  for (size_t j = 0; j < W; ++j) qr[j] = q[j];
  uint32_t least = UINT32_MAX;
  for (size_t i = 0; i < n; ++i) {
    const uint64_t* c = codes + i * W;
    uint64_t r = 0;
    for (size_t j = 0; j < W; ++j) r += uint64_t(_mm_popcnt_u64(qr[j] ^ c[j]));
    out[i] = uint32_t(r);
    least = out[i] < least ? out[i] : least;
  }
  return least;
}

inline uint32_t hmin_epu32(__m128i v) {
  v = _mm_min_epu32(v, _mm_shuffle_epi32(v, _MM_SHUFFLE(1, 0, 3, 2)));
  v = _mm_min_epu32(v, _mm_shuffle_epi32(v, _MM_SHUFFLE(2, 3, 0, 1)));
  return uint32_t(_mm_cvtsi128_si32(v));
}

// The popcount of each byte of v (Mula's nibble lookup: two vpshufb). No scalar POPCNT chain: on many
// x86 cores POPCNT carries a false dependency on its destination register, which serialises a scalar
// scan at about 3 cycles per code.
inline __m256i popcount_bytes(__m256i v) {
  const __m256i lut = _mm256_setr_epi8(0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4, 0, 1, 1, 2, 1, 2, 2, 3, 1, 2,
                                       2, 3, 2, 3, 3, 4);
  const __m256i low = _mm256_set1_epi8(0x0f);
  const __m256i lo = _mm256_and_si256(v, low), hi = _mm256_and_si256(_mm256_srli_epi16(v, 4), low);
  return _mm256_add_epi8(_mm256_shuffle_epi8(lut, lo), _mm256_shuffle_epi8(lut, hi));
}
// Popcounts of the four 64-bit lanes of v (vpsadbw sums the bytes of each lane).
inline __m256i popcount_lanes(__m256i v) { return _mm256_sad_epu8(popcount_bytes(v), _mm256_setzero_si256()); }

// 64-bit codes: four per vector.
uint32_t scan_64(const uint64_t* q, const uint64_t* codes, size_t n, uint32_t* out) {
  const __m256i qv = _mm256_set1_epi64x(static_cast<long long>(q[0]));
  const __m256i pick = _mm256_setr_epi32(0, 2, 4, 6, 1, 3, 5, 7);
  __m128i mn = _mm_set1_epi32(-1);
  size_t i = 0;
  for (; i + 4 <= n; i += 4) {
    const __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(codes + i));
    const __m128i c = _mm256_castsi256_si128(_mm256_permutevar8x32_epi32(popcount_lanes(_mm256_xor_si256(v, qv)), pick));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(out + i), c);
    mn = _mm_min_epu32(mn, c);
  }
  uint32_t least = hmin_epu32(mn);
  for (; i < n; ++i) {
    out[i] = uint32_t(_mm_popcnt_u64(q[0] ^ codes[i]));
    least = out[i] < least ? out[i] : least;
  }
  return least;
}

// 128-bit codes, ten a step: eight in four vectors of two, whose eight lane sums are paired and put
// in order in one vector, and two by scalar POPCNT, which runs on the integer ports beside the vector
// work (the lookup alone: 0.45 ns a code on a block in L1 here; with the two scalar codes 0.42; the
// vector of two a step that this replaced: 0.53).
uint32_t scan_128(const uint64_t* q, const uint64_t* codes, size_t n, uint32_t* out) {
  const __m256i qv = _mm256_setr_epi64x(static_cast<long long>(q[0]), static_cast<long long>(q[1]),
                                        static_cast<long long>(q[0]), static_cast<long long>(q[1]));
  const __m256i order = _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7);
  const __m256i zero = _mm256_setzero_si256();
  const uint64_t q0 = q[0], q1 = q[1];
  auto one = [&](const uint64_t* c) { return uint32_t(_mm_popcnt_u64(q0 ^ c[0]) + _mm_popcnt_u64(q1 ^ c[1])); };
  auto sums = [&](const __m256i* p) {  // the two codes of p: their 64-bit halves' counts in lanes 0, 1 | 2, 3
    return _mm256_sad_epu8(popcount_bytes(_mm256_xor_si256(_mm256_loadu_si256(p), qv)), zero);
  };
  __m256i mn = _mm256_set1_epi32(-1);
  uint32_t least = UINT32_MAX;
  size_t i = 0;
  for (; i + 10 <= n; i += 10) {
    const __m256i* p = reinterpret_cast<const __m256i*>(codes + 2 * i);
    // 32-bit lanes: c0 c2 c0' c2' | c1 c3 c1' c3' (c' the second half's count), then c4..c7 the same.
    const __m256i t01 = _mm256_or_si256(sums(p), _mm256_slli_epi64(sums(p + 1), 32));
    const __m256i t23 = _mm256_or_si256(sums(p + 2), _mm256_slli_epi64(sums(p + 3), 32));
    const __m256i u01 = _mm256_add_epi32(t01, _mm256_srli_si256(t01, 8));  // c0 c2 . . | c1 c3 . .
    const __m256i u23 = _mm256_add_epi32(t23, _mm256_srli_si256(t23, 8));  // c4 c6 . . | c5 c7 . .
    const __m256i r = _mm256_permutevar8x32_epi32(_mm256_unpacklo_epi64(u01, u23), order);  // c0 .. c7
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + i), r);
    mn = _mm256_min_epu32(mn, r);
    const uint32_t h8 = one(codes + 2 * (i + 8)), h9 = one(codes + 2 * (i + 9));
    out[i + 8] = h8;
    out[i + 9] = h9;
    least = std::min(least, std::min(h8, h9));
  }
  least = std::min(least, hmin_epu32(_mm_min_epu32(_mm256_castsi256_si128(mn), _mm256_extracti128_si256(mn, 1))));
  for (; i < n; ++i) {
    out[i] = one(codes + 2 * i);
    least = std::min(least, out[i]);
  }
  return least;
}

uint32_t hamming_scan(const uint64_t* q, const uint64_t* codes, size_t n, size_t words, uint32_t* out) {
  switch (words) {
    case 1: return scan_64(q, codes, n, out);
    case 2: return scan_128(q, codes, n, out);
    case 4: return scan_fixed<4>(q, codes, n, out);
    case 8: return scan_fixed<8>(q, codes, n, out);
    case 16: return scan_fixed<16>(q, codes, n, out);
    default: {
      uint32_t least = UINT32_MAX;
      for (size_t i = 0; i < n; ++i) {
        out[i] = hamming(q, codes + i * words, words);
        least = out[i] < least ? out[i] : least;
      }
      return least;
    }
  }
}

}  // namespace

const Kernels kAvx2Kernels = {l2sq_f32, ip_f32, l2sq_u8, below_of<l2sq_u8>, first_below_of<l2sq_u8>, ip_u8, hamming, hamming_scan,
                                rows_of<l2sq_f32>, rows_of<ip_f32>, pairs_of<l2sq_f32>};

}  // namespace annlab::detail
