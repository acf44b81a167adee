#include "index/flat_index.h"

#include "annlab/index_io.h"

#include "parts/exact_scan.h"

#include <gtest/gtest.h>

#include <cstring>
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

// One byte query at a time, the scan reads only the rows its projections let in, and says so: the
// distances it counts are those rows, fewer than n on rows of very different brightness, and its
// explain reads the same rows, shows each one's full distance, and ends with the same answer.
TEST(FlatIndex, AByteQueryCountsTheRowsItReadsAndItsExplainShowsThem) {
  const size_t n = 3000, d = 40;
  auto base = test::random_bytes(n, d, 43);
  for (size_t i = 0; i < n; ++i)
    for (size_t j = 0; j < d; ++j) base[i * d + j] = uint8_t(base[i * d + j] * (1 + i % 10) / 10);
  FlatIndex flat(d);
  ASSERT_TRUE(flat.add(VectorView::of(base.data(), n, d)).is_ok());
  for (size_t qi : {7, 1234, 2999}) {
    const VectorView q = VectorView::of(base.data() + qi * d, 1, d);
    SearchResult r;
    ASSERT_TRUE(flat.search(q, 10, SearchParams{}, &r).is_ok());
    EXPECT_GT(r.stats[0].distances, 10u);
    EXPECT_LT(r.stats[0].distances, n / 2) << "query " << qi;
    auto t = flat.explain_query(q, 10, {});
    ASSERT_TRUE(t.is_ok()) << t.message();
    EXPECT_EQ(t->ids, r.ids);
    EXPECT_EQ(t->stats.distances, r.stats[0].distances);
    size_t shown = 0;
    for (const auto& e : t->events) {
      if (e.kind != TraceKind::DistanceComputed) continue;
      ++shown;
      uint32_t want = 0;
      for (size_t j = 0; j < d; ++j) {
        const int u = int(base[qi * d + j]) - int(base[size_t(e.id) * d + j]);
        want += uint32_t(u * u);
      }
      ASSERT_EQ(e.value, float(want)) << "row " << e.id;
    }
    EXPECT_EQ(shown, r.stats[0].distances);
  }
}

// Batched exact search (block products) against the one-query scan, on every SIMD level: the same
// ids and the same distances, bit for bit, including ties, near-ties and k = n.
void expect_batch_equals_scan(const VectorView& base, const VectorView& q, size_t k) {
  FlatIndex flat(base.d);
  ASSERT_TRUE(flat.add(base).is_ok());
  std::vector<int64_t> ids(q.n * k);
  std::vector<float> dist(q.n * k);
  ASSERT_TRUE(detail::exact_knn_blocked(flat.store(), flat.size(), q, k, ids.data(), dist.data()))
      << "the block products should apply here";
  for (size_t i = 0; i < q.n; ++i) {
    SearchResult one;
    ASSERT_TRUE(flat.search(q.rows(i, 1), k, {}, &one).is_ok());  // one query: the scan
    for (size_t j = 0; j < k; ++j) {
      EXPECT_EQ(ids[i * k + j], one.ids[j]) << "query " << i << " rank " << j;
      EXPECT_EQ(std::memcmp(&dist[i * k + j], &one.distances[j], 4), 0) << "query " << i << " rank " << j;
    }
  }
}

class FlatBatch : public ::testing::TestWithParam<SimdLevel> {
 protected:
  void SetUp() override { ASSERT_TRUE(set_simd_level(GetParam()).is_ok()); }
  void TearDown() override { ASSERT_TRUE(set_simd_level(best_simd_level()).is_ok()); }
};

TEST_P(FlatBatch, BytesEqualTheScanIncludingTiesAndShortTiles) {
  // 251 rows (not a multiple of any tile), d = 37 (padded), duplicated rows make exact ties.
  auto base = test::random_bytes(251, 37, 11);
  std::copy_n(base.begin(), 37 * 20, base.begin() + 37 * 100);
  const auto q = test::random_bytes(67, 37, 12);
  expect_batch_equals_scan(VectorView::of(base.data(), 251, 37), VectorView::of(q.data(), 67, 37), 10);
  expect_batch_equals_scan(VectorView::of(base.data(), 251, 37), VectorView::of(base.data(), 9, 37), 3);
  expect_batch_equals_scan(VectorView::of(base.data(), 6, 37), VectorView::of(q.data(), 5, 37), 6);  // k = n
}

// d = 300 (three chunks for Kernels::l2sq_u8_first_below): queries near stored rows make the k-th distance
// small, so the scan stops most rows after their first chunk; the batch and a plain loop must agree.
TEST_P(FlatBatch, BytesEqualTheScanWhereTheScanStopsRowsEarly) {
  const size_t n = 400, d = 300;
  auto base = test::random_bytes(n, d, 21);
  std::copy_n(base.begin(), d * 10, base.begin() + d * 200);  // rows 200..209 repeat rows 0..9
  std::vector<uint8_t> q(base.begin() + d * 3, base.begin() + d * 15);  // rows 3..14, nudged
  for (size_t j = 0; j < q.size(); j += 7) q[j] = uint8_t(q[j] ^ 1);
  const VectorView bv = VectorView::of(base.data(), n, d), qv = VectorView::of(q.data(), 12, d);
  expect_batch_equals_scan(bv, qv, 10);
  expect_batch_equals_scan(bv, qv, 1);
  expect_matches_brute_force(bv, qv, 10);
  // The scan did stop rows early: a bounded distance of row 100 to query 0 below its full distance.
  const Kernels& k = kernels();
  std::vector<uint16_t> order;
  byte_chunk_order(q.data(), d, &order);
  const uint32_t full = k.l2sq_u8(q.data(), base.data() + 100 * d, d);
  EXPECT_LT(k.l2sq_u8_below(q.data(), base.data() + 100 * d, d, order.data(), 1000), full);
}

// The strip-ordered copy the one-query scan reads (with its projections) follows the rows: added in
// three parts, or read back from a file, the index answers as one built in one go, and a brute-force
// loop. Rows of very different brightness (a row's scale from 0.1 to 1) let the bounds pass over
// most of them.
TEST(FlatIndex, TheStripOrderedCopyFollowsAddsInPartsAndLoading) {
  const size_t n = 600, d = 300;
  auto base = test::random_bytes(n, d, 41);
  for (size_t i = 0; i < n; ++i)
    for (size_t j = 0; j < d; ++j) base[i * d + j] = uint8_t(base[i * d + j] * (1 + i % 10) / 10);
  std::vector<uint8_t> q(base.begin() + d * 500, base.begin() + d * 508);  // rows of the last part
  for (size_t j = 0; j < q.size(); j += 5) q[j] = uint8_t(q[j] / 2);
  const VectorView bv = VectorView::of(base.data(), n, d), qv = VectorView::of(q.data(), 8, d);
  expect_matches_brute_force(bv, qv, 10);
  FlatIndex whole(d), parts(d);
  ASSERT_TRUE(whole.add(bv).is_ok());
  for (size_t at : {0, 1, 253}) ASSERT_TRUE(parts.add(bv.rows(at, at == 0 ? 1 : at == 1 ? 252 : n - 253)).is_ok());
  auto bytes = serialize_index(whole, true);
  ASSERT_TRUE(bytes.is_ok());
  auto loaded = deserialize_index("flat", bytes.value().data(), bytes.value().size());
  ASSERT_TRUE(loaded.is_ok()) << loaded.status().message();
  SearchResult all;
  ASSERT_TRUE(whole.search(qv, 10, SearchParams{}, &all).is_ok());  // the batched path: natural order
  for (size_t i = 0; i < qv.n; ++i) {  // one query at a time: the strip-ordered copy
    SearchResult a, b, c;
    ASSERT_TRUE(whole.search(qv.rows(i, 1), 10, SearchParams{}, &a).is_ok());
    ASSERT_TRUE(parts.search(qv.rows(i, 1), 10, SearchParams{}, &b).is_ok());
    ASSERT_TRUE(loaded.value()->search(qv.rows(i, 1), 10, SearchParams{}, &c).is_ok());
    const std::vector<int64_t> want(all.ids.begin() + i * 10, all.ids.begin() + i * 10 + 10);
    EXPECT_EQ(a.ids, want) << "query " << i;
    EXPECT_EQ(b.ids, want) << "query " << i;
    EXPECT_EQ(c.ids, want) << "query " << i;
  }
  // The copy is counted in the index's memory: its rows, an id (4 bytes), a second projection (8)
  // and the projections on every axis (kAxes floats) a row, the axes (kAxes x d floats), and per
  // strip a few doubles.
  const size_t axes = detail::StripOrderedRows::kAxes;
  const size_t copy = n * d + n * 12 + n * axes * sizeof(float) + axes * d * sizeof(float);
  EXPECT_GE(whole.memory_bytes(), n * d + copy);
  EXPECT_LE(whole.memory_bytes(), n * d + copy + 64 * 32);
  EXPECT_GE(parts.memory_bytes(), n * d + copy);
}

TEST_P(FlatBatch, FloatsEqualTheScanWhereRoundingIsAtItsWorst) {
  if (GetParam() == SimdLevel::Scalar) GTEST_SKIP() << "the scalar level scans (no float block product)";
  // A large common offset makes ||q||^2 + ||x||^2 - 2 q.x cancel badly: only the bound and the
  // exact re-check keep the answer the scan's. Duplicates make exact ties.
  const size_t n = 700, d = 61;
  auto base = test::random_floats(n, d, 13), q = test::random_floats(40, d, 14);
  for (float& v : base) v = 1000.0f + 1e-3f * v;
  for (float& v : q) v = 1000.0f + 1e-3f * v;
  std::copy_n(base.begin(), d * 30, base.begin() + d * 400);
  expect_batch_equals_scan(VectorView::of(base.data(), n, d), VectorView::of(q.data(), 40, d), 10);
  const auto plain = test::random_floats(300, 784, 15), pq = test::random_floats(12, 784, 16);
  expect_batch_equals_scan(VectorView::of(plain.data(), 300, 784), VectorView::of(pq.data(), 12, 784), 20);
  // Bytes stored, queries that are not bytes: the float path over converted rows.
  const auto bytes = test::random_bytes(200, 16, 17);
  const auto fq = test::random_floats(9, 16, 18);
  expect_batch_equals_scan(VectorView::of(bytes.data(), 200, 16), VectorView::of(fq.data(), 9, 16), 5);
}

TEST(FlatBatchScope, FallsBackWhereTheBlockProductsDoNotApply) {
  const auto base = test::random_floats(50, 8, 19);
  auto q = test::random_floats(6, 8, 20);
  FlatIndex flat(8);
  ASSERT_TRUE(flat.add(VectorView::of(base.data(), 50, 8)).is_ok());
  std::vector<int64_t> ids(60);
  std::vector<float> dist(60);
  EXPECT_FALSE(detail::exact_knn_blocked(flat.store(), 50, VectorView::of(q.data(), 3, 8), 10, ids.data(), dist.data()));
  q[13] = std::numeric_limits<float>::quiet_NaN();
  EXPECT_FALSE(detail::exact_knn_blocked(flat.store(), 50, VectorView::of(q.data(), 6, 8), 10, ids.data(), dist.data()));
}

INSTANTIATE_TEST_SUITE_P(Levels, FlatBatch, ::testing::ValuesIn(supported_simd_levels()),
                         [](const auto& info) { return std::string(simd_level_name(info.param)); });

}  // namespace
}  // namespace annlab
