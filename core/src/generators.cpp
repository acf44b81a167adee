#include "annlab/generators.h"

#include <cmath>

#include "annlab/memory.h"
#include "annlab/random.h"

namespace annlab {

namespace {
Status check_shape(size_t n, size_t d) {
  if (n == 0) return Status::error("n = 0: generate at least one vector");
  if (d == 0 || d > kMaxDim) return Status::error(cat("dimension ", d, " is outside 1..", kMaxDim));
  ANNLAB_ASSIGN_OR_RETURN(uint64_t bytes, checked_bytes("generated vectors", n, d, sizeof(float)));
  return check_memory(cat("generating ", n, " x ", d, " vectors"), bytes);
}
}  // namespace

Result<Dataset> make_gaussian_blobs(size_t n, size_t d, size_t centers, double spread, uint64_t seed, double box) {
  ANNLAB_TRY(check_shape(n, d));
  if (centers == 0 || centers > n) return Status::error(cat("centers = ", centers, " is outside 1..n (", n, ")"));
  if (!(spread > 0) || !std::isfinite(spread)) return Status::error(cat("spread = ", spread, ": expected > 0"));
  if (!(box > 0) || !std::isfinite(box)) return Status::error(cat("box = ", box, ": expected > 0"));
  Rng rng(seed);
  std::vector<double> c(centers * d);
  for (double& v : c) v = rng.uniform(-box, box);
  Dataset ds;
  ds.name = cat("blobs-", n, "x", d, "-c", centers, "-s", seed);
  ds.n = n;
  ds.d = d;
  ds.dtype = DType::F32;
  ds.f32.resize(n * d);
  ds.labels.resize(n);
  for (size_t i = 0; i < n; ++i) {
    const size_t b = size_t(rng.below(centers));
    ds.labels[i] = int32_t(b);
    for (size_t j = 0; j < d; ++j) ds.f32[i * d + j] = float(c[b * d + j] + spread * rng.normal());
  }
  return ds;
}

Result<Dataset> make_uniform(size_t n, size_t d, uint64_t seed, double lo, double hi) {
  ANNLAB_TRY(check_shape(n, d));
  if (!(lo < hi) || !std::isfinite(lo) || !std::isfinite(hi))
    return Status::error(cat("uniform range [", lo, ", ", hi, ") is empty or not finite"));
  Rng rng(seed);
  Dataset ds;
  ds.name = cat("uniform-", n, "x", d, "-s", seed);
  ds.n = n;
  ds.d = d;
  ds.dtype = DType::F32;
  ds.f32.resize(n * d);
  for (float& v : ds.f32) v = float(rng.uniform(lo, hi));
  return ds;
}

}  // namespace annlab
