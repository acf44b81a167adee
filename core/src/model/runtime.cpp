// The model runtime of this build (native ONNX Runtime, or the one the page installs) and the
// stepped opening of a model that both share.
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

}  // namespace annlab
