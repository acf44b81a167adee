// Private header (core/src/index): exact k-NN by a full scan: the ground truth of every recall figure.
//
// Factory string "Flat". Keeps the vectors in a VectorStore (bytes for byte data) and compares a
// query with every one; one query at a time over byte rows, from a strip-ordered copy that lets it
// rule out most rows unread (same answers). No training, no search parameters.
#pragma once

#include "annlab/index.h"
#include "annlab/vector_store.h"
#include "parts/strip_order.h"

namespace annlab {

class FlatIndex final : public Index, public Explainable, public Serializable, public Refinable {
 public:
  explicit FlatIndex(size_t d) : Index(d), base_(d) {}

  size_t size() const override { return base_.size(); }
  std::string describe() const override { return "Flat"; }
  Status add(const VectorView& x) override;
  Status share_base(std::shared_ptr<const VectorStore> b) override { return base_.share(std::move(b)); }
  const BaseVectors& base_vectors() const override { return base_; }
  size_t memory_bytes() const override { return base_.owned_bytes() + ordered_.memory_bytes(); }
  // add() rebuilds the strip-ordered copy over every row: callers add all vectors at once.
  bool rebuilds_on_add() const override { return true; }
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
  // A copy of byte rows in strips by two principal projections, with each row's projections on more
  // axes (StripOrderedRows), from which the one-query scan reads only the rows that can be in; kept for rows 0..size() of a byte
  // store up to kMaxOrderedBytes (else empty: the plain scan), rebuilt on add and load, not saved.
  void update_order();
  static constexpr size_t kMaxOrderedBytes = size_t(1) << 30;
  BaseVectors base_;
  detail::StripOrderedRows ordered_;
};

}  // namespace annlab
