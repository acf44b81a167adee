// A transform in front of an index (index/transformed_index.h): OPQ16,IVF..,PQ.. is IVF-PQ on
// rotated vectors, drawn back in the data's space.
#include <gtest/gtest.h>

#include "annlab/factory.h"
#include "index/ivf_index.h"
#include "index/refine_index.h"
#include "index/transformed_index.h"
#include "parts/transforms.h"
#include "test_util.h"

namespace annlab {
namespace {

using test::build;
using test::data32;

TEST(Transformed, OpqIsIvfPqOnRotatedVectors) {
  const auto& d = data32();
  auto index = build("OPQ8,IVF16,PQ8", d.base);
  const auto* tf = find_inner<TransformedIndex>(*index);
  ASSERT_NE(tf, nullptr);
  EXPECT_EQ(index->describe(), "OPQ8,IVF16,PQ8");
  EXPECT_EQ(tf->inner().describe(), "IVF16,PQ8");
  const auto& rot = tf->transform_as<OpqRotation>();
  // The inner index answers the rotated queries exactly as the composition answers the originals.
  std::vector<float> rq(d.query.n * 32);
  rot.apply(d.query.f32.data(), d.query.n, rq.data());
  SearchParams p;
  p.nprobe = 4;
  SearchResult a, b;
  ASSERT_TRUE(index->search(d.query.view(), 10, p, &a).is_ok());
  ASSERT_TRUE(tf->inner().search(VectorView::of(rq.data(), d.query.n, 32), 10, p, &b).is_ok());
  EXPECT_EQ(a.ids, b.ids);
  EXPECT_EQ(a.distances, b.distances);
  // Memory: the rotation, the inner index, and (the re-rank's) base vectors.
  EXPECT_EQ(index->memory_bytes(), 32u * 32 * 4 + tf->inner().memory_bytes() + 10000u * 32 * 4);
}

TEST(Transformed, TheStructureIsDrawnInTheDataSpace) {
  const auto& d = data32();
  auto index = build("OPQ8,IVF16,PQ8", d.base);
  const auto* tf = find_inner<TransformedIndex>(*index);
  auto s = as_explainable(*index)->explain_structure();
  ASSERT_TRUE(s.is_ok()) << s.message();
  EXPECT_EQ(s->kinds(), std::vector<std::string_view>{"cells"});
  const CellLayer& cells = *s->find<CellLayer>();
  const auto& inner_c = find_inner<IvfIndex>(*index)->centroids();
  ASSERT_EQ(cells.centroids.size(), inner_c.size());
  // Rotating the drawn centroids forward gives the inner index's centroids back.
  std::vector<float> fwd(inner_c.size());
  tf->transform().apply(cells.centroids.data(), 16, fwd.data());
  for (size_t i = 0; i < fwd.size(); ++i) EXPECT_NEAR(fwd[i], inner_c[i], 1e-3) << i;
  // A base point lies nearer its own cell's drawn centroid than the average centroid does.
  size_t nearer = 0;
  for (size_t i = 0; i < 1000; ++i) {
    const int32_t c = cells.assignment[i];
    double own = 0, other = 0;
    for (size_t cc = 0; cc < 16; ++cc) {
      double t = 0;
      for (size_t j = 0; j < 32; ++j) {
        const double u = double(d.base.f32[i * 32 + j]) - cells.centroids[cc * 32 + j];
        t += u * u;
      }
      (int32_t(cc) == c ? own : other) += t;
    }
    nearer += own < other / 15;
  }
  EXPECT_GT(nearer, 990u);
}

TEST(Transformed, TrainingAndAddingRefuseWhatTheyCannotTake) {
  auto index = make_index("OPQ4,IVF4,PQ4", 16).value();
  const auto x = test::random_floats(300, 16, 3);
  const VectorView v = VectorView::of(x.data(), 300, 16);
  EXPECT_EQ(index->add(v).message(), "OPQ4,IVF4,PQ4 is not trained: train it before adding vectors");
  EXPECT_EQ(index->train(VectorView::of(x.data(), 300, 8)).message(),
            "training vectors have dimension 8, the index has 16");
  ASSERT_TRUE(index->train(v).is_ok());
  EXPECT_EQ(index->train(v).message(), "OPQ4,IVF4,PQ4 is already trained");
  EXPECT_EQ(index->add(VectorView::of(x.data(), 150, 32)).message(), "vectors have dimension 32, the index has 16");
  EXPECT_EQ(index->size(), 0u);
}

}  // namespace
}  // namespace annlab
