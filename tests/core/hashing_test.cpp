// Hashing: binary codes (SimHash, ITQ) ranked by Hamming distance, multi-probe hyperplane LSH,
// p-stable LSH and LSH tokens, against the exact answer and against hand-computed values.
#include <gtest/gtest.h>

#include <numeric>

#include "index/binary_index.h"
#include "parts/bit_planes.h"
#include "annlab/distance.h"
#include "annlab/eval.h"
#include "annlab/factory.h"
#include "annlab/generators.h"
#include "index/e2lsh_index.h"
#include "annlab/index_io.h"
#include "index/lsh_index.h"
#include "annlab/pca.h"
#include "index/tokens_index.h"
#include "test_util.h"

namespace annlab {
namespace {

using Data = test::KnnData;
using test::build;

// 5,000 points from 20 Gaussian blobs in 64-d and 100 queries from the same distribution.
const Data& data64() {
  static const Data d = test::split_knn(make_gaussian_blobs(5100, 64, 20, 1.0, 31).value(), 5000);
  return d;
}

// 64-d data whose variance decays along its (randomly rotated) axes, as in real embeddings and
// images: 4,000 base points and 100 queries.
const Data& decaying64() {
  static const Data d =
      test::split_knn(test::rotated_spectrum(4100, 64, 99, 8, [](size_t b) { return std::exp(-double(b) / 8); }), 4000);
  return d;
}

double recall(const Index& index, const SearchParams& p, const Data& d = data64()) { return test::recall10(index, p, d); }

TEST(SelectSmallest, CountingSelectionEqualsASort) {
  Rng rng(4);
  for (size_t n : {1, 7, 100, 1000}) {
    std::vector<uint32_t> dist(n);
    for (auto& v : dist) v = uint32_t(rng.below(33));
    for (size_t cap : {size_t{0}, size_t{1}, size_t{5}, n / 2, n, n + 3}) {
      std::vector<int64_t> got, want(n);
      select_smallest(dist.data(), n, 32, cap, &got);
      std::iota(want.begin(), want.end(), int64_t{0});
      std::stable_sort(want.begin(), want.end(), [&](int64_t a, int64_t b) { return dist[size_t(a)] < dist[size_t(b)]; });
      want.resize(std::min(cap, n));
      EXPECT_EQ(got, want) << "n=" << n << " cap=" << cap;
    }
  }
}

TEST(SelectSmallest, FusedScanEqualsScanThenCountingSelection) {
  Rng rng(9);
  for (size_t words : {1, 2, 3}) {
    for (size_t n : {1, 100, 1000, 5000}) {
      std::vector<uint64_t> codes(n * words), q(words);
      // Few distinct bits, so many ties at every distance.
      for (auto& c : codes) c = rng.next_u64() & 0x0F0F;
      for (auto& c : q) c = rng.next_u64() & 0x0F0F;
      std::vector<uint32_t> dist(n);
      kernels().hamming_scan(q.data(), codes.data(), n, words, dist.data());
      for (size_t cap : {size_t{1}, size_t{10}, size_t{257}, n, n + 5}) {
        std::vector<int64_t> fused, counted;
        hamming_smallest(q.data(), codes.data(), n, words, cap, &fused);
        select_smallest(dist.data(), n, uint32_t(64 * words), cap, &counted);
        EXPECT_EQ(fused, counted) << "words=" << words << " n=" << n << " cap=" << cap;
      }
    }
  }
}

// The bit-sliced ranking (what the WebAssembly build's ITQ / SimHash search runs) gives exactly the
// fused scan's answer: 1 to 1,024 bits (partial steps of 4 planes, every counter width), dense and
// sparse codes (so both the query's set bits and their complement get summed), blocks of 128 codes
// cut anywhere and appended in two parts, caps from 1 to past n, many ties.
TEST(BitPlanes, SmallestEqualsTheFusedScan) {
  Rng rng(21);
  for (size_t bits : {1, 7, 32, 64, 100, 128, 200, 1024}) {
    const size_t words = (bits + 63) / 64;
    const uint64_t last_mask = bits % 64 ? (uint64_t{1} << (bits % 64)) - 1 : ~uint64_t{0};
    for (size_t n : {1, 127, 128, 129, 1000, 3000}) {
      for (uint64_t density : {uint64_t{0x0F0F0F0F0F0F0F0F}, ~uint64_t{0}}) {
        auto draw = [&](uint64_t* c) {
          for (size_t w = 0; w < words; ++w) c[w] = rng.next_u64() & density & (w + 1 == words ? last_mask : ~uint64_t{0});
        };
        std::vector<uint64_t> codes(n * words), q(words);
        for (size_t i = 0; i < n; ++i) draw(codes.data() + i * words);
        draw(q.data());
        // Appended in two parts, the first ending inside a block.
        BitPlanes planes(bits);
        const size_t first = n / 3;
        planes.append(codes.data(), first, words);
        planes.append(codes.data() + first * words, n - first, words);
        ASSERT_EQ(planes.size(), n);
        for (size_t cap : {size_t{1}, size_t{10}, size_t{130}, n, n + 5}) {
          std::vector<int64_t> fused, sliced, portable;
          hamming_smallest(q.data(), codes.data(), n, words, cap, &fused);
          planes.smallest(q.data(), cap, &sliced);
          planes.smallest_portable(q.data(), cap, &portable);
          EXPECT_EQ(sliced, fused) << "bits=" << bits << " n=" << n << " cap=" << cap;
          EXPECT_EQ(portable, fused) << "bits=" << bits << " n=" << n << " cap=" << cap;
        }
      }
    }
  }
}

TEST(BinaryCodes, CodesFollowTheProjectionsAndHammingOrdersTheAnswer) {
  const Data& d = data64();
  for (const char* spec : {"SimHash64", "SimHash100", "ITQ32", "ITQ64"}) {
    auto index = build(spec, d.base);
    const auto& b = dynamic_cast<const BinaryCodeIndex&>(*index);
    const auto& e = dynamic_cast<const SignProjectionEncoder&>(b.encoder());
    // Each stored bit is [w_j . x >= t_j], recomputed here in double (ties at the threshold aside).
    for (size_t i = 0; i < 50; ++i)
      for (size_t j = 0; j < b.bits(); ++j) {
        double s = 0;
        for (size_t c = 0; c < 64; ++c) s += double(e.projections()[j * 64 + c]) * d.base.f32[i * 64 + c];
        if (std::fabs(s - e.thresholds()[j]) < 1e-4) continue;
        const bool bit = (b.codes()[i * b.words() + j / 64] >> (j % 64)) & 1;
        EXPECT_EQ(bit, s >= e.thresholds()[j]) << spec << " vector " << i << " bit " << j;
      }
    // Without rerank the answer is the Hamming order: distances ascend and are Hamming distances.
    SearchResult r;
    ASSERT_TRUE(index->search(d.query.view().rows(0, 1), 10, {}, &r).is_ok());
    for (size_t i = 1; i < 10; ++i) EXPECT_LE(r.distances[i - 1], r.distances[i]) << spec;
    std::vector<uint64_t> q(b.words());
    b.encode(d.query.f32.data(), q.data());
    EXPECT_EQ(r.distances[0], float(hamming(q.data(), b.codes().data() + size_t(r.ids[0]) * b.words(), b.words())));
  }
}

TEST(BinaryCodes, RecallRisesWithBitsAndRerankAndFullRerankIsExact) {
  const Data& d = data64();
  for (const char* kind : {"SimHash", "ITQ"}) {
    const double r32 = recall(*build(std::string(kind) + "32", d.base), {});
    const double r64 = recall(*build(std::string(kind) + "64", d.base), {});
    EXPECT_GT(r64, r32) << kind;
    auto index = build(std::string(kind) + "64", d.base);
    double prev = -1;
    for (int64_t rr : {0, 20, 100, 500}) {
      SearchParams p;
      if (rr) p.rerank = rr;
      const double r = recall(*index, p);
      EXPECT_GE(r, prev) << kind << " rerank " << rr;
      prev = r;
    }
    SearchParams all;
    all.rerank = 5000;
    SearchResult r;
    ASSERT_TRUE(index->search(d.query.view(), 10, all, &r).is_ok());
    EXPECT_EQ(r.ids, d.gt.ids) << kind;
  }
}

TEST(BinaryCodes, ItqLowersItsQuantizationLossAndBeatsSimHashAtEqualBits) {
  const Data& d = decaying64();
  auto itq = build("ITQ32", d.base), sim = build("SimHash32", d.base);
  const auto& loss = dynamic_cast<const ItqEncoder&>(dynamic_cast<const BinaryCodeIndex&>(*itq).encoder()).loss();
  ASSERT_EQ(loss.size(), 50u);
  EXPECT_LT(loss.back(), loss.front());
  for (size_t i = 1; i < loss.size(); ++i) EXPECT_LE(loss[i], loss[i - 1] * (1 + 1e-4)) << "iteration " << i;
  const double ri = recall(*itq, {}, d), rs = recall(*sim, {}, d);
  EXPECT_GT(ri, rs) << "ITQ32 " << ri << ", SimHash32 " << rs;
}

TEST(BinaryCodes, SaveLoadGivesIdenticalResults) {
  const Data& d = data64();
  for (const char* spec : {"SimHash96", "ITQ64"}) {
    auto index = build(spec, d.base);
    auto bytes = serialize_index(*index).value();
    auto back = deserialize_index("f", bytes.data(), bytes.size());
    ASSERT_TRUE(back.is_ok()) << back.message();
    SearchParams p;
    p.rerank = 50;
    SearchResult a, b;
    ASSERT_TRUE(index->search(d.query.view(), 10, p, &a).is_ok());
    ASSERT_TRUE(back.value()->search(d.query.view(), 10, p, &b).is_ok());
    EXPECT_EQ(a.ids, b.ids);
    EXPECT_EQ(a.distances, b.distances);
  }
}

TEST(BinaryCodes, AbsurdConfigurationsAreClearErrors) {
  EXPECT_EQ(make_index("SimHash0", 8).message(), "index description 'SimHash0': bits = 0 is out of range [32, 1024]");
  EXPECT_EQ(make_index("ITQ65536", 8).message(), "index description 'ITQ65536': bits = 65536 is out of range [32, 1024]");
  const auto x = test::random_floats(100, 16, 1);
  auto itq = make_index("ITQ32", 16).value();
  EXPECT_EQ(itq->train(VectorView::of(x.data(), 100, 16)).message(),
            "ITQ32: 32 bits exceed the dimension 16 (ITQ rotates a PCA of the data, so bits <= d; SimHash has no such limit)");
  auto sim = make_index("SimHash32", 16).value();
  EXPECT_EQ(sim->add(VectorView::of(x.data(), 100, 16)).message(), "SimHash32 is not trained: train it before adding vectors");
  EXPECT_TRUE(sim->train(VectorView::of(x.data(), 100, 16)).is_ok());  // 32 bits from two 16-d rotations
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

TEST(E2Lsh, SlabsFollowTheFormulaAndRecallRisesWithTablesAndProbes) {
  const Data& d = data64();
  BuildParams bp;
  bp.w = 6.0;
  auto index = build("E2LSH6x4", d.base, bp);
  const auto& e = dynamic_cast<const E2LshIndex&>(*index);
  EXPECT_EQ(e.w(), 6.0);
  auto st = e.explain_structure();
  ASSERT_TRUE(st.is_ok());
  ASSERT_EQ(st->hyperplanes.size(), 24u);
  // h = floor((a . v + b) / w), recomputed in double from the explained functions.
  int64_t h[6];
  std::vector<float> v(64);
  for (size_t i = 0; i < 20; ++i) {
    d.base.view().row_to_f32(i, v.data());
    e.slabs(1, v.data(), h);
    for (size_t c = 0; c < 6; ++c) {
      const Hyperplane& f = st->hyperplanes[6 + c];
      double s = 0;
      for (size_t j = 0; j < 64; ++j) s += double(f.normal[j]) * v[j];
      const double u = (s - f.offset) / 6.0;
      if (std::fabs(u - std::round(u)) < 1e-4) continue;
      EXPECT_EQ(h[c], int64_t(std::floor(u))) << "vector " << i << " function " << c;
    }
    EXPECT_EQ(st->keys[1][i], slab_key(h, 6));
  }
  const double r4 = recall(*index, {}), r16 = recall(*build("E2LSH6x16", d.base, bp), {});
  EXPECT_GT(r16, r4);
  double prev = r4;
  for (int64_t probes : {2, 8, 32}) {
    SearchParams p;
    p.probes = probes;
    const double r = recall(*index, p);
    EXPECT_GE(r, prev) << "probes " << probes;
    prev = r;
  }
  EXPECT_GT(prev, r4);
}

TEST(E2Lsh, SaveLoadAndAbsurdConfigurations) {
  const Data& d = data64();
  auto index = build("E2LSH4x3", d.base);  // w chosen from the data
  EXPECT_GT(dynamic_cast<const E2LshIndex&>(*index).w(), 0.0);
  auto bytes = serialize_index(*index).value();
  auto back = deserialize_index("f", bytes.data(), bytes.size());
  ASSERT_TRUE(back.is_ok()) << back.message();
  SearchParams p;
  p.probes = 4;
  SearchResult a, b;
  ASSERT_TRUE(index->search(d.query.view(), 10, p, &a).is_ok());
  ASSERT_TRUE(back.value()->search(d.query.view(), 10, p, &b).is_ok());
  EXPECT_EQ(a.ids, b.ids);
  BuildParams bad;
  bad.w = -1;
  auto e = make_index("E2LSH4x3", 64, bad).value();
  EXPECT_EQ(e->train(d.base.view()).message(), "E2LSH4x3: slab width w = -1: expected a finite number > 0");
  EXPECT_EQ(make_index("E2LSH0x3", 64).message(), "index description 'E2LSH0x3': k = 0 is out of range [1, 64]");
}

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
  const auto& t = dynamic_cast<const TokensIndex&>(*s.index);
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
  ASSERT_TRUE(dynamic_cast<TokensIndex&>(*s.index).set_labels({0, 1, 0, 1, 1, 0}).is_ok());
  p = {};
  p.label = 1;
  r = s.search(p, 4);
  EXPECT_EQ(r.ids, (std::vector<int64_t>{4, 1, -1, -1}));
}

TEST(Tokens, LabelFilterNeverReturnsAFilteredOutId) {
  const Data& d = data64();  // 20 blobs, the label is the blob
  auto index = build("Tokens16x16", d.base);
  auto& t = dynamic_cast<TokensIndex&>(*index);
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
  ASSERT_TRUE(dynamic_cast<TokensIndex&>(*index).set_labels(d.base.labels).is_ok());
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
  EXPECT_EQ(dynamic_cast<TokensIndex&>(*plain).set_labels({1, 2}).message(), "Tokens4x8: 2 labels for 5000 indexed vectors");
  p = {};
  p.probes = 2;
  EXPECT_EQ(plain->search(d.query.view(), 10, p, &r).message(),
            "search parameter 'probes' does not apply to Tokens4x8 (it takes scoring, max_query_terms, min_doc_freq, "
            "label, rerank)");
}

}  // namespace
}  // namespace annlab
