#include "annlab/dataset.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "annlab/random.h"

namespace annlab {

const char* dtype_name(DType t) { return t == DType::U8 ? "uint8" : "float32"; }

VectorView VectorView::rows(size_t begin, size_t count) const {
  ANNLAB_ASSERT(begin + count <= n);
  VectorView v = *this;
  v.n = count;
  if (f32) v.f32 = f32 + begin * d;
  if (u8) v.u8 = u8 + begin * d;
  return v;
}

void VectorView::row_to_f32(size_t i, float* out) const {
  if (u8) {
    for (size_t j = 0; j < d; ++j) out[j] = u8[i * d + j];
  } else {
    for (size_t j = 0; j < d; ++j) out[j] = f32[i * d + j];
  }
}

Status VectorView::check_finite(std::string_view what) const {
  if (!f32) return Status::ok();
  for (size_t i = 0; i < n * d; ++i) {
    if (!std::isfinite(f32[i])) {
      return Status::error(cat(what, " vector ", i / d, ", component ", i % d, ": ",
                               std::isnan(f32[i]) ? "NaN" : "infinity",
                               " is not a valid coordinate"));
    }
  }
  return Status::ok();
}

VectorView Dataset::view() const {
  return dtype == DType::U8 ? VectorView::of(u8.data(), n, d) : VectorView::of(f32.data(), n, d);
}

Status Dataset::set_labels(std::vector<int32_t> l) {
  if (l.size() != n)
    return Status::error(cat("labels count ", l.size(), " != vectors count ", n));
  labels = std::move(l);
  return Status::ok();
}

bool Dataset::compact_to_bytes() {
  if (dtype == DType::U8) return true;
  for (float v : f32) {
    if (!(v >= 0.0f && v <= 255.0f) || v != std::floor(v)) return false;
  }
  u8.assign(f32.begin(), f32.end());
  std::vector<float>().swap(f32);
  dtype = DType::U8;
  return true;
}

Dataset Dataset::subset(const std::vector<size_t>& rows) const {
  Dataset out;
  out.name = name;
  out.n = rows.size();
  out.d = d;
  out.dtype = dtype;
  out.image_h = image_h;
  out.image_w = image_w;
  if (dtype == DType::U8) out.u8.resize(out.n * d);
  else out.f32.resize(out.n * d);
  for (size_t r = 0; r < rows.size(); ++r) {
    ANNLAB_ASSERT(rows[r] < n);
    if (dtype == DType::U8)
      std::copy_n(u8.data() + rows[r] * d, d, out.u8.data() + r * d);
    else
      std::copy_n(f32.data() + rows[r] * d, d, out.f32.data() + r * d);
    if (!labels.empty()) out.labels.push_back(labels[rows[r]]);
  }
  return out;
}

Status Dataset::validate() const {
  if (d == 0) return Status::error("dimension is 0");
  if (d > kMaxDim) return Status::error(cat("dimension ", d, " exceeds the maximum ", kMaxDim));
  const size_t have = dtype == DType::U8 ? u8.size() : f32.size();
  if (have != n * d)
    return Status::error(cat("holds ", have, " components, expected n * d = ", n, " * ", d));
  if (!labels.empty() && labels.size() != n)
    return Status::error(cat("labels count ", labels.size(), " != vectors count ", n));
  if ((image_h || image_w) && size_t{image_h} * image_w != d)
    return Status::error(cat("image shape ", image_h, "x", image_w, " does not match dimension ", d));
  return Status::ok();
}

std::vector<float> sample_rows(const VectorView& x, size_t max_rows, uint64_t seed) {
  std::vector<size_t> rows(x.n);
  std::iota(rows.begin(), rows.end(), size_t{0});
  Rng rng(seed);
  rng.shuffle(rows);
  const size_t n = std::min(x.n, max_rows);
  std::vector<float> out(n * x.d);
  for (size_t i = 0; i < n; ++i) x.row_to_f32(rows[i], out.data() + i * x.d);
  return out;
}

HeldOutSplit split_held_out(size_t n, uint64_t seed, size_t max_queries) {
  std::vector<size_t> order(n);
  std::iota(order.begin(), order.end(), size_t{0});
  Rng rng(seed);
  rng.shuffle(order);
  size_t nq = std::min(max_queries, n / 10);
  if (nq == 0 && n >= 2) nq = 1;
  HeldOutSplit out;
  out.queries.assign(order.begin(), order.begin() + long(nq));
  std::vector<uint8_t> is_query(n, 0);
  for (size_t i : out.queries) is_query[i] = 1;
  for (size_t i = 0; i < n; ++i)
    if (!is_query[i]) out.base.push_back(i);
  return out;
}

}  // namespace annlab
