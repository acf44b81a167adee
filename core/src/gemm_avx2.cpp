// AVX2 + FMA block of inner products for k-means assignment (compiled with -mavx2 -mfma; called
// only when the CPU has AVX2). Its rounding need not match the other levels: the assignment
// re-checks near-ties with the exact kernels.
#include <immintrin.h>

#include <algorithm>
#include <vector>

#include "distance_impl.h"

namespace annlab::detail {

void dot_block_avx2(const float* x, size_t nx, const float* c, size_t nc, size_t d, float* out) {
  // Centroids packed in panels of 16, each panel d x 16 contiguous (50 KB for d = 784: it stays in
  // L2 while the rows of x pass): each step broadcasts one component of four rows of x and
  // multiplies 16 centroids at once; no horizontal sums.
  const size_t panels = (nc + 15) / 16;
  std::vector<float> packed(panels * d * 16, 0.0f);
  for (size_t j = 0; j < nc; ++j)
    for (size_t t = 0; t < d; ++t) packed[(j / 16) * d * 16 + t * 16 + j % 16] = c[j * d + t];
  alignas(32) float tmp[4][16];
  for (size_t pnl = 0; pnl < panels; ++pnl) {
    const size_t j = pnl * 16, cols = std::min<size_t>(16, nc - j);
    for (size_t i = 0; i < nx; i += 4) {
      const size_t rows = std::min<size_t>(4, nx - i);
      const float* x0 = x + i * d;
      const float* x1 = rows > 1 ? x0 + d : x0;
      const float* x2 = rows > 2 ? x0 + 2 * d : x0;
      const float* x3 = rows > 3 ? x0 + 3 * d : x0;
      __m256 a00 = _mm256_setzero_ps(), a01 = a00, a10 = a00, a11 = a00, a20 = a00, a21 = a00, a30 = a00, a31 = a00;
      const float* cp = packed.data() + pnl * d * 16;
      for (size_t t = 0; t < d; ++t, cp += 16) {
        const __m256 c0 = _mm256_loadu_ps(cp), c1 = _mm256_loadu_ps(cp + 8);
        __m256 xv = _mm256_broadcast_ss(x0 + t);
        a00 = _mm256_fmadd_ps(xv, c0, a00);
        a01 = _mm256_fmadd_ps(xv, c1, a01);
        xv = _mm256_broadcast_ss(x1 + t);
        a10 = _mm256_fmadd_ps(xv, c0, a10);
        a11 = _mm256_fmadd_ps(xv, c1, a11);
        xv = _mm256_broadcast_ss(x2 + t);
        a20 = _mm256_fmadd_ps(xv, c0, a20);
        a21 = _mm256_fmadd_ps(xv, c1, a21);
        xv = _mm256_broadcast_ss(x3 + t);
        a30 = _mm256_fmadd_ps(xv, c0, a30);
        a31 = _mm256_fmadd_ps(xv, c1, a31);
      }
      _mm256_store_ps(tmp[0], a00);
      _mm256_store_ps(tmp[0] + 8, a01);
      _mm256_store_ps(tmp[1], a10);
      _mm256_store_ps(tmp[1] + 8, a11);
      _mm256_store_ps(tmp[2], a20);
      _mm256_store_ps(tmp[2] + 8, a21);
      _mm256_store_ps(tmp[3], a30);
      _mm256_store_ps(tmp[3] + 8, a31);
      for (size_t a = 0; a < rows; ++a) std::copy_n(tmp[a], cols, out + (i + a) * nc + j);
    }
  }
}

}  // namespace annlab::detail
