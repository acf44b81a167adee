// Private header (core/src/index): exact k-NN by a full scan: the ground truth of every recall figure.
//
// Factory string "Flat". Keeps the vectors in a VectorStore (bytes for byte data) and compares a
// query with every one. No training, no search parameters.
#pragma once

#include "annlab/index.h"
#include "annlab/vector_store.h"

namespace annlab {

class FlatIndex final : public Index, public Explainable, public Serializable, public Refinable {
 public:
  explicit FlatIndex(size_t d) : Index(d), base_(d) {}

  size_t size() const override { return base_.size(); }
  std::string describe() const override { return "Flat"; }
  Status add(const VectorView& x) override;
  Status share_base(std::shared_ptr<const VectorStore> b) override { return base_.share(std::move(b)); }
  const BaseVectors& base_vectors() const override { return base_; }
  size_t memory_bytes() const override { return base_.owned_bytes() + norms_.capacity() * sizeof(float); }
  const VectorStore& store() const { return base_.store(); }

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
  // Byte rows' chunk norms (byte_chunk_norms), which let the one-query scan pass over most rows
  // without reading them; kept for rows 0..size() of a byte store (empty for floats and in the
  // WebAssembly build), computed on add and load, not saved.
  void update_norms();
  BaseVectors base_;
  std::vector<float> norms_;
};

}  // namespace annlab
