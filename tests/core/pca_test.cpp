#include "annlab/pca.h"

#include <gtest/gtest.h>

#include <cmath>

#include "annlab/random.h"

namespace annlab {
namespace {

TEST(Pca, FindsTheDirectionsOfLargestVariance) {
  // Points stretched along (1, 1, 0) / sqrt(2) (std 10) and along z (std 3), little else.
  Rng rng(1);
  std::vector<float> x;
  const size_t n = 5000;
  for (size_t i = 0; i < n; ++i) {
    const double a = 10 * rng.normal(), b = 3 * rng.normal(), c = 0.1 * rng.normal();
    x.push_back(float(5 + a / std::sqrt(2.0) + c / std::sqrt(2.0)));
    x.push_back(float(-1 + a / std::sqrt(2.0) - c / std::sqrt(2.0)));
    x.push_back(float(b));
  }
  auto p = fit_pca(VectorView::of(x.data(), n, 3), 2);
  ASSERT_TRUE(p.is_ok()) << p.message();
  EXPECT_NEAR(p->mean[0], 5, 0.5);
  EXPECT_NEAR(p->components[0], 1 / std::sqrt(2.0), 1e-3);
  EXPECT_NEAR(p->components[1], 1 / std::sqrt(2.0), 1e-3);
  EXPECT_NEAR(std::fabs(p->components[5]), 1.0, 1e-3);
  EXPECT_NEAR(p->variance[0], 100, 5);
  EXPECT_NEAR(p->variance[1], 9, 0.5);
  const auto xy = p->project(VectorView::of(x.data(), 1, 3));
  EXPECT_EQ(xy.size(), 2u);
}

TEST(Pca, Errors) {
  std::vector<float> x = {1, 2};
  EXPECT_EQ(fit_pca(VectorView::of(x.data(), 1, 2), 1).message(), "PCA needs at least 2 vectors, got 1");
  EXPECT_EQ(fit_pca(VectorView::of(x.data(), 2, 1), 2).message(), "PCA components k = 2 is outside 1..1");
}

}  // namespace
}  // namespace annlab
