#include "index/flat_index.h"

#include "annlab/binary_io.h"
#include "parts/exact_scan.h"
#include "parts/topk.h"
#include "parts/tracer.h"

namespace annlab {

Status FlatIndex::add(const VectorView& x) {
  ANNLAB_TRY(base_.add(x));
  update_order();
  return Status::ok();
}

void FlatIndex::update_order() {
  const VectorView v = base_.store().view();
  const size_t n = base_.size(), d = dim();
  // Byte rows only (of d <= 66,000, where distances are exact in 32 bits), and not past 1 GiB (a
  // second copy of a larger base would be too dear, above all within WebAssembly's 4 GB): the others
  // are searched by the plain scan.
  if (!v.u8 || n == 0 || d > 66000 || n * d > kMaxOrderedBytes || n > size_t(UINT32_MAX)) return ordered_.clear();
  ordered_.assign(v.u8, n, d);
}

template <class Tracer>
void FlatIndex::search_one(const VectorView& q, size_t i, size_t k, int64_t* ids, float* dist,
                           QueryStats* st, Tracer& tr) const {
  const VectorStore& store = base_.store();  // once: the scan below is the hot loop
  VectorStore::PreparedQuery pq;
  store.prepare(q, i, &pq);
  const Kernels& kern = kernels();
  detail::TopK top(k);
  const size_t n = base_.size();
  if (pq.bytes) {
    // Byte rows: from the strip-ordered copy, only the rows whose projections can be within the k-th
    // distance (StripOrderedRows; traced, the same rows); otherwise every row in turn. Untraced, the
    // kernel scans until a row is within the k-th distance (the rest stop being summed once past it),
    // the row is offered, and the scan goes on from the next row. The distances counted are the rows
    // read.
    const size_t d = dim();
    std::vector<uint16_t> order;
    byte_chunk_order(pq.b.data(), d, &order);
    if (!ordered_.empty()) {
      size_t read = 0;
      ordered_.search(pq.b.data(), order.data(), kern, top, tr, 0, &read);
      st->distances = st->candidates = read;
      top.write(ids, dist);
      return;
    }
    if constexpr (!Tracer::kOn) {
      detail::offer_byte_rows(kern, pq.b.data(), store.view().u8, n, d, order.data(), nullptr, 0, top);
      st->distances = st->candidates = n;
      top.write(ids, dist);
      return;
    }
  }
  std::vector<float> scratch(dim());
  for (size_t id = 0; id < n; ++id) {
    const double dd = store.distance(pq, id, kern, scratch.data());
    if constexpr (Tracer::kOn) tr.event(TraceKind::DistanceComputed, 0, int64_t(id), float(dd));
    const bool entered = top.push(dd, int64_t(id));
    if constexpr (Tracer::kOn) {
      if (entered) tr.event(TraceKind::TopKChanged, uint32_t(top.rank_of(dd, int64_t(id))), int64_t(id), float(dd));
    }
  }
  st->distances = st->candidates = n;
  top.write(ids, dist);
}

void FlatIndex::search_batch(const VectorView& q, size_t k, const SearchParams&, int64_t* ids,
                             float* distances, QueryStats* stats) const {
  // A batch reads each block of vectors once for a block of queries (same answers as the scan).
  if (detail::exact_knn_blocked(base_.store(), base_.size(), q, k, ids, distances)) {
    for (size_t i = 0; i < q.n; ++i) stats[i].distances = stats[i].candidates = base_.size();
    return;
  }
  detail::NullTracer tr;
  for (size_t i = 0; i < q.n; ++i) search_one(q, i, k, ids + i * k, distances + i * k, stats + i, tr);
}

Result<Structure> FlatIndex::explain_structure() const {
  Structure s;
  s.method = describe();
  s.dim = dim();
  s.n = size();
  return s;
}

Result<Trace> FlatIndex::explain_query(const VectorView& q, size_t k, const SearchParams& p) const {
  return explain_one(q, k, p, [&](Trace& t) {
    detail::EventTracer tr{&t.events};
    search_one(q, 0, k, t.ids.data(), t.distances.data(), &t.stats, tr);
  });
}

void FlatIndex::save_payload(BinaryWriter& w) const { base_.save(w); }

Status FlatIndex::load_payload(BinaryReader& r) {
  ANNLAB_TRY(base_.load(r));
  update_order();
  return Status::ok();
}

}  // namespace annlab
