// AVX-512 block of inner products for k-means assignment (compiled with -mavx512f -mfma; called
// only at the AVX512 level). Like gemm_avx2.cpp its rounding need not match the other
// levels: the assignment re-checks near-ties with the exact kernels.
//
// Centroids come packed in panels of 32 (pack_panels(c, nc, d, 32)). Each group of 12 rows of x
// runs against a slice of kKc components of one panel; 12 rows x 32 centroids = 24 zmm
// accumulators. Slices only matter for large d: on 784-d data one slice measured faster than
// slices of 64-256 (the caller's blocks of 120 rows already keep x in L2).
#include <immintrin.h>

#include <algorithm>
#include <vector>

#include "kernels/distance_impl.h"

namespace annlab::detail {

namespace {

constexpr size_t kW = 32;    // centroids per panel
constexpr size_t kKc = 1024;  // components per slice (784-d images: one slice)

// R rows (R <= 12) against kc components of one panel. acc: R x 32 running sums (row stride ld),
// zero-initialised when first.
template <size_t R>
inline void micro(const float* const* xr, const float* cp, size_t kc, float* acc, size_t ld, bool first) {
  __m512 a0[R], a1[R];
  for (size_t r = 0; r < R; ++r) {
    a0[r] = first ? _mm512_setzero_ps() : _mm512_loadu_ps(acc + r * ld);
    a1[r] = first ? _mm512_setzero_ps() : _mm512_loadu_ps(acc + r * ld + 16);
  }
  for (size_t t = 0; t < kc; ++t, cp += kW) {
    const __m512 c0 = _mm512_loadu_ps(cp), c1 = _mm512_loadu_ps(cp + 16);
    for (size_t r = 0; r < R; ++r) {
      const __m512 xv = _mm512_set1_ps(xr[r][t]);
      a0[r] = _mm512_fmadd_ps(xv, c0, a0[r]);
      a1[r] = _mm512_fmadd_ps(xv, c1, a1[r]);
    }
  }
  for (size_t r = 0; r < R; ++r) {
    _mm512_storeu_ps(acc + r * ld, a0[r]);
    _mm512_storeu_ps(acc + r * ld + 16, a1[r]);
  }
}

template <size_t R>
void micro_any(size_t rows, const float* const* xr, const float* cp, size_t kc, float* acc, size_t ld, bool first) {
  if constexpr (R == 0) {
    (void)rows, (void)xr, (void)cp, (void)kc, (void)acc, (void)ld, (void)first;
  } else if (rows == R) {
    micro<R>(xr, cp, kc, acc, ld, first);
  } else {
    micro_any<R - 1>(rows, xr, cp, kc, acc, ld, first);
  }
}

}  // namespace

void dot_block_avx512(const float* x, size_t nx, const float* packed, size_t nc, size_t d, float* out) {
  const size_t panels = (nc + kW - 1) / kW, ld = panels * kW;
  thread_local std::vector<float> acc;
  acc.resize(nx * ld);
  for (size_t k0 = 0; k0 < d; k0 += kKc) {
    const size_t kc = std::min(kKc, d - k0);
    for (size_t pnl = 0; pnl < panels; ++pnl) {
      const float* cp = packed + pnl * d * kW + k0 * kW;
      for (size_t i = 0; i < nx; i += 12) {
        const size_t rows = std::min<size_t>(12, nx - i);
        const float* xr[12];
        for (size_t a = 0; a < rows; ++a) xr[a] = x + (i + a) * d + k0;
        micro_any<12>(rows, xr, cp, kc, acc.data() + i * ld + pnl * kW, ld, k0 == 0);
      }
    }
  }
  for (size_t i = 0; i < nx; ++i) std::copy_n(acc.data() + i * ld, nc, out + i * nc);
}

}  // namespace annlab::detail
