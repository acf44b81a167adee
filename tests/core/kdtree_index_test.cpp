// The k-d tree against the exact answer (that leaves buys recall is the registry test's sweep).
#include <gtest/gtest.h>

#include <cmath>
#include <numeric>

#include "annlab/eval.h"
#include "annlab/factory.h"
#include "annlab/generators.h"
#include "annlab/index_io.h"
#include "index/kdtree_index.h"
#include "test_util.h"

namespace annlab {
namespace {

using Data = test::KnnData;
using test::build;
using test::data32;

TEST(KdTree, WithoutALeafBoundEqualsFlat) {
  const Data& d = data32();
  auto kd = build("KDTree16", d.base);
  SearchResult r;
  ASSERT_TRUE(kd->search(d.query.view(), 10, {}, &r).is_ok());
  EXPECT_EQ(r.ids, d.gt.ids);
}

}  // namespace
}  // namespace annlab
