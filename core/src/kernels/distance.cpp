// Kernel dispatch: the level is chosen once, at first use (the best this CPU and build have, or
// ANNLAB_SIMD), and changes only through set_simd_level.
#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <numeric>

#include "kernels/distance_impl.h"

#if defined(ANNLAB_HAVE_SIMD128)
#include <wasm_simd128.h>
#endif

namespace annlab {


namespace {

bool cpu_has(SimdLevel level) {
  switch (level) {
    case SimdLevel::Scalar: return true;
    case SimdLevel::AVX2:
#if defined(ANNLAB_HAVE_AVX2)
      return __builtin_cpu_supports("avx2");
#else
      return false;
#endif
    case SimdLevel::AVX512:
#if defined(ANNLAB_HAVE_AVX2)
      return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl") &&
             __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vpopcntdq");
#else
      return false;
#endif
    case SimdLevel::WasmSimd128:
#if defined(ANNLAB_HAVE_SIMD128)
      return true;
#else
      return false;
#endif
  }
  return false;
}

std::atomic<SimdLevel>& active() {
  static std::atomic<SimdLevel> level = [] {
    SimdLevel l = best_simd_level();
    if (const char* env = std::getenv("ANNLAB_SIMD")) {
      auto forced = parse_simd_level(env);
      if (forced.is_ok() && cpu_has(forced.value())) l = forced.value();
    }
    return l;
  }();
  return level;
}

}  // namespace

const char* simd_level_name(SimdLevel level) {
  switch (level) {
    case SimdLevel::Scalar: return "scalar";
    case SimdLevel::AVX2: return "avx2";
    case SimdLevel::AVX512: return "avx512";
    case SimdLevel::WasmSimd128: return "simd128";
  }
  return "?";
}

Result<SimdLevel> parse_simd_level(std::string_view name) {
  if (name == "scalar") return SimdLevel::Scalar;
  if (name == "avx2") return SimdLevel::AVX2;
  if (name == "avx512") return SimdLevel::AVX512;
  if (name == "simd128") return SimdLevel::WasmSimd128;
  return Status::error(cat("unknown SIMD level '", name, "': expected scalar, avx2, avx512 or simd128"));
}

std::vector<SimdLevel> supported_simd_levels() {
  std::vector<SimdLevel> out;
  for (SimdLevel l : {SimdLevel::Scalar, SimdLevel::AVX2, SimdLevel::AVX512, SimdLevel::WasmSimd128})
    if (cpu_has(l)) out.push_back(l);
  return out;
}

SimdLevel best_simd_level() { return supported_simd_levels().back(); }

SimdLevel simd_level() { return active().load(std::memory_order_relaxed); }

Status set_simd_level(SimdLevel level) {
  if (!cpu_has(level))
    return Status::error(cat("SIMD level '", simd_level_name(level), "' is not available in this build on this CPU"));
  active().store(level, std::memory_order_relaxed);
  return Status::ok();
}

const Kernels* kernels_for(SimdLevel level) {
  if (!cpu_has(level)) return nullptr;
  switch (level) {
    case SimdLevel::Scalar: return &detail::kScalarKernels;
#if defined(ANNLAB_HAVE_AVX2)
    case SimdLevel::AVX2: return &detail::kAvx2Kernels;
    case SimdLevel::AVX512: {
      // AVX2's float and byte kernels (the same sums in the same order) with the VPOPCNTQ scan.
      static const Kernels k = {detail::kAvx2Kernels.l2sq_f32, detail::kAvx2Kernels.ip_f32, detail::kAvx2Kernels.l2sq_u8,
                                detail::kAvx2Kernels.l2sq_u8_below, detail::kAvx2Kernels.l2sq_u8_first_below,
                                detail::kAvx2Kernels.ip_u8,    detail::kAvx2Kernels.hamming, detail::hamming_scan_avx512,
                                detail::kAvx2Kernels.l2sq_f32_rows, detail::kAvx2Kernels.ip_f32_rows,
                                detail::kAvx2Kernels.l2sq_f32_pairs};
      return &k;
    }
#endif
#if defined(ANNLAB_HAVE_SIMD128)
    case SimdLevel::WasmSimd128: return &detail::kSimd128Kernels;
#endif
    default: return nullptr;
  }
}

const Kernels& kernels() { return *kernels_for(simd_level()); }

void byte_chunk_order(const uint8_t* q, size_t d, std::vector<uint16_t>* order) {
  const size_t chunks = (d + 127) / 128;
  std::vector<uint64_t> energy(chunks, 0);
  for (size_t t = 0; t < d; ++t) energy[t / 128] += uint64_t(q[t]) * q[t];
  order->resize(chunks);
  std::iota(order->begin(), order->end(), uint16_t{0});
  std::stable_sort(order->begin(), order->end(), [&](uint16_t a, uint16_t b) { return energy[a] > energy[b]; });
}

void byte_chunk_norms(const uint8_t* x, size_t n, size_t d, float* out) {
  const size_t chunks = (d + 127) / 128;
  for (size_t i = 0; i < n; ++i)
    for (size_t t = 0; t < chunks; ++t) {
      uint64_t s = 0;
      for (size_t j = t * 128; j < std::min(d, t * 128 + 128); ++j) s += uint64_t(x[i * d + j]) * x[i * d + j];
      out[i * chunks + t] = float(std::sqrt(double(s)));
    }
}

float prune_limit(uint32_t bound, size_t chunks) {
  const double lim = (double(bound) + 4.0 * double(chunks) + 4.0) * (1.0 + double(chunks + 4) * 0x1p-21);
  return std::nextafter(float(lim), std::numeric_limits<float>::infinity());
}

namespace detail {

// Centroids in panels of w, each panel d x w contiguous (zero columns pad the last one).
std::vector<float> pack_panels(const float* c, size_t nc, size_t d, size_t w) {
  std::vector<float> packed((nc + w - 1) / w * d * w);
  pack_panels_into(c, nc, d, w, packed.data());
  return packed;
}

void pack_panels_into(const float* c, size_t nc, size_t d, size_t w, float* out) {
  const size_t panels = (nc + w - 1) / w;
  for (size_t p = 0; p < panels; ++p) {
    float* panel = out + p * d * w;
    const size_t cols = std::min(w, nc - p * w);
    if (cols < w) std::fill(panel, panel + d * w, 0.0f);
    for (size_t j = 0; j < cols; ++j) {
      const float* row = c + (p * w + j) * d;
      for (size_t t = 0; t < d; ++t) panel[t * w + j] = row[t];
    }
  }
}

const FloatBlockProduct* float_block_product(SimdLevel level) {
  switch (level) {
#if defined(ANNLAB_HAVE_AVX2)
    case SimdLevel::AVX2: {
      static const FloatBlockProduct p{16, dot_block_avx2};
      return &p;
    }
    case SimdLevel::AVX512: {
      static const FloatBlockProduct p{32, dot_block_avx512};
      return &p;
    }
#endif
#if defined(ANNLAB_HAVE_SIMD128)
    case SimdLevel::WasmSimd128: {
      static const FloatBlockProduct p{8, dot_block_simd128};
      return &p;
    }
#endif
    default: return nullptr;
  }
}

IntBlockProduct int_block_product(SimdLevel level) {
  switch (level) {
#if defined(ANNLAB_HAVE_AVX2)
    case SimdLevel::AVX2:
    case SimdLevel::AVX512: return dot_block_i16_avx2;
#endif
#if defined(ANNLAB_HAVE_SIMD128)
    case SimdLevel::WasmSimd128: return dot_block_i16_simd128;
#endif
    default: return dot_block_i16_scalar;
  }
}

IntBlockProduct int_rows_product(SimdLevel level) {
#if defined(ANNLAB_HAVE_SIMD128)
  if (level == SimdLevel::WasmSimd128) return dot_rows_i16_simd128;
#endif
#if defined(ANNLAB_HAVE_AVX2)
  if (level == SimdLevel::AVX2 || level == SimdLevel::AVX512) return dot_rows_i16_avx2;
#endif
  return int_block_product(level);
}

ByteBlockProduct byte_block_product(SimdLevel level) {
#if defined(ANNLAB_HAVE_AVX2)
  static const bool vnni = __builtin_cpu_supports("avx512vnni");
  if (level == SimdLevel::AVX512 && vnni) return dot_block_u8s8_vnni;
#endif
  (void)level;
  return nullptr;
}

// Four rows of q against one row of x at a time; plain integer loops (the compiler may vectorize).
void dot_block_i16_scalar(const int16_t* q, size_t nq, const int16_t* x, size_t nx, size_t dp, int32_t* out) {
  for (size_t i = 0; i < nq; ++i)
    for (size_t j = 0; j < nx; ++j) {
      const int16_t* a = q + i * dp;
      const int16_t* b = x + j * dp;
      int32_t s = 0;
      for (size_t t = 0; t < dp; ++t) s += int32_t(a[t]) * int32_t(b[t]);
      out[i * nx + j] = s;
    }
}

// Exact whatever the level (a minimum and a comparison): the wasm build uses simd128 because clang
// does not vectorize a float minimum without fast-math; elsewhere 8 independent lanes.
float min_f32(const float* a, size_t n) {
  size_t j = 0;
  float m = std::numeric_limits<float>::infinity();
#if defined(ANNLAB_HAVE_SIMD128)
  if (n >= 8) {
    v128_t m0 = wasm_v128_load(a), m1 = wasm_v128_load(a + 4);
    for (j = 8; j + 8 <= n; j += 8) {
      m0 = wasm_f32x4_pmin(wasm_v128_load(a + j), m0);
      m1 = wasm_f32x4_pmin(wasm_v128_load(a + j + 4), m1);
    }
    alignas(16) float lane[4];
    wasm_v128_store(lane, wasm_f32x4_pmin(m0, m1));
    for (float v : lane) m = v < m ? v : m;
  }
#else
  constexpr size_t L = 8;
  float lane[L];
  std::fill_n(lane, L, m);
  for (; j + L <= n; j += L)
    for (size_t u = 0; u < L; ++u) lane[u] = a[j + u] < lane[u] ? a[j + u] : lane[u];
  for (float v : lane) m = v < m ? v : m;
#endif
  for (; j < n; ++j) m = a[j] < m ? a[j] : m;
  return m;
}

size_t indices_at_most(const float* a, size_t n, float limit, uint32_t* out) {
  size_t c = 0, j = 0;
#if defined(ANNLAB_HAVE_SIMD128)
  const v128_t lim = wasm_f32x4_splat(limit);
  for (; j + 4 <= n; j += 4) {
    uint32_t mask = wasm_i32x4_bitmask(wasm_f32x4_le(wasm_v128_load(a + j), lim));
    while (mask) {
      out[c++] = uint32_t(j) + uint32_t(__builtin_ctz(mask));
      mask &= mask - 1;
    }
  }
#endif
  for (; j < n; ++j)
    if (a[j] <= limit) out[c++] = uint32_t(j);
  return c;
}

}  // namespace detail
}  // namespace annlab
