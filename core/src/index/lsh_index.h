// Private header (core/src/index): random-hyperplane LSH with buckets, as in the seed notebook.
//
// Factory string "LSH<b>x<L>": L independent tables; in each, b random hyperplanes (Gaussian
// normals through the training mean) give every vector a b-bit bucket key. A query's candidates
// are the union of its L buckets, re-ranked exactly. Leaving b out ("LSHx8") picks
// b = floor(log2(n / bucket_size)) at training (build parameter bucket_size, default 16), the
// notebook's rule. Build parameter `seed` draws the hyperplanes.
//   More tables L: more candidates, higher recall, more memory and time.
//   More bits b: smaller buckets, fewer candidates, lower recall per table.
//   probes (search): buckets visited per table (multi-probe, Lv et al.): the query's own, then
//     the keys with the bits flipped whose hyperplanes pass closest to the query, in increasing
//     total distance. More probes: recall from fewer tables (less memory), more candidates.
#pragma once

#include <cstdint>
#include <vector>

#include "annlab/index.h"
#include "annlab/params.h"
#include "parts/bucket_table.h"
#include "annlab/vector_store.h"

namespace annlab {

class LshIndex final : public Index, public Explainable, public Serializable, public Refinable {
 public:
  static constexpr int kMaxBits = 64;
  static constexpr int kMaxTables = 1024;
  static constexpr int64_t kDefaultBucketSize = 16;

  // bits == 0 picks b at training from the bucket size. Arguments are checked by the factory.
  LshIndex(size_t d, int bits, int tables, const BuildParams& params);

  size_t size() const override { return base_.size(); }
  std::string describe() const override;
  bool is_trained() const override { return trained_; }
  Status train(const VectorView& x) override;
  Status add(const VectorView& x) override;
  Status share_base(std::shared_ptr<const VectorStore> b) override { return base_.share(std::move(b)); }
  const BaseVectors& base_vectors() const override { return base_; }
  size_t memory_bytes() const override;
  Status check_search_params(const SearchParams& p) const override;

  int bits() const { return bits_; }
  int tables() const { return tables_; }
  // Bucket key of x (d floats) in table t.
  uint64_t key(int t, const float* x) const;

  Result<Structure> explain_structure() const override;
  Result<Trace> explain_query(const VectorView& q, size_t k, const SearchParams& p) const override;
  void save_payload(BinaryWriter& w) const override;
  Status load_payload(BinaryReader& r) override;

 protected:
  void search_batch(const VectorView& q, size_t k, const SearchParams& params, int64_t* ids,
                    float* distances, QueryStats* stats) const override;

 private:
  template <class Tracer>
  void search_one(const VectorView& q, size_t i, size_t k, int64_t probes, std::vector<uint32_t>& mark,
                  uint32_t epoch, int64_t* ids, float* dist, QueryStats* st, Tracer& tr) const;

  int bits_;
  int tables_;
  BuildParams params_;
  bool trained_ = false;
  std::vector<float> planes_;      // tables * bits * d normals
  std::vector<float> offsets_;     // tables * bits: normal . mean
  std::vector<double> plane_norms_;  // tables * bits: |normal| (derived; multi-probe's distances)
  void compute_plane_norms();
  std::vector<detail::BucketTable> table_;  // tables_ of them (sorted (key, id) runs)
  BaseVectors base_;
};

}  // namespace annlab
