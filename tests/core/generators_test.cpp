#include "annlab/generators.h"

#include <gtest/gtest.h>

#include <cmath>

namespace annlab {
namespace {

TEST(Generators, BlobsAreSeededLabelledAndClustered) {
  auto a = make_gaussian_blobs(2000, 2, 5, 0.5, 3), b = make_gaussian_blobs(2000, 2, 5, 0.5, 3);
  ASSERT_TRUE(a.is_ok());
  EXPECT_EQ(a->f32, b->f32);
  EXPECT_EQ(a->labels.size(), 2000u);
  // Points of one blob lie near their mean: spread 0.5 in 2-D gives a mean squared radius of 0.5.
  double mx = 0, my = 0, r2 = 0;
  int n = 0;
  for (size_t i = 0; i < 2000; ++i)
    if (a->labels[i] == 0) { mx += a->f32[2 * i]; my += a->f32[2 * i + 1]; ++n; }
  mx /= n;
  my /= n;
  for (size_t i = 0; i < 2000; ++i)
    if (a->labels[i] == 0) r2 += std::pow(a->f32[2 * i] - mx, 2) + std::pow(a->f32[2 * i + 1] - my, 2);
  EXPECT_NEAR(r2 / n, 0.5, 0.1);
  EXPECT_NE(make_gaussian_blobs(2000, 2, 5, 0.5, 4)->f32, a->f32);
}

TEST(Generators, UniformIsInItsBox) {
  auto u = make_uniform(1000, 3, 1, -2, 2);
  ASSERT_TRUE(u.is_ok());
  for (float v : u->f32) {
    EXPECT_GE(v, -2.0f);
    EXPECT_LT(v, 2.0f);
  }
}

TEST(Generators, AbsurdArgumentsAreErrors) {
  EXPECT_EQ(make_gaussian_blobs(0, 2, 1, 1, 1).message(), "n = 0: generate at least one vector");
  EXPECT_EQ(make_gaussian_blobs(10, 0, 1, 1, 1).message(), "dimension 0 is outside 1..1048576");
  EXPECT_EQ(make_gaussian_blobs(10, 2, 11, 1, 1).message(), "centers = 11 is outside 1..n (10)");
  EXPECT_EQ(make_gaussian_blobs(10, 2, 2, 0, 1).message(), "spread = 0: expected > 0");
  EXPECT_EQ(make_uniform(10, 2, 1, 3, 3).message(), "uniform range [3, 3) is empty or not finite");
}

}  // namespace
}  // namespace annlab
