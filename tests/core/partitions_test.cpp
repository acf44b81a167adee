// Across the partition methods (IVF, PQ, k-d tree, HNSW): stepped training, absurd configurations, explain = search.
#include <gtest/gtest.h>

#include <cmath>
#include <numeric>

#include "annlab/eval.h"
#include "annlab/factory.h"
#include "annlab/generators.h"
#include "annlab/index_io.h"
#include "index/hnsw_index.h"
#include "index/ivf_index.h"
#include "annlab/pca.h"
#include "index/pq_index.h"
#include "test_util.h"

namespace annlab {
namespace {

using Data = test::KnnData;
using test::build;
using test::data32;

// Training in steps (the lab's way in the browser) builds the same index, byte for byte, as
// training in one call, and really is cut into many steps.
TEST(SteppedTraining, GivesTheSameIndexAsOneCall) {
  const Data& d = data32();
  for (const char* spec : {"IVF16,Flat", "PQ4", "IVF8,PQ4", "OPQ4,IVF8,PQ4", "LOPQ8,PQ4", "Tokens4x16", "LSH6x3", "ITQ32", "SimHash64"}) {
    auto whole = make_index(spec, d.base.d).value();
    ASSERT_TRUE(whole->train(d.base.view()).is_ok()) << spec;
    auto stepped = make_index(spec, d.base.d).value();
    TrainTask task = stepped->train_task(d.base.view());
    size_t steps = 0;
    std::string last_stage;
    while (task.resume()) {
      ++steps;
      last_stage = task.step().stage;
      EXPECT_GE(task.step().fraction, 0.0);
      EXPECT_LE(task.step().fraction, 1.0);
    }
    ASSERT_TRUE(task.status().is_ok()) << spec << ": " << task.status().message();
    if (std::string(spec) != "LSH6x3") {  // SimHash64 on 32-d data: 2 rotations, 4 chunks of 16 thresholds
      EXPECT_GT(steps, std::string(spec) == "SimHash64" ? 5u : 10u) << spec << " (last: " << last_stage << ")";
    }
    ASSERT_TRUE(whole->add(d.base.view()).is_ok());
    ASSERT_TRUE(stepped->add(d.base.view()).is_ok());
    EXPECT_EQ(serialize_index(*whole).value(), serialize_index(*stepped).value()) << spec;
  }
  // An error ends the task with the message train() gives.
  auto bad = make_index("IVF16,Flat", 4).value();
  TrainTask task = bad->train_task(d.base.view());
  EXPECT_EQ(task.run().message(), "training vectors have dimension 32, the index has 4");
}

TEST(Partitions, AbsurdConfigurationsAreClearErrors) {
  const auto x = test::random_floats(100, 8, 1);
  const VectorView v = VectorView::of(x.data(), 100, 8);
  EXPECT_EQ(make_index("HNSW1", 8).message(), "index description 'HNSW1': M = 1 is out of range [2, 1024]");
  EXPECT_EQ(make_index("PQ3", 8).message(), "PQ3: dimension 8 is not divisible by M = 3");
  EXPECT_EQ(make_index("IVF16,PQ3", 8).message(), "IVF16,PQ3: dimension 8 is not divisible by M = 3");
  auto ivf = make_index("IVF200,Flat", 8).value();
  EXPECT_EQ(ivf->train(v).message(), "IVF200,Flat: 100 training vectors are fewer than nlist = 200 cells");
  auto pq = make_index("PQ2", 8).value();
  EXPECT_EQ(pq->train(v).message(), "PQ2 needs at least 256 training vectors (256 centroids per sub-space), got 100");
  auto ivf4 = make_index("IVF4,Flat", 8).value();
  EXPECT_EQ(ivf4->train(v.rows(0, 0)).message(), "IVF4,Flat: 0 training vectors are fewer than nlist = 4 cells");
  ASSERT_TRUE(ivf4->train(v).is_ok());
  ASSERT_TRUE(ivf4->add(v).is_ok());
  SearchResult r;
  SearchParams p;
  p.nprobe = 5;
  EXPECT_EQ(ivf4->search(v.rows(0, 1), 1, p, &r).message(), "nprobe = 5 exceeds the 4 cells of IVF4,Flat");
  EXPECT_EQ(ivf4->search(v.rows(0, 1), 101, {}, &r).message(), "k = 101 exceeds the number of indexed vectors (100)");
  auto opq = make_index("OPQ2,IVF4,PQ2", 8).value();
  EXPECT_EQ(opq->train(v).message(), "OPQ2 needs at least 256 training vectors (256 centroids per sub-space), got 100");
  EXPECT_EQ(make_index("LOPQ4,PQ3", 8).message(), "LOPQ4,PQ3: dimension 8 is not divisible by M = 3");
  auto h = make_index("HNSW4", 8).value();
  EXPECT_EQ(h->search(v.rows(0, 1), 1, {}, &r).message(), "HNSW4 is empty: add vectors before searching");
}

TEST(Partitions, ExplainTracesMatchSearch) {
  const Data& d = data32();
  for (const char* spec : {"IVF16,Flat", "IVF16,PQ8", "OPQ8,IVF16,PQ8", "LOPQ16,PQ8", "PQ8", "KDTree32", "HNSW8"}) {
    auto index = build(spec, d.base);
    const VectorView q = d.query.view().rows(3, 1);
    SearchParams p;
    if (std::string(spec).find("IVF") != std::string::npos || std::string(spec).rfind("LOPQ", 0) == 0) p.nprobe = 4;
    SearchResult r;
    ASSERT_TRUE(index->search(q, 10, p, &r).is_ok());
    auto t = as_explainable(*index)->explain_query(q, 10, p);
    ASSERT_TRUE(t.is_ok()) << spec << ": " << t.message();
    EXPECT_EQ(t->ids, r.ids) << spec;
    EXPECT_FALSE(t->events.empty()) << spec;
    auto s = as_explainable(*index)->explain_structure();
    ASSERT_TRUE(s.is_ok()) << spec;
    EXPECT_EQ(s->n, d.base.n);
  }
}

}  // namespace
}  // namespace annlab
