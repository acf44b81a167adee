#include "annlab/dataset.h"

#include <gtest/gtest.h>

#include <limits>

namespace annlab {
namespace {

Dataset floats(size_t n, size_t d, std::vector<float> v) {
  Dataset ds;
  ds.n = n;
  ds.d = d;
  ds.f32 = std::move(v);
  return ds;
}

TEST(Dataset, CompactsByteValuedFloatsLosslessly) {
  Dataset ds = floats(2, 2, {0, 255, 17, 3});
  EXPECT_TRUE(ds.compact_to_bytes());
  EXPECT_EQ(ds.dtype, DType::U8);
  EXPECT_EQ(ds.u8, (std::vector<uint8_t>{0, 255, 17, 3}));
  EXPECT_TRUE(ds.f32.empty());
}

TEST(Dataset, KeepsFloatsThatAreNotBytes) {
  for (float bad : {0.5f, -1.0f, 256.0f}) {
    Dataset ds = floats(1, 2, {1, bad});
    EXPECT_FALSE(ds.compact_to_bytes()) << bad;
    EXPECT_EQ(ds.dtype, DType::F32);
    EXPECT_EQ(ds.f32[1], bad);
  }
}

TEST(Dataset, LabelsMustMatchTheVectorCount) {
  Dataset ds = floats(3, 1, {1, 2, 3});
  EXPECT_EQ(ds.set_labels({1, 2}).message(), "labels count 2 != vectors count 3");
  EXPECT_FALSE(ds.has_labels());
  EXPECT_TRUE(ds.set_labels({1, 2, 3}).is_ok());
}

TEST(Dataset, SubsetCarriesLabelsAndShape) {
  Dataset ds = floats(3, 1, {10, 20, 30});
  ds.labels = {1, 2, 3};
  Dataset s = ds.subset({2, 0});
  EXPECT_EQ(s.f32, (std::vector<float>{30, 10}));
  EXPECT_EQ(s.labels, (std::vector<int32_t>{3, 1}));
}

TEST(Dataset, ValidateNamesTheInconsistency) {
  EXPECT_EQ(floats(2, 3, {1, 2, 3}).validate().message(), "holds 3 components, expected n * d = 2 * 3");
  Dataset img = floats(1, 4, {1, 2, 3, 4});
  img.image_h = 3;
  img.image_w = 3;
  EXPECT_EQ(img.validate().message(), "image shape 3x3 does not match dimension 4");
  EXPECT_EQ(floats(0, 0, {}).validate().message(), "dimension is 0");
}

TEST(VectorView, RowsAndFiniteCheck) {
  std::vector<float> x = {1, 2, 3, 4, 5, std::numeric_limits<float>::infinity()};
  VectorView v = VectorView::of(x.data(), 3, 2);
  EXPECT_EQ(v.rows(1, 1).at(0, 1), 4.0f);
  EXPECT_EQ(v.check_finite("query").message(), "query vector 2, component 1: infinity is not a valid coordinate");
  EXPECT_TRUE(v.rows(0, 2).check_finite("query").is_ok());
}

}  // namespace
}  // namespace annlab

namespace annlab {
namespace {

TEST(HeldOutSplit, TenPercentAtMostAThousandDisjointAndSeeded) {
  for (size_t n : {0u, 1u, 2u, 9u, 10u, 500u, 9999u, 10000u, 25000u}) {
    const HeldOutSplit s = split_held_out(n);
    const size_t want = n >= 2 ? std::max<size_t>(1, std::min<size_t>(1000, n / 10)) : 0;
    EXPECT_EQ(s.queries.size(), want) << n;
    EXPECT_EQ(s.base.size() + s.queries.size(), n) << n;
    std::vector<int> seen(n, 0);
    for (size_t i : s.base) ++seen[i];
    for (size_t i : s.queries) ++seen[i];
    EXPECT_EQ(std::count(seen.begin(), seen.end(), 1), long(n)) << "every row exactly once, n = " << n;
    EXPECT_TRUE(std::is_sorted(s.base.begin(), s.base.end())) << "the base keeps the file's order";
  }
  EXPECT_EQ(split_held_out(5000).queries, split_held_out(5000).queries);
  EXPECT_NE(split_held_out(5000, 1).queries, split_held_out(5000, 2).queries);
}

}  // namespace
}  // namespace annlab
