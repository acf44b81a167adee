// HNSW against the exact answer (that efSearch buys recall is the registry test's sweep).
#include <gtest/gtest.h>

#include <cmath>
#include <numeric>

#include "annlab/eval.h"
#include "annlab/factory.h"
#include "annlab/generators.h"
#include "annlab/index_io.h"
#include "index/hnsw_index.h"
#include "test_util.h"

namespace annlab {
namespace {

using Data = test::KnnData;
using test::build;
using test::data32;

double recall(const Index& index, const SearchParams& p, const Data& d = data32()) { return test::recall10(index, p, d); }

TEST(Hnsw, RecallAtEfSearch64IsAtLeast098) {
  const Data& d = data32();
  auto h = build("HNSW16", d.base);
  SearchParams p;
  p.efSearch = 64;
  EXPECT_GE(recall(*h, p), 0.98);
}

}  // namespace
}  // namespace annlab
