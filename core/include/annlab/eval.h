// annlab/eval.h — ground truth and the quality of an answer.
//
// recall@k follows ann-benchmarks' tie rule: a returned point counts when its true distance is
// <= the k-th true distance (so ties at the boundary are not held against a method).
// 1-recall@k: fraction of queries whose nearest neighbour (or a point as near) is returned.
// distance ratio: mean over queries and ranks of returned / true L2 distance (rank by rank).
// True distances of returned ids are recomputed exactly; the index's own distances are not trusted.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "annlab/dataset.h"
#include "annlab/index.h"
#include "annlab/status.h"

namespace annlab {

// Exact k nearest neighbours of every query (a Flat index scan).
Result<SearchResult> exact_knn(const VectorView& base, const VectorView& query, size_t k, int threads = 1);

struct Quality {
  size_t nq = 0;
  size_t k = 0;
  double recall = 0.0;          // recall@k, tie rule
  double one_recall = 0.0;      // 1-recall@k
  double distance_ratio = 0.0;  // >= 1; 1 is exact
};

// result_ids: nq x result_k (-1 = none); gt_ids: nq x gt_k true neighbours, nearest first.
// Uses the first k of each. Errors: k = 0, k > result_k or gt_k, counts that disagree with the
// query set, ids outside the base.
Result<Quality> evaluate(const int64_t* result_ids, size_t result_k, const int64_t* gt_ids,
                         size_t gt_k, const VectorView& base, const VectorView& query, size_t k);

// Label precision@k: the share of the first k returned ids whose base label is the query's label
// (an id of -1 counts as a miss). result_ids: nq x result_k. Errors: k = 0 or > result_k, label
// counts that disagree with the base or the queries, ids outside the base.
Result<double> label_precision(const int64_t* result_ids, size_t result_k, size_t nq, size_t k,
                               const std::vector<int32_t>& base_labels, const std::vector<int32_t>& query_labels);

// The seed paper's measures of a router (the emulating-LSH paper, 000_* in the seeds) over n held-out
// queries, against the GLOBAL exact neighbours (not only those in the query's own cell):
//   pick[i]      the router's answer (layer 2's most probable member of layer 1's cell; -1: none)
//   top5[5i..]   layer 2's five most probable members of that cell (-1 where fewer)
//   cell[i]      layer 1's cell; true_cell[i] the cell holding the true nearest neighbour
//   truth        n x gt_k (>= 5) exact neighbours, nearest first
//   ivf[i]       IVF's answer with the same k-means and one probe; random[i] a uniform base id
// Distances are Euclidean (not squared) between the predicted and the true nearest neighbour.
struct RouterScores {
  size_t queries = 0;
  double mean_distance_router = 0, mean_distance_random = 0, mean_distance_ivf = 0;
  double layer1_accuracy = 0;  // cell == true_cell
  double layer2_top1 = 0;      // pick == the true nearest neighbour
  double layer2_top5 = 0;      // the true nearest neighbour among top5
  double seed_metric = 0;      // pick among the true 5 nearest (the paper's "accuracy" of layer 2)
};
Result<RouterScores> router_scores(const VectorView& base, const VectorView& queries, const int64_t* pick,
                                   const int64_t* top5, const int32_t* cell, const int32_t* true_cell,
                                   const int64_t* truth, size_t gt_k, const int64_t* ivf, const int64_t* random);

}  // namespace annlab
