// The exact re-rank wrapper (index/refine_index.h): what it asks of the inner index, what it
// computes, what it owns, and what it records.
#include <gtest/gtest.h>

#include <algorithm>

#include "annlab/factory.h"
#include "annlab/vector_store.h"
#include "index/pq_index.h"
#include "index/refine_index.h"
#include "index/tokens_index.h"
#include "test_util.h"

namespace annlab {
namespace {

using test::build;
using test::data32;

TEST(Refine, RerankIsTheExactOrderOfTheInnerIndexsBestCandidates) {
  const auto& d = data32();
  auto index = build("PQ8", d.base);
  const auto* refine = dynamic_cast<const RefineIndex*>(index.get());
  ASSERT_NE(refine, nullptr) << "the factory wraps a method that takes rerank";
  const Index& inner = refine->inner();
  const size_t R = 40, k = 10;
  SearchParams p;
  p.rerank = int64_t(R);
  SearchResult got, cand;
  ASSERT_TRUE(index->search(d.query.view(), k, p, &got).is_ok());
  ASSERT_TRUE(inner.search(d.query.view(), R, {}, &cand).is_ok());
  EXPECT_EQ(got.kind, DistanceKind::SquaredL2);
  EXPECT_EQ(cand.kind, DistanceKind::EstimatedSquaredL2);
  for (size_t q = 0; q < d.query.n; ++q) {
    // The R candidates' exact distances, sorted by (distance, id): the first k are the answer.
    std::vector<std::pair<double, int64_t>> exact;
    for (size_t r = 0; r < R; ++r) {
      const int64_t id = cand.ids[q * R + r];
      double s = 0;
      for (size_t j = 0; j < 32; ++j) {
        const double t = double(d.query.f32[q * 32 + j]) - d.base.f32[size_t(id) * 32 + j];
        s += t * t;
      }
      exact.push_back({s, id});
    }
    std::sort(exact.begin(), exact.end());
    for (size_t r = 0; r < k; ++r) {
      EXPECT_EQ(got.ids[q * k + r], exact[r].second) << q << " " << r;
      EXPECT_NEAR(got.distances[q * k + r], exact[r].first, 1e-3 * exact[r].first + 1e-4);
    }
    EXPECT_EQ(got.stats[q].distances, R) << "one exact distance per re-ranked candidate";
  }
  // Without rerank the inner answer is the answer, estimated distances and all.
  SearchResult plain, inner_k;
  ASSERT_TRUE(index->search(d.query.view(), k, {}, &plain).is_ok());
  ASSERT_TRUE(inner.search(d.query.view(), k, {}, &inner_k).is_ok());
  EXPECT_EQ(plain.ids, inner_k.ids);
  EXPECT_EQ(plain.distances, inner_k.distances);
  EXPECT_EQ(plain.kind, DistanceKind::EstimatedSquaredL2);
}

TEST(Refine, OwnsTheBaseVectorsUnlessTheyAreShared) {
  const auto& d = data32();
  auto own = build("PQ8", d.base);
  const auto& inner = static_cast<const RefineIndex&>(*own).inner();
  EXPECT_EQ(inner.memory_bytes(), 10000u * 8 + 8 * 256 * 4 * 4) << "codes and codebooks only";
  EXPECT_EQ(own->memory_bytes(), inner.memory_bytes() + 10000u * 32 * 4);
  auto shared = make_index("PQ8", 32).value();
  auto store = std::make_shared<VectorStore>(32);
  ASSERT_TRUE(store->add(d.base.view()).is_ok());
  ASSERT_TRUE(as_refinable(*shared)->share_base(store).is_ok());
  ASSERT_TRUE(shared->train(d.base.view()).is_ok());
  ASSERT_TRUE(shared->add(d.base.view()).is_ok());
  EXPECT_EQ(shared->memory_bytes(), inner.memory_bytes());
}

TEST(Refine, ExplainRecordsTheRerankNotTheInnerRanking) {
  const auto& d = data32();
  auto index = build("PQ8", d.base);
  SearchParams p;
  p.rerank = 30;
  auto t = as_explainable(*index)->explain_query(d.query.view().rows(0, 1), 10, p);
  ASSERT_TRUE(t.is_ok()) << t.message();
  SearchResult r;
  ASSERT_TRUE(index->search(d.query.view().rows(0, 1), 10, p, &r).is_ok());
  EXPECT_EQ(t->ids, r.ids);
  EXPECT_EQ(t->distances, r.distances);
  EXPECT_EQ(t->kind, DistanceKind::SquaredL2);
  EXPECT_EQ(t->lookup_m, 8u) << "the inner index's per-query view is kept";
  // The inner ranking: 10,000 codes compared; then 30 exact distances, and only those enter the
  // top-k.
  size_t estimated = 0, exact = 0, topk = 0;
  bool topk_before_rerank = false;
  for (const TraceEvent& e : t->events) {
    estimated += e.kind == TraceKind::CodeCompared;
    exact += e.kind == TraceKind::DistanceComputed;
    if (e.kind == TraceKind::TopKChanged) {
      ++topk;
      topk_before_rerank |= exact == 0;
    }
  }
  EXPECT_EQ(estimated, 10000u);
  EXPECT_EQ(exact, 30u);
  EXPECT_GE(topk, 10u);
  EXPECT_FALSE(topk_before_rerank);
}

TEST(Refine, LabelsReachTheInnerIndex) {
  const auto& d = data32();
  auto index = build("Tokens8x16", d.base);
  Filterable* f = as_filterable(*index);
  ASSERT_NE(f, nullptr);
  std::vector<int32_t> labels(10000);
  for (size_t i = 0; i < labels.size(); ++i) labels[i] = int32_t(i % 3);
  ASSERT_TRUE(f->set_labels(labels).is_ok());
  SearchParams p;
  p.label = 2;
  p.rerank = 50;
  SearchResult r;
  ASSERT_TRUE(index->search(d.query.view(), 10, p, &r).is_ok());
  for (int64_t id : r.ids)
    if (id >= 0) {
      EXPECT_EQ(id % 3, 2);
    }
  EXPECT_EQ(as_filterable(*build("PQ8", d.base)), nullptr) << "PQ has no label filter";
}

}  // namespace
}  // namespace annlab
