// The scalar reference kernels: the definition of every result the SIMD levels must reproduce.
#include "kernels/distance_impl.h"

namespace annlab::detail {
namespace {

float l2sq_f32(const float* a, const float* b, size_t d) {
  float p[32] = {};
  const size_t d32 = d & ~size_t{31};
  for (size_t i = 0; i < d32; i += 32)
    for (int l = 0; l < 32; ++l) {
      const float t = a[i + l] - b[i + l];
      p[l] += t * t;
    }
  float r = combine32(p);
  for (size_t i = d32; i < d; ++i) {
    const float t = a[i] - b[i];
    r += t * t;
  }
  return r;
}

float ip_f32(const float* a, const float* b, size_t d) {
  float p[32] = {};
  const size_t d32 = d & ~size_t{31};
  for (size_t i = 0; i < d32; i += 32)
    for (int l = 0; l < 32; ++l) p[l] += a[i + l] * b[i + l];
  float r = combine32(p);
  for (size_t i = d32; i < d; ++i) r += a[i] * b[i];
  return r;
}

uint32_t l2sq_u8(const uint8_t* a, const uint8_t* b, size_t d) {
  uint32_t r = 0;
  for (size_t i = 0; i < d; ++i) {
    const int t = int(a[i]) - int(b[i]);
    r += static_cast<uint32_t>(t * t);
  }
  return r;
}

uint32_t ip_u8(const uint8_t* a, const uint8_t* b, size_t d) {
  uint32_t r = 0;
  for (size_t i = 0; i < d; ++i) r += uint32_t{a[i]} * uint32_t{b[i]};
  return r;
}

// Bit counting by parallel sums (no popcount instruction: the reference is plain C++).
inline uint32_t popcount64(uint64_t x) {
  x = x - ((x >> 1) & 0x5555555555555555ULL);
  x = (x & 0x3333333333333333ULL) + ((x >> 2) & 0x3333333333333333ULL);
  x = (x + (x >> 4)) & 0x0F0F0F0F0F0F0F0FULL;
  return uint32_t((x * 0x0101010101010101ULL) >> 56);
}

uint32_t hamming(const uint64_t* a, const uint64_t* b, size_t words) {
  uint32_t r = 0;
  for (size_t i = 0; i < words; ++i) r += popcount64(a[i] ^ b[i]);
  return r;
}

uint32_t hamming_scan(const uint64_t* q, const uint64_t* codes, size_t n, size_t words, uint32_t* out) {
  uint32_t least = UINT32_MAX;
  for (size_t i = 0; i < n; ++i) {
    out[i] = hamming(q, codes + i * words, words);
    least = out[i] < least ? out[i] : least;
  }
  return least;
}

}  // namespace

const Kernels kScalarKernels = {l2sq_f32, ip_f32, l2sq_u8, below_of<l2sq_u8>, first_below_of<l2sq_u8>, ip_u8, hamming, hamming_scan,
                                rows_of<l2sq_f32>, rows_of<ip_f32>, pairs_of<l2sq_f32>};

}  // namespace annlab::detail
