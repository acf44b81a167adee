// Helpers shared by the core tests.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include <cmath>
#include <functional>
#include <memory>
#include <numeric>

#include "annlab/dataset.h"
#include "annlab/eval.h"
#include "annlab/factory.h"
#include "annlab/generators.h"
#include "annlab/pca.h"
#include "annlab/random.h"

namespace annlab::test {

// n x d floats uniform in [-1, 1), or integer-valued in [lo, hi] when `integers`.
inline std::vector<float> random_floats(size_t n, size_t d, uint64_t seed, bool integers = false, int lo = 0,
                                        int hi = 255) {
  Rng rng(seed);
  std::vector<float> x(n * d);
  for (float& v : x)
    v = integers ? float(lo + int64_t(rng.below(uint64_t(hi - lo + 1)))) : float(rng.uniform(-1.0, 1.0));
  return x;
}

inline std::vector<uint8_t> random_bytes(size_t n, size_t d, uint64_t seed) {
  Rng rng(seed);
  std::vector<uint8_t> x(n * d);
  for (uint8_t& v : x) v = uint8_t(rng.below(256));
  return x;
}

// Exact k nearest by a plain loop in double precision: (distance, id), nearest first, ties by id.
inline std::vector<std::pair<double, int64_t>> brute_force(const VectorView& base, const float* q, size_t k) {
  std::vector<std::pair<double, int64_t>> all;
  for (size_t i = 0; i < base.n; ++i) {
    double s = 0;
    for (size_t j = 0; j < base.d; ++j) {
      const double t = double(base.at(i, j)) - double(q[j]);
      s += t * t;
    }
    all.push_back({s, int64_t(i)});
  }
  std::sort(all.begin(), all.end());
  all.resize(std::min(k, all.size()));
  return all;
}

// A file name in the temp folder unique to the running test (parameterised names hold '/').
inline std::string temp_path(const std::string& name) {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  std::string stem = std::string(info->test_suite_name()) + "." + info->name();
  for (char& c : stem)
    if (c == '/') c = '_';
  return ::testing::TempDir() + "annlab_" + stem + "_" + name;
}

inline std::vector<uint8_t> bytes_of(const std::string& s) { return std::vector<uint8_t>(s.begin(), s.end()); }

// Base vectors, held-out queries and their exact 10 nearest neighbours.
struct KnnData {
  Dataset base, query;
  SearchResult gt;
};

// The first n_base rows of `all` as the base, the rest as queries.
inline KnnData split_knn(const Dataset& all, size_t n_base) {
  KnnData out;
  std::vector<size_t> b(n_base), q(all.n - n_base);
  std::iota(b.begin(), b.end(), size_t{0});
  std::iota(q.begin(), q.end(), n_base);
  out.base = all.subset(b);
  out.query = all.subset(q);
  out.gt = exact_knn(out.base.view(), out.query.view(), 10).value();
  return out;
}

// n uniform random bytes of dimension d (seeded), the first n_base the base and the rest queries:
// no clusters, so many points are nearly equidistant from a query.
inline KnnData random_byte_knn(size_t n, size_t d, size_t n_base, uint64_t seed) {
  Dataset all;
  all.n = n;
  all.d = d;
  all.dtype = DType::U8;
  all.u8 = random_bytes(n, d, seed);
  return split_knn(all, n_base);
}

// The first `rows` byte queries as floats plus `offset` (not integers: the float paths answer).
inline std::vector<float> offset_queries(const Dataset& q, size_t rows, float offset) {
  std::vector<float> out(rows * q.d);
  for (size_t t = 0; t < out.size(); ++t) out[t] = float(q.u8[t]) + offset;
  return out;
}

// n x dim points: uniform coordinates scaled by scale(axis), then randomly rotated, so the
// variance sits unevenly in directions that cut across the coordinate axes.
inline Dataset rotated_spectrum(size_t n, size_t dim, uint64_t seed, uint64_t rotation_seed,
                                const std::function<double(size_t)>& scale) {
  const std::vector<float> z = random_floats(n, dim, seed), r = random_rotation(dim, rotation_seed);
  Dataset out;
  out.n = n;
  out.d = dim;
  out.f32.resize(n * dim);
  for (size_t i = 0; i < n; ++i)
    for (size_t a = 0; a < dim; ++a) {
      double v = 0;
      for (size_t b = 0; b < dim; ++b) v += double(r[a * dim + b]) * z[i * dim + b] * scale(b);
      out.f32[i * dim + a] = float(v);
    }
  return out;
}

// An index made from spec, trained on and filled with base.
inline std::unique_ptr<Index> build(const std::string& spec, const Dataset& base, BuildParams bp = {}) {
  auto made = make_index(spec, base.d, bp);
  EXPECT_TRUE(made.is_ok()) << made.message();
  auto index = std::move(made).value();
  Status st = index->train(base.view());
  EXPECT_TRUE(st.is_ok()) << spec << ": " << st.message();
  st = index->add(base.view());
  EXPECT_TRUE(st.is_ok()) << spec << ": " << st.message();
  return index;
}

// recall@10 of index on d's queries.
inline double recall10(const Index& index, const SearchParams& p, const KnnData& d) {
  SearchResult r;
  const Status st = index.search(d.query.view(), 10, p, &r);
  EXPECT_TRUE(st.is_ok()) << st.message();
  return evaluate(r.ids.data(), 10, d.gt.ids.data(), 10, d.base.view(), d.query.view(), 10)->recall;
}


// ---- shared data sets of the index tests (each built once per test binary) --------------------


// 10,000 points from 10 Gaussian blobs in 32-d, and 100 queries from the same distribution. (On a
// single structureless Gaussian, HNSW16 at efSearch 64 reaches 0.96 — hnswlib measured 0.960 and
// annlab 0.963 on the same points — because nothing there is "near" in 32-d.)
inline const KnnData& data32() {
  static const KnnData d = test::split_knn(make_gaussian_blobs(10100, 32, 10, 1.0, 21).value(), 10000);
  return d;
}

// 16-d Gaussian with variances 2^-j along its axes, randomly rotated: the variance is packed into a
// few directions that cut across PQ's sub-vectors, which is what OPQ and LOPQ repair.
inline const KnnData& correlated16() {
  static const KnnData d =
      test::split_knn(test::rotated_spectrum(4100, 16, 77, 5, [](size_t b) { return std::ldexp(8.0, -int(b) / 2); }), 4000);
  return d;
}

inline double max_off_orthogonality(const float* r, size_t d) {
  double worst = 0;
  for (size_t i = 0; i < d; ++i)
    for (size_t j = 0; j < d; ++j) {
      double v = 0;
      for (size_t k = 0; k < d; ++k) v += double(r[i * d + k]) * r[j * d + k];
      worst = std::max(worst, std::fabs(v - (i == j ? 1.0 : 0.0)));
    }
  return worst;
}

// 5,000 points from 20 Gaussian blobs in 64-d and 100 queries from the same distribution.
inline const KnnData& data64() {
  static const KnnData d = test::split_knn(make_gaussian_blobs(5100, 64, 20, 1.0, 31).value(), 5000);
  return d;
}

// 64-d data whose variance decays along its (randomly rotated) axes, as in real embeddings and
// images: 4,000 base points and 100 queries.
inline const KnnData& decaying64() {
  static const KnnData d =
      test::split_knn(test::rotated_spectrum(4100, 64, 99, 8, [](size_t b) { return std::exp(-double(b) / 8); }), 4000);
  return d;
}

}  // namespace annlab::test
