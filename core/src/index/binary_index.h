// Private header (core/src/index): binary codes ranked by Hamming distance: "SimHash<bits>", "ITQ<bits>",
// and any other binary encoder (encoder.h).
//
// A BinaryEncoder gives every vector a code of `bits` bits; this index answers a query with the
// codes nearest to its own in Hamming distance (popcount kernels at every SIMD level). The exact
// `rerank` of the best codes is the wrapper around it (index/refine_index.h). SimHash is what FAISS calls IndexLSH
// ("LSHrt"); annlab's LSH is the bucketed hash.
// bits: 32 to 1024. More bits: finer ranking, better recall, more bytes and a slower scan.
#pragma once

#include <cstdint>
#include <vector>

#include "parts/bit_planes.h"
#include "annlab/encoder.h"
#include "annlab/index.h"

namespace annlab {

class BinaryCodeIndex final : public Index, public Explainable, public Serializable {
 public:
  static constexpr size_t kMinBits = 32, kMaxBits = 1024;
  BinaryCodeIndex(std::unique_ptr<BinaryEncoder> encoder, const BuildParams& params);

  size_t size() const override { return codes_.size() / words_; }
  std::string describe() const override;
  bool is_trained() const override { return enc_->trained(); }
  Status train(const VectorView& x) override;
  TrainTask train_task(VectorView x) override;  // SimHash: bits in chunks; ITQ: PCA blocks, rotation rounds
  Status add(const VectorView& x) override;
  DistanceKind distance_kind(const SearchParams&) const override { return DistanceKind::Hamming; }
  Status check_inputs(const VectorView& x) const override { return enc_->check_inputs(x); }
  bool computes_elsewhere() const override { return enc_->computes_elsewhere(); }
  TrainTask prepare_task(VectorView x) override { return enc_->prepare_task(x); }
  double prepared_row_ms() const override { return enc_->prepared_row_ms(); }
  size_t memory_bytes() const override { return codes_.size() * 8 + planes_.memory_bytes() + enc_->memory_bytes(); }

  size_t bits() const { return bits_; }
  size_t words() const { return words_; }
  const std::vector<uint64_t>& codes() const { return codes_; }  // size() * words()
  // The code of one vector (d floats) into words() words.
  void encode(const float* x, uint64_t* code) const;
  const BinaryEncoder& encoder() const { return *enc_; }

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
  // The k results from the candidates' ids (nearest first), their Hamming distances recomputed.
  template <class Tracer>
  void write_results(const uint64_t* code, const std::vector<int64_t>& cand, size_t k, int64_t* ids, float* dist,
                     Tracer& tr) const;
  size_t bits_, words_;
  std::unique_ptr<BinaryEncoder> enc_;
  BuildParams params_;
  std::vector<uint64_t> codes_;   // n x words
  // The WebAssembly build also keeps the codes bit-sliced (bit_planes.h) and ranks with them; the
  // native build leaves this empty.
  BitPlanes planes_;
};

// Ids of the `cap` codes nearest to the query code q in Hamming distance, ties to the lower id, in
// increasing (distance, id) order: the scan and the selection fused, block by block, with a heap
// of packed (distance, id) keys that a code enters only when it beats the current cap-th.
// Needs n < 2^32. Same answer as hamming_scan + select_smallest.
void hamming_smallest(const uint64_t* q, const uint64_t* codes, size_t n, size_t words, size_t cap,
                      std::vector<int64_t>* out);

// hamming_smallest for g query codes (g * words words) at once: outs[i] is query i's answer, the
// same as alone; each block of codes is scanned for the whole group while it is in L1.
void hamming_smallest_group(const uint64_t* qs, size_t g, const uint64_t* codes, size_t n, size_t words, size_t cap,
                            std::vector<int64_t>* outs);

// Indices of the `cap` smallest of n Hamming distances (<= max_dist), ties broken by lower index,
// in increasing (distance, index) order — a counting selection, O(n + max_dist).
void select_smallest(const uint32_t* dist, size_t n, uint32_t max_dist, size_t cap, std::vector<int64_t>* out);

}  // namespace annlab
