#include "parts/model_encoder.h"

#include <vector>

#include "annlab/binary_io.h"

namespace annlab {

ModelEncoder::ModelEncoder(size_t d, size_t bits, std::string method, std::string model_path)
    : BinaryEncoder(d, bits), method_(std::move(method)), path_(std::move(model_path)) {}

Status ModelEncoder::open() {
  // Said first: in the browser the model file is not even fetched when nothing could run it.
  if (!model_runtime_available())
    return Status::error(cat(path_, ": this build cannot run ONNX models: ONNX Runtime is ", model_runtime_name()));
  ANNLAB_ASSIGN_OR_RETURN(ModelManifest m, read_model_manifest(path_));
  ANNLAB_ASSIGN_OR_RETURN(std::unique_ptr<Model> model, load_model(m));
  if (model->input_dim() != dim())
    return Status::error(cat(path_, ": the model takes vectors of dimension ", model->input_dim(), "; the data has ", dim()));
  if (model->output_dim() != bits())
    return Status::error(cat(path_, ": the model gives ", model->output_dim(), " values per vector; ", method_, bits(),
                             " needs ", bits()));
  model_ = std::move(model);
  return Status::ok();
}

TrainTask ModelEncoder::train_task(VectorView x, uint64_t) {
  ANNLAB_CO_STEP(cat(method_, bits(), ": loading ", path_), 0.0);
  co_return open();
}

void ModelEncoder::encode(const float* x, uint64_t* code) const { encode_rows(x, 1, code); }

void ModelEncoder::encode_rows(const float* x, size_t n, uint64_t* codes) const {
  ANNLAB_ASSERT(model_ != nullptr);
  std::vector<float> y(n * bits());
  const Status st = model_->run(x, n, y.data());
  ANNLAB_ASSERT(st.is_ok() && "a loaded model failed to run");
  const size_t w = words();
  for (size_t i = 0; i < n; ++i) {
    uint64_t* c = codes + i * w;
    for (size_t j = 0; j < w; ++j) c[j] = 0;
    for (size_t b = 0; b < bits(); ++b)
      if (y[i * bits() + b] >= 0.0f) c[b / 64] |= uint64_t{1} << (b % 64);
  }
}

size_t ModelEncoder::memory_bytes() const { return model_ ? model_->manifest().model_bytes : 0; }

void ModelEncoder::save(BinaryWriter& w) const {
  w.string(path_);
  w.string(model_ ? model_->sha256() : std::string());
}

Status ModelEncoder::load(BinaryReader& r) {
  std::string sha;
  ANNLAB_TRY(r.string(&path_, "model file"));
  ANNLAB_TRY(r.string(&sha, "model sha256"));
  if (sha.empty()) return Status::ok();  // saved before it was trained
  if (Status st = open(); !st.is_ok()) return r.error(cat("the index's model: ", st.message()));
  if (model_->sha256() != sha)
    return r.error(cat("the index's codes were made by the model with sha256 ", sha, "; ", path_, " now holds ",
                       model_->sha256()));
  return Status::ok();
}

}  // namespace annlab
