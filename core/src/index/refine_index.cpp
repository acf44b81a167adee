#include "index/refine_index.h"

#include <algorithm>

#include "annlab/binary_io.h"
#include "parts/rerank.h"

namespace annlab {

RefineIndex::RefineIndex(std::unique_ptr<Index> inner) : Index(inner->dim()), inner_(std::move(inner)), base_(dim()) {}

Status RefineIndex::add(const VectorView& x) {
  // The inner index checks first (trained, dimension, values), so a refused add changes nothing.
  if (!inner_->is_trained() || x.d != dim()) return inner_->add(x);
  ANNLAB_TRY(x.check_finite("added"));
  ANNLAB_TRY(inner_->check_inputs(x));
  ANNLAB_TRY(base_.add(x));
  return inner_->add(x);
}

size_t RefineIndex::candidates_for(size_t k, size_t rerank) const { return std::min(size(), std::max(k, rerank)); }

void RefineIndex::search_batch(const VectorView& q, size_t k, const SearchParams& p, int64_t* ids, float* distances,
                               QueryStats* stats) const {
  const size_t rerank = size_t(p.rerank.value_or(0));
  if (rerank == 0) return search_inner(*inner_, q, k, p, ids, distances, stats);
  const size_t kk = candidates_for(k, rerank);
  std::vector<int64_t> cid(q.n * kk);
  std::vector<float> cd(q.n * kk);
  search_inner(*inner_, q, kk, p, cid.data(), cd.data(), stats);
  detail::NullTracer tr;
  VectorStore::PreparedQuery pq;
  for (size_t i = 0; i < q.n; ++i) {
    base_.store().prepare(q, i, &pq);
    detail::rerank_exact(cid.data() + i * kk, std::min(kk, rerank), k, base_.store(), pq, ids + i * k,
                         distances + i * k, stats + i, tr);
  }
}

Result<Structure> RefineIndex::explain_structure() const {
  const Explainable* e = as_explainable(*inner_);
  if (!e) return Status::error(cat(describe(), " cannot explain its structure"));
  return e->explain_structure();
}

Result<Trace> RefineIndex::explain_query(const VectorView& q, size_t k, const SearchParams& p) const {
  const Explainable* e = as_explainable(*inner_);
  if (!e) return Status::error(cat(describe(), " cannot explain a query"));
  const size_t rerank = size_t(p.rerank.value_or(0));
  if (rerank == 0) return e->explain_query(q, k, p);
  if (q.n != 1) return Status::error(cat("explain takes one query, got ", q.n));
  ANNLAB_TRY(check_query(q, k));
  const size_t kk = candidates_for(k, rerank);
  ANNLAB_ASSIGN_OR_RETURN(Trace t, e->explain_query(q, kk, p));
  // The inner ranking's own top-k events are not the answer's: the re-rank's are.
  std::erase_if(t.events, [](const TraceEvent& ev) { return ev.kind == TraceKind::TopKChanged; });
  std::vector<int64_t> cid = std::move(t.ids);
  t.ids.assign(k, -1);
  t.distances.assign(k, 0.0f);
  t.kind = DistanceKind::SquaredL2;
  detail::EventTracer tr{&t.events};
  VectorStore::PreparedQuery pq;
  base_.store().prepare(q, 0, &pq);
  detail::rerank_exact(cid.data(), std::min(kk, rerank), k, base_.store(), pq, t.ids.data(), t.distances.data(),
                       &t.stats, tr);
  return t;
}

void RefineIndex::save_payload(BinaryWriter& w) const {
  const Serializable* s = as_serializable(*inner_);
  const BaseVectors* before = w.refine;
  w.refine = &base_;
  s->save_payload(w);
  w.refine = before;
}

Status RefineIndex::load_payload(BinaryReader& r) {
  Serializable* s = as_serializable(*inner_);
  if (!s) return r.error(cat(describe(), " cannot be loaded"));
  BaseVectors* before = r.refine;
  r.refine = &base_;
  Status st = s->load_payload(r);
  r.refine = before;
  ANNLAB_TRY(st);
  if (base_.size() != inner_->size())
    return r.error(cat(describe(), " holds ", inner_->size(), " codes but ", base_.size(),
                       " base vectors to re-rank them with"));
  return Status::ok();
}

}  // namespace annlab
