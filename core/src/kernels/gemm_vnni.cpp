// AVX-512 VNNI block of byte inner products for batched exact search (compiled with
// -mavx512f -mavx512vl -mavx512bw -mavx512vnni; called only when the CPU has them). VPDPBUSD
// multiplies unsigned bytes by signed bytes, four pairs into each int32 lane, exactly: the queries
// come shifted to signed (q - 128) and the caller adds back 128 * sum(x). Exact integers, so the
// distances equal every other level's.
#include <immintrin.h>

#include <algorithm>
#include <cstdint>

#include "kernels/distance_impl.h"
#include "kernels/x86_sum.h"

namespace annlab::detail {
namespace {

// R rows of q against C rows of x, 32 bytes a step: with AVX-512VL's 32 registers, 4 x 6 keeps 24
// accumulators, 6 rows of x and one of q live.
template <size_t R, size_t C>
inline void micro(const int8_t* const* qr, const uint8_t* const* xr, size_t dp, int32_t* out, size_t ldo, size_t rows,
                  size_t cols) {
  __m256i acc[R][C];
  for (size_t r = 0; r < R; ++r)
    for (size_t c = 0; c < C; ++c) acc[r][c] = _mm256_setzero_si256();
  for (size_t t = 0; t < dp; t += 32) {
    __m256i xv[C];
    for (size_t c = 0; c < C; ++c) xv[c] = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(xr[c] + t));
    for (size_t r = 0; r < R; ++r) {
      const __m256i qv = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(qr[r] + t));
      for (size_t c = 0; c < C; ++c) acc[r][c] = _mm256_dpbusd_epi32(acc[r][c], xv[c], qv);
    }
  }
  for (size_t r = 0; r < rows; ++r)
    for (size_t c = 0; c < cols; ++c) out[r * ldo + c] = hsum_epi32(acc[r][c]);
}

}  // namespace

void dot_block_u8s8_vnni(const int8_t* q, size_t nq, const uint8_t* x, size_t nx, size_t dp, int32_t* out) {
  tile_int_block<4, 6>(q, nq, x, nx, dp, out, [](auto qr, auto xr, size_t dp_, int32_t* o, size_t ldo, size_t rows, size_t cols) {
    micro<4, 6>(qr, xr, dp_, o, ldo, rows, cols);
  });
}

}  // namespace annlab::detail
