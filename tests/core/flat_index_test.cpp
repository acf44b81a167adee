#include "index/flat_index.h"

#include <gtest/gtest.h>

#include <limits>

#include "test_util.h"

namespace annlab {
namespace {

void expect_matches_brute_force(const VectorView& base, const VectorView& q, size_t k, int threads = 1) {
  FlatIndex flat(base.d);
  ASSERT_TRUE(flat.add(base).is_ok());
  SearchResult r;
  ASSERT_TRUE(flat.search(q, k, SearchParams{}, &r, threads).is_ok());
  std::vector<float> row(q.d);
  for (size_t i = 0; i < q.n; ++i) {
    q.row_to_f32(i, row.data());
    const auto ref = test::brute_force(base, row.data(), k);
    for (size_t j = 0; j < k; ++j) {
      EXPECT_EQ(r.ids[i * k + j], ref[j].second) << "query " << i << " rank " << j;
      EXPECT_NEAR(r.distances[i * k + j], ref[j].first, 1e-4 * (1 + ref[j].first));
    }
    EXPECT_EQ(r.stats[i].distances, base.n);
  }
}

TEST(FlatIndex, EqualsAHandWrittenLoopOnFloats) {
  const auto base = test::random_floats(500, 37, 1), q = test::random_floats(20, 37, 2);
  expect_matches_brute_force(VectorView::of(base.data(), 500, 37), VectorView::of(q.data(), 20, 37), 10);
}

TEST(FlatIndex, EqualsAHandWrittenLoopOnBytes) {
  const auto base = test::random_bytes(400, 64, 3), q = test::random_bytes(15, 64, 4);
  expect_matches_brute_force(VectorView::of(base.data(), 400, 64), VectorView::of(q.data(), 15, 64), 7);
}

TEST(FlatIndex, ByteStoreWithFloatQueries) {
  const auto base = test::random_bytes(300, 16, 5);
  const auto q = test::random_floats(10, 16, 6);  // not byte-valued: the slow exact path
  expect_matches_brute_force(VectorView::of(base.data(), 300, 16), VectorView::of(q.data(), 10, 16), 5);
}

TEST(FlatIndex, ThreadsGiveTheSameAnswer) {
  const auto base = test::random_floats(300, 8, 7), q = test::random_floats(33, 8, 8);
  FlatIndex flat(8);
  ASSERT_TRUE(flat.add(VectorView::of(base.data(), 300, 8)).is_ok());
  SearchResult one, many;
  ASSERT_TRUE(flat.search(VectorView::of(q.data(), 33, 8), 5, {}, &one, 1).is_ok());
#if defined(__EMSCRIPTEN__)
  EXPECT_EQ(flat.search(VectorView::of(q.data(), 33, 8), 5, {}, &many, 2).message(),
            "this WebAssembly build has no threads: use threads = 1");
#else
  ASSERT_TRUE(flat.search(VectorView::of(q.data(), 33, 8), 5, {}, &many, 3).is_ok());
  EXPECT_EQ(one.ids, many.ids);
  EXPECT_EQ(one.distances, many.distances);
#endif
}

TEST(FlatIndex, TiesAreOrderedById) {
  std::vector<float> base = {1, 0, -1, 0, 0, 1, 0, -1};  // four points at distance 1 from the origin
  FlatIndex flat(2);
  ASSERT_TRUE(flat.add(VectorView::of(base.data(), 4, 2)).is_ok());
  std::vector<float> q = {0, 0};
  SearchResult r;
  ASSERT_TRUE(flat.search(VectorView::of(q.data(), 1, 2), 4, {}, &r).is_ok());
  EXPECT_EQ(r.ids, (std::vector<int64_t>{0, 1, 2, 3}));
}

TEST(FlatIndex, BadCallsAreErrorsAndLeaveTheIndexUsable) {
  const auto base = test::random_floats(10, 4, 9);
  FlatIndex flat(4);
  std::vector<float> q(4, 0.0f), q3(3, 0.0f);
  SearchResult r;
  EXPECT_EQ(flat.search(VectorView::of(q.data(), 1, 4), 1, {}, &r).message(), "Flat is empty: add vectors before searching");
  ASSERT_TRUE(flat.add(VectorView::of(base.data(), 10, 4)).is_ok());
  EXPECT_EQ(flat.search(VectorView::of(q.data(), 1, 4), 0, {}, &r).message(), "k = 0: ask for at least one neighbour");
  EXPECT_EQ(flat.search(VectorView::of(q.data(), 1, 4), 11, {}, &r).message(),
            "k = 11 exceeds the number of indexed vectors (10)");
  EXPECT_EQ(flat.search(VectorView::of(q3.data(), 1, 3), 1, {}, &r).message(), "query dimension 3 != index dimension 4");
  EXPECT_EQ(flat.add(VectorView::of(q3.data(), 1, 3)).message(), "vectors have dimension 3, the index has 4");
  q[2] = std::numeric_limits<float>::quiet_NaN();
  EXPECT_EQ(flat.search(VectorView::of(q.data(), 1, 4), 1, {}, &r).message(),
            "query vector 0, component 2: NaN is not a valid coordinate");
  SearchParams p;
  p.nprobe = 4;
  q[2] = 0;
  EXPECT_EQ(flat.search(VectorView::of(q.data(), 1, 4), 1, p, &r).message(),
            "search parameter 'nprobe' does not apply to Flat (it takes none)");
  EXPECT_EQ(flat.size(), 10u);
  EXPECT_TRUE(flat.search(VectorView::of(q.data(), 1, 4), 10, {}, &r).is_ok());
}

TEST(FlatIndex, ExplainTracesEveryDistanceAndTheTopKChanges) {
  const auto base = test::random_floats(50, 3, 10), q = test::random_floats(1, 3, 11);
  FlatIndex flat(3);
  ASSERT_TRUE(flat.add(VectorView::of(base.data(), 50, 3)).is_ok());
  auto t = flat.explain_query(VectorView::of(q.data(), 1, 3), 5, {});
  ASSERT_TRUE(t.is_ok()) << t.message();
  size_t dist_events = 0, topk_events = 0;
  for (const auto& e : t->events) {
    dist_events += e.kind == TraceKind::DistanceComputed;
    topk_events += e.kind == TraceKind::TopKChanged;
  }
  EXPECT_EQ(dist_events, 50u);
  EXPECT_GE(topk_events, 5u);
  SearchResult r;
  ASSERT_TRUE(flat.search(VectorView::of(q.data(), 1, 3), 5, {}, &r).is_ok());
  EXPECT_EQ(t->ids, r.ids);
  EXPECT_EQ(t->stats.distances, 50u);
}

}  // namespace
}  // namespace annlab
