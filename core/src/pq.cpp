#include "annlab/pq.h"

#include <algorithm>
#include <limits>

#include "annlab/binary_io.h"
#include "annlab/kmeans.h"
#include "annlab/memory.h"
#include "annlab/pca.h"
#include "rerank.h"

namespace annlab {

// ---- ProductQuantizer ---------------------------------------------------------------------------

TrainTask ProductQuantizer::train_task(const float* x, size_t n, uint64_t seed, int iterations) {
  if (m_ == 0 || d_ % m_ != 0)
    co_return Status::error(cat("PQ", m_, ": dimension ", d_, " is not divisible by M = ", m_));
  if (n < kCentroids)
    co_return Status::error(cat("PQ", m_, " needs at least ", kCentroids, " training vectors (256 centroids per sub-space), got ", n));
  std::vector<float> sub(n * dsub_);
  std::vector<float> books(m_ * kCentroids * dsub_);
  for (size_t j = 0; j < m_; ++j) {
    for (size_t i = 0; i < n; ++i) std::copy_n(x + i * d_ + j * dsub_, dsub_, sub.data() + i * dsub_);
    KMeansParams kp;
    kp.k = kCentroids;
    kp.seed = seed + j;
    kp.iterations = iterations;
    KMeansResult km;
    ANNLAB_CO_RUN(kmeans_task(VectorView::of(sub.data(), n, dsub_), kp, &km));
    std::copy(km.centroids.begin(), km.centroids.end(), books.begin() + long(j * kCentroids * dsub_));
    ANNLAB_CO_STEP(cat("PQ", m_, ": sub-space ", j + 1, "/", m_, " trained"), double(j + 1) / double(m_));
  }
  codebooks_ = std::move(books);
  co_return Status::ok();
}

void ProductQuantizer::encode(const float* x, size_t n, uint8_t* codes) const {
  std::vector<float> sub(n * dsub_);
  std::vector<int32_t> label(n);
  for (size_t j = 0; j < m_; ++j) {
    for (size_t i = 0; i < n; ++i) std::copy_n(x + i * d_ + j * dsub_, dsub_, sub.data() + i * dsub_);
    assign_nearest(VectorView::of(sub.data(), n, dsub_), codebooks_.data() + j * kCentroids * dsub_, kCentroids,
                   label.data());
    for (size_t i = 0; i < n; ++i) codes[i * m_ + j] = uint8_t(label[i]);
  }
}

namespace {

template <size_t M>
void adc_fixed(const float* table, const uint8_t* codes, size_t nb, float* out) {
  constexpr size_t K = ProductQuantizer::kCentroids;
  for (size_t i = 0; i < nb; ++i) {
    const uint8_t* c = codes + i * M;
    float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    for (size_t j = 0; j + 4 <= M; j += 4) {
      s0 += table[j * K + c[j]];
      s1 += table[(j + 1) * K + c[j + 1]];
      s2 += table[(j + 2) * K + c[j + 2]];
      s3 += table[(j + 3) * K + c[j + 3]];
    }
    out[i] = (s0 + s1) + (s2 + s3);
  }
}

}  // namespace

void ProductQuantizer::adc_block(const float* table, const uint8_t* codes, size_t nb, float* out) const {
  switch (m_) {
    case 4: return adc_fixed<4>(table, codes, nb, out);
    case 8: return adc_fixed<8>(table, codes, nb, out);
    case 16: return adc_fixed<16>(table, codes, nb, out);
    case 32: return adc_fixed<32>(table, codes, nb, out);
    case 64: return adc_fixed<64>(table, codes, nb, out);
    default:
      for (size_t i = 0; i < nb; ++i) out[i] = adc(table, codes + i * m_);
  }
}

void ProductQuantizer::decode(const uint8_t* code, float* out) const {
  for (size_t j = 0; j < m_; ++j)
    std::copy_n(codebooks_.data() + (j * kCentroids + code[j]) * dsub_, dsub_, out + j * dsub_);
}

void ProductQuantizer::distance_table(const float* q, float* table) const {
  const Kernels& k = kernels();
  for (size_t j = 0; j < m_; ++j)
    for (size_t c = 0; c < kCentroids; ++c)
      table[j * kCentroids + c] = k.l2sq_f32(q + j * dsub_, codebooks_.data() + (j * kCentroids + c) * dsub_, dsub_);
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
  if (!codebooks_.empty() && codebooks_.size() != m_ * kCentroids * dsub_)
    return r.error(cat("PQ holds ", codebooks_.size(), " codebook floats, expected ", m_ * kCentroids * dsub_));
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
    co_return Status::error(cat("OPQ", m, " needs at least ", ProductQuantizer::kCentroids, " training vectors, got ", n));
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

// ---- PqIndex ------------------------------------------------------------------------------------

TrainTask PqIndex::train_task(VectorView x) {
  if (x.d != dim()) co_return Status::error(cat("training vectors have dimension ", x.d, ", the index has ", dim()));
  if (pq_.trained()) co_return Status::error(cat(describe(), " is already trained"));
  ANNLAB_CO_TRY(x.check_finite("training"));
  ANNLAB_CO_TRY(check_memory_for("PQ training copy", x.n, x.d, 4, "PQ training"));
  std::vector<float> xf(x.n * x.d);
  for (size_t i = 0; i < x.n; ++i) x.row_to_f32(i, xf.data() + i * x.d);
  ANNLAB_CO_RUN(pq_.train_task(xf.data(), x.n, params_.seed));
  co_return Status::ok();
}

Status PqIndex::add(const VectorView& x) {
  if (!pq_.trained()) return Status::error(cat(describe(), " is not trained: train it before adding vectors"));
  if (x.d != dim()) return Status::error(cat("vectors have dimension ", x.d, ", the index has ", dim()));
  ANNLAB_TRY(base_.add(x));
  std::vector<float> xf(x.n * x.d);
  for (size_t i = 0; i < x.n; ++i) x.row_to_f32(i, xf.data() + i * x.d);
  const size_t at = codes_.size();
  codes_.resize(at + x.n * pq_.m());
  pq_.encode(xf.data(), x.n, codes_.data() + at);
  return Status::ok();
}

template <class Tracer>
void PqIndex::search_one(const VectorView& q, size_t i, size_t k, const SearchParams& p, int64_t* ids, float* dist,
                         QueryStats* st, Tracer& tr) const {
  VectorStore::PreparedQuery pq;
  base_.store().prepare(q, i, &pq);
  std::vector<float> table(pq_.m() * ProductQuantizer::kCentroids);
  pq_.distance_table(pq.f.data(), table.data());
  const size_t rerank = size_t(p.rerank.value_or(0));
  const size_t cap = std::min(size(), std::max(k, rerank));
  detail::TopK top(cap);
  const size_t n = size(), m = pq_.m();
  // Blocks of ADC sums first (independent lookups the CPU overlaps), then one compare each against
  // the bound. Ids arrive in increasing order, so a code ties its way in only while the heap is not
  // full (bound +inf): the strict compare keeps TopK's (distance, id) order exactly.
  constexpr size_t kBlock = 64;
  float block[kBlock];
  float bound = std::numeric_limits<float>::infinity();
  for (size_t b0 = 0; b0 < n; b0 += kBlock) {
    const size_t nb = std::min(kBlock, n - b0);
    const uint8_t* c = codes_.data() + b0 * m;
    pq_.adc_block(table.data(), c, nb, block);
    for (size_t j = 0; j < nb; ++j) {
      if constexpr (Tracer::kOn) tr.event(TraceKind::DistanceComputed, 0, int64_t(b0 + j), block[j]);
      if (block[j] < bound) {
        top.push(block[j], int64_t(b0 + j));
        bound = float(top.bound());
      }
    }
  }
  st->candidates = n;
  detail::finish_with_rerank(top, cap, rerank, k, base_.store(), pq, ids, dist, st, tr);
}

void PqIndex::search_batch(const VectorView& q, size_t k, const SearchParams& p, int64_t* ids, float* distances,
                           QueryStats* stats) const {
  detail::NullTracer tr;
  for (size_t i = 0; i < q.n; ++i) search_one(q, i, k, p, ids + i * k, distances + i * k, stats + i, tr);
}

Result<Structure> PqIndex::explain_structure() const {
  if (!pq_.trained()) return Status::error(cat(describe(), " is not trained: nothing to explain yet"));
  Structure s;
  s.family = "PQ";
  s.dim = dim();
  s.n = size();
  s.centroids = pq_.codebooks();  // M * 256 sub-space centroids of dsub each
  s.codes = codes_;
  s.code_bytes = pq_.m();
  return s;
}

Result<Trace> PqIndex::explain_query(const VectorView& q, size_t k, const SearchParams& p) const {
  return explain_one(q, k, p, [&](Trace& t) {
    detail::EventTracer tr{&t.events};
    search_one(q, 0, k, p, t.ids.data(), t.distances.data(), &t.stats, tr);
    std::vector<float> v(dim());
    q.row_to_f32(0, v.data());
    t.lookup_m = uint32_t(pq_.m());
    t.lookup_table.resize(pq_.m() * ProductQuantizer::kCentroids);
    pq_.distance_table(v.data(), t.lookup_table.data());
  });
}

void PqIndex::save_payload(BinaryWriter& w) const {
  w.put<uint64_t>(params_.seed);
  pq_.save(w);
  w.array(codes_);
  base_.save(w);
}

Status PqIndex::load_payload(BinaryReader& r) {
  ANNLAB_TRY(r.get(&params_.seed, "PQ seed"));
  ANNLAB_TRY(pq_.load(r));
  ANNLAB_TRY(r.array(&codes_, "PQ codes", r.remaining()));
  ANNLAB_TRY(base_.load(r));
  if (codes_.size() != base_.size() * pq_.m())
    return r.error(cat("PQ holds ", codes_.size(), " code bytes for ", base_.size(), " vectors of M = ", pq_.m()));
  if (!pq_.trained() && base_.size()) return r.error("PQ holds vectors but no codebooks");
  return Status::ok();
}

}  // namespace annlab
