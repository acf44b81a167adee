#include "annlab/eval.h"

#include <gtest/gtest.h>

#include <cmath>

namespace annlab {
namespace {

// Five points on a line: distances from the query at 0 are 1, 2, 2, 3, 4 (ids 0..4).
struct Line {
  std::vector<float> base = {1, 2, -2, 3, 4};
  std::vector<float> query = {0};
  VectorView b() const { return VectorView::of(base.data(), 5, 1); }
  VectorView q() const { return VectorView::of(query.data(), 1, 1); }
};

TEST(Eval, ExactKnnFindsTheNearest) {
  Line l;
  auto r = exact_knn(l.b(), l.q(), 3);
  ASSERT_TRUE(r.is_ok());
  EXPECT_EQ(r->ids, (std::vector<int64_t>{0, 1, 2}));
  EXPECT_EQ(r->distances, (std::vector<float>{1, 4, 4}));
}

TEST(Eval, RecallUsesTheTieRule) {
  Line l;
  const std::vector<int64_t> gt = {0, 1, 2, 3, 4};
  // k = 2: the true top-2 is {0, 1}; id 2 is as far as id 1, so {0, 2} is a perfect answer.
  const std::vector<int64_t> tie = {0, 2};
  auto q = evaluate(tie.data(), 2, gt.data(), 5, l.b(), l.q(), 2);
  ASSERT_TRUE(q.is_ok());
  EXPECT_EQ(q->recall, 1.0);
  EXPECT_EQ(q->one_recall, 1.0);
  EXPECT_EQ(q->distance_ratio, 1.0);
  // {3, 4} misses both; 1-recall is 0; ratios 3/1 and 4/2.
  const std::vector<int64_t> bad = {3, 4};
  q = evaluate(bad.data(), 2, gt.data(), 5, l.b(), l.q(), 2);
  EXPECT_EQ(q->recall, 0.0);
  EXPECT_EQ(q->one_recall, 0.0);
  EXPECT_DOUBLE_EQ(q->distance_ratio, (3.0 + 2.0) / 2);
  // A duplicate counts once; a missing result (-1) counts as a miss.
  const std::vector<int64_t> dup = {0, 0, -1};
  q = evaluate(dup.data(), 3, gt.data(), 5, l.b(), l.q(), 3);
  EXPECT_DOUBLE_EQ(q->recall, 1.0 / 3);
}

TEST(Eval, OneRecallFindsTheNearestAnywhereInTopK) {
  Line l;
  const std::vector<int64_t> gt = {0, 1, 2, 3, 4};
  const std::vector<int64_t> late = {3, 4, 0};
  auto q = evaluate(late.data(), 3, gt.data(), 5, l.b(), l.q(), 3);
  EXPECT_EQ(q->one_recall, 1.0);
  EXPECT_DOUBLE_EQ(q->recall, 1.0 / 3);
}

TEST(Eval, Errors) {
  Line l;
  const std::vector<int64_t> gt = {0, 1}, res = {0, 9};
  EXPECT_EQ(evaluate(res.data(), 2, gt.data(), 2, l.b(), l.q(), 0).message(), "k = 0: evaluate at least one neighbour");
  EXPECT_EQ(evaluate(res.data(), 2, gt.data(), 2, l.b(), l.q(), 3).message(), "k = 3 exceeds the 2 results per query");
  EXPECT_EQ(evaluate(res.data(), 2, gt.data(), 2, l.b(), l.q(), 2).message(),
            "result of query 0, rank 1: id 9 is outside the base (n = 5)");
}

}  // namespace
}  // namespace annlab
