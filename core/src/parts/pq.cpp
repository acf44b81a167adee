#include "parts/pq.h"

#include <algorithm>
#include <limits>

#include "annlab/binary_io.h"
#include "parts/kmeans.h"
#include "annlab/memory.h"
#include "annlab/pca.h"

namespace annlab {

// ---- ProductQuantizer ---------------------------------------------------------------------------

TrainTask ProductQuantizer::train_task(const float* x, size_t n, uint64_t seed, int iterations, std::string what) {
  if (what.empty()) what = cat("PQ", m_);
  if (m_ == 0 || d_ % m_ != 0)
    co_return Status::error(cat(what, ": dimension ", d_, " is not divisible by M = ", m_));
  if (n < ksub_)
    co_return Status::error(cat(what, " needs at least ", ksub_, " training vectors (", ksub_,
                                " centroids per sub-space), got ", n));
  std::vector<float> sub(n * dsub_);
  std::vector<float> books(m_ * ksub_ * dsub_);
  for (size_t j = 0; j < m_; ++j) {
    for (size_t i = 0; i < n; ++i) std::copy_n(x + i * d_ + j * dsub_, dsub_, sub.data() + i * dsub_);
    KMeansParams kp;
    kp.k = ksub_;
    kp.seed = seed + j;
    kp.iterations = iterations;
    KMeansResult km;
    ANNLAB_CO_RUN(kmeans_task(VectorView::of(sub.data(), n, dsub_), kp, &km));
    std::copy(km.centroids.begin(), km.centroids.end(), books.begin() + long(j * ksub_ * dsub_));
    ANNLAB_CO_STEP(cat(what, ": sub-space ", j + 1, "/", m_, " trained"), double(j + 1) / double(m_));
  }
  codebooks_ = std::move(books);
  co_return Status::ok();
}

template <class Code>
void ProductQuantizer::encode_codes(const float* x, size_t n, Code* codes) const {
  std::vector<float> sub(n * dsub_);
  std::vector<int32_t> label(n);
  for (size_t j = 0; j < m_; ++j) {
    for (size_t i = 0; i < n; ++i) std::copy_n(x + i * d_ + j * dsub_, dsub_, sub.data() + i * dsub_);
    assign_nearest(VectorView::of(sub.data(), n, dsub_), codebooks_.data() + j * ksub_ * dsub_, ksub_, label.data());
    for (size_t i = 0; i < n; ++i) codes[i * m_ + j] = Code(label[i]);
  }
}

void ProductQuantizer::encode(const float* x, size_t n, uint8_t* codes) const {
  ANNLAB_ASSERT(ksub_ <= 256);
  encode_codes(x, n, codes);
}

void ProductQuantizer::encode_wide(const float* x, size_t n, uint16_t* codes) const {
  ANNLAB_ASSERT(ksub_ <= 65536);
  encode_codes(x, n, codes);
}

void ProductQuantizer::decode(const uint8_t* code, float* out) const {
  for (size_t j = 0; j < m_; ++j)
    std::copy_n(codebooks_.data() + (j * ksub_ + code[j]) * dsub_, dsub_, out + j * dsub_);
}

void ProductQuantizer::distance_table(const float* q, float* table) const {
  ANNLAB_ASSERT(ksub_ == kCentroids);
  const Kernels& k = kernels();
  for (size_t j = 0; j < m_; ++j)
    k.l2sq_f32_rows(q + j * dsub_, codebooks_.data() + j * kCentroids * dsub_, kCentroids, dsub_, table + j * kCentroids);
}

void ProductQuantizer::save(BinaryWriter& w) const {
  w.put<uint64_t>(m_);
  w.array(codebooks_);
}

Status ProductQuantizer::load(BinaryReader& r) {
  uint64_t m = 0;
  ANNLAB_TRY(r.get(&m, "PQ M"));
  if (m != m_) return r.error(cat("PQ payload has M = ", m, ", the description says ", m_));
  ANNLAB_TRY(r.array(&codebooks_, "PQ codebooks", r.remaining() / 4));
  if (!codebooks_.empty() && codebooks_.size() != m_ * ksub_ * dsub_)
    return r.error(cat("PQ holds ", codebooks_.size(), " codebook floats, expected ", m_ * ksub_ * dsub_));
  return VectorView::of(codebooks_.data(), codebooks_.size(), 1).check_finite("PQ codebook");
}

// ---- OPQ ----------------------------------------------------------------------------------------

void rotate_rows(const float* r, size_t d, const float* x, size_t n, float* out) {
  const Kernels& k = kernels();
  for (size_t i = 0; i < n; ++i)
    for (size_t j = 0; j < d; ++j) out[i * d + j] = k.ip_f32(r + j * d, x + i * d, d);
}

Result<OpqTraining> train_opq_rotation(const float* x, size_t n, size_t d, size_t m, uint64_t seed, int iterations) {
  OpqTraining out;
  ANNLAB_TRY(train_opq_rotation_task(x, n, d, m, seed, iterations, &out).run());
  return out;
}

TrainTask train_opq_rotation_task(const float* x, size_t n, size_t d, size_t m, uint64_t seed, int iterations,
                                  OpqTraining* result) {
  if (m == 0 || d % m != 0) co_return Status::error(cat("OPQ", m, ": dimension ", d, " is not divisible by M = ", m));
  if (n < ProductQuantizer::kCentroids)
    co_return Status::error(cat("OPQ", m, " needs at least ", ProductQuantizer::kCentroids, " training vectors (256 centroids per sub-space), got ", n));
  if (iterations < 1) co_return Status::error(cat("OPQ: iterations = ", iterations, ": expected >= 1"));
  OpqTraining out;
  out.rotation = random_rotation(d, seed);
  const Kernels& k = kernels();
  std::vector<float> z(n * d), y(n * d), xt(d * n), yt(d * n), row(d);
  std::vector<uint8_t> codes(n * m);
  for (size_t i = 0; i < n; ++i)
    for (size_t j = 0; j < d; ++j) xt[j * n + i] = x[i * d + j];
  std::vector<double> a(d * d);
  const size_t rows_per_step = std::max<size_t>(1, size_t(double(1 << 27) / (double(d) * double(n))));
  for (int it = 0; it < iterations; ++it) {
    rotate_rows(out.rotation.data(), d, x, n, z.data());
    ProductQuantizer pq(d, m);
    // A longer k-means the first time, short ones after (the codebooks move little), as FAISS does.
    ANNLAB_CO_RUN(pq.train_task(z.data(), n, seed + 1 + uint64_t(it) * m, it == 0 ? 10 : 4));
    pq.encode(z.data(), n, codes.data());
    double mse = 0;
    for (size_t i = 0; i < n; ++i) {
      pq.decode(codes.data() + i * m, y.data() + i * d);
      mse += k.l2sq_f32(z.data() + i * d, y.data() + i * d, d);
    }
    out.mse.push_back(mse / double(n));
    for (size_t i = 0; i < n; ++i)
      for (size_t j = 0; j < d; ++j) yt[j * n + i] = y[i * d + j];
    // a = X^T Y, one exact dot product of columns per entry.
    for (size_t p = 0; p < d; ++p) {
      for (size_t q = 0; q < d; ++q) a[p * d + q] = k.ip_f32(xt.data() + p * n, yt.data() + q * n, n);
      if ((p + 1) % rows_per_step == 0)
        ANNLAB_CO_STEP(cat("OPQ round ", it + 1, "/", iterations, ": X^T Y"), double(it) / double(iterations));
    }
    ANNLAB_CO_TRY(procrustes_rotation(a, d, &out.rotation));
    ANNLAB_CO_STEP(cat("OPQ round ", it + 1, "/", iterations, " done"), double(it + 1) / double(iterations));
  }
  *result = std::move(out);
  co_return Status::ok();
}

}  // namespace annlab
