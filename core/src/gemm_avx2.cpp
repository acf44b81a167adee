// AVX2 + FMA block of inner products for k-means assignment (compiled with -mavx2 -mfma; called
// only when the CPU has AVX2). Its rounding need not match the other levels: the assignment
// re-checks near-ties with the exact kernels.
#include <immintrin.h>

#include "distance_impl.h"

namespace annlab::detail {

namespace {

inline float hsum(__m256 v) {
  __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  s = _mm_add_ps(s, _mm_movehl_ps(s, s));
  return _mm_cvtss_f32(_mm_add_ss(s, _mm_shuffle_ps(s, s, 1)));
}

inline __m256i tail_mask(size_t rem) {
  alignas(32) static const int32_t bits[16] = {-1, -1, -1, -1, -1, -1, -1, -1, 0, 0, 0, 0, 0, 0, 0, 0};
  return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(bits + 8 - rem));
}

}  // namespace

void dot_block_avx2(const float* x, size_t nx, const float* c, size_t nc, size_t d, float* out) {
  const size_t d8 = d & ~size_t{7};
  const __m256i mask = tail_mask(d - d8);
  size_t i = 0;
  for (; i + 4 <= nx; i += 4) {
    const float* x0 = x + i * d;
    size_t j = 0;
    for (; j + 3 <= nc; j += 3) {
      const float* c0 = c + j * d;
      __m256 acc[4][3];
      for (auto& row : acc)
        for (auto& a : row) a = _mm256_setzero_ps();
      for (size_t t = 0; t <= d8; t += 8) {
        if (t == d8 && t == d) break;
        __m256 cv[3], xv;
        for (int b = 0; b < 3; ++b)
          cv[b] = t < d8 ? _mm256_loadu_ps(c0 + b * d + t) : _mm256_maskload_ps(c0 + b * d + t, mask);
        for (int a = 0; a < 4; ++a) {
          xv = t < d8 ? _mm256_loadu_ps(x0 + a * d + t) : _mm256_maskload_ps(x0 + a * d + t, mask);
          for (int b = 0; b < 3; ++b) acc[a][b] = _mm256_fmadd_ps(xv, cv[b], acc[a][b]);
        }
      }
      for (int a = 0; a < 4; ++a)
        for (int b = 0; b < 3; ++b) out[(i + a) * nc + j + b] = hsum(acc[a][b]);
    }
    for (; j < nc; ++j)
      for (int a = 0; a < 4; ++a) {
        __m256 acc = _mm256_setzero_ps();
        for (size_t t = 0; t < d8; t += 8)
          acc = _mm256_fmadd_ps(_mm256_loadu_ps(x0 + a * d + t), _mm256_loadu_ps(c + j * d + t), acc);
        if (d8 < d)
          acc = _mm256_fmadd_ps(_mm256_maskload_ps(x0 + a * d + d8, mask), _mm256_maskload_ps(c + j * d + d8, mask), acc);
        out[(i + a) * nc + j] = hsum(acc);
      }
  }
  for (; i < nx; ++i)
    for (size_t j = 0; j < nc; ++j) {
      __m256 acc = _mm256_setzero_ps();
      for (size_t t = 0; t < d8; t += 8)
        acc = _mm256_fmadd_ps(_mm256_loadu_ps(x + i * d + t), _mm256_loadu_ps(c + j * d + t), acc);
      if (d8 < d) acc = _mm256_fmadd_ps(_mm256_maskload_ps(x + i * d + d8, mask), _mm256_maskload_ps(c + j * d + d8, mask), acc);
      out[i * nc + j] = hsum(acc);
    }
}

}  // namespace annlab::detail
