// Private header (core/src/index): the inverted file: "IVF<nlist>,Flat", "IVF<nlist>,PQ<M>" and
// "LOPQ<nlist>,PQ<M>" — a cell router (annlab/router.h) and a list scanner (parts/list_scanners.h).
//
// The router cuts space into nlist cells (k-means); each vector is stored in its cell's list. A
// query visits the nprobe cells the router picks, in its order, and the scanner compares it with
// the entries there: exactly (Flat), through product quantization of the residual to the cell's
// centroid (PQ), or of that residual rotated into the cell's principal axes (LOPQ).
//   nprobe: more cells, more candidates, higher recall, slower (nprobe = nlist is exhaustive).
// With the learned router ("Router<nlist>": parts/learned_router.h) layer 1 picks the cells and,
// with `rerank`, layer 2 picks which members of each are compared: rerank = r, the r most probable
// members of each probed cell are compared exactly; rerank = 0, the k most probable members over
// the probed cells (probability of the cell times that of the member) are the answer.
// The exact `rerank` of PQ candidates is the wrapper around it (index/refine_index.h), and OPQ's
// rotation a transform in front of it (index/transformed_index.h).
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "annlab/index.h"
#include "annlab/router.h"
#include "parts/list_scanners.h"

namespace annlab {

enum class IvfLists : uint8_t { Flat, PqResiduals, LocalPq };

class IvfIndex final : public Index, public Explainable, public Serializable {
 public:
  IvfIndex(size_t d, size_t nlist, IvfLists lists, size_t pq_m, const BuildParams& params);
  // With another router over nlist cells (a learned one, or one fed precomputed cell scores).
  IvfIndex(std::unique_ptr<CellRouter> router, IvfLists lists, size_t pq_m, const BuildParams& params);

  size_t size() const override { return n_; }
  std::string describe() const override;
  bool is_trained() const override { return trained_; }
  Status train(const VectorView& x) override { return train_task(x).run(); }
  TrainTask train_task(VectorView x) override;
  Status add(const VectorView& x) override;
  size_t memory_bytes() const override;
  Status check_search_params(const SearchParams& p) const override;
  Status check_inputs(const VectorView& x) const override { return router_->check_inputs(x); }
  // A learned router run by the page's ONNX Runtime Web: queries are prepared (never the base: a
  // vector is stored in its nearest centroid's cell).
  bool computes_elsewhere() const override { return router_->computes_elsewhere(); }
  bool base_computed_elsewhere() const override { return false; }
  TrainTask prepare_task(VectorView x) override { return router_->prepare_task(x); }
  double prepared_row_ms() const override { return router_->prepared_row_ms(); }
  // IVF-Flat gives exact distances; the PQ lists estimate them from codes.
  DistanceKind distance_kind(const SearchParams&) const override {
    return scanner_->exact() ? DistanceKind::SquaredL2 : DistanceKind::EstimatedSquaredL2;
  }

  size_t nlist() const { return nlist_; }
  const CellRouter& router() const { return *router_; }
  const std::vector<float>& centroids() const { return router_->centroids(); }
  size_t list_size(size_t c) const { return lists_.ids[c].size(); }
  const ListScanner& scanner() const { return *scanner_; }

  Result<Structure> explain_structure() const override;
  Result<Trace> explain_query(const VectorView& q, size_t k, const SearchParams& p) const override;
  void save_payload(BinaryWriter& w) const override;
  Status load_payload(BinaryReader& r) override;

 protected:
  void search_batch(const VectorView& q, size_t k, const SearchParams& params, int64_t* ids, float* distances,
                    QueryStats* stats) const override;

 private:
  void search_one(const float* q, size_t k, const SearchParams& p, int64_t* ids, float* dist, QueryStats* st,
                  std::vector<TraceEvent>* events, ListScanner::Query& s, std::vector<CellChoice>& cells) const;
  void explain_router(const float* q, size_t k, const SearchParams& p, Trace* t) const;
  size_t nlist_;
  IvfLists kind_;
  BuildParams params_;
  std::unique_ptr<CellRouter> router_;
  std::unique_ptr<ListScanner> scanner_;
  bool trained_ = false;
  size_t n_ = 0;
  size_t train_rows_ = 0;  // rows trained on (the router may know their cells until as many are added)
  InvertedLists lists_;
};

}  // namespace annlab
