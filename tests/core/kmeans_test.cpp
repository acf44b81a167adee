#include "parts/kmeans.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <set>

#include "annlab/distance.h"
#include "annlab/generators.h"
#include "test_util.h"

namespace annlab {
namespace {

TEST(KMeans, FindsWellSeparatedBlobs) {
  // 6 tight blobs far apart: every cluster should be one blob.
  auto ds = make_gaussian_blobs(3000, 5, 6, 0.1, 8, 50.0).value();
  KMeansParams p;
  p.k = 6;
  p.seed = 3;
  auto km = kmeans(ds.view(), p);
  ASSERT_TRUE(km.is_ok()) << km.message();
  std::vector<int32_t> label(ds.n);
  assign_nearest(ds.view(), km->centroids.data(), 6, label.data());
  std::vector<std::set<int32_t>> clusters_of_blob(6);
  for (size_t i = 0; i < ds.n; ++i) clusters_of_blob[size_t(ds.labels[i])].insert(label[i]);
  for (const auto& s : clusters_of_blob) EXPECT_EQ(s.size(), 1u);
  EXPECT_LT(km->mse, 5 * 0.1 * 0.1 * 1.5);
}

TEST(KMeans, MseFallsAndIsReproducible) {
  auto ds = make_gaussian_blobs(2000, 8, 20, 2.0, 4).value();
  std::vector<double> mse;
  KMeansParams p;
  p.k = 32;
  p.iterations = 10;
  p.progress = [&](int, double m) { mse.push_back(m); };
  auto a = kmeans(ds.view(), p);
  ASSERT_TRUE(a.is_ok());
  ASSERT_EQ(mse.size(), 11u);
  for (size_t i = 1; i < mse.size(); ++i) EXPECT_LE(mse[i], mse[i - 1] * (1 + 1e-6));
  auto b = kmeans(ds.view(), p);
  EXPECT_EQ(a->centroids, b->centroids);
  p.seed = 99;
  EXPECT_NE(kmeans(ds.view(), p)->centroids, a->centroids);
}

TEST(KMeans, AssignmentEqualsABruteForceLoop) {
  const auto x = test::random_floats(500, 17, 1), c = test::random_floats(40, 17, 2);
  std::vector<int32_t> label(500);
  std::vector<float> dist(500);
  assign_nearest(VectorView::of(x.data(), 500, 17), c.data(), 40, label.data(), dist.data());
  for (size_t i = 0; i < 500; ++i) {
    const auto ref = test::brute_force(VectorView::of(c.data(), 40, 17), x.data() + i * 17, 1);
    EXPECT_EQ(label[i], ref[0].second);
    EXPECT_NEAR(dist[i], ref[0].first, 1e-4);
  }
}

// The assignment's product runs in panels of 16 (AVX2) or 32 (AVX-512) centroids and groups of 6 or
// 12 rows: shapes that leave partial panels and groups, and duplicated centroids (exact ties go to
// the lower index), must still give the brute-force answer.
TEST(KMeans, AssignmentEqualsABruteForceLoopForEveryShape) {
  for (const size_t d : {1, 7, 33, 130}) {
    for (const size_t k : {1, 15, 31, 33, 70}) {
      const size_t n = 251;
      const auto x = test::random_floats(n, d, uint64_t(d * 100 + k));
      auto c = test::random_floats(k, d, uint64_t(d * 100 + k + 7));
      if (k > 20) std::copy_n(c.begin() + 3 * d, d, c.begin() + 19 * d);  // centroid 19 = centroid 3
      std::vector<int32_t> label(n);
      std::vector<float> dist(n);
      assign_nearest(VectorView::of(x.data(), n, d), c.data(), k, label.data(), dist.data());
      for (size_t i = 0; i < n; ++i) {
        const auto ref = test::brute_force(VectorView::of(c.data(), k, d), x.data() + i * d, 1);
        ASSERT_EQ(label[i], ref[0].second) << "d " << d << " k " << k << " row " << i;
        ASSERT_NEAR(dist[i], ref[0].first, 1e-4 * (1 + ref[0].first));
        ASSERT_NE(label[i], 19) << "a tie with centroid 3 goes to the lower index";
      }
    }
  }
}

TEST(KMeans, RepairsEmptyClusters) {
  // 50 copies of 3 points: more clusters than distinct points leaves some empty.
  std::vector<float> x;
  for (int r = 0; r < 50; ++r) x.insert(x.end(), {0, 0, 10, 10, -10, 5});
  KMeansParams p;
  p.k = 5;
  auto km = kmeans(VectorView::of(x.data(), 150, 2), p);
  ASSERT_TRUE(km.is_ok());
  EXPECT_GT(km->empty_repairs, 0u);
  for (float v : km->centroids) EXPECT_TRUE(std::isfinite(v));
}

TEST(KMeans, AbsurdConfigurations) {
  const auto x = test::random_floats(10, 2, 1);
  KMeansParams p;
  EXPECT_EQ(kmeans(VectorView::of(x.data(), 10, 2), p).message(), "k-means: k = 0: ask for at least one cluster");
  p.k = 11;
  EXPECT_EQ(kmeans(VectorView::of(x.data(), 10, 2), p).message(), "k-means: 10 training vectors are fewer than k = 11 clusters");
  p.k = 1;
  EXPECT_EQ(kmeans(VectorView::of(x.data(), 0, 2), p).message(), "k-means: 0 training vectors are fewer than k = 1 clusters");
}


// The integer assignment (int16 centroids, exact integer sums, the margin 4 qerr ||x||_1) is what
// the wasm build uses on byte data; forced here on every level it must give the float path's
// labels and distances exactly: bytes and signed small integers, centroids that are means (not
// integers) and copies (ties), every shape the tiles leave partial. Rows that are not small
// integers fall back to the float product.
class KMeansInt16 : public ::testing::TestWithParam<SimdLevel> {
 protected:
  void SetUp() override { ASSERT_TRUE(set_simd_level(GetParam()).is_ok()); }
  void TearDown() override {
    detail::force_assign_product(detail::AssignProduct::Auto);
    ASSERT_TRUE(set_simd_level(best_simd_level()).is_ok());
  }
  static std::pair<std::vector<int32_t>, std::vector<float>> assign(detail::AssignProduct p, const VectorView& x,
                                                                    const std::vector<float>& c, size_t k) {
    detail::force_assign_product(p);
    std::vector<int32_t> label(x.n);
    std::vector<float> dist(x.n);
    assign_nearest(x, c.data(), k, label.data(), dist.data());
    return {label, dist};
  }
};

TEST_P(KMeansInt16, AssignmentEqualsTheFloatPath) {
  for (const size_t d : {1, 7, 33, 130, 784}) {
    for (const size_t k : {1, 15, 33, 70, 257}) {
      const size_t n = 151;
      const auto bytes = test::random_bytes(n, d, d * 31 + k);
      const auto signed_ints = test::random_floats(n, d, d * 31 + k + 1, true, -255, 255);
      // Centroids: means of a few rows (fractional), then centroid 19 copies 3 and centroid 20 is
      // a row itself (distance 0 for that row).
      std::vector<float> c(k * d);
      for (size_t j = 0; j < k; ++j)
        for (size_t t = 0; t < d; ++t)
          c[j * d + t] = (float(bytes[(j % n) * d + t]) + float(bytes[((j * 7 + 1) % n) * d + t]) +
                          float(bytes[((j * 13 + 2) % n) * d + t])) / 3.0f;
      if (k > 20) {
        std::copy_n(c.begin() + 3 * d, d, c.begin() + 19 * d);
        for (size_t t = 0; t < d; ++t) c[20 * d + t] = float(bytes[5 * d + t]);
      }
      const size_t before = detail::int_assigned_rows();
      const auto a = assign(detail::AssignProduct::Int16, VectorView::of(bytes.data(), n, d), c, k);
      ASSERT_EQ(detail::int_assigned_rows() - before, n) << "the integer path ran on bytes";
      const auto b = assign(detail::AssignProduct::Float, VectorView::of(bytes.data(), n, d), c, k);
      ASSERT_EQ(a.first, b.first) << "bytes, d " << d << " k " << k;
      ASSERT_EQ(a.second, b.second) << "bytes, d " << d << " k " << k;
      // Fewer than 8 rows take the exact kernel on every centroid: the same answers.
      for (size_t i = 0; i < n; i += 37) {
        const auto one = assign(detail::AssignProduct::Int16, VectorView::of(bytes.data() + i * d, 1, d), c, k);
        ASSERT_EQ(one.first[0], a.first[i]) << "row " << i << " alone, d " << d << " k " << k;
        ASSERT_EQ(one.second[0], a.second[i]);
      }
      if (k > 20) {
        EXPECT_EQ(a.first[5], 20) << "a row that is a centroid";
        for (int32_t l : a.first) ASSERT_NE(l, 19) << "a tie with centroid 3 goes to the lower index";
      }
      const auto e = assign(detail::AssignProduct::Int16, VectorView::of(signed_ints.data(), n, d), c, k);
      const auto f = assign(detail::AssignProduct::Float, VectorView::of(signed_ints.data(), n, d), c, k);
      ASSERT_EQ(e.first, f.first) << "signed integers, d " << d << " k " << k;
      ASSERT_EQ(e.second, f.second);
    }
  }
  // Not small integers (fractions, or 256): the float product answers.
  for (const bool fractions : {true, false}) {
    auto x = test::random_floats(40, 9, 5, true);
    x[17] = fractions ? 3.5f : 256.0f;
    const auto c = test::random_floats(12, 9, 6, true);
    const size_t before = detail::int_assigned_rows();
    const auto a = assign(detail::AssignProduct::Int16, VectorView::of(x.data(), 40, 9), c, 12);
    EXPECT_EQ(detail::int_assigned_rows(), before);
    EXPECT_EQ(a, assign(detail::AssignProduct::Float, VectorView::of(x.data(), 40, 9), c, 12));
  }
}

// Whole k-means runs on byte data: the same centroids by either product.
TEST_P(KMeansInt16, KMeansGivesTheSameCentroids) {
  const size_t n = 3000, d = 64;
  auto blobs = make_gaussian_blobs(n, d, 12, 20.0, 7, 100.0).value();
  std::vector<uint8_t> bytes(n * d);
  for (size_t t = 0; t < n * d; ++t)
    bytes[t] = uint8_t(std::clamp(std::lround(blobs.f32[t] + 128.0f), 0L, 255L));
  KMeansParams p;
  p.k = 40;
  p.iterations = 8;
  detail::set_kmeans_bounds(false);  // every pass assigns every row through the forced product
  detail::force_assign_product(detail::AssignProduct::Int16);
  const size_t before = detail::int_assigned_rows();
  auto a = kmeans(VectorView::of(bytes.data(), n, d), p);
  detail::set_kmeans_bounds(true);
  ASSERT_TRUE(a.is_ok());
  EXPECT_GE(detail::int_assigned_rows() - before, n * 9);
  detail::force_assign_product(detail::AssignProduct::Float);
  auto b = kmeans(VectorView::of(bytes.data(), n, d), p);
  ASSERT_TRUE(b.is_ok());
  EXPECT_EQ(a->centroids, b->centroids);
  EXPECT_EQ(a->mse, b->mse);
}

// The bounds skip rows in the passes after the first; every pass's mse, the final centroids and
// the final labels must be those of assigning every row in full, on floats and bytes, through
// either product, with duplicate rows (exact ties) and a cluster repair; and rows must be skipped.
TEST_P(KMeansInt16, BoundsChangeNothing) {
  struct Case {
    std::vector<float> f;
    std::vector<uint8_t> b;
    size_t n, d, k;
  };
  std::vector<Case> cases;
  {
    auto blobs = make_gaussian_blobs(4000, 24, 30, 3.0, 11, 1.0).value();
    cases.push_back({blobs.f32, {}, 4000, 24, 30});
    auto wide = make_gaussian_blobs(1500, 160, 8, 10.0, 12, 3.0).value();
    cases.push_back({wide.f32, {}, 1500, 160, 37});
  }
  {
    const size_t n = 3000, d = 144;
    auto blobs = make_gaussian_blobs(n, d, 12, 30.0, 7, 100.0).value();
    std::vector<uint8_t> bytes(n * d);
    for (size_t t = 0; t < n * d; ++t) bytes[t] = uint8_t(std::clamp(std::lround(blobs.f32[t] + 128.0f), 0L, 255L));
    for (size_t i = 100; i < 400; ++i) std::copy_n(bytes.begin() + 7 * d, d, bytes.begin() + i * d);  // 300 copies
    cases.push_back({{}, bytes, n, d, 64});
    // From 128 centroids of 64 dimensions the bounds are kept per group of centroids.
    cases.push_back({{}, bytes, n, d, 192});
  }
  {
    auto blobs = make_gaussian_blobs(5000, 72, 40, 3.0, 13, 1.0).value();
    cases.push_back({blobs.f32, {}, 5000, 72, 256});
  }
  for (const auto product : {detail::AssignProduct::Float, detail::AssignProduct::Int16}) {
    detail::force_assign_product(product);
    for (const Case& c : cases) {
      const VectorView x = c.b.empty() ? VectorView::of(c.f.data(), c.n, c.d) : VectorView::of(c.b.data(), c.n, c.d);
      KMeansParams p;
      p.k = c.k;
      p.iterations = 12;
      std::vector<double> mse_on, mse_off;
      p.progress = [&](int, double mse) { mse_on.push_back(mse); };
      const size_t skipped = detail::kmeans_skipped_rows(), near = detail::kmeans_near_rows();
      const size_t violations = detail::kmeans_bound_violations();
      detail::check_kmeans_bounds(true);
      auto on = kmeans(x, p);
      detail::check_kmeans_bounds(false);
      ASSERT_TRUE(on.is_ok());
      EXPECT_EQ(detail::kmeans_bound_violations() - violations, 0u) << "every bound holds, d " << c.d << " k " << c.k;
      EXPECT_GT(detail::kmeans_skipped_rows() - skipped, c.n) << "rows were skipped, d " << c.d << " k " << c.k;
      if (c.k >= 128 && c.d >= 64) {
        EXPECT_GT(detail::kmeans_near_rows() - near, c.n / 4) << "rows opened a few groups, k " << c.k;
      }
      detail::set_kmeans_bounds(false);
      p.progress = [&](int, double mse) { mse_off.push_back(mse); };
      auto off = kmeans(x, p);
      detail::set_kmeans_bounds(true);
      ASSERT_TRUE(off.is_ok());
      EXPECT_EQ(mse_on, mse_off) << "d " << c.d << " k " << c.k;
      EXPECT_EQ(on->centroids, off->centroids) << "d " << c.d << " k " << c.k;
      EXPECT_EQ(on->empty_repairs, off->empty_repairs);
      // Every row trained on: the labels are each row's nearest final centroid, as the full
      // assignment gives them.
      std::vector<int32_t> full(c.n);
      assign_nearest(x, on->centroids.data(), c.k, full.data());
      EXPECT_EQ(on->labels, full) << "d " << c.d << " k " << c.k;
      EXPECT_EQ(off->labels, full) << "d " << c.d << " k " << c.k;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Levels, KMeansInt16, ::testing::ValuesIn(supported_simd_levels()),
                         [](const auto& info) { return std::string(simd_level_name(info.param)); });

}  // namespace
}  // namespace annlab
