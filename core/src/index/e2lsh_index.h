// Private header (core/src/index): p-stable LSH for the L2 distance (Datar, Immorlica, Indyk, Mirrokni):
// "E2LSH<k>x<L>".
//
// Each of L tables concatenates k functions h(v) = floor((a . v + b) / w), a Gaussian (2-stable)
// and b uniform in [0, w): space is cut into parallel slabs of width w along k random directions,
// and a bucket is a cell of that grid. Candidates are the union of the query's buckets, re-ranked
// exactly. Build parameter `w` (slab width, in the data's units; by default half the median
// distance between random training pairs). Search parameter `probes`: buckets per table, the
// query's own, then its neighbours one slab over along the directions where the query lies
// nearest a slab boundary (Lv et al.'s multi-probe, in increasing sum of squared distances).
//   More k: smaller buckets, fewer candidates, lower recall per table. More L: the reverse, and
//   more memory. Wider w: bigger buckets.
#pragma once

#include <cstdint>
#include <vector>

#include "parts/bucket_table.h"
#include "annlab/index.h"
#include "annlab/params.h"
#include "annlab/vector_store.h"

namespace annlab {

class E2LshIndex final : public Index, public Explainable, public Serializable, public Refinable {
 public:
  E2LshIndex(size_t d, int k, int tables, const BuildParams& params);

  size_t size() const override { return base_.size(); }
  std::string describe() const override { return cat("E2LSH", k_, "x", tables_); }
  bool is_trained() const override { return w_ > 0; }
  Status train(const VectorView& x) override;
  Status add(const VectorView& x) override;
  Status share_base(std::shared_ptr<const VectorStore> b) override { return base_.share(std::move(b)); }
  const BaseVectors& base_vectors() const override { return base_; }
  size_t memory_bytes() const override;
  Status check_search_params(const SearchParams& p) const override;

  double w() const { return w_; }
  int k() const { return k_; }
  int tables() const { return tables_; }
  // The k slab numbers of x (d floats) in table t, and the bucket key they hash to.
  void slabs(int t, const float* x, int64_t* h) const;
  uint64_t key(int t, const float* x) const;

  Result<Structure> explain_structure() const override;
  Result<Trace> explain_query(const VectorView& q, size_t k, const SearchParams& p) const override;
  void save_payload(BinaryWriter& w) const override;
  Status load_payload(BinaryReader& r) override;

 protected:
  void search_batch(const VectorView& q, size_t k, const SearchParams& params, int64_t* ids, float* distances,
                    QueryStats* stats) const override;

 private:
  template <class Tracer>
  void search_one(const VectorView& q, size_t i, size_t k, int64_t probes, std::vector<uint32_t>& mark,
                  uint32_t epoch, int64_t* ids, float* dist, QueryStats* st, Tracer& tr) const;
  int k_, tables_;
  BuildParams params_;
  double w_ = 0;                  // 0 until trained
  std::vector<float> a_;          // tables * k * d
  std::vector<float> b_;          // tables * k, in [0, w)
  std::vector<detail::BucketTable> table_;
  BaseVectors base_;
};

// The 64-bit bucket key of k slab numbers (a fixed mix; the same in every build).
uint64_t slab_key(const int64_t* h, size_t k);

}  // namespace annlab
