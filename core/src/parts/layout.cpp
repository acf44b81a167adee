// The neighbour-preserving 2-D layout (annlab/layout.h): a k-NN graph by annlab's HNSW, UMAP's
// fuzzy weights, a PCA start and UMAP's stochastic gradient descent with a = b = 1.
#include "annlab/layout.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "annlab/factory.h"
#include "annlab/index.h"
#include "annlab/pca.h"
#include "annlab/random.h"

namespace annlab {
namespace {

// exp(x) for x <= 0 from + - * / and an exact scaling by a power of two, so every platform gets
// the same bits (the C library's exp may differ in the last place between glibc and musl).
double det_exp(double x) {
  if (x < -700.0) return 0.0;
  constexpr double kLn2 = 0.69314718055994530942;
  const double nf = std::floor(x / kLn2 + 0.5);
  const double r = x - nf * kLn2;  // |r| <= 0.35
  double term = 1.0, sum = 1.0;
  for (int i = 1; i <= 18; ++i) {
    term *= r / i;
    sum += term;
  }
  return std::ldexp(sum, int(nf));
}

// A small, fast generator for the negative samples (splitmix64), seeded from the layout's seed.
struct SplitMix {
  uint64_t s;
  uint64_t next() {
    uint64_t z = (s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
};

float clip4(float v) { return v > 4.0f ? 4.0f : (v < -4.0f ? -4.0f : v); }

// The 2-D PCA of x (fitted on at most 20,000 rows: the lab's map does the same).
TrainTask pca2_task(VectorView x, std::vector<float>* xy) {
  Pca pca;
  TrainTask fit = fit_pca_task(x.rows(0, std::min<size_t>(x.n, 20000)), std::min<size_t>(2, x.d), &pca);
  while (fit.resume()) co_yield fit.step();
  ANNLAB_CO_TRY(fit.status());
  std::vector<float> p = pca.project(x);
  xy->assign(x.n * 2, 0.0f);
  for (size_t i = 0; i < x.n; ++i)
    for (size_t c = 0; c < pca.k; ++c) (*xy)[2 * i + c] = p[i * pca.k + c];
  co_return Status::ok();
}

}  // namespace

const char* layout_method_name(LayoutMethod m) { return m == LayoutMethod::Pca ? "pca" : "umap"; }

Result<LayoutMethod> parse_layout_method(std::string_view s) {
  if (s == "pca") return LayoutMethod::Pca;
  if (s == "umap") return LayoutMethod::Umap;
  return Status::error(cat("layout method '", s, "' is not one of pca, umap"));
}

TrainTask layout_task(VectorView x, LayoutParams params, std::vector<float>* xy, LayoutGraph* graph_out) {
  const size_t n = x.n;
  if (n < 3) co_return Status::error(cat("a layout needs at least 3 points, got ", n));
  ANNLAB_CO_TRY(x.check_finite("layout input"));
  if (params.method == LayoutMethod::Pca) {
    ANNLAB_CO_RUN(pca2_task(x, xy));
    co_return Status::ok();
  }
  if (params.neighbors < 2) co_return Status::error(cat("layout neighbours k = ", params.neighbors, " is below 2"));
  const size_t k = std::min(params.neighbors, n - 1);
  const size_t epochs = params.epochs ? params.epochs : (n <= 10000 ? 500 : 200);

  // 1. The k-NN graph through annlab's HNSW: add in blocks, then every point asks for k + 1.
  BuildParams bp;
  bp.seed = params.seed;
  bp.efConstruction = 100;
  Result<std::unique_ptr<Index>> made = make_index("HNSW16", x.d, bp);
  if (!made.is_ok()) co_return made.status();
  std::unique_ptr<Index> hnsw = std::move(made.value());
  ANNLAB_CO_TRY(hnsw->train(x));
  constexpr size_t kBlock = 512;
  for (size_t b = 0; b < n; b += kBlock) {
    ANNLAB_CO_TRY(hnsw->add(x.rows(b, std::min(kBlock, n - b))));
    ANNLAB_CO_STEP(cat("layout: k-NN graph (HNSW) ", std::min(n, b + kBlock), "/", n, " points added"),
                   0.3 * double(std::min(n, b + kBlock)) / double(n));
  }
  SearchParams sp;
  sp.efSearch = int64_t(std::max<size_t>(64, k + 1));
  LayoutGraph g;
  g.k = k;
  g.ids.assign(n * k, -1);
  g.dist2.assign(n * k, 0.0f);
  for (size_t b = 0; b < n; b += kBlock) {
    const size_t m = std::min(kBlock, n - b);
    SearchResult r;
    ANNLAB_CO_TRY(hnsw->search(x.rows(b, m), k + 1, sp, &r));
    for (size_t i = 0; i < m; ++i) {
      size_t out = 0;
      for (size_t j = 0; j <= k && out < k; ++j) {
        const int64_t id = r.ids[i * (k + 1) + j];
        if (id < 0 || size_t(id) == b + i) continue;
        g.ids[(b + i) * k + out] = id;
        g.dist2[(b + i) * k + out] = r.distances[i * (k + 1) + j];
        ++out;
      }
    }
    ANNLAB_CO_STEP(cat("layout: k-NN graph (HNSW) ", b + m, "/", n, " points searched"),
                   0.3 + 0.2 * double(b + m) / double(n));
  }
  hnsw.reset();

  // 2. Fuzzy weights per point (UMAP's smooth_knn_dist), then w = a + b - ab over both directions.
  const double target = deterministic_log(double(k)) / deterministic_log(2.0);
  double mean_dist = 0;
  size_t counted = 0;
  for (size_t i = 0; i < n * k; ++i)
    if (g.ids[i] >= 0) mean_dist += std::sqrt(double(g.dist2[i])), ++counted;
  mean_dist = counted ? mean_dist / double(counted) : 1.0;
  struct Edge {
    uint64_t key;  // min * n + max
    uint8_t dir;   // 0: from the smaller id
    float w;
  };
  std::vector<Edge> directed;
  directed.reserve(n * k);
  std::vector<double> dist(k);
  for (size_t i = 0; i < n; ++i) {
    double rho = 0;
    for (size_t j = 0; j < k; ++j) {
      dist[j] = std::sqrt(double(g.dist2[i * k + j]));
      if (g.ids[i * k + j] >= 0 && rho == 0 && dist[j] > 0) rho = dist[j];
    }
    double lo = 0, hi = std::numeric_limits<double>::infinity(), mid = 1.0;
    for (int it = 0; it < 64; ++it) {
      double psum = 0;
      for (size_t j = 0; j < k; ++j) {
        if (g.ids[i * k + j] < 0) continue;
        const double dd = dist[j] - rho;
        psum += dd > 0 ? det_exp(-dd / mid) : 1.0;
      }
      if (std::fabs(psum - target) < 1e-5) break;
      if (psum > target) {
        hi = mid;
        mid = (lo + hi) / 2;
      } else {
        lo = mid;
        mid = std::isinf(hi) ? mid * 2 : (lo + hi) / 2;
      }
    }
    const double sigma = std::max(mid, 1e-3 * mean_dist);
    for (size_t j = 0; j < k; ++j) {
      const int64_t id = g.ids[i * k + j];
      if (id < 0) continue;
      const double dd = dist[j] - rho;
      const double w = dd > 0 ? det_exp(-dd / sigma) : 1.0;
      const uint64_t a = std::min<uint64_t>(i, uint64_t(id)), b = std::max<uint64_t>(i, uint64_t(id));
      if (a == b) continue;
      directed.push_back({a * n + b, uint8_t(i == a ? 0 : 1), float(w)});
    }
  }
  // A total order (each directed edge appears once), so every standard library sorts it alike.
  std::sort(directed.begin(), directed.end(),
            [](const Edge& p, const Edge& q) { return p.key != q.key ? p.key < q.key : p.dir < q.dir; });
  std::vector<uint32_t> head, tail;
  std::vector<float> weight;
  for (size_t e = 0; e < directed.size();) {
    float w = directed[e].w;
    size_t next = e + 1;
    if (next < directed.size() && directed[next].key == directed[e].key) {
      const float o = directed[next].w;
      w = w + o - w * o;
      ++next;
    }
    const uint32_t a = uint32_t(directed[e].key / n), b = uint32_t(directed[e].key % n);
    head.push_back(a), tail.push_back(b), weight.push_back(w);
    head.push_back(b), tail.push_back(a), weight.push_back(w);
    e = next;
  }
  directed = {};
  float wmax = 0;
  for (float w : weight) wmax = std::max(wmax, w);
  ANNLAB_CO_STEP("layout: fuzzy weights", 0.52);

  // 3. The PCA start, scaled so its largest coordinate is 10.
  std::vector<float> y;
  ANNLAB_CO_RUN(pca2_task(x, &y));
  float ymax = 0;
  for (float v : y) ymax = std::max(ymax, std::fabs(v));
  const float scale = ymax > 0 ? 10.0f / ymax : 1.0f;
  for (float& v : y) v *= scale;

  // 4. Stochastic gradient descent (UMAP's optimize_layout_euclidean with a = b = 1, gamma = 1).
  const size_t ne = weight.size();
  std::vector<double> per_sample(ne, -1.0), next_sample(ne), per_negative(ne), next_negative(ne);
  for (size_t e = 0; e < ne; ++e) {
    const double samples = double(epochs) * double(weight[e]) / double(wmax);
    if (weight[e] < wmax / float(epochs)) continue;  // UMAP drops edges too weak to be sampled once
    per_sample[e] = double(epochs) / samples;
    per_negative[e] = per_sample[e] / double(params.negatives);
    next_sample[e] = per_sample[e];
    next_negative[e] = per_negative[e];
  }
  SplitMix rng{params.seed ^ 0x5EEDC0DEull};
  const size_t chunk = 1 << 18;
  for (size_t ep = 0; ep < epochs; ++ep) {
    const float alpha = 1.0f - float(ep) / float(epochs);
    const double epd = double(ep);
    for (size_t e0 = 0; e0 < ne; e0 += chunk) {
      const size_t e1 = std::min(ne, e0 + chunk);
      for (size_t e = e0; e < e1; ++e) {
        if (per_sample[e] <= 0 || next_sample[e] > epd) continue;
        const size_t a = head[e], b = tail[e];
        float* cur = &y[2 * a];
        float* oth = &y[2 * b];
        float dx = cur[0] - oth[0], dy = cur[1] - oth[1];
        float d2 = dx * dx + dy * dy;
        if (d2 > 0) {
          const float coef = -2.0f / (d2 + 1.0f);
          const float gx = clip4(coef * dx) * alpha, gy = clip4(coef * dy) * alpha;
          cur[0] += gx, cur[1] += gy;
          oth[0] -= gx, oth[1] -= gy;
        }
        next_sample[e] += per_sample[e];
        const int negs = int((epd - next_negative[e]) / per_negative[e]);
        for (int p = 0; p < negs; ++p) {
          const size_t c = size_t(rng.next() % n);
          if (c == a) continue;
          const float* o = &y[2 * c];
          dx = cur[0] - o[0], dy = cur[1] - o[1];
          d2 = dx * dx + dy * dy;
          if (d2 > 0) {
            const float coef = 2.0f / ((0.001f + d2) * (d2 + 1.0f));
            cur[0] += clip4(coef * dx) * alpha;
            cur[1] += clip4(coef * dy) * alpha;
          } else {
            cur[0] += 4.0f * alpha;
            cur[1] += 4.0f * alpha;
          }
        }
        next_negative[e] += double(negs) * per_negative[e];
      }
      ANNLAB_CO_STEP(cat("layout: epoch ", ep + 1, "/", epochs),
                     0.55 + 0.45 * (double(ep) + double(e1) / double(ne)) / double(epochs));
    }
  }
  *xy = std::move(y);
  if (graph_out) *graph_out = std::move(g);
  co_return Status::ok();
}

Result<std::vector<float>> compute_layout(const VectorView& x, const LayoutParams& params) {
  std::vector<float> xy;
  ANNLAB_TRY(layout_task(x, params, &xy).run());
  return xy;
}

void place_on_layout(const std::vector<float>& base_xy, const int64_t* ids, const float* dist2, size_t k, float* xy) {
  double sx = 0, sy = 0, sw = 0;
  const double nearest = k ? std::sqrt(double(std::max(0.0f, dist2[0]))) : 0;
  for (size_t j = 0; j < k; ++j) {
    if (ids[j] < 0 || size_t(ids[j]) * 2 + 1 >= base_xy.size()) continue;
    const double w = 1.0 / (std::sqrt(double(std::max(0.0f, dist2[j]))) + nearest / 10 + 1e-12);
    sx += w * base_xy[2 * size_t(ids[j])];
    sy += w * base_xy[2 * size_t(ids[j]) + 1];
    sw += w;
  }
  xy[0] = sw > 0 ? float(sx / sw) : 0.0f;
  xy[1] = sw > 0 ? float(sy / sw) : 0.0f;
}

Result<std::vector<float>> place_rows_on_layout(const Index& base, const std::vector<float>& base_xy, const VectorView& q,
                                                int threads) {
  const size_t k = std::min<size_t>(10, base.size());
  std::vector<float> xy(q.n * 2, 0.0f);
  if (q.n == 0 || k == 0) return xy;
  SearchResult r;
  ANNLAB_TRY(base.search(q, k, SearchParams{}, &r, threads));
  for (size_t i = 0; i < q.n; ++i) place_on_layout(base_xy, &r.ids[i * k], &r.distances[i * k], k, &xy[2 * i]);
  return xy;
}

Result<double> neighbour_preservation(const VectorView& x, const std::vector<float>& xy, size_t k, size_t sample,
                                      uint64_t seed) {
  const size_t n = x.n;
  if (xy.size() != 2 * n) return Status::error(cat("the map has ", xy.size() / 2, " points, the data ", n));
  if (k == 0 || k + 1 > n) return Status::error(cat("neighbour preservation: k = ", k, " needs more than ", k, " points"));
  std::vector<size_t> rows(n);
  std::iota(rows.begin(), rows.end(), size_t{0});
  if (sample < n) {
    Rng rng(seed);
    rng.shuffle(rows);
    rows.resize(sample);
    std::sort(rows.begin(), rows.end());
  }
  ANNLAB_ASSIGN_OR_RETURN(std::unique_ptr<Index> flat, make_index("Flat", x.d, BuildParams{}));
  ANNLAB_TRY(flat->add(x));
  std::vector<float> q(rows.size() * x.d), row(x.d);
  for (size_t i = 0; i < rows.size(); ++i) {
    x.row_to_f32(rows[i], row.data());
    std::copy(row.begin(), row.end(), q.begin() + long(i * x.d));
  }
  SearchResult r;
  ANNLAB_TRY(flat->search(VectorView::of(q.data(), rows.size(), x.d), k + 1, SearchParams{}, &r));
  double total = 0;
  std::vector<std::pair<float, int64_t>> map_d(n);
  for (size_t i = 0; i < rows.size(); ++i) {
    const size_t p = rows[i];
    std::vector<int64_t> truth;
    for (size_t j = 0; j <= k && truth.size() < k; ++j)
      if (r.ids[i * (k + 1) + j] != int64_t(p)) truth.push_back(r.ids[i * (k + 1) + j]);
    for (size_t o = 0; o < n; ++o) {
      const float dx = xy[2 * o] - xy[2 * p], dy = xy[2 * o + 1] - xy[2 * p + 1];
      map_d[o] = {o == p ? std::numeric_limits<float>::infinity() : dx * dx + dy * dy, int64_t(o)};
    }
    std::nth_element(map_d.begin(), map_d.begin() + long(k - 1), map_d.end());
    std::vector<int64_t> near;
    for (size_t j = 0; j < k; ++j) near.push_back(map_d[j].second);
    std::sort(near.begin(), near.end());
    size_t kept = 0;
    for (int64_t t : truth) kept += std::binary_search(near.begin(), near.end(), t);
    total += double(kept) / double(k);
  }
  return total / double(rows.size());
}

}  // namespace annlab
