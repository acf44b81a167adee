// The sign-projection encoders: SimHash and ITQ (encoder.h).
#include <algorithm>
#include <cmath>

#include "annlab/binary_io.h"
#include "annlab/distance.h"
#include "annlab/encoder.h"
#include "annlab/memory.h"
#include "annlab/pca.h"
#include "parts/kmeans.h"
#include "parts/pq.h"
#include "annlab/random.h"

namespace annlab {

namespace {

// What both trainings check first; `what` is the method's description ("ITQ64").
Status check_training(const VectorView& x, size_t d, size_t b, const std::string& what) {
  if (x.d != d) return Status::error(cat("training vectors have dimension ", x.d, ", the encoder has ", d));
  if (x.n < 2) return Status::error(cat(what, " needs at least 2 training vectors, got ", x.n));
  ANNLAB_TRY(x.check_finite("training"));
  return check_memory_for("binary-code projections", b, d, 4, cat("training ", what));
}

}  // namespace

// The projections rounded to int16 (w ~ scale * w16) and each row's largest |w|.
struct IntegerProjections {
  detail::Int16Rows w;
  std::vector<double> wmax;
};

void SignProjectionEncoder::prepare_integer_projections() {
  ints_.reset();
  const size_t d = dim(), b = bits();
  if (w_.size() != b * d || !detail::use_int16_projections(simd_level(), d)) return;
  auto p = std::make_shared<IntegerProjections>();
  p->w = detail::Int16Rows(w_.data(), b, d, simd_level());
  if (!p->w.ok()) return;
  p->wmax.resize(b);
  for (size_t j = 0; j < b; ++j)
    for (size_t t = 0; t < d; ++t) p->wmax[j] = std::max(p->wmax[j], double(std::fabs(w_[j * d + t])));
  ints_ = std::move(p);
}

size_t SignProjectionEncoder::memory_bytes() const {
  return (w_.size() + t_.size()) * 4 + (ints_ ? ints_->w.v.size() * 2 : 0);
}

template <class FloatRow>
void SignProjectionEncoder::encode_ints(const int16_t* x16, double l1, FloatRow float_row, uint64_t* code) const {
  // A query of small integers (bytes): the exact integer product against the int16 projections
  // is within err ||x||_1 of w . x, and the fixed-order kernel's value within gamma wmax ||x||_1
  // of it (its (d/32 + 6) u relative bound, doubled). A bit whose threshold lies outside both is
  // decided; the rest are measured by the kernel, so the code is the float path's.
  const Kernels& k = kernels();
  const size_t d = dim(), b = bits();
  const detail::Int16Rows& w16 = ints_->w;
  thread_local std::vector<int32_t> dots;
  dots.resize(b);
  w16.one(x16, 1, w16.v.data(), b, w16.dp, dots.data());
  const double gamma = 2 * (double(d) / 32 + 6) * 0x1p-24;
  const float* x = nullptr;
  for (size_t j = 0; j < b; ++j) {
    const double diff = w16.scale * double(dots[j]) - double(t_[j]);
    const double e = w16.err * l1 * (1 + 1e-6) + gamma * ints_->wmax[j] * l1;
    bool one;
    if (diff > e) one = true;
    else if (diff < -e) one = false;
    else {
      if (!x) x = float_row();
      one = k.ip_f32(w_.data() + j * d, x, d) >= t_[j];
    }
    if (one) code[j / 64] |= uint64_t{1} << (j % 64);
  }
}

void SignProjectionEncoder::encode(const float* x, uint64_t* code) const {
  const Kernels& k = kernels();
  const size_t d = dim(), b = bits();
  std::fill_n(code, words(), uint64_t{0});
  if (ints_) {
    thread_local std::vector<int16_t> x16;
    x16.resize(ints_->w.dp);
    double l1 = 0;
    if (detail::small_int_rows(x, 1, d, ints_->w.dp, x16.data(), &l1)) {
      encode_ints(x16.data(), l1, [x] { return x; }, code);
      return;
    }
  }
  for (size_t j = 0; j < b; ++j)
    if (k.ip_f32(w_.data() + j * d, x, d) >= t_[j]) code[j / 64] |= uint64_t{1} << (j % 64);
}

void SignProjectionEncoder::encode_row(const VectorView& q, size_t i, float* scratch, uint64_t* code) const {
  const size_t d = dim();
  // ||x||_1 summed in 32 bits (so that the loop vectorizes): exact below 2^32 / 255 components.
  if (!ints_ || !q.u8 || d >= (size_t{1} << 24)) return BinaryEncoder::encode_row(q, i, scratch, code);
  std::fill_n(code, words(), uint64_t{0});
  thread_local std::vector<int16_t> x16;
  x16.assign(ints_->w.dp, 0);
  const uint8_t* row = q.u8 + i * d;
  int16_t* out = x16.data();
  uint32_t l1 = 0;
  for (size_t t = 0; t < d; ++t) {
    out[t] = int16_t(row[t]);
    l1 += row[t];
  }
  encode_ints(x16.data(), double(l1), [&] {
    q.row_to_f32(i, scratch);
    return static_cast<const float*>(scratch);
  }, code);
}

void SignProjectionEncoder::save(BinaryWriter& w) const {
  w.array(w_);
  w.array(t_);
}

Status SignProjectionEncoder::load(BinaryReader& r) {
  ANNLAB_TRY(r.array(&w_, "binary-code projections", r.remaining() / 4));
  ANNLAB_TRY(r.array(&t_, "binary-code thresholds", r.remaining() / 4));
  const bool is_trained = !w_.empty();
  if (w_.size() != (is_trained ? bits() * dim() : 0) || t_.size() != (is_trained ? bits() : 0))
    return r.error(cat("binary-code index holds ", w_.size(), " projection and ", t_.size(),
                       " threshold floats, expected ", bits() * dim(), " and ", bits()));
  ANNLAB_TRY(VectorView::of(w_.data(), w_.size(), 1).check_finite("binary-code projection"));
  ANNLAB_TRY(VectorView::of(t_.data(), t_.size(), 1).check_finite("binary-code threshold"));
  prepare_integer_projections();
  return Status::ok();
}

TrainTask SimHashEncoder::train_task(VectorView x, uint64_t seed) {
  const size_t d = dim(), b = bits();
  const std::string what = cat(name(), b);
  ANNLAB_CO_TRY(check_training(x, d, b, what));
  const std::vector<float> sample = sample_rows(x, 10000, seed);
  const size_t ns = sample.size() / d;
  const Kernels& k = kernels();
  std::vector<float> w(b * d), t(b);
  // As many random rotations as the bits need, their rows stacked; thresholds at the medians.
  for (size_t r = 0; r * d < b; ++r) {
    const std::vector<float> rot = random_rotation(d, seed + 1 + r);
    const size_t rows_here = std::min(d, b - r * d);
    std::copy_n(rot.begin(), rows_here * d, w.begin() + long(r * d * d));
    ANNLAB_CO_STEP(cat(what, ": random rotation ", r + 1), 0.0);
  }
  std::vector<float> proj(ns);
  for (size_t j = 0; j < b; ++j) {
    for (size_t i = 0; i < ns; ++i) proj[i] = k.ip_f32(w.data() + j * d, sample.data() + i * d, d);
    std::nth_element(proj.begin(), proj.begin() + long(ns / 2), proj.end());
    t[j] = proj[ns / 2];
    if (j % 16 == 15 || j + 1 == b) ANNLAB_CO_STEP(cat(what, ": thresholds ", j + 1, "/", b), double(j + 1) / double(b));
  }
  ANNLAB_CO_TRY(VectorView::of(w.data(), b, d).check_finite("binary-code projection"));
  w_ = std::move(w);
  t_ = std::move(t);
  prepare_integer_projections();
  co_return Status::ok();
}

TrainTask ItqEncoder::train_task(VectorView x, uint64_t seed) {
  const size_t d = dim(), b = bits();
  const std::string what = cat(name(), b);
  if (b > d)
    co_return Status::error(cat(what, ": ", b, " bits exceed the dimension ", d,
                                " (ITQ rotates a PCA of the data, so bits <= d; SimHash has no such limit)"));
  ANNLAB_CO_TRY(check_training(x, d, b, what));
  const std::vector<float> sample = sample_rows(x, 10000, seed);
  const size_t ns = sample.size() / d;
  const Kernels& k = kernels();
  std::vector<float> w(b * d), t(b);
  Pca pca;
  ANNLAB_CO_RUN(fit_pca_task(VectorView::of(sample.data(), ns, d), b, &pca));
  const std::vector<float> v = pca.project(VectorView::of(sample.data(), ns, d));  // ns x b
  std::vector<float> rot = random_rotation(b, seed + 1), z(ns * b), vt(b * ns), bt(b * ns);
  for (size_t i = 0; i < ns; ++i)
    for (size_t j = 0; j < b; ++j) vt[j * ns + i] = v[i * b + j];
  std::vector<double> a(b * b);
  loss_.clear();
  for (int it = 0; it < 50; ++it) {
    rotate_rows(rot.data(), b, v.data(), ns, z.data());
    double loss = 0;
    for (size_t i = 0; i < ns; ++i)
      for (size_t j = 0; j < b; ++j) {
        const float s = z[i * b + j] >= 0 ? 1.0f : -1.0f;
        loss += double(s - z[i * b + j]) * double(s - z[i * b + j]);
        bt[j * ns + i] = s;
      }
    loss_.push_back(loss / double(ns));
    for (size_t p = 0; p < b; ++p)
      for (size_t q = 0; q < b; ++q) a[p * b + q] = k.ip_f32(vt.data() + p * ns, bt.data() + q * ns, ns);
    ANNLAB_CO_TRY(procrustes_rotation(a, b, &rot));
    ANNLAB_CO_STEP(cat(what, ": rotation round ", it + 1, "/50"), double(it + 1) / 50.0);
  }
  // w = R P (b x d); the threshold puts the mean at zero.
  for (size_t j = 0; j < b; ++j)
    for (size_t c = 0; c < d; ++c) {
      double s = 0;
      for (size_t i = 0; i < b; ++i) s += double(rot[j * b + i]) * pca.components[i * d + c];
      w[j * d + c] = float(s);
    }
  for (size_t j = 0; j < b; ++j) t[j] = k.ip_f32(w.data() + j * d, pca.mean.data(), d);
  ANNLAB_CO_TRY(VectorView::of(w.data(), b, d).check_finite("binary-code projection"));
  w_ = std::move(w);
  t_ = std::move(t);
  prepare_integer_projections();
  co_return Status::ok();
}

}  // namespace annlab
