// annlab/router.h — a cell router: the part of an inverted file that says which cells a query
// visits. The inverted file (IVF, IVF-PQ, LOPQ, OPQ's inner index) cuts space into k-means cells
// and keeps one list per cell; a router learns the cells, assigns each added vector to one, and
// orders the cells a query should probe. The nearest-centroid router (exact distances to the
// centroids) is the classical one; a learned router (a model that predicts the cell of a query's
// neighbour) is another implementation over the same cells, whose per-query cell scores may be
// computed elsewhere and handed in (router outputs precomputed: see parts/precomputed.h).
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "annlab/dataset.h"
#include "annlab/status.h"
#include "annlab/train_task.h"

namespace annlab {

class BinaryReader;
class BinaryWriter;

// One cell to probe: its number and the router's value for it (for the nearest-centroid router the
// squared distance from the query to the cell's centroid; smaller is probed first).
struct CellChoice {
  float value = 0;
  int64_t cell = 0;
  bool operator<(const CellChoice& o) const { return value < o.value || (value == o.value && cell < o.cell); }
};

class CellRouter {
 public:
  virtual ~CellRouter() = default;
  size_t dim() const { return d_; }
  size_t cells() const { return nlist_; }
  // "centroids" for the nearest-centroid router.
  virtual std::string name() const = 0;
  virtual bool trained() const = 0;
  // Learns the cells from x (n x dim, n >= cells()), in steps; every draw from `seed`.
  virtual TrainTask train_task(VectorView x, uint64_t seed) = 0;
  // The cell of each of the n vectors of x (where add() puts them).
  virtual void assign(const VectorView& x, int32_t* cell) const = 0;
  // A router may keep the cells its training already decided (the nearest-centroid router's k-means ends
  // by assigning every training row to the final centroids, when it trained on all of them), which
  // assign() then answers for those rows unchanged. The record costs 12 bytes a training row until this
  // drops it; memory_bytes() leaves it out.
  virtual void drop_trained_cells() {}
  // The nprobe cells query q (dim floats) visits, in visiting order, into out[0..nprobe); returns
  // how many full-precision distances that cost.
  virtual size_t route(const float* q, size_t nprobe, CellChoice* out) const = 0;
  // Whether every query row of x can be routed now (a router whose cell scores are computed
  // elsewhere needs them handed in first: parts/precomputed.h).
  virtual Status check_inputs(const VectorView&) const { return Status::ok(); }
  // True when route()'s values are the squared distances to the centroids (an IVF-PQ scan then
  // reuses them instead of computing them again).
  virtual bool values_are_distances() const = 0;

  // ---- a router whose model runs elsewhere (ONNX Runtime Web in the page) --------------------
  // Its outputs for a query are computed ahead by prepare_task (annlab/index.h says how).
  virtual bool computes_elsewhere() const { return false; }
  virtual TrainTask prepare_task(VectorView) { return finished_task(); }
  virtual double prepared_row_ms() const { return 0; }

  // ---- a router that also ranks the members of a cell (the learned router's layer 2) --------
  virtual bool ranks_members() const { return false; }
  // The probability of each of the cell's members (list positions 0..members, in the order the
  // inverted list keeps them) being q's nearest neighbour, into probs; returns the cost in
  // distance-equivalents. Only when ranks_members() and members_status() is ok.
  virtual size_t rank_members(const float* q, size_t cell, std::vector<float>* probs) const {
    (void)q, (void)cell, (void)probs;
    return 0;
  }
  // Whether rank_members() can be used with these lists (its model was trained on these members).
  virtual Status members_status() const { return Status::error(cat(name(), " does not rank a cell's members")); }
  // At most this many cells per query can be ranked (the page ranks those it prepared).
  virtual size_t ranked_cells_limit() const { return cells(); }
  // After add() or load(): the lists (ids per cell), for a router whose model knows its members.
  virtual void lists_changed(const std::vector<std::vector<int64_t>>& ids, size_t n) { (void)ids, (void)n; }
  // The cells' centres, cells() x dim(): residuals are taken against them and the lab draws them.
  virtual const std::vector<float>& centroids() const = 0;
  virtual size_t memory_bytes() const = 0;
  virtual void save(BinaryWriter& w) const = 0;
  virtual Status load(BinaryReader& r) = 0;

 protected:
  CellRouter(size_t d, size_t nlist) : d_(d), nlist_(nlist) {}

 private:
  size_t d_, nlist_;
};

}  // namespace annlab
