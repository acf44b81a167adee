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

}  // namespace annlab
