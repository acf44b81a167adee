// Private header (core/src/index): a vector transform in front of an index (FAISS's
// IndexPreTransform): "OPQ<M>,IVF<nlist>,PQ<M>" is OPQ's rotation in front of IVF-PQ.
//
// Training learns the transform, then trains the inner index on the transformed vectors; added
// vectors and queries are transformed before the inner index sees them. What it draws comes back
// into the data's space through the transform's reverse (centroids, axes). The exact re-rank of
// such a composition wraps it from outside (RefineIndex) and compares the untransformed query
// with the base vectors.
#pragma once

#include <memory>

#include "annlab/index.h"
#include "annlab/transform.h"
#include "index/wrapper.h"

namespace annlab {

class TransformedIndex final : public Index, public IndexWrapper, public Explainable, public Serializable {
 public:
  TransformedIndex(std::unique_ptr<VectorTransform> transform, std::unique_ptr<Index> inner, const BuildParams& p);

  const Index& inner() const override { return *inner_; }
  Index& inner() override { return *inner_; }
  const VectorTransform& transform() const { return *tf_; }
  template <class T>
  const T& transform_as() const { return dynamic_cast<const T&>(*tf_); }

  size_t size() const override { return inner_->size(); }
  std::string describe() const override { return cat(tf_->describe(), ",", inner_->describe()); }
  bool is_trained() const override { return tf_->trained() && inner_->is_trained(); }
  Status train(const VectorView& x) override { return train_task(x).run(); }
  TrainTask train_task(VectorView x) override;
  Status add(const VectorView& x) override;
  size_t memory_bytes() const override { return tf_->memory_bytes() + inner_->memory_bytes(); }
  DistanceKind distance_kind(const SearchParams& p) const override { return inner_->distance_kind(p); }
  Status check_search_params(const SearchParams& p) const override;
  Status check_inputs(const VectorView& x) const override;
  bool computes_elsewhere() const override { return inner_->computes_elsewhere(); }
  bool base_computed_elsewhere() const override { return inner_->base_computed_elsewhere(); }
  TrainTask prepare_task(VectorView x) override;  // the inner index's, over the transformed rows
  double prepared_row_ms() const override { return inner_->prepared_row_ms(); }

  Result<Structure> explain_structure() const override;
  Result<Trace> explain_query(const VectorView& q, size_t k, const SearchParams& p) const override;
  void save_payload(BinaryWriter& w) const override;
  Status load_payload(BinaryReader& r) override;

 protected:
  void search_batch(const VectorView& q, size_t k, const SearchParams& p, int64_t* ids, float* distances,
                    QueryStats* stats) const override;

 private:
  // Rows [0, x.n) of x transformed, as floats.
  std::vector<float> transformed(const VectorView& x) const;
  std::unique_ptr<VectorTransform> tf_;
  std::unique_ptr<Index> inner_;
  BuildParams params_;
};

}  // namespace annlab
