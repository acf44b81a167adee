// Private header (core/src): the per-level kernel tables behind annlab/distance.h, and the one
// fixed summation order every float kernel follows so that all levels agree bit for bit:
//   32 partial sums (lane l takes the elements i = l mod 32 of the first floor(d/32)*32),
//   s[j] = (p[j] + p[8+j]) + (p[16+j] + p[24+j])            for j = 0..7
//   t[j] = s[j] + s[4+j]                                     for j = 0..3
//   r = (t[0] + t[2]) + (t[1] + t[3]), then the tail elements added one by one, in order.
// No fused multiply-add: every product is rounded before it is added.
#pragma once

#include <vector>

#include "annlab/distance.h"

namespace annlab::detail {

extern const Kernels kScalarKernels;
// Centroids packed for the k-means block products below: panels of w columns, each d x w
// contiguous (zero columns pad the last panel).
std::vector<float> pack_panels(const float* c, size_t nc, size_t d, size_t w);
#if defined(ANNLAB_HAVE_AVX2)
extern const Kernels kAvx2Kernels;
// out[i * nc + j] = x_i . c_j for nx rows of x and nc rows of c (d floats each), with FMA: for
// k-means assignment only, where near-ties are re-checked exactly (gemm_avx2.cpp). The centroids
// are packed once per pass (pack_panels: panels of w = 16 for AVX2, 32 for AVX-512) and reused for
// every block of rows; the AVX-512 level uses dot_block_avx512 (gemm_avx512.cpp).
void dot_block_avx2(const float* x, size_t nx, const float* packed, size_t nc, size_t d, float* out);
void dot_block_avx512(const float* x, size_t nx, const float* packed, size_t nc, size_t d, float* out);
// The AVX-512 level: AVX2's table with this Hamming scan (distance_avx512.cpp).
uint32_t hamming_scan_avx512(const uint64_t* q, const uint64_t* codes, size_t n, size_t words, uint32_t* out);
#endif
#if defined(ANNLAB_HAVE_SIMD128)
extern const Kernels kSimd128Kernels;
// The same block product in wasm simd128 (gemm_simd128.cpp): panels of w = 8, four rows at a time.
void dot_block_simd128(const float* x, size_t nx, const float* packed, size_t nc, size_t d, float* out);
#endif

// Combines 32 partial sums in the fixed order above.
inline float combine32(const float* p) {
  float s[8], t[4];
  for (int j = 0; j < 8; ++j) s[j] = (p[j] + p[8 + j]) + (p[16 + j] + p[24 + j]);
  for (int j = 0; j < 4; ++j) t[j] = s[j] + s[4 + j];
  return (t[0] + t[2]) + (t[1] + t[3]);
}

}  // namespace annlab::detail
