// The learned router (Router<C>: parts/learned_router.h) over the test router the trainer wrote for
// blobs (tests/data/router-blobs8.*: annlab-train router --base blobs3000.fvecs --nclusters 8
// --seed 5 --pca 0 --hidden1 32 --hidden2 16 --epochs 30, the blobs below), and the seed tables'
// arithmetic (router_scores) on a hand-made case.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>

#include "annlab/eval.h"
#include "annlab/factory.h"
#include "annlab/generators.h"
#include "annlab/index_io.h"
#include "annlab/io.h"
#include "annlab/model.h"
#include "annlab/structure.h"
#include "model/builtin.h"
#include "parts/learned_router.h"
#include "test_util.h"

namespace annlab {
namespace {

namespace fs = std::filesystem;
const std::string kRouter = ANNLAB_TEST_DATA "/router-blobs8.json";

// annlab generate --kind blobs --n 3100 --d 32 --centers 24 --seed 11: the first 3000 rows trained
// the router; the last 100 are held-out queries.
const test::KnnData& blobs() {
  static const test::KnnData d = test::split_knn(make_gaussian_blobs(3100, 32, 24, 1.0, 11).value(), 3000);
  return d;
}

std::unique_ptr<Index> build(const std::string& desc, const Dataset& base, uint64_t seed = 5,
                             const std::string& model = kRouter) {
  BuildParams bp;
  bp.seed = seed;
  if (desc.rfind("Router", 0) == 0) bp.model = model;
  auto idx = make_index(desc, base.d, bp);
  EXPECT_TRUE(idx.is_ok()) << idx.message();
  if (!idx.is_ok()) return nullptr;
  EXPECT_TRUE(idx.value()->train(base.view()).is_ok());
  EXPECT_TRUE(idx.value()->add(base.view()).is_ok());
  return std::move(idx).value();
}

SearchResult search(const Index& idx, const Dataset& q, size_t k, const SearchParams& p) {
  SearchResult r;
  const Status st = idx.search(q.view(), k, p, &r);
  EXPECT_TRUE(st.is_ok()) << st.message();
  return r;
}

Result<std::unique_ptr<Model>> open(const std::string& part) {
  ANNLAB_ASSIGN_OR_RETURN(ModelManifest m, read_model_manifest(kRouter + "#" + part));
  return load_model(m);
}

TEST(Router, CellsAndListsAreIvfsForTheSameSeed) {
  const auto& d = blobs();
  auto router = build("Router8", d.base);
  auto ivf = build("IVF8,Flat", d.base);
  ASSERT_TRUE(router && ivf);
  const auto rs = as_explainable(*router)->explain_structure();
  const auto is = as_explainable(*ivf)->explain_structure();
  ASSERT_TRUE(rs.is_ok() && is.is_ok());
  const CellLayer& a = std::get<CellLayer>(rs->layers[0]);
  const CellLayer& b = std::get<CellLayer>(is->layers[0]);
  EXPECT_EQ(a.centroids, b.centroids) << "the trainer's k-means is IVF8,Flat's with seed 5";
  EXPECT_EQ(a.assignment, b.assignment);
  EXPECT_EQ(router->describe(), "Router8");
}

TEST(Router, EveryCellProbedIsExactAndCostsLayerOneInDistanceEquivalents) {
  const auto& d = blobs();
  auto router = build("Router8", d.base);
  ASSERT_TRUE(router);
  SearchParams all;
  all.nprobe = 8;
  const SearchResult r = search(*router, d.query, 10, all);
  const SearchResult gt = exact_knn(d.base.view(), d.query.view(), 10).value();
  EXPECT_EQ(r.ids, gt.ids);
  // Layer 1: 32 x 32 + 32 x 8 = 1280 multiply-adds, / d = 32: 40 distance-equivalents, then every
  // base vector once.
  SearchParams one;
  one.nprobe = 1;
  SearchResult s;
  ASSERT_TRUE(router->search(d.query.view().rows(0, 1), 1, one, &s).is_ok());
  const QueryStats q0 = s.stats[0];
  const CellLayer cl = std::get<CellLayer>(as_explainable(*router)->explain_structure()->layers[0]);
  const size_t cell = size_t(cl.assignment[size_t(s.ids[0])]);
  const size_t members = size_t(std::count(cl.assignment.begin(), cl.assignment.end(), int32_t(cell)));
  EXPECT_EQ(q0.distances, 40u + members);
  EXPECT_EQ(q0.cells, 1u);
}

TEST(Router, LayerOnePicksTheCellsInOrderOfProbability) {
  const auto& d = blobs();
  auto router = build("Router8", d.base);
  auto l1 = open("layer1");
  ASSERT_TRUE(router && l1.is_ok()) << l1.message();
  SearchParams p;
  p.nprobe = 3;
  for (size_t i = 0; i < 10; ++i) {
    std::vector<float> q(32), probs(8);
    d.query.view().row_to_f32(i, q.data());
    ASSERT_TRUE(l1.value()->run(q.data(), 1, probs.data()).is_ok());
    std::vector<int> order(8);
    for (int c = 0; c < 8; ++c) order[size_t(c)] = c;
    std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return probs[size_t(a)] > probs[size_t(b)]; });
    auto t = as_explainable(*router)->explain_query(d.query.view().rows(i, 1), 5, p);
    ASSERT_TRUE(t.is_ok()) << t.message();
    std::vector<int> probed;
    for (const TraceEvent& e : t->events)
      if (e.kind == TraceKind::CellProbed) {
        probed.push_back(int(e.id));
        EXPECT_FLOAT_EQ(-e.value, probs[size_t(e.id)]) << "a probed cell's value is minus its probability";
      }
    EXPECT_EQ(probed, std::vector<int>(order.begin(), order.begin() + 3));
  }
}

// rerank = 0: the answer is layer 2's pick (one probe, k = 1: its most probable member of layer 1's
// most probable cell), exactly as the two models say when run by hand.
TEST(Router, RerankZeroAnswersLayerTwosPick) {
  const auto& d = blobs();
  auto router = build("Router8", d.base);
  auto l1 = open("layer1"), l2 = open("layer2");
  ASSERT_TRUE(router && l1.is_ok() && l2.is_ok());
  const CellLayer cl = std::get<CellLayer>(as_explainable(*router)->explain_structure()->layers[0]);
  SearchParams p;
  p.nprobe = 1;
  p.rerank = 0;
  const SearchResult r = search(*router, d.query, 1, p);
  const size_t M = l2.value()->output_dim();
  for (size_t i = 0; i < d.query.n; ++i) {
    std::vector<float> q(33), probs(8), members(M);
    d.query.view().row_to_f32(i, q.data());
    ASSERT_TRUE(l1.value()->run(q.data(), 1, probs.data()).is_ok());
    const size_t cell = size_t(std::max_element(probs.begin(), probs.end()) - probs.begin());
    q[32] = float(cell);
    ASSERT_TRUE(l2.value()->run(q.data(), 1, members.data()).is_ok());
    std::vector<int64_t> ids;
    for (size_t id = 0; id < cl.assignment.size(); ++id)
      if (cl.assignment[id] == int32_t(cell)) ids.push_back(int64_t(id));
    ASSERT_LE(ids.size(), M);
    for (size_t j = ids.size(); j < M; ++j) EXPECT_EQ(members[j], 0.0f) << "no probability beyond the members";
    const size_t pick = size_t(std::max_element(members.begin(), members.begin() + long(ids.size())) - members.begin());
    EXPECT_EQ(r.ids[i], ids[pick]) << "query " << i;
  }
}

TEST(Router, RerankComparesLayerTwosMostProbableMembers) {
  const auto& d = blobs();
  auto router = build("Router8", d.base);
  ASSERT_TRUE(router);
  SearchParams p;
  p.nprobe = 2;
  p.rerank = 7;
  SearchResult r;
  ASSERT_TRUE(router->search(d.query.view().rows(0, 1), 5, p, &r).is_ok());
  const QueryStats st = r.stats[0];
  // Layer 1 (40) + per probed cell layer 2 (19120 / 32 = 598) and 7 members.
  EXPECT_EQ(st.distances, 40u + 2 * (598u + 7u));
  EXPECT_EQ(st.candidates, 14u);
  // More members compared never loses recall here: rerank = every member equals no rerank.
  SearchParams all = p;
  all.rerank = 100000;
  SearchParams unset;
  unset.nprobe = 2;
  EXPECT_EQ(search(*router, d.query, 10, all).ids, search(*router, d.query, 10, unset).ids);
}

TEST(Router, OtherDataKeepsLayerOneButRefusesLayerTwo) {
  const auto& d = blobs();
  const Dataset other = d.base.subset([] {
    std::vector<size_t> rows;
    for (size_t i = 0; i < 3000; i += 2) rows.push_back(i);
    return rows;
  }());
  auto router = build("Router8", other);
  ASSERT_TRUE(router);
  SearchParams p;
  p.rerank = 5;
  SearchResult r;
  const Status st = router->search(d.query.view(), 5, p, &r);
  EXPECT_EQ(st.message(),
            "Router8's layer 2 was trained on the members of blobs3000.fvecs (3000 rows); this index holds 1500 "
            "other vectors, so its outputs would name other points: search every member of the probed cells (leave "
            "rerank unset)");
  SearchParams unset;
  unset.nprobe = 8;
  EXPECT_EQ(search(*router, d.query, 5, unset).ids, exact_knn(other.view(), d.query.view(), 5).value().ids);
}

TEST(Router, BadModelsAreClearErrors) {
  const auto& d = blobs();
  BuildParams bp;
  bp.model = kRouter;
  auto seven = make_index("Router7", 32, bp).value();
  Status st = seven->train(d.base.view());
  EXPECT_EQ(st.message(), kRouter + ": a router over 8 cells; Router7 needs 7");
  auto wrong_d = make_index("Router8", 16, bp).value();
  const Dataset narrow = make_gaussian_blobs(100, 16, 4, 1.0, 1).value();
  st = wrong_d->train(narrow.view());
  EXPECT_EQ(st.message(), ANNLAB_TEST_DATA "/router-blobs8.cells.fvecs: 8 centroids of dimension 32; Router8 on this "
                                           "data needs 8 of dimension 16");
  bp.model = ANNLAB_TEST_DATA "/nphash-blobs32-64.json";
  auto nph = make_index("Router8", 32, bp).value();
  st = nph->train(d.base.view());
  EXPECT_EQ(st.message(), bp.model.value() +
                              ": not a learned router's manifest (\"method\": \"NPHash\"; annlab-train router writes one)");
  bp.model = "/nonexistent/router.json";
  auto missing = make_index("Router8", 32, bp).value();
  st = missing->train(d.base.view());
  EXPECT_NE(st.message().find("/nonexistent/router.json"), std::string::npos) << st.message();
}

TEST(Router, IndexFileRoundTripAndAReplacedModelIsRefused) {
  const auto& d = blobs();
  const fs::path dir = fs::temp_directory_path() / ("annlab-router-test-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  for (const char* f : {"router-blobs8.json", "router-blobs8.cells.fvecs", "router-blobs8.layer1.onnx",
                        "router-blobs8.layer2.onnx"})
    fs::copy_file(fs::path(ANNLAB_TEST_DATA) / f, dir / f, fs::copy_options::overwrite_existing);
  const std::string model = (dir / "router-blobs8.json").string();
  auto router = build("Router8", d.base, 5, model);
  ASSERT_TRUE(router);
  const std::string file = (dir / "r.annlab").string();
  ASSERT_TRUE(save_index(*router, file).is_ok());
  auto back = load_index(file);
  ASSERT_TRUE(back.is_ok()) << back.message();
  SearchParams p;
  p.nprobe = 2;
  p.rerank = 20;
  EXPECT_EQ(search(*back.value(), d.query, 10, p).ids, search(*router, d.query, 10, p).ids);
  // Another layer 2 under the same name: refused with what to do.
  fs::copy_file(ANNLAB_TEST_DATA "/router-blobs8.layer1.onnx", dir / "router-blobs8.layer2.onnx",
                fs::copy_options::overwrite_existing);
  auto replaced = load_index(file);
  ASSERT_FALSE(replaced.is_ok());
  EXPECT_NE(replaced.message().find("differs from the manifest's"), std::string::npos) << replaced.message();
  fs::remove_all(dir);
}

// libtorch's outputs (the trainer's reference files) against ONNX Runtime's, both layers.
TEST(Router, OnnxRuntimeMatchesLibtorch) {
  const auto& d = blobs();
  auto l1 = open("layer1"), l2 = open("layer2");
  ASSERT_TRUE(l1.is_ok() && l2.is_ok());
  const Dataset r1 = load_vectors(ANNLAB_TEST_DATA "/router-blobs8.reference1.fvecs").value();
  const Dataset r2 = load_vectors(ANNLAB_TEST_DATA "/router-blobs8.reference2.fvecs").value();
  ASSERT_EQ(r1.n, 20u);
  double worst = 0;
  for (size_t i = 0; i < r1.n; ++i) {
    std::vector<float> q(33), p1(8), p2(r2.d);
    d.query.view().row_to_f32(i, q.data());
    ASSERT_TRUE(l1.value()->run(q.data(), 1, p1.data()).is_ok());
    q[32] = float(std::max_element(p1.begin(), p1.end()) - p1.begin());
    ASSERT_TRUE(l2.value()->run(q.data(), 1, p2.data()).is_ok());
    for (size_t j = 0; j < 8; ++j) worst = std::max(worst, double(std::fabs(p1[j] - r1.f32[i * 8 + j])));
    for (size_t j = 0; j < r2.d; ++j) worst = std::max(worst, double(std::fabs(p2[j] - r2.f32[i * r2.d + j])));
  }
  EXPECT_LE(worst, 1e-5);
}

// The page's way (ONNX Runtime Web answers later), natively: a runtime that wraps ONNX Runtime's
// models and finishes each run only after a few polls. Queries prepared ahead get the same answers
// as the models answering at once; a query not prepared, and layer 2 beyond the prepared cells, are
// refused with the exact message.
class LaterModel final : public Model {
 public:
  explicit LaterModel(std::unique_ptr<Model> m) : m_(std::move(m)) {
    manifest_ = m_->manifest();
    sha256_ = m_->sha256();
  }
  size_t input_dim() const override { return m_->input_dim(); }
  size_t output_dim() const override { return m_->output_dim(); }
  Status run(const float*, size_t, float*) const override { return Status::error("answers later"); }
  bool asynchronous() const override { return true; }
  uint64_t start(const float* x, size_t n, float* y, bool) const override {
    runs_[++next_] = {std::vector<float>(x, x + n * input_dim()), y, n, 0};
    return next_;
  }
  Poll poll(uint64_t id) const override {
    auto& r = runs_.at(id);
    Poll p;
    if (++r.polls < 3) return p;  // not yet
    p.status = m_->run(r.x.data(), r.n, r.y);
    p.done = true;
    p.rows_done = r.n;
    p.compute_ms = 0.01;
    return p;
  }

 private:
  struct Run {
    std::vector<float> x;
    float* y;
    size_t n;
    int polls;
  };
  std::unique_ptr<Model> m_;
  mutable std::map<uint64_t, Run> runs_;
  mutable uint64_t next_ = 0;
};

class LaterRuntime final : public ModelRuntime {
 public:
  std::string name() const override { return "a runtime that answers later"; }
  bool asynchronous() const override { return true; }
  Result<std::unique_ptr<Model>> load(const ModelManifest& m) override {
    ANNLAB_ASSIGN_OR_RETURN(std::unique_ptr<Model> inner, load_model(m));
    return std::unique_ptr<Model>(std::make_unique<LaterModel>(std::move(inner)));
  }
};

TEST(Router, PreparedAheadAsInThePageGivesTheSameAnswers) {
  const auto& d = blobs();
  auto now = build("Router8", d.base);
  ASSERT_TRUE(now);
  install_model_runtime(std::make_unique<LaterRuntime>());
  struct Restore {
    ~Restore() { install_model_runtime(builtin_model_runtime()); }
  } restore;
  BuildParams bp;
  bp.seed = 5;
  bp.model = kRouter;
  auto later = make_index("Router8", 32, bp).value();
  ASSERT_TRUE(later->computes_elsewhere());
  EXPECT_FALSE(later->base_computed_elsewhere()) << "the base goes to its nearest centroid's cell";
  int waits = 0;
  TrainTask t = later->train_task(d.base.view());
  while (t.resume()) waits += t.step().waiting;
  ASSERT_TRUE(t.status().is_ok()) << t.status().message();
  ASSERT_TRUE(later->add(d.base.view()).is_ok());
  SearchParams p;
  p.nprobe = 3;
  p.rerank = 20;
  SearchResult r;
  EXPECT_EQ(later->search(d.query.view(), 10, p, &r).message(),
            "Router8's cell probabilities (computed by a runtime that answers later) for row 0 of 100 were not handed "
            "in (0 rows have them): run the model on these vectors first");
  TrainTask prep = later->prepare_task(d.query.view());
  while (prep.resume()) waits += prep.step().waiting;
  ASSERT_TRUE(prep.status().is_ok()) << prep.status().message();
  EXPECT_GT(waits, 0) << "the runs were waited for across steps";
  SearchParams all, pick;
  all.nprobe = 8;
  pick.nprobe = 1;
  pick.rerank = 0;
  for (const SearchParams& sp : {p, all, pick})
    EXPECT_EQ(search(*later, d.query, 10, sp).ids, search(*now, d.query, 10, sp).ids);
}

// The committed router (models/router100.*): trained on the bundled Fashion-MNIST base, and ONNX
// Runtime gives libtorch's outputs for the held-out queries the trainer wrote them for.
TEST(CommittedRouter, TrainedOnTheBaseAndMatchesLibtorch) {
  const std::string path = ANNLAB_MODELS_DIR "/router100.json";
  const std::string base_sha = file_sha256(ANNLAB_ASSETS_DIR "/fashion-mnist-base.alds").value();
  auto m1 = read_model_manifest(path + "#layer1"), m2 = read_model_manifest(path + "#layer2");
  ASSERT_TRUE(m1.is_ok() && m2.is_ok()) << m1.message() << m2.message();
  EXPECT_EQ(m1->training_sha256, base_sha) << "trained on the bundled Fashion-MNIST base set";
  auto l1 = load_model(m1.value()), l2 = load_model(m2.value());
  ASSERT_TRUE(l1.is_ok() && l2.is_ok());
  const Dataset queries = load_vectors(ANNLAB_ASSETS_DIR "/fashion-mnist-query.alds").value();
  const Dataset r1 = load_vectors(ANNLAB_MODELS_DIR "/router100.reference1.fvecs").value();
  const Dataset r2 = load_vectors(ANNLAB_MODELS_DIR "/router100.reference2.fvecs").value();
  ASSERT_EQ(r1.d, 100u);
  ASSERT_GE(r1.n, 200u);
  double worst = 0;
  std::vector<float> x(785), p1(100), p2(r2.d);
  for (size_t i = 0; i < r1.n; ++i) {
    queries.view().row_to_f32(i, x.data());
    ASSERT_TRUE(l1.value()->run(x.data(), 1, p1.data()).is_ok());
    x[784] = float(std::max_element(r1.f32.begin() + long(i * 100), r1.f32.begin() + long(i * 100 + 100)) -
                   (r1.f32.begin() + long(i * 100)));
    ASSERT_TRUE(l2.value()->run(x.data(), 1, p2.data()).is_ok());
    for (size_t j = 0; j < 100; ++j) worst = std::max(worst, double(std::fabs(p1[j] - r1.f32[i * 100 + j])));
    for (size_t j = 0; j < r2.d; ++j) worst = std::max(worst, double(std::fabs(p2[j] - r2.f32[i * r2.d + j])));
  }
  EXPECT_LE(worst, 1e-4);
  std::printf("REPORT: router100: ONNX Runtime native vs libtorch over %zu held-out queries, both layers: max |diff| %.2e\n",
              r1.n, worst);
}

// The seed tables' arithmetic on a constructed case: 4 base points on a line, 2 queries.
TEST(RouterScores, TheSeedTablesOnAHandMadeCase) {
  const std::vector<float> b = {0, 1, 3, 6, 10, 15};
  const VectorView base = VectorView::of(b.data(), 6, 1);
  const std::vector<float> qv = {0.4f, 9.0f};
  const VectorView q = VectorView::of(qv.data(), 2, 1);
  // Truth (5 nearest): q0 -> 0 1 2 3 4, q1 -> 4 3 5 2 1.
  const std::vector<int64_t> truth = {0, 1, 2, 3, 4, 4, 3, 5, 2, 1};
  const std::vector<int64_t> pick = {1, 4}, top5 = {1, 0, 2, -1, -1, 4, 3, 5, 2, 1}, ivf = {0, 3}, random = {5, 0};
  const std::vector<int32_t> cell = {0, 1}, true_cell = {0, 2};
  auto s = router_scores(base, q, pick.data(), top5.data(), cell.data(), true_cell.data(), truth.data(), 5, ivf.data(),
                         random.data());
  ASSERT_TRUE(s.is_ok()) << s.message();
  EXPECT_DOUBLE_EQ(s->mean_distance_router, (1.0 + 0.0) / 2);  // |1 - 0|, |10 - 10|
  EXPECT_DOUBLE_EQ(s->mean_distance_ivf, (0.0 + 4.0) / 2);     // |0 - 0|, |6 - 10|
  EXPECT_DOUBLE_EQ(s->mean_distance_random, (15.0 + 10.0) / 2);
  EXPECT_DOUBLE_EQ(s->layer1_accuracy, 0.5);
  EXPECT_DOUBLE_EQ(s->layer2_top1, 0.5);  // q1 only
  EXPECT_DOUBLE_EQ(s->layer2_top5, 1.0);  // 0 is in q0's top 5, 4 in q1's
  EXPECT_DOUBLE_EQ(s->seed_metric, 1.0);  // 1 is among q0's true 5
  const std::vector<int64_t> bad = {9, 4};
  auto e = router_scores(base, q, bad.data(), top5.data(), cell.data(), true_cell.data(), truth.data(), 5, ivf.data(),
                         random.data());
  EXPECT_EQ(e.message(), "query 0: the router's answer id 9 is outside the base of 6");
  EXPECT_EQ(router_scores(base, q, pick.data(), top5.data(), cell.data(), true_cell.data(), truth.data(), 3, ivf.data(),
                          random.data())
                .message(),
            "router scores need the 5 true nearest neighbours per query, got 3");
}

}  // namespace
}  // namespace annlab
