// annlab/distance.h — distance kernels and their SIMD dispatch.
//
// Each kernel exists at every level this build has: a scalar reference, AVX2 and AVX-512 (native
// x86-64, chosen once at start-up by CPU detection) and wasm simd128 (WebAssembly builds). The float
// kernels use one fixed summation order (32 partial sums, combined in a fixed tree, then a
// sequential tail) on every level, so they give bit-identical results on every level and in both
// builds; the byte kernels are exact integer arithmetic. The active level is reported and can be
// forced (set_simd_level, or the environment variable ANNLAB_SIMD=scalar|avx2|avx512|simd128).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "annlab/status.h"

namespace annlab {

// AVX512 needs AVX-512 F, VL, BW and VPOPCNTDQ (Ice Lake and later): AVX2's float and byte
// kernels, a VPOPCNTQ Hamming scan, and a 512-bit product for k-means assignment.
enum class SimdLevel : uint8_t { Scalar = 0, AVX2 = 1, WasmSimd128 = 2, AVX512 = 3 };

const char* simd_level_name(SimdLevel level);  // "scalar", "avx2", "avx512", "simd128"
Result<SimdLevel> parse_simd_level(std::string_view name);

struct Kernels {
  // Squared L2 distance between two vectors of d floats.
  float (*l2sq_f32)(const float* a, const float* b, size_t d);
  // Inner product of two vectors of d floats.
  float (*ip_f32)(const float* a, const float* b, size_t d);
  // Squared L2 distance between two vectors of d bytes (exact; d <= 66,000 cannot overflow).
  uint32_t (*l2sq_u8)(const uint8_t* a, const uint8_t* b, size_t d);
  // l2sq_u8(a, b, d) when that is <= bound; otherwise the first partial sum above the bound. It sums
  // the 128-byte chunks of the rows in `order` (ceil(d / 128) chunk indices, a permutation; nullptr:
  // in turn), checks the sum after each and stops once it exceeds the bound (it only grows), so
  // a scan for the k nearest reads little of a row that cannot enter (Fashion-MNIST, k = 10, chunks
  // by byte_chunk_order: 27% of the bytes). Exact integers: the same answers as l2sq_u8 at every
  // level and in any order (d <= 66,000).
  uint32_t (*l2sq_u8_below)(const uint8_t* a, const uint8_t* b, size_t d, const uint16_t* order, uint32_t bound);
  // One query against n byte rows stored one after another (x, d bytes each): the index of the first
  // row whose distance is <= bound, with that distance in *dist; n when none is. l2sq_u8_below row by
  // row, each row fetched 4 ahead (fetch_lines: rows read in part and out of order defeat the stream
  // prefetcher); a one-query exact scan calls it again after each row that enters its top k.
  // With chunk norms (byte_chunk_norms of q in qnorm, of the n rows in xnorm; both or neither), a row
  // is passed over without reading it when sum_c (|q_c| - |x_c|)^2, a lower bound of its distance
  // (the triangle inequality, chunk by chunk), is beyond the bound, and a row being summed stops
  // once its partial sum plus that bound over its chunks still to come is (Fashion-MNIST, k = 10:
  // 72% of the rows are never read, 8% of the bytes are summed). The float bound is compared with a
  // margin (prune_limit) above its worst rounding, so no row within the bound is passed over: the
  // same answers as without norms.
  size_t (*l2sq_u8_first_below)(const uint8_t* q, const uint8_t* x, size_t n, size_t d, const uint16_t* order,
                                const float* qnorm, const float* xnorm, uint32_t bound, uint32_t* dist);
  // Inner product of two vectors of d bytes (exact; d <= 66,000 cannot overflow).
  uint32_t (*ip_u8)(const uint8_t* a, const uint8_t* b, size_t d);
  // Hamming distance between two binary codes of `words` 64-bit words (popcount of a xor b).
  uint32_t (*hamming)(const uint64_t* a, const uint64_t* b, size_t words);
  // out[i] = hamming(q, codes + i * words) for n codes stored one after another; returns the
  // smallest of them (UINT32_MAX when n = 0), so a caller can skip a block with nothing near.
  uint32_t (*hamming_scan)(const uint64_t* q, const uint64_t* codes, size_t n, size_t words, uint32_t* out);
  // out[i] = l2sq_f32(q, x + i * d, d) and ip_f32(q, x + i * d, d) for n rows stored one after
  // another, bit for bit: one query against a codebook or a set of centroids. (wasm simd128 works on
  // four rows at once, so that short rows, PQ's sub-vectors, do not each pay a horizontal sum and a
  // scalar tail.)
  void (*l2sq_f32_rows)(const float* q, const float* x, size_t n, size_t d, float* out);
  void (*ip_f32_rows)(const float* q, const float* x, size_t n, size_t d, float* out);
  // out[t] = l2sq_f32(x + i[t] * d, y + j[t] * d, d) for n pairs, bit for bit (k-means' exact
  // distances from rows to their chosen centroids).
  void (*l2sq_f32_pairs)(const float* x, const float* y, const uint32_t* i, const uint32_t* j, size_t n, size_t d,
                         float* out);
};

// The chunk order l2sq_u8_below should take for byte query q: its 128-byte chunks by decreasing sum
// of squares (ties by position), where a distance tends to grow fastest (bright pixels, on images).
void byte_chunk_order(const uint8_t* q, size_t d, std::vector<uint16_t>* order);
// The norms l2sq_u8_first_below prunes with: out[i * c + t] = sqrt(sum of squares of chunk t of row
// i) as the float nearest to it, for n rows of d bytes, c = ceil(d / 128) chunks each.
void byte_chunk_norms(const uint8_t* x, size_t n, size_t d, float* out);
// What a float lower bound L of a byte distance must exceed before the distance is known to exceed
// `bound`, for rows of `chunks` chunks: (bound + 4 chunks + 4) (1 + (chunks + 4) 2^-21), rounded up.
// Each chunk's term (|q_c| - |x_c|)^2 is off by at most 3.5 (norms <= 2885 with relative error
// 2^-24, their difference and its square rounded once each), and summing or subtracting chunks' terms
// by at most 2^-24 of the total per step; the margin is above both.
float prune_limit(uint32_t bound, size_t chunks);

// Starts fetching `bytes` at p into the cache: a prefetch of each 64-byte line natively; in
// WebAssembly, which has no prefetch instruction, a load of one byte of each line (the loads of
// several rows are then in flight at once), summed into the return value, which the caller keeps
// (a volatile store) so that they stay.
inline uint32_t fetch_lines(const void* p, size_t bytes) {
  const unsigned char* c = static_cast<const unsigned char*>(p);
  uint32_t sum = 0;
  for (size_t o = 0; o < bytes; o += 64) {
#if defined(__wasm__)
    sum += c[o];
#else
    __builtin_prefetch(c + o);
    asm volatile("" : : "r"(c + o));  // GCC 12 deleted some loops of prefetches as free of effects
#endif
  }
  return sum;
}

// Levels compiled into this build and supported by this CPU, scalar first.
std::vector<SimdLevel> supported_simd_levels();
SimdLevel best_simd_level();
// The level in use; set once at start-up (best, or ANNLAB_SIMD) and changed only by set_simd_level.
SimdLevel simd_level();
// Forces a level; error when this build or CPU does not have it.
Status set_simd_level(SimdLevel level);
// The kernels of the active level.
const Kernels& kernels();
// The kernels of one level, or nullptr when unsupported (for tests and benchmarks).
const Kernels* kernels_for(SimdLevel level);

inline float l2sq(const float* a, const float* b, size_t d) { return kernels().l2sq_f32(a, b, d); }
inline float inner_product(const float* a, const float* b, size_t d) { return kernels().ip_f32(a, b, d); }
inline uint32_t l2sq(const uint8_t* a, const uint8_t* b, size_t d) { return kernels().l2sq_u8(a, b, d); }
inline uint32_t inner_product(const uint8_t* a, const uint8_t* b, size_t d) { return kernels().ip_u8(a, b, d); }
inline uint32_t hamming(const uint64_t* a, const uint64_t* b, size_t words) { return kernels().hamming(a, b, words); }

}  // namespace annlab
