#include "parts/strip_order.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <limits>
#include <utility>

#include "annlab/random.h"
#include "test_util.h"

namespace annlab::detail {
namespace {

class EveryLevel : public ::testing::TestWithParam<SimdLevel> {};

uint32_t l2(const uint8_t* a, const uint8_t* b, size_t d) {
  uint32_t s = 0;
  for (size_t j = 0; j < d; ++j) s += uint32_t((int(a[j]) - b[j]) * (int(a[j]) - b[j]));
  return s;
}

// The k nearest of n rows by a plain loop: (distance, id), nearest first, ties by id.
std::vector<std::pair<uint32_t, int64_t>> plain(const std::vector<uint8_t>& x, size_t n, size_t d, const uint8_t* q,
                                                size_t k) {
  std::vector<std::pair<uint32_t, int64_t>> all(n);
  for (size_t i = 0; i < n; ++i) all[i] = {l2(q, x.data() + i * d, d), int64_t(i)};
  std::sort(all.begin(), all.end());
  all.resize(std::min(k, n));
  return all;
}

std::vector<std::pair<uint32_t, int64_t>> ordered(const StripOrderedRows& rows, const Kernels& kern, const uint8_t* q,
                                                  size_t d, size_t k, size_t block, size_t* read = nullptr) {
  std::vector<uint16_t> order;
  byte_chunk_order(q, d, &order);
  TopK top(k);
  rows.search(q, order.data(), kern, top, block, read);
  std::vector<int64_t> ids(k);
  std::vector<float> dist(k);
  top.write(ids.data(), dist.data());
  std::vector<std::pair<uint32_t, int64_t>> out;
  for (size_t i = 0; i < k && ids[i] >= 0; ++i) out.push_back({uint32_t(dist[i]), ids[i]});
  return out;
}

TEST_P(EveryLevel, EqualsThePlainLoopWithTiesDuplicatesAndEveryK) {
  // A small alphabet and repeated rows make many equal projections and equal distances: the answer
  // must still be the plain loop's, ties by id, for every strip and block size.
  const Kernels& kern = *kernels_for(GetParam());
  for (size_t d : {1, 3, 130, 300}) {
    const size_t n = 700;
    Rng rng(d);
    std::vector<uint8_t> x(n * d);
    for (auto& v : x) v = uint8_t(rng.below(4) * 60);
    for (size_t i = 0; i < 100; ++i) std::copy_n(x.begin() + long(i * 7 * d), d, x.begin() + long((n - 1 - i) * d));
    for (size_t strip_rows : {size_t(1), size_t(50), size_t(0), n}) {
      StripOrderedRows rows;
      rows.assign(x.data(), n, d, strip_rows);
      ASSERT_EQ(rows.size(), n);
      for (size_t t = 0; t < 8; ++t) {
        std::vector<uint8_t> q(x.begin() + long(t * 53 * d), x.begin() + long((t * 53 + 1) * d));  // a stored row
        if (t % 2)
          for (size_t j = 0; j < d; j += 3) q[j] = uint8_t(rng.below(256));  // ... or near one
        for (size_t k : {size_t(1), size_t(10), size_t(64), n, n + 5})
          for (size_t block : {size_t(1), size_t(7), size_t(0)})
            ASSERT_EQ(ordered(rows, kern, q.data(), d, k, block), plain(x, n, d, q.data(), k))
                << "d " << d << " strips of " << strip_rows << " query " << t << " k " << k
                << " block " << block;
      }
    }
  }
}

TEST(StripOrderedRows, EveryRowWithinTheBoundIsInItsStripsRunAtTheBoundItself) {
  // Rows on a line through the origin, x_i = (i, 2i, 3i) scaled and offset: their projections on the
  // first axis differ by exactly their distance, so a row at distance D from the query sits on the
  // edge of the disc of radius sqrt(D). With the bound at each row's own distance, that row must be
  // within its strip's run: the axes' scaling and the rounding margins keep it there. (Axes 2^-12
  // too long make rows fall out, here and in EqualsThePlainLoop; at 2^-20 the margins absorb it.)
  const size_t d = 3, n = 80;
  std::vector<uint8_t> x(n * d);
  for (size_t i = 0; i < n; ++i)
    for (size_t j = 0; j < d; ++j) x[i * d + j] = uint8_t(i * (j + 1));
  // ... and random rows, whose bounds are loose.
  Rng rng(5);
  std::vector<uint8_t> y = test::random_bytes(300, 16, 6);
  for (const auto& [data, dim, count] : {std::tuple{&x, d, n}, std::tuple{&y, size_t(16), size_t(300)}}) {
    StripOrderedRows rows;
    rows.assign(data->data(), count, dim, 7);
    std::vector<size_t> pos(count);
    for (size_t i = 0; i < count; ++i) pos[rows.id(i)] = i;
    for (size_t t = 0; t < 20; ++t) {
      const uint8_t* q = data->data() + rng.below(count) * dim;
      double u1 = 0, u2 = 0;
      rows.project(q, &u1, &u2);
      for (size_t i = 0; i < count; ++i) {
        const uint8_t* r = data->data() + i * dim;
        const double bound = l2(q, r, dim);
        const size_t s = pos[i] / 7;
        size_t lo = 0, hi = 0;
        rows.limits(s, u1, u2, bound, &lo, &hi);
        ASSERT_LE(lo, pos[i]) << "dim " << dim << " row " << i << " bound " << bound;
        ASSERT_LT(pos[i], hi) << "dim " << dim << " row " << i << " bound " << bound;
      }
    }
  }
}

TEST(StripOrderedRows, EveryRowWithinTheBoundPassesTheFilterAtTheBoundItself) {
  // The same rows on a line (their projections' distance is their distance, on the first axis) and
  // random rows of 40 dimensions (more than kAxes, so the filter's bound is loose but not vacuous):
  // with the bound at each row's own distance, the row's projections must pass the filter. A row
  // beyond it may pass too (the filter is a bound), but on the line, rows far beyond do not.
  const size_t d = 3, n = 80;
  std::vector<uint8_t> x(n * d);
  for (size_t i = 0; i < n; ++i)
    for (size_t j = 0; j < d; ++j) x[i * d + j] = uint8_t(i * (j + 1));
  std::vector<uint8_t> y = test::random_bytes(300, 40, 9);
  Rng rng(11);
  for (const auto& [data, dim, count] : {std::tuple{&x, d, n}, std::tuple{&y, size_t(40), size_t(300)}}) {
    StripOrderedRows rows;
    rows.assign(data->data(), count, dim, 7);
    std::vector<size_t> pos(count);
    for (size_t i = 0; i < count; ++i) pos[rows.id(i)] = i;
    size_t far_passed = 0, far = 0;
    for (size_t t = 0; t < 20; ++t) {
      const uint8_t* q = data->data() + rng.below(count) * dim;
      float u[StripOrderedRows::kAxes];
      rows.project_all(q, u);
      for (size_t i = 0; i < count; ++i) {
        const double bound = l2(q, data->data() + i * dim, dim);
        ASSERT_LE(rows.filter_distance(pos[i], u), rows.filter_limit(bound))
            << "dim " << dim << " row " << i << " bound " << bound;
        if (data == &x && bound > 0) {
          far += 1;
          far_passed += rows.filter_distance(pos[i], u) <= rows.filter_limit(bound / 4);
        }
      }
    }
    if (data == &x) {
      EXPECT_GT(far, 1000u);
      EXPECT_EQ(far_passed, 0u);
    }
  }
  StripOrderedRows rows;
  rows.assign(x.data(), n, d);
  EXPECT_EQ(rows.filter_limit(std::numeric_limits<double>::infinity()), std::numeric_limits<float>::infinity());
  EXPECT_GE(double(rows.filter_limit(0.0)), 0.0);
}

TEST(StripOrderedRows, TheProjectionDoesNotLengthenAndTheRunsNarrowWithTheBound) {
  const size_t n = 2000, d = 64;
  const auto x = test::random_bytes(n, d, 8);
  StripOrderedRows rows;
  rows.assign(x.data(), n, d, 100);
  ASSERT_EQ(rows.strips(), 20u);
  for (size_t i = 0; i + 1 < n; i += 37) {
    double a1, a2, b1, b2;
    rows.project(x.data() + i * d, &a1, &a2);
    rows.project(x.data() + (i + 1) * d, &b1, &b2);
    EXPECT_LE((a1 - b1) * (a1 - b1) + (a2 - b2) * (a2 - b2), double(l2(x.data() + i * d, x.data() + (i + 1) * d, d)));
  }
  double u1, u2;
  rows.project(x.data(), &u1, &u2);
  size_t lo = 0, hi = 0, lo2 = 0, hi2 = 0;
  rows.limits(3, u1, u2, std::numeric_limits<double>::infinity(), &lo, &hi);
  EXPECT_EQ(lo, 300u);
  EXPECT_EQ(hi, 400u);
  rows.limits(3, u1, u2, 1e9, &lo, &hi);
  EXPECT_EQ(hi - lo, 100u);
  rows.limits(3, u1, u2, 1000.0, &lo2, &hi2);
  EXPECT_LE(lo, lo2);
  EXPECT_LE(hi2, hi);
  // A query's search reads fewer rows with a small k (its bound is tighter) than with all of them.
  size_t few = 0, all = 0;
  const Kernels& kern = kernels();
  ordered(rows, kern, x.data() + 5 * d, d, 1, 0, &few);
  ordered(rows, kern, x.data() + 5 * d, d, n, 0, &all);
  EXPECT_EQ(all, n);
  EXPECT_LT(few, n);
}

TEST(StripOrderedRows, KeepsNothingWhereItCannotBeExactAndCountsItsMemory) {
  StripOrderedRows rows;
  std::vector<uint8_t> wide(66001, 255);
  rows.assign(wide.data(), 1, wide.size());  // distances past 32 bits
  EXPECT_TRUE(rows.empty());
  EXPECT_EQ(rows.memory_bytes(), 0u);
  const auto x = test::random_bytes(50, 200, 3);
  rows.assign(x.data(), 50, 200, 25);
  // The rows, their ids and second projections, their projections on every axis, and the axes.
  const size_t a = StripOrderedRows::kAxes;
  EXPECT_GE(rows.memory_bytes(), 50 * 200 + 50 * (4 + 8) + 50 * a * sizeof(float) + a * 200 * sizeof(float));
  rows.clear();
  EXPECT_TRUE(rows.empty());
  EXPECT_EQ(rows.memory_bytes(), 0u);
}

INSTANTIATE_TEST_SUITE_P(Levels, EveryLevel, ::testing::ValuesIn(supported_simd_levels()),
                         [](const auto& info) { return std::string(simd_level_name(info.param)); });

}  // namespace
}  // namespace annlab::detail
