#include "parts/norm_order.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <utility>

#include "annlab/random.h"
#include "test_util.h"

namespace annlab::detail {
namespace {

class EveryLevel : public ::testing::TestWithParam<SimdLevel> {};

// The k nearest of n rows by a plain loop: (distance, id), nearest first, ties by id.
std::vector<std::pair<uint32_t, int64_t>> plain(const std::vector<uint8_t>& x, size_t n, size_t d, const uint8_t* q,
                                                size_t k) {
  std::vector<std::pair<uint32_t, int64_t>> all(n);
  for (size_t i = 0; i < n; ++i) {
    uint32_t s = 0;
    for (size_t j = 0; j < d; ++j) s += uint32_t((int(q[j]) - x[i * d + j]) * (int(q[j]) - x[i * d + j]));
    all[i] = {s, int64_t(i)};
  }
  std::sort(all.begin(), all.end());
  all.resize(std::min(k, n));
  return all;
}

std::vector<std::pair<uint32_t, int64_t>> ordered(const NormOrderedRows& rows, const Kernels& kern, const uint8_t* q,
                                                  size_t d, size_t k, size_t block) {
  std::vector<uint16_t> order;
  byte_chunk_order(q, d, &order);
  std::vector<float> qn((d + 127) / 128);
  byte_chunk_norms(q, 1, d, qn.data());
  TopK top(k);
  rows.search(q, order.data(), rows.has_chunk_norms() ? qn.data() : nullptr, kern, top, block);
  std::vector<int64_t> ids(k);
  std::vector<float> dist(k);
  top.write(ids.data(), dist.data());
  std::vector<std::pair<uint32_t, int64_t>> out;
  for (size_t i = 0; i < k && ids[i] >= 0; ++i) out.push_back({uint32_t(dist[i]), ids[i]});
  return out;
}

TEST_P(EveryLevel, EqualsThePlainLoopWithTiesDuplicatesAndEveryK) {
  // A small alphabet and repeated rows make many equal norms and equal distances: the answer must
  // still be the plain loop's, ties by id, from every block size and with or without chunk norms.
  const Kernels& kern = *kernels_for(GetParam());
  for (size_t d : {3, 130, 300}) {
    const size_t n = 700;
    Rng rng(d);
    std::vector<uint8_t> x(n * d);
    for (auto& v : x) v = uint8_t(rng.below(4) * 60);
    for (size_t i = 0; i < 100; ++i) std::copy_n(x.begin() + (i * 7) * d, d, x.begin() + (n - 1 - i) * d);
    for (bool norms : {false, true}) {
      NormOrderedRows rows;
      rows.assign(x.data(), n, d, norms);
      ASSERT_EQ(rows.size(), n);
      ASSERT_EQ(rows.has_chunk_norms(), norms);
      for (size_t i = 1; i < n; ++i) ASSERT_LE(rows.key(i - 1), rows.key(i));
      for (size_t t = 0; t < 12; ++t) {
        std::vector<uint8_t> q(x.begin() + (t * 53) * d, x.begin() + (t * 53 + 1) * d);  // a stored row...
        if (t % 2) for (size_t j = 0; j < d; j += 3) q[j] = uint8_t(rng.below(256));  // ...or near one
        for (size_t k : {size_t(1), size_t(10), size_t(64), n, n + 5})
          for (size_t block : {size_t(1), size_t(7), size_t(0)})
            ASSERT_EQ(ordered(rows, kern, q.data(), d, k, block), plain(x, n, d, q.data(), k))
                << "d " << d << " norms " << norms << " query " << t << " k " << k << " block " << block;
      }
    }
  }
}

TEST_P(EveryLevel, ARowExactlyOnTheNormBoundIsRead) {
  // q = (3, 4, 0): ||q|| = 5. Row 1, (3, 4, 5), is at distance 25 with squared norm 50, so it is
  // read first; the bound is then 25, so rows with norm in [0, 10] can be in. Row 0, (6, 8, 0), has
  // norm 10 exactly and distance 25: it ties with row 1 and wins by its id, so it must be read.
  // Row 2, (30, 40, 0), is far beyond the bound.
  const Kernels& kern = *kernels_for(GetParam());
  const std::vector<uint8_t> x = {6, 8, 0, 3, 4, 5, 30, 40, 0};
  NormOrderedRows rows;
  rows.assign(x.data(), 3, 3, true);
  EXPECT_EQ(rows.id(0), 1u);
  EXPECT_EQ(rows.id(1), 0u);
  EXPECT_EQ(rows.id(2), 2u);
  const uint8_t up[3] = {3, 4, 0};
  size_t lo = 9, hi = 9;
  rows.limits(25, 25.0, &lo, &hi);
  EXPECT_EQ(lo, 0u);
  EXPECT_EQ(hi, 2u);  // the row of squared norm 100 is in, the one of 2500 is not
  const std::vector<std::pair<uint32_t, int64_t>> want = {{25u, 0}};
  EXPECT_EQ(ordered(rows, kern, up, 3, 1, 1), want);
  // Below: q = (6, 8, 0), ||q|| = 10. Row 1, (6, 8, 5), squared norm 125, distance 25, is read first;
  // row 0, (3, 4, 0), has norm 5 = 10 - sqrt(25) exactly and ties at 25.
  const std::vector<uint8_t> y = {3, 4, 0, 6, 8, 5, 0, 0, 1};
  rows.assign(y.data(), 3, 3, false);
  const uint8_t down[3] = {6, 8, 0};
  rows.limits(100, 25.0, &lo, &hi);
  EXPECT_EQ(rows.key(lo), 25u);  // the row of squared norm 25 is in, the one of 1 is not
  EXPECT_EQ(hi, 3u);
  EXPECT_EQ(ordered(rows, kern, down, 3, 1, 1), want);
}

TEST(NormOrderedRows, LimitsAreTheWholeRangeUntilTheBoundIsFiniteAndNarrowWithIt) {
  std::vector<uint8_t> x(256);
  for (size_t i = 0; i < 256; ++i) x[i] = uint8_t(i);  // 256 rows of one byte: squared norms i^2
  NormOrderedRows rows;
  rows.assign(x.data(), 256, 1, false);
  size_t lo = 9, hi = 9;
  rows.limits(100 * 100, std::numeric_limits<double>::infinity(), &lo, &hi);
  EXPECT_EQ(lo, 0u);
  EXPECT_EQ(hi, 256u);
  rows.limits(100 * 100, 9.0, &lo, &hi);  // |i - 100| <= 3
  EXPECT_EQ(lo, 97u);
  EXPECT_EQ(hi, 104u);
  rows.limits(100 * 100, 0.0, &lo, &hi);
  EXPECT_EQ(lo, 100u);
  EXPECT_EQ(hi, 101u);
  rows.limits(2 * 2, 16.0, &lo, &hi);  // |i - 2| <= 4: down to 0
  EXPECT_EQ(lo, 0u);
  EXPECT_EQ(hi, 7u);
}

TEST(NormOrderedRows, KeepsNothingWhereItCannotBeExactAndCountsItsMemory) {
  NormOrderedRows rows;
  std::vector<uint8_t> wide(66001, 255);
  rows.assign(wide.data(), 1, wide.size(), false);  // squared norm past 32 bits
  EXPECT_TRUE(rows.empty());
  EXPECT_EQ(rows.memory_bytes(), 0u);
  const auto x = test::random_bytes(50, 200, 3);
  rows.assign(x.data(), 50, 200, true);
  EXPECT_EQ(rows.memory_bytes(), 50 * 200 + 50 * (8 + 4) + 50 * 2 * sizeof(float));
  rows.clear();
  EXPECT_TRUE(rows.empty());
  EXPECT_EQ(rows.memory_bytes(), 0u);
}

INSTANTIATE_TEST_SUITE_P(Levels, EveryLevel, ::testing::ValuesIn(supported_simd_levels()),
                         [](const auto& info) { return std::string(simd_level_name(info.param)); });

}  // namespace
}  // namespace annlab::detail
