// annlab/binary_index.h — binary codes ranked by Hamming distance: "SimHash<bits>" and "ITQ<bits>".
//
// Both give every vector a code of `bits` bits, bit j = [w_j . x >= t_j], and answer a query with
// the codes nearest to its own in Hamming distance (popcount kernels at every SIMD level), with an
// optional exact `rerank` of that many of the best codes.
//   SimHash: w_j are the rows of random rotations (as many as the bits need), t_j the median of
//     w_j . x over the training set (trained thresholds: every bit splits the data in half).
//     This is what FAISS calls IndexLSH ("LSHrt"); annlab's LSH is the bucketed hash.
//   ITQ (iterative quantization, Gong & Lazebnik): PCA to `bits` dimensions, then a rotation R
//     learned by alternating B = sign(V R^T) and the orthogonal Procrustes fit of R to B, so the
//     signs lose as little as possible; w_j = rows of R P, t_j = w_j . mean. Needs bits <= d.
// bits: 32 to 1024. More bits: finer ranking, better recall, more bytes and a slower scan.
#pragma once

#include <cstdint>
#include <vector>

#include "annlab/bit_planes.h"
#include "annlab/index.h"
#include "annlab/vector_store.h"

namespace annlab {

enum class BinaryHash : uint8_t { SimHash, ITQ };

class BinaryCodeIndex final : public Index, public Explainable, public Serializable, public Refinable {
 public:
  static constexpr size_t kMinBits = 32, kMaxBits = 1024;
  BinaryCodeIndex(size_t d, size_t bits, BinaryHash kind, const BuildParams& params);

  size_t size() const override { return base_.size(); }
  std::string describe() const override;
  bool is_trained() const override { return !w_.empty(); }
  Status train(const VectorView& x) override;
  TrainTask train_task(VectorView x) override;  // SimHash: bits in chunks; ITQ: PCA blocks, rotation rounds
  Status add(const VectorView& x) override;
  Status share_base(std::shared_ptr<const VectorStore> b) override { return base_.share(std::move(b)); }
  const BaseVectors& base_vectors() const override { return base_; }
  DistanceKind distance_kind(const SearchParams& p) const override {
    return p.rerank.value_or(0) > 0 ? DistanceKind::SquaredL2 : DistanceKind::Hamming;
  }
  size_t memory_bytes() const override {
    return codes_.size() * 8 + planes_.memory_bytes() + w_.size() * 4 + t_.size() * 4 + base_.owned_bytes();
  }

  size_t bits() const { return bits_; }
  size_t words() const { return words_; }
  const std::vector<uint64_t>& codes() const { return codes_; }  // size() * words()
  // The code of one vector (d floats) into words() words.
  void encode(const float* x, uint64_t* code) const;
  // The projections (bits x d) and thresholds: bit j = [w_j . x >= t_j].
  const std::vector<float>& projections() const { return w_; }
  const std::vector<float>& thresholds() const { return t_; }
  // ITQ: the quantization loss ||B - V R^T||^2 / n after each rotation update (empty for SimHash).
  const std::vector<double>& itq_loss() const { return loss_; }

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
                  QueryStats* st, Tracer& tr, std::vector<uint32_t>& ham) const;
  size_t bits_, words_;
  BinaryHash kind_;
  BuildParams params_;
  std::vector<float> w_, t_;      // bits x d, bits
  std::vector<double> loss_;
  std::vector<uint64_t> codes_;   // n x words
  // The WebAssembly build also keeps the codes bit-sliced (bit_planes.h) and ranks with them; the
  // native build leaves this empty.
  BitPlanes planes_;
  BaseVectors base_;             // full vectors, for rerank
};

// Ids of the `cap` codes nearest to the query code q in Hamming distance, ties to the lower id, in
// increasing (distance, id) order: the scan and the selection fused, block by block, with a heap
// of packed (distance, id) keys that a code enters only when it beats the current cap-th.
// Needs n < 2^32. Same answer as hamming_scan + select_smallest.
void hamming_smallest(const uint64_t* q, const uint64_t* codes, size_t n, size_t words, size_t cap,
                      std::vector<int64_t>* out);

// Indices of the `cap` smallest of n Hamming distances (<= max_dist), ties broken by lower index,
// in increasing (distance, index) order — a counting selection, O(n + max_dist).
void select_smallest(const uint32_t* dist, size_t n, uint32_t max_dist, size_t cap, std::vector<int64_t>* out);

}  // namespace annlab
