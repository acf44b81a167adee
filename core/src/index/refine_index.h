// Private header (core/src/index): exact re-ranking as a wrapper (FAISS's IndexRefine).
//
// The inner index ranks by what it computes cheaply (PQ's estimated distances, Hamming distances
// of binary codes, a BM25 score); with the search parameter `rerank` = R > 0 the wrapper asks it
// for its max(k, R) best, computes the exact squared L2 distance of the first R of them from the
// full base vectors and answers with the k nearest. With rerank = 0 the inner answer is the answer.
// The base vectors are the wrapper's — its own copy, or the caller's shared with it (Refinable),
// so the inner index holds only what it owns (codes, codebooks, lists).
//
// The factory wraps every method whose registry row takes `rerank` (PQ, IVF-PQ, OPQ, LOPQ, the
// binary codes, Tokens); describe() is the inner index's (rerank is a search parameter, not part
// of the factory string). In an index file the wrapper's base vectors stay where those methods
// always wrote them (write_refine_block, vector_store.h).
#pragma once

#include <memory>

#include "annlab/index.h"
#include "annlab/vector_store.h"
#include "index/wrapper.h"

namespace annlab {

class RefineIndex final : public Index,
                          public IndexWrapper,
                          public Explainable,
                          public Serializable,
                          public Refinable {
 public:
  explicit RefineIndex(std::unique_ptr<Index> inner);

  const Index& inner() const override { return *inner_; }
  Index& inner() override { return *inner_; }

  size_t size() const override { return inner_->size(); }
  std::string describe() const override { return inner_->describe(); }
  bool is_trained() const override { return inner_->is_trained(); }
  Status train(const VectorView& x) override { return inner_->train(x); }
  TrainTask train_task(VectorView x) override { return inner_->train_task(x); }
  Status add(const VectorView& x) override;
  size_t memory_bytes() const override { return inner_->memory_bytes() + base_.owned_bytes(); }
  bool rebuilds_on_add() const override { return inner_->rebuilds_on_add(); }
  DistanceKind distance_kind(const SearchParams& p) const override {
    return p.rerank.value_or(0) > 0 ? DistanceKind::SquaredL2 : inner_->distance_kind(p);
  }
  Status check_search_params(const SearchParams& p) const override { return inner_->check_search_params(p); }
  Status check_inputs(const VectorView& x) const override { return inner_->check_inputs(x); }
  bool computes_elsewhere() const override { return inner_->computes_elsewhere(); }
  bool base_computed_elsewhere() const override { return inner_->base_computed_elsewhere(); }
  TrainTask prepare_task(VectorView x) override { return inner_->prepare_task(x); }
  double prepared_row_ms() const override { return inner_->prepared_row_ms(); }

  Status share_base(std::shared_ptr<const VectorStore> b) override { return base_.share(std::move(b)); }
  const BaseVectors& base_vectors() const override { return base_; }

  Result<Structure> explain_structure() const override;
  Result<Trace> explain_query(const VectorView& q, size_t k, const SearchParams& p) const override;
  void save_payload(BinaryWriter& w) const override;
  Status load_payload(BinaryReader& r) override;

 protected:
  void search_batch(const VectorView& q, size_t k, const SearchParams& p, int64_t* ids, float* distances,
                    QueryStats* stats) const override;

 private:
  // How many candidates the inner index gives for k results: max(k, rerank), at most size().
  size_t candidates_for(size_t k, size_t rerank) const;
  std::unique_ptr<Index> inner_;
  BaseVectors base_;
};

}  // namespace annlab
