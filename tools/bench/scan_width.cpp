// tools/bench/scan_width.cpp — what bounds a one-query byte scan: the same squared-L2 loop over
// 60,000 x 784 random bytes (Fashion-MNIST's shape), with 16-byte vectors (wasm simd128, or SSE
// natively) and natively with 32-byte AVX2 vectors. Run by tools/bench/scan-width.sh, which builds
// it both ways; prints GB/s (best of 20 passes) per variant.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <random>
#include <vector>

#if defined(__wasm_simd128__)
#include <wasm_simd128.h>
#else
#include <immintrin.h>
#endif

namespace {

#if defined(__wasm_simd128__)
const char* kName16 = "wasm simd128, 16-byte";
// annlab's simd128 l2sq_u8: |x - y| in bytes, widened once, squared and summed by i32x4.dot_i16x8_s.
__attribute__((noinline)) uint32_t l2_16(const uint8_t* a, const uint8_t* b, size_t d) {
  v128_t acc0 = wasm_i32x4_splat(0), acc1 = acc0;
  for (size_t i = 0; i + 16 <= d; i += 16) {
    const v128_t x = wasm_v128_load(a + i), y = wasm_v128_load(b + i);
    const v128_t t = wasm_v128_or(wasm_u8x16_sub_sat(x, y), wasm_u8x16_sub_sat(y, x));
    const v128_t t0 = wasm_u16x8_extend_low_u8x16(t), t1 = wasm_u16x8_extend_high_u8x16(t);
    acc0 = wasm_i32x4_add(acc0, wasm_i32x4_dot_i16x8(t0, t0));
    acc1 = wasm_i32x4_add(acc1, wasm_i32x4_dot_i16x8(t1, t1));
  }
  const v128_t s = wasm_i32x4_add(acc0, acc1);
  return uint32_t(wasm_i32x4_extract_lane(s, 0) + wasm_i32x4_extract_lane(s, 1) + wasm_i32x4_extract_lane(s, 2) +
                  wasm_i32x4_extract_lane(s, 3));
}
#else
const char* kName16 = "native SSE, 16-byte";
// The same operations with SSE2 (psubusb, por, punpck, pmaddwd, paddd).
__attribute__((noinline)) uint32_t l2_16(const uint8_t* a, const uint8_t* b, size_t d) {
  __m128i acc0 = _mm_setzero_si128(), acc1 = acc0;
  const __m128i z = _mm_setzero_si128();
  for (size_t i = 0; i + 16 <= d; i += 16) {
    const __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(a + i));
    const __m128i y = _mm_loadu_si128(reinterpret_cast<const __m128i*>(b + i));
    const __m128i t = _mm_or_si128(_mm_subs_epu8(x, y), _mm_subs_epu8(y, x));
    const __m128i t0 = _mm_unpacklo_epi8(t, z), t1 = _mm_unpackhi_epi8(t, z);
    acc0 = _mm_add_epi32(acc0, _mm_madd_epi16(t0, t0));
    acc1 = _mm_add_epi32(acc1, _mm_madd_epi16(t1, t1));
  }
  alignas(16) uint32_t o[4];
  _mm_store_si128(reinterpret_cast<__m128i*>(o), _mm_add_epi32(acc0, acc1));
  return o[0] + o[1] + o[2] + o[3];
}
// And with 32-byte AVX2 vectors.
__attribute__((noinline, target("avx2"))) uint32_t l2_32(const uint8_t* a, const uint8_t* b, size_t d) {
  __m256i acc0 = _mm256_setzero_si256(), acc1 = acc0;
  const __m256i z = _mm256_setzero_si256();
  size_t i = 0;
  for (; i + 32 <= d; i += 32) {
    const __m256i x = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(a + i));
    const __m256i y = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b + i));
    const __m256i t = _mm256_or_si256(_mm256_subs_epu8(x, y), _mm256_subs_epu8(y, x));
    const __m256i t0 = _mm256_unpacklo_epi8(t, z), t1 = _mm256_unpackhi_epi8(t, z);
    acc0 = _mm256_add_epi32(acc0, _mm256_madd_epi16(t0, t0));
    acc1 = _mm256_add_epi32(acc1, _mm256_madd_epi16(t1, t1));
  }
  alignas(32) uint32_t o[8];
  _mm256_store_si256(reinterpret_cast<__m256i*>(o), _mm256_add_epi32(acc0, acc1));
  uint32_t r = 0;
  for (uint32_t v : o) r += v;
  for (; i < d; ++i) r += uint32_t((int(a[i]) - int(b[i])) * (int(a[i]) - int(b[i])));
  return r;
}
#endif

}  // namespace

int main() {
  const size_t n = 60000, d = 784;  // 784 = 49 x 16: no tail for the 16-byte loop
  std::vector<uint8_t> x(n * d), q(d);
  std::mt19937 rng(7);
  for (auto& v : x) v = uint8_t(rng());
  for (auto& v : q) v = uint8_t(rng());
  std::vector<uint32_t> out(n);
  auto pass = [&](auto fn) {
    double best = 1e30;
    uint64_t check = 0;
    for (int r = 0; r < 20; ++r) {
      const auto t0 = std::chrono::steady_clock::now();
      for (size_t i = 0; i < n; ++i) out[i] = fn(q.data(), x.data() + i * d, d);
      best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
      for (uint32_t v : out) check += v;
    }
    return std::make_pair(double(n * d) / best / 1e9, check / 20);
  };
  const auto a = pass(l2_16);
  std::printf("%-24s %6.1f GB/s  (sum %llu)\n", kName16, a.first, (unsigned long long)a.second);
#if !defined(__wasm_simd128__)
  if (__builtin_cpu_supports("avx2")) {
    const auto b = pass(l2_32);
    std::printf("%-24s %6.1f GB/s  (sum %llu)\n", "native AVX2, 32-byte", b.first, (unsigned long long)b.second);
  }
#endif
  return 0;
}
