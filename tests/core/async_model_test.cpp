// A model that answers later (as ONNX Runtime Web does in the page), through the core's model
// interface: a fake runtime whose files arrive and whose runs finish only after some polls. The
// encoder's codes and the index's answers are the same as with the same model answering at once;
// rows not prepared are refused with the exact message; Cancel reaches the runtime. No ONNX Runtime
// is needed: this runs in every build, the sanitizer one included.
#include <gtest/gtest.h>

#include <map>

#include "annlab/model.h"
#include "index/binary_index.h"
#include "model/builtin.h"
#include "parts/model_encoder.h"
#include "test_util.h"

namespace annlab {
namespace {

using test::data32;

constexpr size_t kD = 32, kBits = 64;

// y = W x with a fixed seeded W: "the model".
struct Linear {
  std::vector<float> w = [] {
    std::vector<float> v(kBits * kD);
    uint64_t s = 7;
    for (float& x : v) {
      s = s * 6364136223846793005ull + 1442695040888963407ull;
      x = float(int64_t(s >> 40) % 2001 - 1000) / 1000.0f;
    }
    return v;
  }();
  void apply(const float* x, size_t n, float* y) const {
    for (size_t i = 0; i < n; ++i)
      for (size_t b = 0; b < kBits; ++b) {
        float acc = 0;
        for (size_t j = 0; j < kD; ++j) acc += w[b * kD + j] * x[i * kD + j];
        y[i * kBits + b] = acc;
      }
  }
};

struct Log {
  int fetch_polls = 0, cancels = 0, runs = 0;
};

class FakeModel final : public Model {
 public:
  FakeModel(bool async, Log* log) : async_(async), log_(log) {
    manifest_.onnx = "fake.onnx";
    sha256_ = "fakesha";
  }
  size_t input_dim() const override { return kD; }
  size_t output_dim() const override { return kBits; }
  Status run(const float* x, size_t n, float* y) const override {
    if (async_) return Status::error("answers later");
    lin_.apply(x, n, y);
    return Status::ok();
  }
  bool asynchronous() const override { return async_; }
  bool opened(Status* st) const override {
    *st = Status::ok();
    return !async_ || ++open_polls_ > 2;
  }
  uint64_t start(const float* x, size_t n, float* y, bool) const override {
    if (!async_) return Model::start(x, n, y);
    ++log_->runs;
    runs_[++next_] = Run{std::vector<float>(x, x + n * kD), y, n, 0};
    return next_;
  }
  // Each poll finishes up to 100 more rows.
  Poll poll(uint64_t id) const override {
    if (!async_) return Model::poll(id);
    Run& r = runs_.at(id);
    const size_t m = std::min<size_t>(100, r.n - r.done);
    lin_.apply(r.x.data() + r.done * kD, m, r.y + r.done * kBits);
    r.done += m;
    Poll p;
    p.rows_done = r.done;
    p.done = r.done == r.n;
    p.compute_ms = 0.25;
    return p;
  }
  void cancel(uint64_t id) const override {
    ++log_->cancels;
    runs_.erase(id);
  }

 private:
  struct Run {
    std::vector<float> x;
    float* y;
    size_t n, done;
  };
  Linear lin_;
  bool async_;
  Log* log_;
  mutable int open_polls_ = 0;
  mutable uint64_t next_ = 0;
  mutable std::map<uint64_t, Run> runs_;
};

class FakeRuntime final : public ModelRuntime {
 public:
  FakeRuntime(bool async, Log* log) : async_(async), log_(log) {}
  std::string name() const override { return async_ ? "the fake runtime (later)" : "the fake runtime (now)"; }
  bool asynchronous() const override { return async_; }
  bool fetch(const std::string& path, std::string* error) override {
    if (path == "missing.onnx") {
      *error = "missing.onnx: HTTP 404";
      return false;
    }
    return !async_ || ++log_->fetch_polls % 3 == 0;  // arrives at the third ask
  }
  Result<std::unique_ptr<Model>> load(const ModelManifest&) override { return std::unique_ptr<Model>(new FakeModel(async_, log_)); }

 private:
  bool async_;
  Log* log_;
};

// Installs a runtime for one test (a fake one, or none), and the build's own again after it.
struct WithRuntime {
  explicit WithRuntime(std::unique_ptr<ModelRuntime> rt) { install_model_runtime(std::move(rt)); }
  WithRuntime(bool async, Log* log) : WithRuntime(std::make_unique<FakeRuntime>(async, log)) {}
  ~WithRuntime() { install_model_runtime(builtin_model_runtime()); }
};

std::unique_ptr<BinaryCodeIndex> make(const char* model = "fake.onnx") {
  return std::make_unique<BinaryCodeIndex>(std::make_unique<ModelEncoder>(kD, kBits, "NPHash", model), BuildParams{});
}

// Resumes a task to its end, counting the steps that said they wait.
Status drive(TrainTask t, int* waits) {
  while (t.resume()) *waits += t.step().waiting;
  return t.status();
}

TEST(AsyncModel, AnswersAsTheSameModelAnsweringAtOnce) {
  const auto& d = data32();
  Log now_log, later_log;
  std::vector<uint64_t> codes_now;
  SearchResult now;
  {
    WithRuntime rt(false, &now_log);
    auto index = make();
    EXPECT_FALSE(index->computes_elsewhere());
    int waits = 0;
    ASSERT_TRUE(drive(index->train_task(d.base.view()), &waits).is_ok());
    EXPECT_EQ(waits, 0);  // natively nothing waits
    ASSERT_TRUE(drive(index->prepare_task(d.base.view()), &waits).is_ok());
    ASSERT_TRUE(index->add(d.base.view()).is_ok());
    ASSERT_TRUE(index->search(d.query.view(), 10, {}, &now).is_ok());
    codes_now = index->codes();
  }
  WithRuntime rt(true, &later_log);
  auto index = make();
  EXPECT_TRUE(index->computes_elsewhere());
  int waits = 0;
  ASSERT_TRUE(drive(index->train_task(d.base.view()), &waits).is_ok());
  EXPECT_EQ(waits, 2 + 2);  // the file arrives at the third ask; the session opens at the third look
  EXPECT_EQ(index->add(d.base.view()).message(),
            "NPHash64's codes (computed by the fake runtime (later)) for row 0 of 10000 were not handed in (0 rows have "
            "them): run the model on these vectors first");
  waits = 0;
  ASSERT_TRUE(drive(index->prepare_task(d.base.view()), &waits).is_ok());
  EXPECT_EQ(waits, 81 + 18);  // 100 rows per poll; slices of 8192 and 1808 rows, each done at its last poll
  ASSERT_TRUE(index->add(d.base.view()).is_ok());
  EXPECT_EQ(index->codes(), codes_now);
  SearchResult later;
  EXPECT_EQ(index->search(d.query.view(), 10, {}, &later).message(),
            "NPHash64's codes (computed by the fake runtime (later)) for row 0 of 100 were not handed in (10000 rows "
            "have them): run the model on these vectors first");
  ASSERT_TRUE(drive(index->prepare_task(d.query.view()), &waits).is_ok());
  ASSERT_TRUE(index->search(d.query.view(), 10, {}, &later).is_ok());
  EXPECT_EQ(later.ids, now.ids);
  EXPECT_EQ(later.distances, now.distances);
  // Prepared rows are found by their contents: preparing them again runs nothing.
  const int runs = later_log.runs;
  ASSERT_TRUE(drive(index->prepare_task(d.query.view().rows(5, 1)), &waits).is_ok());
  EXPECT_EQ(later_log.runs, runs);
  EXPECT_EQ(later_log.cancels, 0);
}

TEST(AsyncModel, CancelReachesTheRuntimeAndErrorsNameTheFile) {
  const auto& d = data32();
  Log log;
  WithRuntime rt(true, &log);
  auto index = make();
  int waits = 0;
  ASSERT_TRUE(drive(index->train_task(d.base.view()), &waits).is_ok());
  {
    TrainTask t = index->prepare_task(d.base.view());
    for (int i = 0; i < 5; ++i) ASSERT_TRUE(t.resume());
    EXPECT_TRUE(t.step().waiting);
    EXPECT_NE(t.step().stage.find("encoding 10000 vectors with the fake runtime (later)"), std::string::npos) << t.step().stage;
    EXPECT_GT(t.step().fraction, 0.0);
  }  // destroyed mid-run: the Cancel button
  EXPECT_EQ(log.cancels, 1);
  // One query, timed by the runtime: its own time is what the lab shows beside the search's.
  ASSERT_TRUE(drive(index->prepare_task(d.query.view().rows(0, 1)), &waits).is_ok());
  EXPECT_EQ(index->prepared_row_ms(), 0.25);
  // A model file the page cannot fetch.
  auto missing = make("missing.onnx");
  EXPECT_EQ(drive(missing->train_task(d.base.view()), &waits).message(), "missing.onnx: HTTP 404");
}

TEST(AsyncModel, NoRuntimeIsAClearErrorBeforeAnyFileIsAsked) {
  const auto& d = data32();
  WithRuntime none(nullptr);
  auto index = make("models/nphash64.json");
  int waits = 0;
  const std::string msg = drive(index->train_task(d.base.view()), &waits).message();
  EXPECT_EQ(msg.rfind("models/nphash64.json: this build cannot run ONNX models: ONNX Runtime is ", 0), 0u) << msg;
  EXPECT_EQ(waits, 0);
}

}  // namespace
}  // namespace annlab
