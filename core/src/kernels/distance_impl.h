// Private header (core/src): the per-level kernel tables behind annlab/distance.h, and the one
// fixed summation order every float kernel follows so that all levels agree bit for bit:
//   32 partial sums (lane l takes the elements i = l mod 32 of the first floor(d/32)*32),
//   s[j] = (p[j] + p[8+j]) + (p[16+j] + p[24+j])            for j = 0..7
//   t[j] = s[j] + s[4+j]                                     for j = 0..3
//   r = (t[0] + t[2]) + (t[1] + t[3]), then the tail elements added one by one, in order.
// No fused multiply-add: every product is rounded before it is added.
#pragma once

#include <algorithm>
#include <vector>

#include "annlab/distance.h"

namespace annlab::detail {

extern const Kernels kScalarKernels;
// A rows kernel made of the one-row kernel F (every level but simd128).
template <float (*F)(const float*, const float*, size_t)>
void rows_of(const float* q, const float* x, size_t n, size_t d, float* out) {
  for (size_t i = 0; i < n; ++i) out[i] = F(q, x + i * d, d);
}
// The bounded byte distance made of the level's one-row kernel F, checked after each 128-byte chunk.
template <uint32_t (*F)(const uint8_t*, const uint8_t*, size_t)>
uint32_t below_of(const uint8_t* a, const uint8_t* b, size_t d, const uint16_t* order, uint32_t bound) {
  const size_t chunks = (d + 127) / 128;
  uint32_t r = 0;
  for (size_t t = 0; t < chunks; ++t) {
    const size_t o = (order ? size_t(order[t]) : t) * 128;
    r += F(a + o, b + o, d - o < 128 ? d - o : 128);
    if (r > bound) return r;
  }
  return r;
}
// fetch_lines into L2 only (natively; the loads of fetch_lines in wasm). Rows passed over leave gaps,
// so the stream prefetcher stops and every row read is a fetch of its own; prefetched into L1, the
// scan waited at the prefetches for L1's few fill buffers (1.6x slower than into L2, in one run).
inline void fetch_lines_l2(const void* p, size_t bytes) {
#if defined(__wasm__)
  (void)fetch_lines(p, bytes);
#else
  const unsigned char* c = static_cast<const unsigned char*>(p);
  for (size_t o = 0; o < bytes; o += 64) {
    __builtin_prefetch(c + o, 0, 2);
    asm volatile("" : : "r"(c + o));
  }
#endif
}
// The one-query scan made of it. Without norms, every row in turn, each fetched kAhead = 4 rows ahead. With norms, rows are classified by their norm bound kWin at a time
// (branch-free: the survivors' indices are packed into buf), and only survivors are fetched (8
// survivors ahead, into L2) and summed, each stopping once its partial sum plus the norm bound of
// its chunks still to come is beyond the bound.
template <uint32_t (*F)(const uint8_t*, const uint8_t*, size_t)>
size_t first_below_of(const uint8_t* q, const uint8_t* x, size_t n, size_t d, const uint16_t* order,
                      const float* qn, const float* xn, uint32_t bound, uint32_t* dist) {
  constexpr size_t kAhead = 4;
  size_t found = n;
  if (!qn || !xn) {
    uint32_t touched = 0;
    for (size_t i = 0; i < n; ++i) {
      if (i + kAhead < n) touched += fetch_lines(x + (i + kAhead) * d, d);
      const uint32_t r = below_of<F>(q, x + i * d, d, order, bound);
      if (r <= bound) {
        *dist = r, found = i;
        break;
      }
    }
    const volatile uint32_t keep = touched;  // wasm: so that the fetching loads stay
    (void)keep;
    return found;
  }
  constexpr size_t kWin = 64, kSurvivorsAhead = 8;
  const size_t chunks = (d + 127) / 128;
  const float lim = prune_limit(bound, chunks);
  size_t buf[kWin + kSurvivorsAhead + 1];
  float lbs[kWin + kSurvivorsAhead + 1];
  size_t cnt = 0, pos = 0, fetched = 0, row = 0;  // buf[pos, cnt): survivors to sum; [pos, fetched) fetched
  while (found == n) {
    if (cnt - pos <= kSurvivorsAhead && row < n) {  // classify the next kWin rows behind the ones left
      size_t m = 0;
      for (size_t s = pos; s < cnt; ++s, ++m) buf[m] = buf[s], lbs[m] = lbs[s];
      fetched -= pos, cnt = m, pos = 0;
      for (const size_t end = std::min(n, row + kWin); row < end; ++row) {
        const float* xr = xn + row * chunks;
        float lb = 0;
        for (size_t c = 0; c < chunks; ++c) {
          const float t = qn[c] - xr[c];
          lb += t * t;
        }
        buf[cnt] = row, lbs[cnt] = lb;
        cnt += lb <= lim;
      }
      continue;
    }
    if (pos == cnt) break;
    for (; fetched < cnt && fetched <= pos + kSurvivorsAhead; ++fetched) fetch_lines_l2(x + buf[fetched] * d, d);
    const size_t i = buf[pos];
    float rest = lbs[pos++];
    const uint8_t* xi = x + i * d;
    const float* xr = xn + i * chunks;
    uint32_t r = 0;
    size_t t = 0;
    for (; t < chunks; ++t) {
      const size_t c = order ? size_t(order[t]) : t;
      const size_t o = c * 128;
      r += F(q + o, xi + o, d - o < 128 ? d - o : 128);
      const float u = qn[c] - xr[c];
      rest -= u * u;
      if (r > bound || float(r) + rest > lim) break;
    }
    if (t == chunks) *dist = r, found = i;
  }
  return found;
}
template <float (*F)(const float*, const float*, size_t)>
void pairs_of(const float* x, const float* y, const uint32_t* i, const uint32_t* j, size_t n, size_t d, float* out) {
  for (size_t t = 0; t < n; ++t) out[t] = F(x + i[t] * d, y + j[t] * d, d);
}
// Centroids packed for the k-means block products below: panels of w columns, each d x w
// contiguous (zero columns pad the last panel).
std::vector<float> pack_panels(const float* c, size_t nc, size_t d, size_t w);
// out[i * nx + j] = q_i . x_j exactly, for nq rows q and nx rows x of dp int16 values each (bytes
// widened, zero-padded to dp, a multiple of 16): the integer block product of batched exact search
// (parts/exact_scan.cpp). Exact integer sums, so every level gives the same numbers; |q_i . x_j| must
// stay below 2^31 (bytes: d < 33,025).
void dot_block_i16_scalar(const int16_t* q, size_t nq, const int16_t* x, size_t nx, size_t dp, int32_t* out);
#if defined(ANNLAB_HAVE_AVX2)
extern const Kernels kAvx2Kernels;
void dot_block_i16_avx2(const int16_t* q, size_t nq, const int16_t* x, size_t nx, size_t dp, int32_t* out);
// The same sums one row of q at a time against six rows of x (a query's projections: the 4 x 3
// tile would compute four copies of a single row).
void dot_rows_i16_avx2(const int16_t* q, size_t nq, const int16_t* x, size_t nx, size_t dp, int32_t* out);
void dot_block_u8s8_vnni(const int8_t* q, size_t nq, const uint8_t* x, size_t nx, size_t dp, int32_t* out);
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
void dot_block_i16_simd128(const int16_t* q, size_t nq, const int16_t* x, size_t nx, size_t dp, int32_t* out);
void dot_rows_i16_simd128(const int16_t* q, size_t nq, const int16_t* x, size_t nx, size_t dp, int32_t* out);
#endif

// The float block product of the active level (panels of `width` columns, pack_panels_into), or
// nullptr at the scalar level: what k-means assignment and batched exact search share.
struct FloatBlockProduct {
  size_t width;
  void (*fn)(const float* x, size_t nx, const float* packed, size_t nc, size_t d, float* out);
};
const FloatBlockProduct* float_block_product(SimdLevel level);
// pack_panels into a caller's buffer of ceil(nc / w) * d * w floats.
void pack_panels_into(const float* c, size_t nc, size_t d, size_t w, float* out);
// The integer block product of the active level (never null).
using IntBlockProduct = void (*)(const int16_t* q, size_t nq, const int16_t* x, size_t nx, size_t dp, int32_t* out);
IntBlockProduct int_block_product(SimdLevel level);
// The same product tiled for a single row of q against many rows of x (one query; 1 x 4 tiles in wasm,
// 1 x 6 with AVX2).
IntBlockProduct int_rows_product(SimdLevel level);
// out[i * nx + j] = sum_t x_j[t] * q_i[t] for unsigned bytes x and signed bytes q (dp a multiple
// of 32, zero-padded), exactly: AVX-512 VNNI (gemm_vnni.cpp). nullptr where the level or the CPU
// has no VNNI; then the int16 product above serves.
using ByteBlockProduct = void (*)(const int8_t* q, size_t nq, const uint8_t* x, size_t nx, size_t dp, int32_t* out);
ByteBlockProduct byte_block_product(SimdLevel level);

// The smallest of a[0..n) (+inf for n = 0); and the indices j (ascending) with a[j] <= limit, into out
// (room for n), returning how many. Exact at every level: k-means' candidate filter.
float min_f32(const float* a, size_t n);
size_t indices_at_most(const float* a, size_t n, float limit, uint32_t* out);

// The tiling every integer block product shares: tiles of C rows of x (kept in L1) against every
// group of R rows of q. A short tile or group repeats its last row; micro(qr, xr, dp, out, ldo,
// rows, cols), the level's register kernel, stores only the rows x cols sums that exist.
template <size_t R, size_t C, class Q, class X, class Micro>
inline void tile_int_block(const Q* q, size_t nq, const X* x, size_t nx, size_t dp, int32_t* out, Micro micro) {
  for (size_t j = 0; j < nx; j += C) {
    const size_t cols = nx - j < C ? nx - j : C;
    const X* xr[C];
    for (size_t c = 0; c < C; ++c) xr[c] = x + (j + (c < cols ? c : cols - 1)) * dp;
    for (size_t i = 0; i < nq; i += R) {
      const size_t rows = nq - i < R ? nq - i : R;
      const Q* qr[R];
      for (size_t r = 0; r < R; ++r) qr[r] = q + (i + (r < rows ? r : rows - 1)) * dp;
      micro(static_cast<const Q* const*>(qr), static_cast<const X* const*>(xr), dp, out + i * nx + j, nx, rows, cols);
    }
  }
}

// Combines 32 partial sums in the fixed order above.
inline float combine32(const float* p) {
  float s[8], t[4];
  for (int j = 0; j < 8; ++j) s[j] = (p[j] + p[8 + j]) + (p[16 + j] + p[24 + j]);
  for (int j = 0; j < 4; ++j) t[j] = s[j] + s[4 + j];
  return (t[0] + t[2]) + (t[1] + t[3]);
}

}  // namespace annlab::detail
