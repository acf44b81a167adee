// The model runtime of this build (native ONNX Runtime, or the one the page installs) and the
// stepped opening of a model that both share.
#include <algorithm>
#include <cmath>
#include <mutex>

#include "annlab/io.h"
#include "annlab/model.h"
#include "model/builtin.h"

namespace annlab {

uint64_t Model::start(const float* x, size_t n, float* y, bool) const {
  last_ = Poll{};
  last_.status = run(x, n, y);
  last_.done = true;
  last_.rows_done = last_.status.is_ok() ? n : 0;
  return 1;
}

Model::Poll Model::poll(uint64_t) const { return last_; }

namespace {

struct RuntimeSlot {
  std::unique_ptr<ModelRuntime> rt = builtin_model_runtime();
};

RuntimeSlot& slot() {
  static RuntimeSlot s;
  return s;
}

}  // namespace

ModelRuntime* model_runtime() { return slot().rt.get(); }

void install_model_runtime(std::unique_ptr<ModelRuntime> rt) { slot().rt = std::move(rt); }

bool model_runtime_available() { return model_runtime() != nullptr; }

std::string model_runtime_name() { return model_runtime() ? model_runtime()->name() : no_model_runtime_reason(); }

TrainTask open_model_task(std::string path, std::unique_ptr<Model>* out) {
  ModelRuntime* rt = model_runtime();
  // Said first: in a build that cannot run a model, the model file is not even fetched.
  if (!rt) co_return Status::error(cat(path, ": this build cannot run ONNX models: ONNX Runtime is ", no_model_runtime_reason()));
  std::string error;
  const std::string file = path.substr(0, path.find('#'));  // "router.json#layer1": one of its models
  while (!rt->fetch(file, &error)) {
    if (!error.empty()) co_return Status::error(error);
    ANNLAB_CO_WAIT(cat("fetching ", file), 0.0);
  }
  Result<ModelManifest> m = read_model_manifest(path);
  if (!m.is_ok()) co_return m.status();
  if (m->onnx != file) {
    while (!rt->fetch(m->onnx, &error)) {
      if (!error.empty()) co_return Status::error(error);
      ANNLAB_CO_WAIT(cat("fetching ", m->onnx), 0.0);
    }
  }
  Result<std::unique_ptr<Model>> model = rt->load(m.value());
  if (!model.is_ok()) co_return model.status();
  Status st = Status::ok();
  while (!model.value()->opened(&st)) ANNLAB_CO_WAIT(cat(rt->name(), ": opening ", m->onnx), 0.0);
  if (!st.is_ok()) co_return st;
  *out = std::move(model).value();
  co_return Status::ok();
}

uint8_t embedding_byte(float v) {
  const float b = std::round(kEmbedByteScale * v) + kEmbedByteOffset;
  return uint8_t(std::clamp(b, 0.0f, 255.0f));
}

void embedding_to_byte_space(const float* v, size_t n, float* out) {
  for (size_t i = 0; i < n; ++i) out[i] = kEmbedByteScale * v[i] + kEmbedByteOffset;
}

Result<std::vector<float>> run_model_rows(const Model& m, const VectorView& x) {
  if (x.d != m.input_dim())
    return Status::error(cat("vectors of dimension ", x.d, ": the model ", m.manifest().path, " takes ", m.input_dim()));
  constexpr size_t kBatch = 256;
  const size_t out = m.output_dim();
  std::vector<float> y(x.n * out), in(kBatch * x.d);
  for (size_t i = 0; i < x.n; i += kBatch) {
    const size_t b = std::min(kBatch, x.n - i);
    for (size_t r = 0; r < b; ++r) x.row_to_f32(i + r, in.data() + r * x.d);
    ANNLAB_TRY(m.run(in.data(), b, y.data() + i * out));
  }
  return y;
}

}  // namespace annlab
