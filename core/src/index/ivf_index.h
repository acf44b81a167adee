// Private header (core/src/index): the inverted file: "IVF<nlist>,Flat" and "IVF<nlist>,PQ<M>".
//
// k-means cuts space into nlist Voronoi cells; each vector is stored in its cell's list (cells
// stored contiguously). A query visits the nprobe cells whose centroids are nearest, in order of
// distance, and compares itself with the vectors there: exactly (Flat), or through product
// quantization of the residual to the cell's centroid (PQ, with per-query lookup tables and an
// optional exact `rerank` of the best candidates).
//   nprobe: more cells, more candidates, higher recall, slower (nprobe = nlist is exhaustive).
//
// Two rotated variants of IVF-PQ:
//   "OPQ<M>,IVF<nlist>,PQ<M>": one d x d rotation R learned by alternating between training the PQ
//     on X R^T and solving the orthogonal Procrustes problem for R (Ge et al., OPQ); everything but
//     the exact re-rank lives in the rotated space.
//   "LOPQ<nlist>,PQ<M>": a rotation per coarse cell — the principal axes of the cell's residuals,
//     distributed over the M sub-vectors so that each gets about the same total variance (the
//     eigenvalue allocation of the seed slides). The codebooks are shared by all cells (the LOPQ
//     paper's "LOR+PQ"): per-cell codebooks would cost nlist x 256 x d floats.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "annlab/index.h"
#include "parts/pq.h"
#include "annlab/vector_store.h"

namespace annlab {

enum class IvfRotation : uint8_t { None, OPQ, Local };

class IvfIndex final : public Index, public Explainable, public Serializable, public Refinable {
 public:
  // pq_m == 0: the lists hold the vectors themselves (Flat); otherwise PQ codes of residuals.
  IvfIndex(size_t d, size_t nlist, size_t pq_m, const BuildParams& params, IvfRotation rot = IvfRotation::None);

  size_t size() const override { return n_; }
  std::string describe() const override;
  bool is_trained() const override { return trained_; }
  Status train(const VectorView& x) override { return train_task(x).run(); }
  TrainTask train_task(VectorView x) override;
  Status add(const VectorView& x) override;
  // IVF-Flat keeps its vectors in its lists; the PQ variants re-rank from base vectors (shareable).
  Status share_base(std::shared_ptr<const VectorStore> b) override {
    return pq_m_ ? refine_.share(std::move(b)) : Status::ok();
  }
  const BaseVectors& base_vectors() const override { return refine_; }
  size_t memory_bytes() const override;
  Status check_search_params(const SearchParams& p) const override;
  // IVF-Flat gives exact distances; the PQ variants estimate them from codes unless re-ranked.
  DistanceKind distance_kind(const SearchParams& p) const override {
    return pq_m_ == 0 || p.rerank.value_or(0) > 0 ? DistanceKind::SquaredL2 : DistanceKind::EstimatedSquaredL2;
  }

  size_t nlist() const { return nlist_; }
  const std::vector<float>& centroids() const { return centroids_; }
  size_t list_size(size_t c) const { return ids_[c].size(); }
  IvfRotation rotation_kind() const { return rot_; }
  const std::vector<float>& rotation() const { return rotation_; }          // OPQ: d x d
  const std::vector<float>& cell_rotations() const { return cell_rot_; }    // LOPQ: nlist x d x d

  Result<Structure> explain_structure() const override;
  Result<Trace> explain_query(const VectorView& q, size_t k, const SearchParams& p) const override;
  void save_payload(BinaryWriter& w) const override;
  Status load_payload(BinaryReader& r) override;

 protected:
  void search_batch(const VectorView& q, size_t k, const SearchParams& params, int64_t* ids, float* distances,
                    QueryStats* stats) const override;

 private:
  template <class Tracer>
  void search_one(const float* q, size_t k, const SearchParams& p, int64_t* ids, float* dist, QueryStats* st,
                  Tracer& tr, std::vector<float>& scratch) const;
  size_t nlist_, pq_m_;
  BuildParams params_;
  IvfRotation rot_;
  std::vector<float> rotation_;  // OPQ: z = R x, row-major d x d
  std::vector<float> cell_rot_;  // LOPQ: per cell, rows = principal axes in sub-vector order
  std::vector<float> cell_var_;  // LOPQ: per cell, the variance along each row of its rotation
  TrainTask train_local_rotations(float* r, const int32_t* label, size_t n);  // rotates r in place
  bool trained_ = false;
  size_t n_ = 0;
  DType dtype_ = DType::U8;                     // of the Flat lists
  std::vector<float> centroids_;                // nlist * d
  std::vector<std::vector<int64_t>> ids_;       // per list
  std::vector<std::vector<uint8_t>> bytes_;     // per list: vectors (u8) or PQ codes
  std::vector<std::vector<float>> floats_;      // per list: vectors (f32 Flat)
  std::unique_ptr<ProductQuantizer> pq_;        // PQ of residuals
  // IVF-PQ: per cell c, sub-space m, centroid j: ||r_mj||^2 + 2 <c_m, r_mj>, so that a query's
  // table for a cell is this plus -2 <q_m, r_mj> (computed once per query), and the distance is
  // ||q - c||^2 + the code's sum (FAISS's "precomputed tables"). Derived from the centroids and
  // codebooks; rebuilt on load. nlist * M * 256 floats.
  std::vector<float> precomputed_;
  void precompute_tables();
  BaseVectors refine_;                          // IVF-PQ: full vectors for rerank
};

}  // namespace annlab
