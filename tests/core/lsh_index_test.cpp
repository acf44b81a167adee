#include "index/lsh_index.h"

#include <gtest/gtest.h>

#include <set>

#include "annlab/eval.h"
#include "annlab/factory.h"
#include "annlab/generators.h"
#include "test_util.h"

namespace annlab {
namespace {

using Data = test::KnnData;
using test::build;
using test::data64;

double recall(const Index& index, const SearchParams& p, const Data& d = data64()) { return test::recall10(index, p, d); }

const Data& gaussian() {
  static const Data d = [] {
    Data out;
    out.base = make_gaussian_blobs(4000, 16, 20, 2.0, 11).value();
    out.query = make_gaussian_blobs(100, 16, 20, 2.0, 11).value();  // same centres: same seed
    Rng rng(12);
    for (float& v : out.query.f32) v += float(rng.normal());
    out.gt = exact_knn(out.base.view(), out.query.view(), 10).value();
    return out;
  }();
  return d;
}

double recall_of(const Index& index, const Data& d, QueryStats* tot = nullptr) {
  SearchResult r;
  EXPECT_TRUE(index.search(d.query.view(), 10, {}, &r).is_ok());
  if (tot) *tot = r.total();
  return evaluate(r.ids.data(), 10, d.gt.ids.data(), 10, d.base.view(), d.query.view(), 10)->recall;
}

TEST(LshIndex, RecallRisesWithTheNumberOfTables) {
  const Data& d = gaussian();
  double prev = -1;
  uint64_t prev_dist = 0;
  for (int L : {1, 4, 16, 64}) {
    QueryStats st;
    const double r = recall_of(*build("LSH10x" + std::to_string(L), d.base), d, &st);
    EXPECT_GT(r, prev) << "L=" << L;
    EXPECT_GT(st.distances, prev_dist);
    prev = r;
    prev_dist = st.distances;
  }
  EXPECT_GT(prev, 0.9);  // 64 tables find nearly everything
}

TEST(LshIndex, MoreBitsMeanFewerCandidates) {
  const Data& d = gaussian();
  QueryStats few, many;
  recall_of(*build("LSH6x4", d.base), d, &few);
  recall_of(*build("LSH12x4", d.base), d, &many);
  EXPECT_GT(few.candidates, many.candidates);
}

TEST(LshIndex, CandidatesAreExactlyTheUnionOfTheQueryBuckets) {
  const Data& d = gaussian();
  auto index = build("LSH8x3", d.base);
  const auto* lsh = dynamic_cast<const LshIndex*>(index.get());
  auto s = lsh->explain_structure();
  ASSERT_TRUE(s.is_ok());
  const float* q = d.query.f32.data();
  std::set<int64_t> expected;
  for (int t = 0; t < 3; ++t) {
    const uint64_t key = lsh->key(t, q);
    for (size_t i = 0; i < d.base.n; ++i)
      if (s->find<BucketLayer>()->keys[t][i] == key) expected.insert(int64_t(i));
  }
  auto tr = lsh->explain_query(VectorView::of(q, 1, d.base.d), 10, {});
  ASSERT_TRUE(tr.is_ok());
  std::set<int64_t> computed;
  int buckets = 0;
  for (const auto& e : tr->events) {
    if (e.kind == TraceKind::DistanceComputed) computed.insert(e.id);
    buckets += e.kind == TraceKind::BucketOpened;
  }
  EXPECT_EQ(buckets, 3);
  EXPECT_EQ(computed, expected);
  EXPECT_EQ(tr->stats.candidates, expected.size());
  SearchResult r;
  ASSERT_TRUE(index->search(VectorView::of(q, 1, d.base.d), 10, {}, &r).is_ok());
  EXPECT_EQ(tr->ids, r.ids);
}

TEST(LshIndex, KeysAreTheSidesOfTheHyperplanes) {
  const Data& d = gaussian();
  auto index = build("LSH5x2", d.base);
  auto s = dynamic_cast<const Explainable*>(index.get())->explain_structure();
  ASSERT_TRUE(s.is_ok());
  ASSERT_EQ(s->find<HyperplaneLayer>()->planes.size(), 10u);
  size_t total = 0;
  for (const auto& b : s->find<BucketLayer>()->buckets) total += b.size;
  EXPECT_EQ(total, 2 * d.base.n);
  for (size_t i = 0; i < 50; ++i)
    for (const auto& h : s->find<HyperplaneLayer>()->planes) {
      double dot = 0;
      for (size_t j = 0; j < d.base.d; ++j) dot += double(h.normal[j]) * d.base.f32[i * d.base.d + j];
      if (std::fabs(dot - h.offset) < 1e-3) continue;  // too close to call in double vs float
      EXPECT_EQ(bool((s->find<BucketLayer>()->keys[h.table][i] >> h.bit) & 1), dot >= h.offset);
    }
}

TEST(LshIndex, BitsDefaultFromTheBucketSize) {
  const Data& d = gaussian();  // n = 4000
  BuildParams bp;
  EXPECT_EQ(build("LSHx4", d.base, bp)->describe(), "LSH7x4");  // floor(log2(4000 / 16)) = 7
  bp.bucket_size = 500;
  EXPECT_EQ(build("LSHx4", d.base, bp)->describe(), "LSH3x4");  // floor(log2(8)) = 3
  bp.bucket_size = 100000;
  EXPECT_EQ(build("LSHx4", d.base, bp)->describe(), "LSH1x4");  // at least one bit
}

TEST(LshIndex, SameSeedSameIndexOtherSeedOtherIndex) {
  const Data& d = gaussian();
  BuildParams a, b;
  a.seed = b.seed = 5;
  auto x = build("LSH8x2", d.base, a), y = build("LSH8x2", d.base, b);
  b.seed = 6;
  auto z = build("LSH8x2", d.base, b);
  auto sx = dynamic_cast<const Explainable*>(x.get())->explain_structure();
  auto sy = dynamic_cast<const Explainable*>(y.get())->explain_structure();
  auto sz = dynamic_cast<const Explainable*>(z.get())->explain_structure();
  EXPECT_EQ(sx->find<BucketLayer>()->keys, sy->find<BucketLayer>()->keys);
  EXPECT_NE(sx->find<BucketLayer>()->keys, sz->find<BucketLayer>()->keys);
}

TEST(LshIndex, UsageErrors) {
  LshIndex lsh(4, 3, 2, {});
  std::vector<float> x(8, 1.0f);
  EXPECT_EQ(lsh.add(VectorView::of(x.data(), 2, 4)).message(), "LSH3x2 is not trained: train it before adding vectors");
  EXPECT_EQ(lsh.train(VectorView::of(x.data(), 0, 4)).message(), "LSH training needs at least one vector (got 0)");
  ASSERT_TRUE(lsh.train(VectorView::of(x.data(), 2, 4)).is_ok());
  EXPECT_EQ(lsh.train(VectorView::of(x.data(), 2, 4)).message(), "LSH3x2 is already trained");
  ASSERT_TRUE(lsh.add(VectorView::of(x.data(), 2, 4)).is_ok());
  SearchResult r;
  SearchParams p;
  p.efSearch = 10;
  EXPECT_EQ(lsh.search(VectorView::of(x.data(), 1, 4), 1, p, &r).message(),
            "search parameter 'efSearch' does not apply to LSH3x2 (it takes probes)");
}

TEST(MultiProbeLsh, AllBucketsProbedEqualsFlatAndRecallRisesWithProbesAndTables) {
  const Data& d = data64();
  auto all = build("LSH4x1", d.base);
  SearchParams p;
  p.probes = 16;  // 2^4: every bucket of the one table
  SearchResult r;
  ASSERT_TRUE(all->search(d.query.view(), 10, p, &r).is_ok());
  EXPECT_EQ(r.ids, d.gt.ids);
  EXPECT_EQ(r.distances, d.gt.distances);
  EXPECT_EQ(r.stats[0].candidates, d.base.n);
  auto lsh = build("LSH14x4", d.base);
  double prev = -1;
  uint64_t prev_cand = 0;
  for (int64_t probes : {1, 2, 4, 8, 16, 32, 64}) {
    SearchParams pp;
    pp.probes = probes;
    const double rr = recall(*lsh, pp);
    SearchResult res;
    ASSERT_TRUE(lsh->search(d.query.view(), 10, pp, &res).is_ok());
    uint64_t cand = 0;
    for (const auto& s : res.stats) cand += s.candidates;
    EXPECT_GE(rr, prev) << "probes " << probes;
    EXPECT_GE(cand, prev_cand);
    prev = rr;
    prev_cand = cand;
  }
  EXPECT_GT(prev, recall(*lsh, {}) + 0.1);
  EXPECT_GT(recall(*build("LSH14x16", d.base), {}), recall(*lsh, {}));
  SearchParams bad;
  bad.probes = 0;
  EXPECT_EQ(lsh->search(d.query.view(), 10, bad, &r).message(), "probes = 0: expected at least 1 (the query's own bucket)");
}

// The probe sequence enumerates every flip set once: a 5-bit table probed 32 times opens all 32
// buckets, none twice, starting with the query's own.
TEST(MultiProbeLsh, ThirtyTwoProbesOfAFiveBitTableOpenEveryBucketOnce) {
  auto lsh = build("LSH5x1", data64().base);
  SearchParams p;
  p.probes = 32;
  auto t = as_explainable(*lsh)->explain_query(data64().query.view().rows(0, 1), 10, p);
  ASSERT_TRUE(t.is_ok());
  std::vector<int64_t> keys;
  for (const TraceEvent& e : t->events)
    if (e.kind == TraceKind::BucketOpened) keys.push_back(e.id);
  ASSERT_EQ(keys.size(), 32u);
  std::vector<float> q(64);
  data64().query.view().row_to_f32(0, q.data());
  EXPECT_EQ(uint64_t(keys[0]), dynamic_cast<const LshIndex&>(*lsh).key(0, q.data()));
  std::sort(keys.begin(), keys.end());
  EXPECT_EQ(std::unique(keys.begin(), keys.end()), keys.end()) << "a bucket was probed twice";
}

}  // namespace
}  // namespace annlab
