#include "annlab/eval.h"

#include <cmath>

#include "index/flat_index.h"

namespace annlab {

Result<SearchResult> exact_knn(const VectorView& base, const VectorView& query, size_t k, int threads) {
  FlatIndex flat(base.d);
  ANNLAB_TRY(flat.add(base).with_context("base"));
  SearchResult r;
  ANNLAB_TRY(flat.search(query, k, SearchParams{}, &r, threads));
  return r;
}

Result<Quality> evaluate(const int64_t* result_ids, size_t result_k, const int64_t* gt_ids, size_t gt_k,
                         const VectorView& base, const VectorView& query, size_t k) {
  if (k == 0) return Status::error("k = 0: evaluate at least one neighbour");
  if (k > result_k) return Status::error(cat("k = ", k, " exceeds the ", result_k, " results per query"));
  if (k > gt_k) return Status::error(cat("k = ", k, " exceeds the ", gt_k, " ground-truth neighbours per query"));
  if (base.d != query.d) return Status::error(cat("base dimension ", base.d, " != query dimension ", query.d));
  const Kernels& kern = kernels();
  std::vector<float> q(base.d), x(base.d);
  auto true_dist = [&](int64_t id) {
    base.row_to_f32(size_t(id), x.data());
    return double(kern.l2sq_f32(q.data(), x.data(), base.d));
  };
  Quality out;
  out.nq = query.n;
  out.k = k;
  double ratio_sum = 0.0;
  size_t ratio_n = 0;
  std::vector<double> gt_d(k), res_d(k);
  for (size_t i = 0; i < query.n; ++i) {
    query.row_to_f32(i, q.data());
    for (size_t j = 0; j < k; ++j) {
      const int64_t g = gt_ids[i * gt_k + j];
      if (g < 0 || size_t(g) >= base.n)
        return Status::error(cat("ground truth of query ", i, ", rank ", j, ": id ", g, " is outside the base (n = ", base.n, ")"));
      gt_d[j] = true_dist(g);
    }
    // Ties: a returned point counts when it is no farther than the k-th (resp. 1st) true neighbour.
    const double kth = gt_d[k - 1] * (1 + 1e-6) + 1e-6;
    const double first = gt_d[0] * (1 + 1e-6) + 1e-6;
    size_t hits = 0;
    bool found_first = false;
    for (size_t j = 0; j < k; ++j) {
      const int64_t id = result_ids[i * result_k + j];
      if (id < 0) { res_d[j] = -1; continue; }
      if (size_t(id) >= base.n)
        return Status::error(cat("result of query ", i, ", rank ", j, ": id ", id, " is outside the base (n = ", base.n, ")"));
      bool dup = false;
      for (size_t m = 0; m < j; ++m) dup |= result_ids[i * result_k + m] == id;
      res_d[j] = true_dist(id);
      if (dup) continue;
      if (res_d[j] <= kth) ++hits;
      if (res_d[j] <= first) found_first = true;
    }
    out.recall += double(hits) / double(k);
    out.one_recall += found_first ? 1.0 : 0.0;
    for (size_t j = 0; j < k; ++j) {
      if (res_d[j] < 0) continue;
      if (gt_d[j] > 0) {
        ratio_sum += std::sqrt(res_d[j]) / std::sqrt(gt_d[j]);
        ++ratio_n;
      } else if (res_d[j] == 0) {
        ratio_sum += 1.0;
        ++ratio_n;
      }
    }
  }
  if (query.n) {
    out.recall /= double(query.n);
    out.one_recall /= double(query.n);
  }
  out.distance_ratio = ratio_n ? ratio_sum / double(ratio_n) : 0.0;
  return out;
}

Result<RouterScores> router_scores(const VectorView& base, const VectorView& queries, const int64_t* pick,
                                   const int64_t* top5, const int32_t* cell, const int32_t* true_cell,
                                   const int64_t* truth, size_t gt_k, const int64_t* ivf, const int64_t* random) {
  if (gt_k < 5) return Status::error(cat("router scores need the 5 true nearest neighbours per query, got ", gt_k));
  if (queries.n == 0) return Status::error("router scores need at least one query");
  if (queries.d != base.d)
    return Status::error(cat("queries have dimension ", queries.d, ", the base ", base.d));
  std::vector<float> a(base.d), b(base.d);
  auto in_base = [&](int64_t id) { return id >= 0 && uint64_t(id) < base.n; };
  // Euclidean distance between base rows; a missing answer (-1) is refused: every router answers.
  auto dist = [&](int64_t i, int64_t j, const char* what, size_t q) -> Result<double> {
    if (!in_base(i) || !in_base(j))
      return Status::error(cat("query ", q, ": ", what, " id ", in_base(i) ? j : i, " is outside the base of ", base.n));
    if (i == j) return 0.0;
    base.row_to_f32(size_t(i), a.data());
    base.row_to_f32(size_t(j), b.data());
    double s = 0;
    for (size_t t = 0; t < base.d; ++t) s += (double(a[t]) - b[t]) * (double(a[t]) - b[t]);
    return std::sqrt(s);
  };
  RouterScores r;
  r.queries = queries.n;
  for (size_t q = 0; q < queries.n; ++q) {
    const int64_t* t = truth + q * gt_k;
    ANNLAB_ASSIGN_OR_RETURN(double dr, dist(pick[q], t[0], "the router's answer", q));
    ANNLAB_ASSIGN_OR_RETURN(double dn, dist(random[q], t[0], "the random answer", q));
    ANNLAB_ASSIGN_OR_RETURN(double di, dist(ivf[q], t[0], "IVF's answer", q));
    r.mean_distance_router += dr;
    r.mean_distance_random += dn;
    r.mean_distance_ivf += di;
    r.layer1_accuracy += cell[q] == true_cell[q];
    r.layer2_top1 += pick[q] == t[0];
    bool in5 = false, seed = false;
    for (size_t j = 0; j < 5; ++j) {
      in5 = in5 || top5[q * 5 + j] == t[0];
      seed = seed || pick[q] == t[j];
    }
    r.layer2_top5 += in5;
    r.seed_metric += seed;
  }
  const double n = double(queries.n);
  for (double* v : {&r.mean_distance_router, &r.mean_distance_random, &r.mean_distance_ivf, &r.layer1_accuracy,
                    &r.layer2_top1, &r.layer2_top5, &r.seed_metric})
    *v /= n;
  return r;
}

Result<double> label_precision(const int64_t* result_ids, size_t result_k, size_t nq, size_t k,
                               const std::vector<int32_t>& base_labels, const std::vector<int32_t>& query_labels) {
  if (k == 0 || k > result_k) return Status::error(cat("precision@", k, ": k must be 1..", result_k, " (the result's width)"));
  if (query_labels.size() != nq)
    return Status::error(cat(query_labels.size(), " query labels for ", nq, " queries"));
  if (nq == 0) return Status::error("precision: no queries");
  size_t hits = 0;
  for (size_t q = 0; q < nq; ++q)
    for (size_t j = 0; j < k; ++j) {
      const int64_t id = result_ids[q * result_k + j];
      if (id < -1 || id >= int64_t(base_labels.size()))
        return Status::error(cat("query ", q, ": id ", id, " is outside the ", base_labels.size(), " labelled base rows"));
      hits += id >= 0 && base_labels[size_t(id)] == query_labels[q];
    }
  return double(hits) / double(nq * k);
}

}  // namespace annlab
