#include "parts/transforms.h"

#include "annlab/binary_io.h"
#include "parts/pq.h"

namespace annlab {

TrainTask OpqRotation::train_task(VectorView x, uint64_t seed) {
  const size_t d = d_in();
  if (x.d != d) co_return Status::error(cat("training vectors have dimension ", x.d, ", ", describe(), " takes ", d));
  ANNLAB_CO_TRY(x.check_finite("training"));
  const std::vector<float> sample = sample_rows(x, 8192, seed + 2);
  OpqTraining opq;
  ANNLAB_CO_RUN(train_opq_rotation_task(sample.data(), sample.size() / d, d, m_, seed + 3, 8, &opq));
  r_ = std::move(opq.rotation);
  mse_ = std::move(opq.mse);
  co_return Status::ok();
}

void OpqRotation::apply(const float* x, size_t n, float* out) const { rotate_rows(r_.data(), d_in(), x, n, out); }

bool OpqRotation::reverse(const float* y, size_t n, float* out) const {
  const size_t d = d_in();
  for (size_t i = 0; i < n; ++i)
    for (size_t j = 0; j < d; ++j) {
      double v = 0;
      for (size_t t = 0; t < d; ++t) v += double(r_[t * d + j]) * y[i * d + t];
      out[i * d + j] = float(v);
    }
  return true;
}

void OpqRotation::save(BinaryWriter& w) const { w.array(r_); }

Status OpqRotation::load(BinaryReader& r) {
  ANNLAB_TRY(r.array(&r_, "OPQ rotation", r.remaining() / 4));
  if (!r_.empty() && r_.size() != d_in() * d_in())
    return r.error(cat("OPQ rotation holds ", r_.size(), " floats, expected ", d_in() * d_in()));
  return VectorView::of(r_.data(), r_.size(), 1).check_finite("OPQ rotation");
}

}  // namespace annlab
