// wasm simd128 block of inner products for k-means assignment (the WebAssembly build's counterpart
// of gemm_avx2.cpp). Its rounding need not match the other levels (a product, then a sum, in
// another order): the assignment re-checks near-ties with the exact kernels, so the clusters and
// the index bytes are the same as natively.
#include <wasm_simd128.h>

#include <algorithm>
#include <cstdint>

#include "kernels/distance_impl.h"

namespace annlab::detail {
namespace {

// R rows of x (R <= 4) against one panel of 8 centroids: 2R accumulators, two panel vectors and
// one broadcast live, 11 of V8's 15 free registers at R = 4 (more rows or a wider panel spills).
template <size_t R>
inline void micro(const float* const* xr, const float* cp, size_t d, float (*tmp)[8]) {
  v128_t acc0[R], acc1[R];
  for (size_t r = 0; r < R; ++r) acc0[r] = acc1[r] = wasm_f32x4_splat(0.0f);
  for (size_t t = 0; t < d; ++t, cp += 8) {
    const v128_t c0 = wasm_v128_load(cp), c1 = wasm_v128_load(cp + 4);
    for (size_t r = 0; r < R; ++r) {
      const v128_t xv = wasm_v128_load32_splat(xr[r] + t);  // one broadcast load, not a load and a splat
      acc0[r] = wasm_f32x4_add(acc0[r], wasm_f32x4_mul(xv, c0));
      acc1[r] = wasm_f32x4_add(acc1[r], wasm_f32x4_mul(xv, c1));
    }
  }
  for (size_t r = 0; r < R; ++r) {
    wasm_v128_store(tmp[r], acc0[r]);
    wasm_v128_store(tmp[r] + 4, acc1[r]);
  }
}

inline int32_t hsum(v128_t v) {
  return wasm_i32x4_extract_lane(v, 0) + wasm_i32x4_extract_lane(v, 1) + wasm_i32x4_extract_lane(v, 2) +
         wasm_i32x4_extract_lane(v, 3);
}

// R rows of q against C rows of x (int16, dp a multiple of 16) with i32x4.dot_i16x8_s: at 3 x 3,
// 9 accumulators + 3 rows of x + 1 of q stay in registers.
template <size_t R, size_t C>
inline void micro_i16(const int16_t* const* qr, const int16_t* const* xr, size_t dp, int32_t* out, size_t ldo,
                      size_t rows, size_t cols) {
  v128_t acc[R][C];
  for (size_t r = 0; r < R; ++r)
    for (size_t c = 0; c < C; ++c) acc[r][c] = wasm_i32x4_splat(0);
  for (size_t t = 0; t < dp; t += 8) {
    v128_t xv[C];
    for (size_t c = 0; c < C; ++c) xv[c] = wasm_v128_load(xr[c] + t);
    for (size_t r = 0; r < R; ++r) {
      const v128_t qv = wasm_v128_load(qr[r] + t);
      for (size_t c = 0; c < C; ++c) acc[r][c] = wasm_i32x4_add(acc[r][c], wasm_i32x4_dot_i16x8(qv, xv[c]));
    }
  }
  for (size_t r = 0; r < rows; ++r)
    for (size_t c = 0; c < cols; ++c) out[r * ldo + c] = hsum(acc[r][c]);
}

}  // namespace

void dot_block_i16_simd128(const int16_t* q, size_t nq, const int16_t* x, size_t nx, size_t dp, int32_t* out) {
  tile_int_block<3, 3>(q, nq, x, nx, dp, out, [](auto qr, auto xr, size_t dp_, int32_t* o, size_t ldo, size_t rows, size_t cols) {
    micro_i16<3, 3>(qr, xr, dp_, o, ldo, rows, cols);
  });
}

// One query against many rows (IVF's centroid ranking): 1 x 4 tiles, so no register repeats a
// row as the 3 x 3 tiles would for a single query.
void dot_rows_i16_simd128(const int16_t* q, size_t nq, const int16_t* x, size_t nx, size_t dp, int32_t* out) {
  tile_int_block<1, 4>(q, nq, x, nx, dp, out, [](auto qr, auto xr, size_t dp_, int32_t* o, size_t ldo, size_t rows, size_t cols) {
    micro_i16<1, 4>(qr, xr, dp_, o, ldo, rows, cols);
  });
}

void dot_block_simd128(const float* x, size_t nx, const float* packed, size_t nc, size_t d, float* out) {
  const size_t panels = (nc + 7) / 8;
  alignas(16) float tmp[4][8];
  for (size_t pnl = 0; pnl < panels; ++pnl) {
    const size_t j = pnl * 8, cols = std::min<size_t>(8, nc - j);
    const float* cp = packed + pnl * d * 8;
    for (size_t i = 0; i < nx; i += 4) {
      const size_t rows = std::min<size_t>(4, nx - i);
      const float* xr[4];
      for (size_t a = 0; a < 4; ++a) xr[a] = x + (i + std::min(a, rows - 1)) * d;
      if (rows == 4) micro<4>(xr, cp, d, tmp);
      else if (rows == 3) micro<3>(xr, cp, d, tmp);
      else if (rows == 2) micro<2>(xr, cp, d, tmp);
      else micro<1>(xr, cp, d, tmp);
      // A full panel row is two vector copies; std::copy_n here became a call to memcpy per row
      // (an eighth of a PQ16 build in wasm).
      for (size_t a = 0; a < rows; ++a) {
        float* o = out + (i + a) * nc + j;
        if (cols == 8) {
          wasm_v128_store(o, wasm_v128_load(tmp[a]));
          wasm_v128_store(o + 4, wasm_v128_load(tmp[a] + 4));
        } else {
          for (size_t c = 0; c < cols; ++c) o[c] = tmp[a][c];
        }
      }
    }
  }
}

}  // namespace annlab::detail
