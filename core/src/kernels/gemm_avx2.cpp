// AVX2 + FMA block of inner products for k-means assignment (compiled with -mavx2 -mfma; called
// only when the CPU has AVX2). Its rounding need not match the other levels: the assignment
// re-checks near-ties with the exact kernels.
#include <immintrin.h>

#include <algorithm>
#include <cstdint>
#include <vector>

#include "kernels/distance_impl.h"
#include "kernels/x86_sum.h"

namespace annlab::detail {

namespace {

// R rows of x (R <= 6) against one panel of 16 centroids: 2R accumulators, each step loads two
// vectors of the panel and broadcasts one component of each row. Six rows use 12 accumulators +
// 2 + 1 of the 16 registers, and every panel load serves six rows instead of four.
template <size_t R>
inline void micro(const float* const* xr, const float* cp, size_t d, float (*tmp)[16]) {
  __m256 acc0[R], acc1[R];
  for (size_t r = 0; r < R; ++r) acc0[r] = acc1[r] = _mm256_setzero_ps();
  for (size_t t = 0; t < d; ++t, cp += 16) {
    const __m256 c0 = _mm256_loadu_ps(cp), c1 = _mm256_loadu_ps(cp + 8);
    for (size_t r = 0; r < R; ++r) {
      const __m256 xv = _mm256_broadcast_ss(xr[r] + t);
      acc0[r] = _mm256_fmadd_ps(xv, c0, acc0[r]);
      acc1[r] = _mm256_fmadd_ps(xv, c1, acc1[r]);
    }
  }
  for (size_t r = 0; r < R; ++r) {
    _mm256_storeu_ps(tmp[r], acc0[r]);
    _mm256_storeu_ps(tmp[r] + 8, acc1[r]);
  }
}

// R rows of q against C rows of x (int16, dp a multiple of 16): R*C accumulators of VPMADDWD
// pairs; at 4 x 3 that is 12 accumulators + 3 rows of x + 1 of q, the 16 registers.
template <size_t R, size_t C>
inline void micro_i16(const int16_t* const* qr, const int16_t* const* xr, size_t dp, int32_t* out, size_t ldo,
                      size_t rows, size_t cols) {
  __m256i acc[R][C];
  for (size_t r = 0; r < R; ++r)
    for (size_t c = 0; c < C; ++c) acc[r][c] = _mm256_setzero_si256();
  for (size_t t = 0; t < dp; t += 16) {
    __m256i xv[C];
    for (size_t c = 0; c < C; ++c) xv[c] = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(xr[c] + t));
    for (size_t r = 0; r < R; ++r) {
      const __m256i qv = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(qr[r] + t));
      for (size_t c = 0; c < C; ++c) acc[r][c] = _mm256_add_epi32(acc[r][c], _mm256_madd_epi16(qv, xv[c]));
    }
  }
  for (size_t r = 0; r < rows; ++r)
    for (size_t c = 0; c < cols; ++c) out[r * ldo + c] = hsum_epi32(acc[r][c]);
}

}  // namespace

void dot_block_i16_avx2(const int16_t* q, size_t nq, const int16_t* x, size_t nx, size_t dp, int32_t* out) {
  tile_int_block<4, 3>(q, nq, x, nx, dp, out, [](auto qr, auto xr, size_t dp_, int32_t* o, size_t ldo, size_t rows, size_t cols) {
    micro_i16<4, 3>(qr, xr, dp_, o, ldo, rows, cols);
  });
}

void dot_rows_i16_avx2(const int16_t* q, size_t nq, const int16_t* x, size_t nx, size_t dp, int32_t* out) {
  tile_int_block<1, 6>(q, nq, x, nx, dp, out, [](auto qr, auto xr, size_t dp_, int32_t* o, size_t ldo, size_t rows, size_t cols) {
    micro_i16<1, 6>(qr, xr, dp_, o, ldo, rows, cols);
  });
}

void dot_block_avx2(const float* x, size_t nx, const float* packed, size_t nc, size_t d, float* out) {
  const size_t panels = (nc + 15) / 16;
  alignas(32) float tmp[6][16];
  for (size_t pnl = 0; pnl < panels; ++pnl) {
    const size_t j = pnl * 16, cols = std::min<size_t>(16, nc - j);
    const float* cp = packed + pnl * d * 16;
    for (size_t i = 0; i < nx; i += 6) {
      const size_t rows = std::min<size_t>(6, nx - i);
      const float* xr[6];
      for (size_t a = 0; a < 6; ++a) xr[a] = x + (i + std::min(a, rows - 1)) * d;
      if (rows == 6) micro<6>(xr, cp, d, tmp);
      else if (rows >= 4) micro<4>(xr, cp, d, tmp), rows > 4 ? micro<2>(xr + 4, cp, d, tmp + 4) : void();
      else if (rows >= 2) micro<2>(xr, cp, d, tmp), rows > 2 ? micro<1>(xr + 2, cp, d, tmp + 2) : void();
      else micro<1>(xr, cp, d, tmp);
      for (size_t a = 0; a < rows; ++a) std::copy_n(tmp[a], cols, out + (i + a) * nc + j);
    }
  }
}

}  // namespace annlab::detail
