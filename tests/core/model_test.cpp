// Learned models: manifests, the native runtime (ONNX Runtime), NPhash's encoder and index, and the
// committed models (their size, their training data, and ONNX Runtime against libtorch's outputs).
#include "annlab/model.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "annlab/eval.h"
#include "annlab/factory.h"
#include "annlab/generators.h"
#include "annlab/index_io.h"
#include "annlab/io.h"
#include "parts/model_encoder.h"
#include "test_util.h"

namespace annlab {
namespace {

namespace fs = std::filesystem;
const std::string kTestModel = ANNLAB_TEST_DATA "/nphash-blobs32-64.json";

// The blobs the test model was trained on (annlab generate --kind blobs --n 3100 --d 32 --centers 24 --seed 11).
const test::KnnData& blobs() {
  static const test::KnnData d = test::split_knn(make_gaussian_blobs(3100, 32, 24, 1.0, 11).value(), 3000);
  return d;
}

fs::path temp_dir() {
  const fs::path p = fs::temp_directory_path() / ("annlab-model-test-" + std::to_string(::getpid()));
  fs::create_directories(p);
  return p;
}

void write(const fs::path& p, const std::string& text) { std::ofstream(p) << text; }

TEST(ModelManifest, ReadsWhatAnnlabTrainWrites) {
  auto m = read_model_manifest(kTestModel);
  ASSERT_TRUE(m.is_ok()) << m.message();
  EXPECT_EQ(m->method, "NPHash");
  EXPECT_EQ(m->onnx, ANNLAB_TEST_DATA "/nphash-blobs32-64.onnx");
  EXPECT_EQ(m->input_dim, 32u);
  EXPECT_EQ(m->output_dim, 64u);
  EXPECT_EQ(m->input_name, "x");
  EXPECT_EQ(m->output_name, "pre_sign");
  EXPECT_EQ(m->onnx_sha256, file_sha256(m->onnx).value());
}

TEST(ModelManifest, BadManifestsNameTheProblem) {
  const fs::path dir = temp_dir();
  EXPECT_EQ(read_model_manifest((dir / "m.txt").string()).message(),
            (dir / "m.txt").string() + ": a model is a manifest (.json, written by annlab-train) or an .onnx file");
  write(dir / "other.json", "{\"format\": \"something\"}");
  EXPECT_EQ(read_model_manifest((dir / "other.json").string()).message(),
            (dir / "other.json").string() + ": not an annlab model manifest (expected \"format\": \"annlab-model\")");
  write(dir / "v2.json", "{\"format\": \"annlab-model\", \"version\": 2}");
  EXPECT_EQ(read_model_manifest((dir / "v2.json").string()).message(),
            (dir / "v2.json").string() + ": manifest version 2 (this build reads version 1)");
  write(dir / "noonnx.json", "{\"format\": \"annlab-model\", \"version\": 1, \"method\": \"NPHash\"}");
  EXPECT_EQ(read_model_manifest((dir / "noonnx.json").string()).message(),
            (dir / "noonnx.json").string() + ": expected a string \"onnx\"");
  write(dir / "broken.json", "{\"format\": ");
  EXPECT_EQ(read_model_manifest((dir / "broken.json").string()).message(),
            (dir / "broken.json").string() + ": offset 11: expected a value, found the end of the file");
  fs::remove_all(dir);
}

TEST(ModelRuntime, NativeBuildsRunOnnxModels) {
  // The native Release build must have ONNX Runtime: a missing runtime fails here, it is not skipped.
  ASSERT_TRUE(model_runtime_available()) << model_runtime_name();
  EXPECT_NE(model_runtime_name().find("ONNX Runtime 1.30.0"), std::string::npos) << model_runtime_name();
  auto model = load_model(read_model_manifest(kTestModel).value());
  ASSERT_TRUE(model.is_ok()) << model.message();
  EXPECT_EQ(model.value()->input_dim(), 32u);
  EXPECT_EQ(model.value()->output_dim(), 64u);
  std::vector<float> y(2 * 64);
  ASSERT_TRUE(model.value()->run(blobs().base.f32.data(), 2, y.data()).is_ok());
  double norm = 0;
  for (size_t j = 0; j < 64; ++j) norm += double(y[j]) * y[j];
  EXPECT_NEAR(norm, 1.0, 1e-5) << "the pre-sign values are l2-normalised";
  // A bare .onnx file is a model too, its shapes read from the file.
  auto bare = load_model(read_model_manifest(ANNLAB_TEST_DATA "/nphash-blobs32-64.onnx").value());
  ASSERT_TRUE(bare.is_ok()) << bare.message();
  EXPECT_EQ(bare.value()->output_dim(), 64u);
}

TEST(ModelRuntime, AReplacedOrBrokenFileIsRefused) {
  const fs::path dir = temp_dir();
  fs::copy_file(kTestModel, dir / "m.json");
  write(dir / "nphash-blobs32-64.onnx", "not a model");
  EXPECT_EQ(load_model(read_model_manifest((dir / "m.json").string()).value()).message().rfind(
                (dir / "nphash-blobs32-64.onnx").string() + ": sha256 ", 0),
            0u);
  auto bare = load_model(read_model_manifest((dir / "nphash-blobs32-64.onnx").string()).value());
  EXPECT_EQ(bare.message().rfind((dir / "nphash-blobs32-64.onnx").string() + ": ONNX Runtime cannot load it: ", 0), 0u)
      << bare.message();
  fs::remove_all(dir);
}

TEST(NpHash, CodesAreTheSignsOfTheModelAndRankByHamming) {
  BuildParams bp;
  bp.model = kTestModel;
  auto index = test::build("NPHash64", blobs().base, bp);
  ModelEncoder enc(32, 64, "NPHash", kTestModel);
  ASSERT_TRUE(enc.train_task(blobs().base.view(), 1).run().is_ok());
  std::vector<float> y(64);
  ASSERT_TRUE(enc.model()->run(blobs().query.f32.data(), 1, y.data()).is_ok());
  uint64_t code = 0;
  enc.encode(blobs().query.f32.data(), &code);
  for (size_t b = 0; b < 64; ++b) EXPECT_EQ((code >> b) & 1, y[b] >= 0 ? 1u : 0u) << "bit " << b;
  // The answer is the Hamming ranking of the codes, ties by id.
  std::vector<uint64_t> base_codes(blobs().base.n);
  enc.encode_rows(blobs().base.f32.data(), blobs().base.n, base_codes.data());
  std::vector<std::pair<int, int64_t>> want;
  for (size_t i = 0; i < base_codes.size(); ++i) want.emplace_back(__builtin_popcountll(base_codes[i] ^ code), int64_t(i));
  std::sort(want.begin(), want.end());
  SearchResult r;
  ASSERT_TRUE(index->search(VectorView::of(blobs().query.f32.data(), 1, 32), 10, {}, &r).is_ok());
  for (size_t i = 0; i < 10; ++i) {
    EXPECT_EQ(r.ids[i], want[i].second);
    EXPECT_EQ(r.distances[i], float(want[i].first));
  }
  EXPECT_EQ(r.kind, DistanceKind::Hamming);
}

TEST(NpHash, TheIndexFileNamesTheModelAndItsSha256) {
  const fs::path dir = temp_dir();
  fs::copy_file(kTestModel, dir / "m.json");
  fs::copy_file(ANNLAB_TEST_DATA "/nphash-blobs32-64.onnx", dir / "nphash-blobs32-64.onnx");
  BuildParams bp;
  bp.model = (dir / "m.json").string();
  auto index = test::build("NPHash64", blobs().base, bp);
  const std::vector<uint8_t> bytes = serialize_index(*index, true).value();
  auto loaded = deserialize_index("nphash.annlab", bytes.data(), bytes.size());
  ASSERT_TRUE(loaded.is_ok()) << loaded.message();
  SearchResult a, b;
  ASSERT_TRUE(index->search(blobs().query.view(), 10, {}, &a).is_ok());
  ASSERT_TRUE(loaded.value()->search(blobs().query.view(), 10, {}, &b).is_ok());
  EXPECT_EQ(a.ids, b.ids);
  EXPECT_EQ(a.distances, b.distances);
  // Another model behind the same name: refused, naming both sha256s.
  fs::copy_file(ANNLAB_TEST_DATA "/nphash-blobs32-64.onnx", dir / "nphash-blobs32-64.onnx", fs::copy_options::overwrite_existing);
  {
    std::fstream f(dir / "nphash-blobs32-64.onnx", std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(-8, std::ios::end);
    f.write("\x01\x02\x03\x04", 4);  // a weight changed
  }
  auto stale = deserialize_index("nphash.annlab", bytes.data(), bytes.size());
  EXPECT_FALSE(stale.is_ok());
  EXPECT_NE(stale.message().find("differs from the manifest's"), std::string::npos) << stale.message();
  fs::remove_all(dir);
}

TEST(NpHash, AModelOfAnotherShapeIsAClearError) {
  Dataset d16 = make_gaussian_blobs(300, 16, 4, 1.0, 3).value();
  BuildParams bp;
  bp.model = kTestModel;
  auto index = make_index("NPHash64", 16, bp).value();
  EXPECT_EQ(index->train(d16.view()).message(), kTestModel + ": the model takes vectors of dimension 32; the data has 16");
  auto wide = make_index("NPHash128", 32, bp).value();
  EXPECT_EQ(wide->train(blobs().base.view()).message(), kTestModel + ": the model gives 64 values per vector; NPHash128 needs 128");
  bp.model = "/nonexistent/model.json";
  auto missing = make_index("NPHash64", 32, bp).value();
  EXPECT_EQ(missing->train(blobs().base.view()).message(), "cannot open '/nonexistent/model.json': No such file or directory");
}

// The committed models: small enough, trained on the bundled base set (never the queries), and
// ONNX Runtime gives libtorch's pre-sign values (the reference the trainer wrote) within 1e-4.
TEST(CommittedModels, FitTheBudgetAndMatchLibtorch) {
  size_t total = 0;
  for (const auto& e : fs::directory_iterator(ANNLAB_MODELS_DIR))
    if (e.is_regular_file() && (e.path().extension() == ".onnx" || e.path().extension() == ".json" ||
                                e.path().extension() == ".fvecs"))
      total += e.file_size();
  EXPECT_LE(total, 24u * 1000 * 1000) << "models/ holds " << total << " bytes";
  const std::string base_sha = file_sha256(ANNLAB_ASSETS_DIR "/fashion-mnist-base.alds").value();
  const Dataset queries = load_vectors(ANNLAB_ASSETS_DIR "/fashion-mnist-query.alds").value();
  for (int bits : {64, 128, 256}) {
    SCOPED_TRACE(bits);
    const std::string path = cat(ANNLAB_MODELS_DIR, "/nphash", bits, ".json");
    auto m = read_model_manifest(path);
    ASSERT_TRUE(m.is_ok()) << m.message();
    EXPECT_EQ(m->training_sha256, base_sha) << "trained on the bundled Fashion-MNIST base set";
    auto model = load_model(m.value());
    ASSERT_TRUE(model.is_ok()) << model.message();
    const Dataset ref = load_vectors(cat(ANNLAB_MODELS_DIR, "/nphash", bits, ".reference.fvecs")).value();
    ASSERT_EQ(ref.d, size_t(bits));
    ASSERT_GE(ref.n, 1000u);
    std::vector<float> x(ref.n * 784), y(ref.n * size_t(bits));
    for (size_t i = 0; i < ref.n; ++i) queries.view().row_to_f32(i, x.data() + i * 784);
    ASSERT_TRUE(model.value()->run(x.data(), ref.n, y.data()).is_ok());
    double worst = 0;
    size_t flipped = 0, near_zero = 0;
    for (size_t i = 0; i < y.size(); ++i) {
      worst = std::max(worst, double(std::fabs(y[i] - ref.f32[i])));
      if ((y[i] >= 0) != (ref.f32[i] >= 0)) {
        ++flipped;
        EXPECT_LT(std::fabs(ref.f32[i]), 1e-4f) << "a code bit differs where the value is not near zero";
      }
      near_zero += std::fabs(ref.f32[i]) < 1e-4f;
    }
    EXPECT_LE(worst, 1e-4);
    std::printf("REPORT: nphash%d: ONNX Runtime native vs libtorch over %zu held-out queries: max |diff| %.2e, "
                "%zu of %zu code bits differ (%zu values within 1e-4 of zero)\n",
                bits, ref.n, worst, flipped, y.size(), near_zero);
  }
}

// The metric-learning CNN (models/embed64.*): trained on the bundled base set, at most 4 MB, and
// ONNX Runtime gives libtorch's embeddings of 1,000 held-out queries within 1e-4.
TEST(CommittedEmbedding, MatchesLibtorchAndFitsTheBudget) {
  auto m = read_model_manifest(ANNLAB_MODELS_DIR "/embed64.json");
  ASSERT_TRUE(m.is_ok()) << m.message();
  EXPECT_EQ(m->method, "Embed");
  EXPECT_EQ(m->input_dim, 784u);
  EXPECT_EQ(m->output_dim, 64u);
  EXPECT_EQ(m->training_sha256, file_sha256(ANNLAB_ASSETS_DIR "/fashion-mnist-base.alds").value());
  EXPECT_LE(fs::file_size(m->onnx), 4u * 1000 * 1000);
  auto model = load_model(m.value());
  ASSERT_TRUE(model.is_ok()) << model.message();
  const Dataset queries = load_vectors(ANNLAB_ASSETS_DIR "/fashion-mnist-query.alds").value();
  const Dataset ref = load_vectors(ANNLAB_MODELS_DIR "/embed64.reference.fvecs").value();
  ASSERT_EQ(ref.d, 64u);
  ASSERT_GE(ref.n, 1000u);
  auto out = run_model_rows(*model.value(), queries.view().rows(0, ref.n));
  ASSERT_TRUE(out.is_ok()) << out.message();
  const std::vector<float>& y = out.value();
  double worst = 0, norm_err = 0;
  for (size_t i = 0; i < y.size(); ++i) worst = std::max(worst, double(std::fabs(y[i] - ref.f32[i])));
  for (size_t i = 0; i < ref.n; ++i) {
    double n2 = 0;
    for (size_t j = 0; j < 64; ++j) n2 += double(y[i * 64 + j]) * y[i * 64 + j];
    norm_err = std::max(norm_err, std::fabs(std::sqrt(n2) - 1));
  }
  EXPECT_LE(worst, 1e-4);
  EXPECT_LE(norm_err, 1e-5) << "the embedding is l2-normalised";
  std::printf("REPORT: embed64: ONNX Runtime native vs libtorch over %zu held-out queries: max |diff| %.2e\n", ref.n,
              worst);
}

// Label precision@10 of the exact 10 nearest base images of 1,000 held-out queries: in the shipped
// CNN-64 space (the assets scripts/setup writes with the committed model) at least 5 points above
// raw pixels; and the shipped base bytes are the model's embedding of the base images.
TEST(CommittedEmbedding, BeatsRawPixelsOnLabelPrecision) {
  const Dataset base = load_vectors(ANNLAB_ASSETS_DIR "/fashion-mnist-base.alds").value();
  const Dataset queries = load_vectors(ANNLAB_ASSETS_DIR "/fashion-mnist-query.alds").value();
  auto cb = load_vectors(ANNLAB_ASSETS_DIR "/fashion-mnist-base.cnn64.alds");
  auto cq = load_vectors(ANNLAB_ASSETS_DIR "/fashion-mnist-query.cnn64.alds");
  ASSERT_TRUE(cb.is_ok() && cq.is_ok()) << "run scripts/setup: " << (cb.is_ok() ? cq.message() : cb.message());
  ASSERT_EQ(cb->labels, base.labels);
  ASSERT_EQ(cq->labels, queries.labels);
  const size_t nq = 1000;
  auto precision = [&](const Dataset& b, const Dataset& q) {
    SearchResult r = exact_knn(b.view(), q.view().rows(0, nq), 10).value();
    const std::vector<int32_t> ql(q.labels.begin(), q.labels.begin() + long(nq));
    return label_precision(r.ids.data(), 10, nq, 10, b.labels, ql).value();
  };
  const double raw = precision(base, queries), cnn = precision(cb.value(), cq.value());
  EXPECT_GE(cnn, raw + 0.05);
  std::printf("REPORT: label precision@10 of exact search, %zu held-out queries: raw pixels %.4f, CNN-64 %.4f\n", nq,
              raw, cnn);
  // The shipped bytes: round(127 v) + 128 of the model's embedding of each base image.
  auto model = load_model(read_model_manifest(ANNLAB_MODELS_DIR "/embed64.json").value());
  ASSERT_TRUE(model.is_ok());
  auto y = run_model_rows(*model.value(), base.view().rows(0, 500)).value();
  size_t off = 0;
  for (size_t i = 0; i < y.size(); ++i) off += std::abs(int(embedding_byte(y[i])) - int(cb->u8[i])) > 1;
  EXPECT_EQ(off, 0u) << "base bytes that are not the model's embedding (up to rounding at .5)";
}

}  // namespace
}  // namespace annlab
