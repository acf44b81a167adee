// Learned models natively: ONNX Runtime's C++ API (the runtime of the npm package
// onnxruntime-node 1.30.0; headers from Debian's libonnxruntime-dev), one thread.
#include <onnxruntime_cxx_api.h>

#include "annlab/io.h"
#include "annlab/model.h"
#include "model/builtin.h"

namespace annlab {

namespace {

Ort::Env& ort_env() {
  static Ort::Env env(ORT_LOGGING_LEVEL_ERROR, "annlab");
  return env;
}

std::string shape_text(const std::vector<int64_t>& s) {
  std::string out = "[";
  for (size_t i = 0; i < s.size(); ++i) out += cat(i ? ", " : "", s[i] < 0 ? std::string("N") : std::to_string(s[i]));
  return out + "]";
}

class OrtModel final : public Model {
 public:
  static Result<std::unique_ptr<Model>> open(const ModelManifest& m) {
    ANNLAB_ASSIGN_OR_RETURN(std::vector<uint8_t> bytes, read_file(m.onnx));
    auto model = std::unique_ptr<OrtModel>(new OrtModel());
    model->manifest_ = m;
    ANNLAB_ASSIGN_OR_RETURN(model->sha256_, checked_onnx_sha256(m, bytes));
    try {
      Ort::SessionOptions opts;
      opts.SetIntraOpNumThreads(1);
      opts.SetInterOpNumThreads(1);
      opts.SetExecutionMode(ORT_SEQUENTIAL);
      model->session_ = std::make_unique<Ort::Session>(ort_env(), bytes.data(), bytes.size(), opts);
      Ort::Session& s = *model->session_;
      if (s.GetInputCount() != 1 || s.GetOutputCount() != 1)
        return Status::error(cat(m.onnx, ": expected one float input [N, d] and one float output [N, bits], found ",
                                 s.GetInputCount(), " inputs and ", s.GetOutputCount(), " outputs"));
      Ort::AllocatorWithDefaultOptions alloc;
      model->in_name_ = s.GetInputNameAllocated(0, alloc).get();
      model->out_name_ = s.GetOutputNameAllocated(0, alloc).get();
      auto check = [&](Ort::TypeInfo info, const char* what, size_t want, size_t* width) -> Status {
        auto t = info.GetTensorTypeAndShapeInfo();
        const std::vector<int64_t> shape = t.GetShape();
        if (t.GetElementType() != ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT || shape.size() != 2 || shape[1] <= 0)
          return Status::error(cat(m.onnx, ": the ", what, " is ", shape_text(shape),
                                   t.GetElementType() == ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT ? " float" : " not float",
                                   ": expected float [N, width]"));
        *width = size_t(shape[1]);
        if (want && want != *width)
          return Status::error(cat(m.onnx, ": the ", what, " has width ", *width, "; the manifest ", m.path, " says ", want));
        return Status::ok();
      };
      ANNLAB_TRY(check(s.GetInputTypeInfo(0), "input", m.input_dim, &model->in_));
      ANNLAB_TRY(check(s.GetOutputTypeInfo(0), "output", m.output_dim, &model->out_));
    } catch (const Ort::Exception& e) {
      return Status::error(cat(m.onnx, ": ONNX Runtime cannot load it: ", e.what()));
    }
    return std::unique_ptr<Model>(std::move(model));
  }

  size_t input_dim() const override { return in_; }
  size_t output_dim() const override { return out_; }

  Status run(const float* x, size_t n, float* y) const override {
    if (n == 0) return Status::ok();
    try {
      const Ort::MemoryInfo mem = Ort::MemoryInfo::CreateCpu(OrtDeviceAllocator, OrtMemTypeCPU);
      const int64_t in_shape[2] = {int64_t(n), int64_t(in_)}, out_shape[2] = {int64_t(n), int64_t(out_)};
      Ort::Value in = Ort::Value::CreateTensor<float>(mem, const_cast<float*>(x), n * in_, in_shape, 2);
      Ort::Value out = Ort::Value::CreateTensor<float>(mem, y, n * out_, out_shape, 2);
      const char* in_names[] = {in_name_.c_str()};
      const char* out_names[] = {out_name_.c_str()};
      session_->Run(Ort::RunOptions{nullptr}, in_names, &in, 1, out_names, &out, 1);
    } catch (const Ort::Exception& e) {
      return Status::error(cat(manifest_.onnx, ": ONNX Runtime failed: ", e.what()));
    }
    return Status::ok();
  }

 private:
  OrtModel() = default;
  std::unique_ptr<Ort::Session> session_;
  std::string in_name_, out_name_;
  size_t in_ = 0, out_ = 0;
};

}  // namespace

class OrtRuntime final : public ModelRuntime {
 public:
  std::string name() const override { return cat("ONNX Runtime ", Ort::GetVersionString()); }
  Result<std::unique_ptr<Model>> load(const ModelManifest& m) override { return OrtModel::open(m); }
};

std::unique_ptr<ModelRuntime> builtin_model_runtime() { return std::make_unique<OrtRuntime>(); }

// Only when a caller removed the built-in runtime (install_model_runtime(nullptr): the tests).
std::string no_model_runtime_reason() { return "not installed (the built-in runtime was removed)"; }

Result<std::unique_ptr<Model>> load_model(const ModelManifest& m) { return OrtModel::open(m); }

}  // namespace annlab
