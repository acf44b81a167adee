// Parts whose outputs are computed elsewhere (parts/precomputed.h): fed the outputs the real part
// computes, the index answers exactly as with the real part, and a row without outputs is refused.
#include <gtest/gtest.h>

#include "annlab/factory.h"
#include "index/binary_index.h"
#include "index/ivf_index.h"
#include "index/transformed_index.h"
#include "annlab/distance.h"
#include "annlab/encoder.h"
#include "parts/precomputed.h"
#include "parts/routers.h"
#include "parts/transforms.h"
#include "test_util.h"

namespace annlab {
namespace {

using test::data32;

SearchResult search(const Index& index, const VectorView& q, const SearchParams& p = {}) {
  SearchResult r;
  const Status st = index.search(q, 10, p, &r);
  EXPECT_TRUE(st.is_ok()) << st.message();
  return r;
}

TEST(Precomputed, TransformFedOpqOutputsAnswersAsOpq) {
  const auto& d = data32();
  BuildParams bp;
  bp.seed = 5;
  auto ivf = [&] { return std::make_unique<IvfIndex>(32, 16, IvfLists::PqResiduals, 8, bp); };
  TransformedIndex real(std::make_unique<OpqRotation>(32, 8), ivf(), bp);
  ASSERT_TRUE(real.train(d.base.view()).is_ok());
  ASSERT_TRUE(real.add(d.base.view()).is_ok());
  const VectorTransform& opq = real.transform();
  auto outputs_of = [&](const Dataset& x) {
    std::vector<float> y(x.n * 32);
    opq.apply(x.f32.data(), x.n, y.data());
    return y;
  };
  auto tf = std::make_unique<PrecomputedTransform>("OPQ8", 32, 32);
  PrecomputedTransform* feed = tf.get();
  TransformedIndex stand_in(std::move(tf), ivf(), bp);
  EXPECT_EQ(stand_in.train(d.base.view()).message(),
            "OPQ8's outputs for row 0 of 10000 were not handed in (0 rows have them): run the model on these vectors "
            "first");
  ASSERT_TRUE(feed->feed(d.base.view(), outputs_of(d.base).data()).is_ok());
  ASSERT_TRUE(stand_in.train(d.base.view()).is_ok());
  ASSERT_TRUE(stand_in.add(d.base.view()).is_ok());
  ASSERT_TRUE(feed->feed(d.query.view(), outputs_of(d.query).data()).is_ok());
  SearchParams p;
  p.nprobe = 4;
  const SearchResult a = search(real, d.query.view(), p), b = search(stand_in, d.query.view(), p);
  EXPECT_EQ(a.ids, b.ids);
  EXPECT_EQ(a.distances, b.distances);
  EXPECT_EQ(stand_in.describe(), "OPQ8,IVF16,PQ8");
}

TEST(Precomputed, RouterFedCentroidScoresAnswersAsNearestCentroids) {
  const auto& d = data32();
  BuildParams bp;
  bp.seed = 3;
  IvfIndex real(32, 32, IvfLists::Flat, 0, bp);
  auto router = std::make_unique<PrecomputedRouter>("router", 32, 32);
  PrecomputedRouter* feed = router.get();
  IvfIndex stand_in(std::move(router), IvfLists::Flat, 0, bp);
  for (IvfIndex* x : {&real, &stand_in}) {
    ASSERT_TRUE(x->train(d.base.view()).is_ok());
    ASSERT_TRUE(x->add(d.base.view()).is_ok());
  }
  ASSERT_EQ(real.centroids(), stand_in.centroids());
  // The layer-1 scores "run elsewhere": minus the squared distance to each centroid.
  std::vector<float> scores(d.query.n * 32);
  for (size_t i = 0; i < d.query.n; ++i)
    for (size_t c = 0; c < 32; ++c)
      scores[i * 32 + c] = -kernels().l2sq_f32(d.query.f32.data() + i * 32, real.centroids().data() + c * 32, 32);
  SearchParams p;
  p.nprobe = 3;
  SearchResult r;
  EXPECT_EQ(stand_in.search(d.query.view(), 10, p, &r).message(),
            "router's cell scores for row 0 of 100 were not handed in (0 rows have them): run the model on these "
            "vectors first");
  ASSERT_TRUE(feed->feed(d.query.view(), scores.data()).is_ok());
  const SearchResult a = search(real, d.query.view(), p), b = search(stand_in, d.query.view(), p);
  EXPECT_EQ(a.ids, b.ids);
  EXPECT_EQ(a.distances, b.distances);
  // The routing cost no distances here: the scores were computed elsewhere.
  EXPECT_EQ(a.total().distances - b.total().distances, 100u * 32);
}

}  // namespace
}  // namespace annlab
