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

}  // namespace annlab::test
