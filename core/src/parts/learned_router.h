// Private header (core/src/parts): the learned router of the emulating-LSH seed paper (000_* in the
// seeds) as a cell router (annlab/router.h) of the inverted file: "Router<C>".
//
// Its cells are k-means cells learned by annlab-train with IVF<C>,Flat's own k-means (models/
// router.h): the manifest names the centroids file, so building the index learns nothing and the
// cells equal IVF<C>'s for the same data and seed. A vector is stored in its nearest centroid's cell,
// as IVF stores it. What differs is who picks the cells a query visits:
//   layer 1  (manifest "#layer1": x [N, d] -> probs [N, C]) the probability of each cell holding the
//            query's nearest neighbour; a query probes the nprobe most probable cells.
//   layer 2  (manifest "#layer2": [query, cell] [N, d + 1] -> probs [N, members_max]) the
//            probability of each member of that cell being the neighbour, members in ascending id
//            order as the inverted lists keep them; only valid over the very members it was
//            trained on (the manifest's assignment sha256 is checked against the lists).
// A model's cost is counted like IVF's centroid distances: its multiply-adds divided by d,
// rounded up, as distance-equivalents.
//
// Natively ONNX Runtime runs both layers inside search(). In the page (ONNX Runtime Web answers
// later) prepare_task() runs layer 1 for the query and layer 2 for its kPreparedCells most probable
// cells ahead; outputs are kept by the rows' contents (parts/precomputed.h).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "annlab/model.h"
#include "annlab/router.h"
#include "parts/precomputed.h"

namespace annlab {

class LearnedRouter final : public CellRouter {
 public:
  static constexpr size_t kPreparedCells = 16;  // cells per query whose layer 2 the page computes ahead

  LearnedRouter(size_t d, size_t nlist, std::string model_path);
  std::string name() const override { return "learned"; }
  bool trained() const override { return !centroids_.empty(); }
  // Opens the manifest, reads the cells, opens both layers (in steps; the page fetches files).
  TrainTask train_task(VectorView x, uint64_t seed) override;
  void assign(const VectorView& x, int32_t* cell) const override;
  size_t route(const float* q, size_t nprobe, CellChoice* out) const override;  // value = -probability
  Status check_inputs(const VectorView& x) const override;
  bool values_are_distances() const override { return false; }
  const std::vector<float>& centroids() const override { return centroids_; }
  size_t memory_bytes() const override;
  void save(BinaryWriter& w) const override;
  Status load(BinaryReader& r) override;

  bool computes_elsewhere() const override;
  TrainTask prepare_task(VectorView x) override;
  double prepared_row_ms() const override { return last_row_ms_; }

  bool ranks_members() const override { return true; }
  size_t rank_members(const float* q, size_t cell, std::vector<float>* probs) const override;
  Status members_status() const override;
  size_t ranked_cells_limit() const override;
  void lists_changed(const std::vector<std::vector<int64_t>>& ids, size_t n) override;

  const std::string& model_path() const { return path_; }
  // Layer 1's probabilities for q (C floats), for the lab's inspector.
  std::vector<float> cell_probabilities(const float* q) const;
  size_t layer1_cost() const { return cost1_; }
  size_t layer2_cost() const { return cost2_; }

 private:
  static bool runtime_is_asynchronous();
  TrainTask open_task();
  const float* layer1_of(const float* q, std::vector<float>* buf) const;
  std::string path_;
  std::vector<float> centroids_;  // cells x d
  std::unique_ptr<Model> layer1_, layer2_;
  std::string sha1_, sha2_, assignment_sha_, training_file_;
  size_t members_max_ = 0, training_rows_ = 0;
  size_t cost1_ = 1, cost2_ = 1;
  std::string lists_sha_;       // of the lists' assignment (int32 cell per id), from lists_changed
  size_t lists_n_ = 0;
  std::vector<size_t> sizes_;  // members per cell, from the lists
  OutputMemo<float> memo1_, memo2_;
  double last_row_ms_ = 0;
  mutable std::vector<CellChoice> scratch_;
  mutable std::vector<float> row_, out_;
};

std::unique_ptr<CellRouter> make_learned_router(size_t d, size_t nlist, std::string model_path);

}  // namespace annlab
