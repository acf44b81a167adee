#include "parts/kmeans.h"

#include <gtest/gtest.h>

#include <set>

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

}  // namespace
}  // namespace annlab
