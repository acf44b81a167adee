#include "index/transformed_index.h"

#include <algorithm>

#include "annlab/binary_io.h"
#include "annlab/memory.h"

namespace annlab {

TransformedIndex::TransformedIndex(std::unique_ptr<VectorTransform> transform, std::unique_ptr<Index> inner,
                                   const BuildParams& p)
    : Index(transform->d_in()), tf_(std::move(transform)), inner_(std::move(inner)), params_(p) {}

std::vector<float> TransformedIndex::transformed(const VectorView& x) const {
  std::vector<float> row(dim()), out(x.n * tf_->d_out());
  for (size_t i = 0; i < x.n; ++i) {
    x.row_to_f32(i, row.data());
    tf_->apply(row.data(), 1, out.data() + i * tf_->d_out());
  }
  return out;
}

TrainTask TransformedIndex::train_task(VectorView x) {
  if (x.d != dim()) co_return Status::error(cat("training vectors have dimension ", x.d, ", the index has ", dim()));
  if (is_trained()) co_return Status::error(cat(describe(), " is already trained"));
  ANNLAB_CO_TRY(x.check_finite("training"));
  ANNLAB_CO_TRY(check_memory_for("transformed training copy", x.n, tf_->d_out(), 4, cat("training ", describe())));
  ANNLAB_CO_RUN(tf_->train_task(x, params_.seed));
  ANNLAB_CO_TRY(tf_->check_inputs(x));
  const std::vector<float> xt = transformed(x);
  ANNLAB_CO_RUN(inner_->train_task(VectorView::of(xt.data(), x.n, tf_->d_out())));
  co_return Status::ok();
}

Status TransformedIndex::add(const VectorView& x) {
  if (!is_trained()) return Status::error(cat(describe(), " is not trained: train it before adding vectors"));
  if (x.d != dim()) return Status::error(cat("vectors have dimension ", x.d, ", the index has ", dim()));
  ANNLAB_TRY(x.check_finite("added"));
  ANNLAB_TRY(tf_->check_inputs(x));
  // In blocks, so the transformed copy stays small.
  constexpr size_t kBlock = 4096;
  for (size_t b0 = 0; b0 < x.n; b0 += kBlock) {
    const size_t nb = std::min(kBlock, x.n - b0);
    const std::vector<float> xt = transformed(x.rows(b0, nb));
    ANNLAB_TRY(inner_->add(VectorView::of(xt.data(), nb, tf_->d_out())));
  }
  return Status::ok();
}

Status TransformedIndex::check_inputs(const VectorView& x) const {
  ANNLAB_TRY(tf_->check_inputs(x));
  if (!inner_->computes_elsewhere()) return Status::ok();
  const std::vector<float> xt = transformed(x);
  return inner_->check_inputs(VectorView::of(xt.data(), x.n, tf_->d_out()));
}

TrainTask TransformedIndex::prepare_task(VectorView x) {
  if (!inner_->computes_elsewhere()) co_return Status::ok();
  if (x.d != dim()) co_return Status::error(cat("vectors have dimension ", x.d, ", the index has ", dim()));
  ANNLAB_CO_TRY(tf_->check_inputs(x));
  const std::vector<float> xt = transformed(x);
  ANNLAB_CO_RUN(inner_->prepare_task(VectorView::of(xt.data(), x.n, tf_->d_out())));
  co_return Status::ok();
}

Status TransformedIndex::check_search_params(const SearchParams& p) const {
  ANNLAB_TRY(Index::check_search_params(p));
  return inner_->check_search_params(p);
}

void TransformedIndex::search_batch(const VectorView& q, size_t k, const SearchParams& p, int64_t* ids,
                                    float* distances, QueryStats* stats) const {
  const std::vector<float> qt = transformed(q);
  search_inner(*inner_, VectorView::of(qt.data(), q.n, tf_->d_out()), k, p, ids, distances, stats);
}

Result<Structure> TransformedIndex::explain_structure() const {
  const Explainable* e = as_explainable(*inner_);
  if (!e) return Status::error(cat(describe(), " cannot explain its structure"));
  if (!is_trained()) return Status::error(cat(describe(), " is not trained: nothing to explain yet"));
  ANNLAB_ASSIGN_OR_RETURN(Structure inner, e->explain_structure());
  Structure s;
  s.method = describe();
  s.dim = dim();
  s.n = inner.n;
  // What can be drawn in the data's space comes back through the transform's reverse: cells, with
  // their centroids mapped back (their assignment is the same). Other layers live in the transformed
  // space and are not drawn over the data.
  const size_t dout = tf_->d_out();
  for (Layer& l : inner.layers) {
    CellLayer* cells = std::get_if<CellLayer>(&l);
    if (!cells) continue;
    const size_t k = cells->centroids.size() / dout;
    std::vector<float> back(k * dim());
    if (!tf_->reverse(cells->centroids.data(), k, back.data())) continue;
    cells->centroids = std::move(back);
    cells->axes.clear();
    s.layers.push_back(std::move(*cells));
  }
  return s;
}

Result<Trace> TransformedIndex::explain_query(const VectorView& q, size_t k, const SearchParams& p) const {
  const Explainable* e = as_explainable(*inner_);
  if (!e) return Status::error(cat(describe(), " cannot explain a query"));
  if (q.n != 1) return Status::error(cat("explain takes one query, got ", q.n));
  ANNLAB_TRY(check_query(q, k));
  ANNLAB_TRY(check_search_params(p));
  const std::vector<float> qt = transformed(q);
  return e->explain_query(VectorView::of(qt.data(), 1, tf_->d_out()), k, p);
}

// The layout of format 1 and 2 OPQ files: the inner index's payload, then the transform.
void TransformedIndex::save_payload(BinaryWriter& w) const {
  as_serializable(*inner_)->save_payload(w);
  tf_->save(w);
}

Status TransformedIndex::load_payload(BinaryReader& r) {
  Serializable* s = as_serializable(*inner_);
  if (!s) return r.error(cat(describe(), " cannot be loaded"));
  ANNLAB_TRY(s->load_payload(r));
  ANNLAB_TRY(tf_->load(r));
  if (tf_->trained() != inner_->is_trained())
    return r.error(cat(describe(), ": the ", tf_->describe(), " transform is ", tf_->trained() ? "" : "not ",
                       "trained but the index it feeds is ", inner_->is_trained() ? "" : "not "));
  return Status::ok();
}

}  // namespace annlab
