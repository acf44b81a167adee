// Kernel dispatch: the level is chosen once, at first use (the best this CPU and build have, or
// ANNLAB_SIMD), and changes only through set_simd_level.
#include <atomic>
#include <cstdlib>

#include "kernels/distance_impl.h"

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
                                detail::kAvx2Kernels.ip_u8,    detail::kAvx2Kernels.hamming, detail::hamming_scan_avx512};
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

namespace detail {

// Centroids in panels of w, each panel d x w contiguous (zero columns pad the last one).
std::vector<float> pack_panels(const float* c, size_t nc, size_t d, size_t w) {
  const size_t panels = (nc + w - 1) / w;
  std::vector<float> packed(panels * d * w, 0.0f);
  for (size_t j = 0; j < nc; ++j)
    for (size_t t = 0; t < d; ++t) packed[(j / w) * d * w + t * w + j % w] = c[j * d + t];
  return packed;
}

}  // namespace detail
}  // namespace annlab
