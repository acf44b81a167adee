// Private header (core/src/index): "PQ<M>", product quantization as an index (the codec is
// parts/pq.h). A query is compared with every code through Asymmetric Distance Computation: a
// table of the M x 256 squared distances from the query's sub-vectors to the codebooks, summed over
// the code's M entries. The exact `rerank` of the best candidates is the wrapper around it
// (index/refine_index.h), which holds the base vectors.
#pragma once

#include <cstdint>
#include <vector>

#include "annlab/index.h"
#include "parts/pq.h"

namespace annlab {

class PqIndex final : public Index, public Explainable, public Serializable {
 public:
  PqIndex(size_t d, size_t m, const BuildParams& params) : Index(d), pq_(d, m), params_(params) {}
  size_t size() const override { return codes_.size() / pq_.m(); }
  std::string describe() const override { return cat("PQ", pq_.m()); }
  bool is_trained() const override { return pq_.trained(); }
  Status train(const VectorView& x) override { return train_task(x).run(); }
  TrainTask train_task(VectorView x) override;
  Status add(const VectorView& x) override;
  DistanceKind distance_kind(const SearchParams&) const override { return DistanceKind::EstimatedSquaredL2; }
  size_t memory_bytes() const override { return codes_.size() + pq_.codebooks().size() * 4; }
  const ProductQuantizer& quantizer() const { return pq_; }
  const std::vector<uint8_t>& codes() const { return codes_; }

  Result<Structure> explain_structure() const override;
  Result<Trace> explain_query(const VectorView& q, size_t k, const SearchParams& p) const override;
  void save_payload(BinaryWriter& w) const override;
  Status load_payload(BinaryReader& r) override;

 protected:
  void search_batch(const VectorView& q, size_t k, const SearchParams& params, int64_t* ids, float* distances,
                    QueryStats* stats) const override;

 private:
  template <class Tracer>
  void search_one(const VectorView& q, size_t i, size_t k, const SearchParams& p, int64_t* ids, float* dist,
                  QueryStats* st, Tracer& tr) const;
  ProductQuantizer pq_;
  BuildParams params_;
  std::vector<uint8_t> codes_;  // n * M
};

}  // namespace annlab
