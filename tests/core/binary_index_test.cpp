// Binary codes (SimHash, ITQ) ranked by Hamming distance, and the Hamming selections.
#include <gtest/gtest.h>

#include <cmath>
#include <numeric>

#include "annlab/eval.h"
#include "annlab/factory.h"
#include "annlab/generators.h"
#include "annlab/index_io.h"
#include "annlab/distance.h"
#include "annlab/encoder.h"
#include "index/binary_index.h"
#include "parts/kmeans.h"
#include "annlab/pca.h"
#include "annlab/random.h"
#include "test_util.h"
#include "index/wrapper.h"

namespace annlab {
namespace {

using Data = test::KnnData;
using test::build;
using test::data64;
using test::decaying64;

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

TEST(BinaryCodes, CodesFollowTheProjectionsAndHammingOrdersTheAnswer) {
  const Data& d = data64();
  for (const char* spec : {"SimHash64", "SimHash100", "ITQ32", "ITQ64"}) {
    auto index = build(spec, d.base);
    const auto& b = *find_inner<BinaryCodeIndex>(*index);
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
  const auto& loss = dynamic_cast<const ItqEncoder&>(find_inner<BinaryCodeIndex>(*itq)->encoder()).loss();
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


// In wasm, byte vectors are projected by exact integer products against int16 projections, and the
// fixed-order kernel decides every bit within the bound of its threshold. Forced on this build's
// level it must give the float path's codes (the whole base, through add) and results, and fall
// back for vectors that are not integers.
TEST(BinaryCodes, Int16ProjectionsGiveTheFloatPathsCodes) {
  const Data d = test::random_byte_knn(4000, 144, 3800, 5);
  const std::vector<float> fractional = test::offset_queries(d.query, 20, 0.5f);
  for (const char* spec : {"SimHash64", "SimHash200", "ITQ64", "ITQ128"}) {
    detail::force_assign_product(detail::AssignProduct::Float);
    auto floats = build(spec, d.base);
    detail::force_assign_product(detail::AssignProduct::Int16);
    auto ints = build(spec, d.base);
    detail::force_assign_product(detail::AssignProduct::Auto);
    EXPECT_GT(ints->memory_bytes(), floats->memory_bytes()) << spec << ": the int16 projections were prepared";
    const auto& a = *find_inner<BinaryCodeIndex>(*ints);
    const auto& b = *find_inner<BinaryCodeIndex>(*floats);
    EXPECT_EQ(a.codes(), b.codes()) << spec;
    for (const VectorView q : {d.query.view(), VectorView::of(fractional.data(), 20, 144)}) {
      SearchResult ra, rb;
      ASSERT_TRUE(ints->search(q, 10, {}, &ra).is_ok());
      ASSERT_TRUE(floats->search(q, 10, {}, &rb).is_ok());
      EXPECT_EQ(ra.ids, rb.ids) << spec;
      EXPECT_EQ(ra.distances, rb.distances) << spec;
    }
  }
}


// The batched search ranks groups of queries block by block (natively); every query's answer must
// be its answer alone: the group function against hamming_smallest for group sizes 1..9, lengths
// that leave a partial block, caps up to past n, and codes with many ties; then whole searches.
TEST(SelectSmallest, GroupedScanEqualsOneQueryAtATime) {
  for (const size_t words : {1, 2, 3}) {
    for (const size_t n : {1, 255, 700}) {
      Rng rng(words * 1000 + n);
      std::vector<uint64_t> codes(n * words), qs(9 * words);
      for (auto& c : codes) c = rng.next_u64() & rng.next_u64();  // sparse bits: many equal distances
      for (auto& c : qs) c = rng.next_u64();
      for (const size_t cap : {1, 10, 300, 800}) {
        for (size_t g = 1; g <= 9; ++g) {
          std::vector<std::vector<int64_t>> outs(g);
          hamming_smallest_group(qs.data(), g, codes.data(), n, words, cap, outs.data());
          for (size_t i = 0; i < g; ++i) {
            std::vector<int64_t> alone;
            hamming_smallest(qs.data() + i * words, codes.data(), n, words, cap, &alone);
            ASSERT_EQ(outs[i], alone) << "words " << words << " n " << n << " cap " << cap << " g " << g << " query " << i;
          }
        }
      }
    }
  }
  const Data& d = data64();
  for (const char* spec : {"SimHash64", "SimHash200", "ITQ64"}) {
    auto index = build(spec, d.base);
    SearchResult all;
    ASSERT_TRUE(index->search(d.query.view(), 10, {}, &all).is_ok());
    for (size_t i = 0; i < d.query.n; i += 7) {
      SearchResult one;
      ASSERT_TRUE(index->search(d.query.view().rows(i, 1), 10, {}, &one).is_ok());
      ASSERT_EQ(std::vector<int64_t>(all.ids.begin() + long(i * 10), all.ids.begin() + long(i * 10 + 10)), one.ids) << spec << " query " << i;
      ASSERT_EQ(std::vector<float>(all.distances.begin() + long(i * 10), all.distances.begin() + long(i * 10 + 10)), one.distances);
    }
  }
}

}  // namespace
}  // namespace annlab
