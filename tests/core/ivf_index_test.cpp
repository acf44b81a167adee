// IVF-Flat, IVF-PQ, OPQ and LOPQ (the inverted file) against the exact answer.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numeric>

#include "annlab/eval.h"
#include "annlab/factory.h"
#include "annlab/generators.h"
#include "annlab/index_io.h"
#include "index/ivf_index.h"
#include "index/transformed_index.h"
#include "parts/transforms.h"
#include "parts/kmeans.h"
#include "parts/pq.h"
#include "test_util.h"

namespace annlab {
namespace {

using Data = test::KnnData;
using test::build;
using test::correlated16;
using test::data32;
using test::max_off_orthogonality;

double recall(const Index& index, const SearchParams& p, const Data& d = data32()) { return test::recall10(index, p, d); }

TEST(IvfFlat, AllCellsProbedEqualsFlat) {
  const Data& d = data32();
  auto ivf = build("IVF64,Flat", d.base);
  SearchParams p;
  p.nprobe = 64;
  SearchResult r;
  ASSERT_TRUE(ivf->search(d.query.view(), 10, p, &r).is_ok());
  EXPECT_EQ(r.ids, d.gt.ids);
  EXPECT_EQ(r.distances, d.gt.distances);
}

TEST(IvfFlat, RecallRisesWithNprobe) {
  const Data& d = data32();
  auto ivf = build("IVF64,Flat", d.base);
  double prev = -1;
  for (int64_t np : {1, 2, 4, 8, 16, 32, 64}) {
    SearchParams p;
    p.nprobe = np;
    const double r = recall(*ivf, p);
    EXPECT_GE(r, prev) << "nprobe " << np;
    prev = r;
  }
  EXPECT_EQ(prev, 1.0);
}

TEST(IvfPq, RecallRisesWithNprobeAndRerank) {
  const Data& d = data32();
  auto index = build("IVF32,PQ8", d.base);
  SearchParams p1, p8, p8r;
  p1.nprobe = 1;
  p8.nprobe = 8;
  p8r.nprobe = 8;
  p8r.rerank = 100;
  const double r1 = recall(*index, p1), r8 = recall(*index, p8), r8r = recall(*index, p8r);
  EXPECT_GT(r8, r1);
  EXPECT_GT(r8r, r8);
}

TEST(Opq, RotationIsOrthogonalAndLowersTheQuantizationError) {
  const Data& d = correlated16();
  auto t = train_opq_rotation(d.base.f32.data(), 2000, 16, 4, 9, 6);
  ASSERT_TRUE(t.is_ok()) << t.message();
  EXPECT_LT(max_off_orthogonality(t->rotation.data(), 16), 1e-5);
  ASSERT_EQ(t->mse.size(), 6u);
  EXPECT_LT(t->mse.back(), 0.8 * t->mse.front());
}

TEST(Opq, BeatsIvfPqOnCorrelatedDataAndFullRerankIsExact) {
  const Data& d = correlated16();
  auto plain = build("IVF16,PQ4", d.base), opq = build("OPQ4,IVF16,PQ4", d.base);
  EXPECT_LT(max_off_orthogonality(find_inner<TransformedIndex>(*opq)->transform_as<OpqRotation>().rotation().data(), 16), 1e-5);
  SearchParams p;
  p.nprobe = 4;
  const double rp = recall(*plain, p, d), ro = recall(*opq, p, d);
  EXPECT_GT(ro, rp + 0.02) << "IVF-PQ " << rp << ", OPQ " << ro;
  double prev = -1;
  for (int64_t np : {1, 4, 16}) {
    p.nprobe = np;
    const double r = recall(*opq, p, d);
    EXPECT_GE(r, prev);
    prev = r;
  }
  p.rerank = 4000;
  SearchResult r;
  ASSERT_TRUE(opq->search(d.query.view(), 10, p, &r).is_ok());
  EXPECT_EQ(r.ids, d.gt.ids);
  EXPECT_EQ(r.distances, d.gt.distances);
}

TEST(Lopq, PerCellRotationsAreOrthogonalBalancedAndBeatIvfPq) {
  const Data& d = correlated16();
  auto plain = build("IVF16,PQ4", d.base), lopq = build("LOPQ16,PQ4", d.base);
  const auto& ivf = *find_inner<IvfIndex>(*lopq);
  const std::vector<float>& rot = *ivf.scanner().cell_rotations();
  ASSERT_EQ(rot.size(), 16u * 16 * 16);
  for (size_t c = 0; c < 16; ++c) EXPECT_LT(max_off_orthogonality(rot.data() + c * 256, 16), 1e-5) << c;
  // The structure's axes are the rotation rows scaled by the standard deviations; per cell, the
  // four sub-vectors' variances are balanced: the largest within 2x of the smallest.
  auto st = ivf.explain_structure();
  ASSERT_TRUE(st.is_ok());
  ASSERT_EQ(st->method, "LOPQ16,PQ4");
  const std::vector<float>& axes = st->find<CellLayer>()->axes;
  ASSERT_EQ(axes.size(), 16u * 16 * 16);
  for (size_t c = 0; c < 16; ++c) {
    double var[4] = {0, 0, 0, 0};
    for (size_t row = 0; row < 16; ++row)
      for (size_t j = 0; j < 16; ++j) var[row / 4] += double(axes[(c * 16 + row) * 16 + j]) * axes[(c * 16 + row) * 16 + j];
    const double lo = *std::min_element(var, var + 4), hi = *std::max_element(var, var + 4);
    EXPECT_LT(hi, 2 * lo) << "cell " << c;
  }
  SearchParams p;
  p.nprobe = 4;
  const double rp = recall(*plain, p, d), rl = recall(*lopq, p, d);
  EXPECT_GT(rl, rp + 0.05) << "IVF-PQ " << rp << ", LOPQ " << rl;
  p.nprobe = 16;
  p.rerank = 4000;
  SearchResult r;
  ASSERT_TRUE(lopq->search(d.query.view(), 10, p, &r).is_ok());
  EXPECT_EQ(r.ids, d.gt.ids);
}


// In wasm, IVF ranks the centroids for a query of small integers by exact integer products against
// int16 centroids and lets the exact kernel decide near the nprobe-th cell. Forced on this build's
// level it must give the float path's cells, results and trace, for IVF-Flat and IVF-PQ, every
// nprobe, and fall back for queries that are not integers.
TEST(IvfInt16Ranking, SameCellsResultsAndTracesAsFloats) {
  // Uniform bytes: no clusters, so many centroids are nearly equidistant from a query. Even so the
  // integer error (about 16 on distances of 3e6) stayed below every gap between cells here: this
  // test does not fail with the margin at 0, only with a cut below it (the k-means test does).
  const Data d = test::random_byte_knn(4000, 144, 3700, 11);
  const std::vector<float> fractional = test::offset_queries(d.query, 20, 0.25f);
  for (const std::string spec : {"IVF256,Flat", "IVF64,PQ8"}) {
    detail::force_assign_product(detail::AssignProduct::Float);
    auto floats = build(spec, d.base);
    detail::force_assign_product(detail::AssignProduct::Int16);
    auto ints = build(spec, d.base);
    detail::force_assign_product(detail::AssignProduct::Auto);
    EXPECT_GT(ints->memory_bytes(), floats->memory_bytes()) << spec << ": the int16 centroids were prepared";
    for (int64_t np : {1, 3, 7, 31, 63, 200}) {
      if (spec == "IVF64,PQ8" && np > 63) continue;
      SearchParams p;
      p.nprobe = np;
      SearchResult a, b;
      ASSERT_TRUE(ints->search(d.query.view(), 10, p, &a).is_ok());
      ASSERT_TRUE(floats->search(d.query.view(), 10, p, &b).is_ok());
      EXPECT_EQ(a.ids, b.ids) << spec << " nprobe " << np;
      EXPECT_EQ(a.distances, b.distances) << spec << " nprobe " << np;
      ASSERT_TRUE(ints->search(VectorView::of(fractional.data(), 20, 144), 10, p, &a).is_ok());
      ASSERT_TRUE(floats->search(VectorView::of(fractional.data(), 20, 144), 10, p, &b).is_ok());
      EXPECT_EQ(a.ids, b.ids) << spec << " nprobe " << np << ", fractional queries";
      for (size_t i = 0; i < 5; ++i) {
        auto ta = as_explainable(*ints)->explain_query(d.query.view().rows(i, 1), 10, p);
        auto tb = as_explainable(*floats)->explain_query(d.query.view().rows(i, 1), 10, p);
        ASSERT_TRUE(ta.is_ok() && tb.is_ok());
        ASSERT_EQ(ta->events.size(), tb->events.size()) << spec << " query " << i;
        for (size_t e = 0; e < ta->events.size(); ++e) {
          ASSERT_EQ(ta->events[e].id, tb->events[e].id) << spec << " query " << i << " event " << e;
          ASSERT_EQ(ta->events[e].value, tb->events[e].value);
        }
      }
    }
  }
}

// k-means trains IVF's cells on every row of a small base and ends by assigning each row to the
// final centroids; adding those same rows (at once or in the lab's chunks, and IVF-PQ's residual
// training) takes those cells instead of assigning again. A copy elsewhere or a row changed in place
// is assigned in full, and the index is the same byte for byte as one built without the record.
TEST(IvfTrainedCells, AddTakesTrainingCellsOnlyForTheSameRowsAndChangesNothing) {
  const size_t n = 3000, d = 144, chunk = 700;
  const std::vector<uint8_t> original = test::random_byte_knn(n, d, n, 21).base.u8;
  enum class Add { Same, Copy, ChangedInPlace };
  size_t in_training = 0;  // rows whose cells IVF-PQ's residual training took
  auto run = [&](const std::string& spec, Add how, bool record, size_t* taken) {
    std::vector<uint8_t> bytes = original, copy = original;
    auto index = make_index(spec, d).value();
    const size_t before_training = detail::trained_label_rows();
    EXPECT_TRUE(index->train(VectorView::of(bytes.data(), n, d)).is_ok());
    in_training = detail::trained_label_rows() - before_training;
    if (how == Add::ChangedInPlace) bytes[1234 * d + 5] ^= 1;  // chunk 1 (rows 700-1399)
    const uint8_t* from = how == Add::Copy ? copy.data() : bytes.data();
    detail::set_trained_labels(record);
    const size_t before = detail::trained_label_rows();
    for (size_t b0 = 0; b0 < n; b0 += chunk)
      EXPECT_TRUE(index->add(VectorView::of(from + b0 * d, std::min(chunk, n - b0), d)).is_ok());
    *taken = detail::trained_label_rows() - before;
    detail::set_trained_labels(true);
    return serialize_index(*index).value();
  };
  for (const std::string spec : {"IVF64,Flat", "IVF32,PQ8"}) {
    size_t taken = 0, none = 0;
    const auto plain = run(spec, Add::Same, false, &none);
    EXPECT_EQ(none, 0u);
    EXPECT_EQ(run(spec, Add::Same, true, &taken), plain) << spec;
    EXPECT_EQ(taken, n) << spec << ": every chunk took its cells from training";
    EXPECT_EQ(in_training, spec == "IVF32,PQ8" ? n : 0u) << spec << ": the residuals' cells too";
    EXPECT_EQ(run(spec, Add::Copy, true, &taken), plain) << spec;
    EXPECT_EQ(taken, 0u) << spec << ": a copy at another address is assigned in full";
    const auto changed = run(spec, Add::ChangedInPlace, true, &taken);
    EXPECT_EQ(taken, n - chunk) << spec << ": the chunk with the changed row is assigned in full";
    EXPECT_EQ(changed, run(spec, Add::ChangedInPlace, false, &none)) << spec;
  }
}

}  // namespace
}  // namespace annlab
