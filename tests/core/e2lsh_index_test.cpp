// p-stable LSH (E2LSH) against its formula and the exact answer.
#include <gtest/gtest.h>

#include <cmath>
#include <numeric>

#include "annlab/eval.h"
#include "annlab/factory.h"
#include "annlab/generators.h"
#include "annlab/index_io.h"
#include "index/e2lsh_index.h"
#include "test_util.h"

namespace annlab {
namespace {

using Data = test::KnnData;
using test::build;
using test::data64;

double recall(const Index& index, const SearchParams& p, const Data& d = data64()) { return test::recall10(index, p, d); }

TEST(E2Lsh, SlabsFollowTheFormulaAndRecallRisesWithTablesAndProbes) {
  const Data& d = data64();
  BuildParams bp;
  bp.w = 6.0;
  auto index = build("E2LSH6x4", d.base, bp);
  const auto& e = dynamic_cast<const E2LshIndex&>(*index);
  EXPECT_EQ(e.w(), 6.0);
  auto st = e.explain_structure();
  ASSERT_TRUE(st.is_ok());
  ASSERT_EQ(st->find<SlabLayer>()->functions.size(), 24u);
  // h = floor((a . v + b) / w), recomputed in double from the explained functions.
  int64_t h[6];
  std::vector<float> v(64);
  for (size_t i = 0; i < 20; ++i) {
    d.base.view().row_to_f32(i, v.data());
    e.slabs(1, v.data(), h);
    for (size_t c = 0; c < 6; ++c) {
      const Hyperplane& f = st->find<SlabLayer>()->functions[6 + c];
      double s = 0;
      for (size_t j = 0; j < 64; ++j) s += double(f.normal[j]) * v[j];
      const double u = (s - f.offset) / 6.0;
      if (std::fabs(u - std::round(u)) < 1e-4) continue;
      EXPECT_EQ(h[c], int64_t(std::floor(u))) << "vector " << i << " function " << c;
    }
    EXPECT_EQ(st->find<BucketLayer>()->keys[1][i], slab_key(h, 6));
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

}  // namespace
}  // namespace annlab
