// annlab/flat_index.h — exact k-NN by a full scan: the ground truth of every recall figure.
//
// Factory string "Flat". Keeps the vectors in a VectorStore (bytes for byte data) and compares a
// query with every one. No training, no search parameters.
#pragma once

#include "annlab/index.h"
#include "annlab/vector_store.h"

namespace annlab {

class FlatIndex final : public Index, public Explainable, public Serializable {
 public:
  explicit FlatIndex(size_t d) : Index(d), store_(d) {}

  size_t size() const override { return store_.size(); }
  std::string describe() const override { return "Flat"; }
  Status add(const VectorView& x) override;
  size_t memory_bytes() const override { return store_.memory_bytes(); }
  const VectorStore& store() const { return store_; }

  Result<Structure> explain_structure() const override;
  Result<Trace> explain_query(const VectorView& q, size_t k, const SearchParams& p) const override;
  void save_payload(BinaryWriter& w) const override;
  Status load_payload(BinaryReader& r) override;

 protected:
  void search_batch(const VectorView& q, size_t k, const SearchParams& params, int64_t* ids,
                    float* distances, QueryStats* stats) const override;

 private:
  template <class Tracer>
  void search_one(const VectorView& q, size_t i, size_t k, int64_t* ids, float* dist,
                  QueryStats* st, Tracer& tr) const;
  VectorStore store_;
};

}  // namespace annlab
