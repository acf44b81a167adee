#include "index/pq_index.h"

#include <algorithm>
#include <limits>

#include "annlab/binary_io.h"
#include "annlab/memory.h"
#include "annlab/vector_store.h"
#include "parts/topk.h"
#include "parts/tracer.h"

namespace annlab {

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
  ANNLAB_TRY(x.check_finite("added"));
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
  std::vector<float> qf(dim());
  q.row_to_f32(i, qf.data());
  std::vector<float> table(pq_.m() * ProductQuantizer::kCentroids);
  pq_.distance_table(qf.data(), table.data());
  detail::TopK top(k);
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
      if constexpr (Tracer::kOn) tr.event(TraceKind::CodeCompared, 0, int64_t(b0 + j), block[j]);
      if (block[j] < bound) {
        const bool entered = top.push(block[j], int64_t(b0 + j));
        if constexpr (Tracer::kOn) {
          if (entered) tr.event(TraceKind::TopKChanged, uint32_t(top.rank_of(block[j], int64_t(b0 + j))), int64_t(b0 + j), block[j]);
        }
        bound = float(top.bound());
      }
    }
  }
  st->candidates = n;
  top.write(ids, dist);
}

void PqIndex::search_batch(const VectorView& q, size_t k, const SearchParams& p, int64_t* ids, float* distances,
                           QueryStats* stats) const {
  detail::NullTracer tr;
  for (size_t i = 0; i < q.n; ++i) search_one(q, i, k, p, ids + i * k, distances + i * k, stats + i, tr);
}

Result<Structure> PqIndex::explain_structure() const {
  if (!pq_.trained()) return Status::error(cat(describe(), " is not trained: nothing to explain yet"));
  Structure s;
  s.method = describe();
  s.dim = dim();
  s.n = size();
  CodebookLayer books;
  books.m = pq_.m();
  books.ksub = ProductQuantizer::kCentroids;
  books.dsub = pq_.dsub();
  books.centroids = pq_.codebooks();
  books.codes = codes_;
  s.layers.push_back(std::move(books));
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
  write_refine_block(w, dim());
}

Status PqIndex::load_payload(BinaryReader& r) {
  ANNLAB_TRY(r.get(&params_.seed, "PQ seed"));
  ANNLAB_TRY(pq_.load(r));
  ANNLAB_TRY(r.array(&codes_, "PQ codes", r.remaining()));
  if (codes_.size() % pq_.m()) return r.error(cat("PQ holds ", codes_.size(), " code bytes, not a multiple of M = ", pq_.m()));
  ANNLAB_TRY(read_refine_block(r, dim()));
  if (!pq_.trained() && !codes_.empty()) return r.error("PQ holds vectors but no codebooks");
  return Status::ok();
}

}  // namespace annlab
