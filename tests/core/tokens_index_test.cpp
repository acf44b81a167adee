// LSH tokens: BM25 / TF-IDF against hand-computed scores, the label filter, recall.
#include <gtest/gtest.h>

#include <cmath>
#include <numeric>

#include "annlab/eval.h"
#include "annlab/factory.h"
#include "annlab/generators.h"
#include "annlab/index_io.h"
#include "index/tokens_index.h"
#include "test_util.h"
#include "index/wrapper.h"

namespace annlab {
namespace {

using Data = test::KnnData;
using test::build;
using test::data64;
using test::decaying64;

double recall(const Index& index, const SearchParams& p, const Data& d = data64()) { return test::recall10(index, p, d); }

// Six 2-D points whose coordinates sit near 0 or near 10: Tokens2x2 gives each point one token for
// "x near 0 / 10" and one for "y near 0 / 10". Document frequencies: x near 0 -> p0 p1 p4 p5 (4 of
// 6), y near 0 -> p0 p2 p4 (3 of 6).
struct SixPoints {
  std::unique_ptr<Index> index;
  std::vector<float> q = {0.1f, 0.2f};
  SixPoints() {
    Dataset ds;
    ds.n = 6;
    ds.d = 2;
    ds.f32 = {0, 0, 0, 10, 10, 0, 10, 10, 0, 0.2f, 0.2f, 10};
    index = build("Tokens2x2", ds);
  }
  SearchResult search(const SearchParams& p, size_t k = 6) const {
    SearchResult r;
    const Status st = index->search(VectorView::of(q.data(), 1, 2), k, p, &r);
    EXPECT_TRUE(st.is_ok()) << st.message();
    return r;
  }
};

TEST(Tokens, Bm25AndTfIdfScoresEqualAHandComputedExample) {
  SixPoints s;
  const auto& t = *find_inner<TokensIndex>(*s.index);
  EXPECT_EQ(t.tokens()[0 * 2 + 0], t.tokens()[1 * 2 + 0]);  // p0, p1 share "x near 0"
  EXPECT_NE(t.tokens()[0 * 2 + 0], t.tokens()[2 * 2 + 0]);
  EXPECT_EQ(t.tokens()[0 * 2 + 1], t.tokens()[2 * 2 + 1]);  // p0, p2 share "y near 0"
  // BM25 with tf = 1 and every document g = 2 terms long: a shared term adds
  // idf = ln(1 + (N - df + 0.5) / (df + 0.5)): x: ln(1 + 2.5 / 4.5) = ln(14/9), y: ln(1 + 3.5 / 3.5) = ln 2.
  const double bx = std::log(14.0 / 9.0), by = std::log(2.0);
  SearchParams p;
  SearchResult r = s.search(p);  // bm25 is the default
  EXPECT_EQ(r.ids, (std::vector<int64_t>{0, 4, 2, 1, 5, -1}));  // p3 shares no term: not a candidate
  const std::vector<double> want = {bx + by, bx + by, by, bx, bx};
  for (size_t i = 0; i < want.size(); ++i) EXPECT_NEAR(r.distances[i], want[i], 1e-6) << i;
  EXPECT_EQ(r.stats[0].candidates, 5u);
  EXPECT_EQ(r.stats[0].buckets, 2u);
  // Lucene's classic TF-IDF: idf = 1 + ln(N / (df + 1)), a shared term adds idf^2 (tf = 1, equal lengths).
  const double tx = std::pow(1 + std::log(6.0 / 5.0), 2), ty = std::pow(1 + std::log(6.0 / 4.0), 2);
  p.scoring = "tfidf";
  r = s.search(p);
  EXPECT_EQ(r.ids, (std::vector<int64_t>{0, 4, 2, 1, 5, -1}));
  const std::vector<double> want_tfidf = {tx + ty, tx + ty, ty, tx, tx};
  for (size_t i = 0; i < want_tfidf.size(); ++i) EXPECT_NEAR(r.distances[i], want_tfidf[i], 1e-5) << i;
  // max_query_terms = 1 keeps the rarer term (y); min_doc_freq = 4 drops it (df 3) and keeps x.
  p = {};
  p.max_query_terms = 1;
  r = s.search(p, 4);
  EXPECT_EQ(r.ids, (std::vector<int64_t>{0, 2, 4, -1}));
  p = {};
  p.min_doc_freq = 4;
  r = s.search(p, 5);
  EXPECT_EQ(r.ids, (std::vector<int64_t>{0, 1, 4, 5, -1}));
  // rerank orders the best-scored candidates by the exact distance.
  p = {};
  p.rerank = 6;
  r = s.search(p, 3);
  EXPECT_EQ(r.ids, (std::vector<int64_t>{4, 0, 1}));  // 0.01, 0.05, 96.05
  EXPECT_NEAR(r.distances[0], 0.01, 1e-6);
  // The label filter keeps only the documents with that label.
  ASSERT_TRUE((*find_inner<TokensIndex>(*s.index)).set_labels({0, 1, 0, 1, 1, 0}).is_ok());
  p = {};
  p.label = 1;
  r = s.search(p, 4);
  EXPECT_EQ(r.ids, (std::vector<int64_t>{4, 1, -1, -1}));
}

TEST(Tokens, LabelFilterNeverReturnsAFilteredOutId) {
  const Data& d = data64();  // 20 blobs, the label is the blob
  auto index = build("Tokens16x16", d.base);
  auto& t = (*find_inner<TokensIndex>(*index));
  ASSERT_TRUE(t.set_labels(d.base.labels).is_ok());
  for (int32_t label : {0, 7, 19}) {
    for (int64_t rerank : {0, 200}) {
      SearchParams p;
      p.label = label;
      p.rerank = rerank;
      SearchResult r;
      ASSERT_TRUE(index->search(d.query.view(), 10, p, &r).is_ok());
      size_t found = 0;
      for (int64_t id : r.ids) {
        if (id < 0) continue;
        ++found;
        ASSERT_EQ(d.base.labels[size_t(id)], label) << "id " << id;
      }
      EXPECT_GT(found, 0u);
    }
  }
  // A label nobody has: no candidates at all.
  SearchParams p;
  p.label = 12345;
  SearchResult r;
  ASSERT_TRUE(index->search(d.query.view(), 10, p, &r).is_ok());
  for (int64_t id : r.ids) EXPECT_EQ(id, -1);
}

TEST(Tokens, RecallRisesWithRerankAndTokensBeatChance) {
  const Data& d = decaying64();
  auto index = build("Tokens16x16", d.base);
  SearchParams p;
  double last = 0;
  for (int64_t rerank : {0, 50, 500, 4000}) {
    p.rerank = rerank;
    const double r = recall(*index, p, d);
    EXPECT_GE(r, last - 1e-9) << "rerank " << rerank;
    last = r;
  }
  p.rerank = 0;
  EXPECT_GT(recall(*index, p, d), 0.2);  // the score order alone; chance is 10 / 4,000
  p.rerank = 500;
  EXPECT_GT(recall(*index, p, d), 0.9);
  p.rerank = 4000;  // every candidate re-ranked exactly: only points sharing no token are missed
  EXPECT_GT(recall(*index, p, d), 0.98);
  p.scoring = "tfidf";
  p.rerank = 500;
  EXPECT_GT(recall(*index, p, d), 0.9);
}

TEST(Tokens, SaveLoadAndAbsurdConfigurations) {
  const Data& d = data64();
  auto index = build("Tokens8x32", d.base);
  ASSERT_TRUE((*find_inner<TokensIndex>(*index)).set_labels(d.base.labels).is_ok());
  auto bytes = serialize_index(*index).value();
  auto back = deserialize_index("f", bytes.data(), bytes.size());
  ASSERT_TRUE(back.is_ok()) << back.message();
  for (int64_t label : {-1, 3}) {
    SearchParams p;
    p.rerank = 50;
    if (label >= 0) p.label = label;
    SearchResult a, b;
    ASSERT_TRUE(index->search(d.query.view(), 10, p, &a).is_ok());
    ASSERT_TRUE(back.value()->search(d.query.view(), 10, p, &b).is_ok());
    EXPECT_EQ(a.ids, b.ids);
    EXPECT_EQ(a.distances, b.distances);
  }
  EXPECT_EQ(make_index("Tokens0x16", 8).message(), "index description 'Tokens0x16': g = 0 is out of range [1, 1024]");
  EXPECT_EQ(make_index("Tokens4x1", 8).message(), "index description 'Tokens4x1': m = 1 is out of range [2, 65536]");
  EXPECT_EQ(make_index("Tokens3x16", 64).message(), "Tokens3x16: dimension 64 is not divisible by g = 3");
  const auto x = test::random_floats(100, 16, 1);
  auto small = make_index("Tokens4x256", 16).value();
  EXPECT_EQ(small->train(VectorView::of(x.data(), 100, 16)).message(),
            "Tokens4x256 needs at least 256 training vectors (256 centroids per sub-space), got 100");
  auto plain = build("Tokens4x8", d.base);
  SearchParams p;
  p.label = 1;
  SearchResult r;
  EXPECT_EQ(plain->search(d.query.view(), 10, p, &r).message(),
            "search parameter label: Tokens4x8 has no labels to filter on (its vectors were indexed without labels)");
  EXPECT_EQ((*find_inner<TokensIndex>(*plain)).set_labels({1, 2}).message(), "Tokens4x8: 2 labels for 5000 indexed vectors");
  p = {};
  p.probes = 2;
  EXPECT_EQ(plain->search(d.query.view(), 10, p, &r).message(),
            "search parameter 'probes' does not apply to Tokens4x8 (it takes scoring, max_query_terms, min_doc_freq, "
            "label, rerank)");
}

}  // namespace
}  // namespace annlab
