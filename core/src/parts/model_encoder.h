// Private header (core/src/parts): a binary encoder that is a learned model (annlab/model.h): the
// code's bit j is [y_j >= 0] for the model's output y. NPhash is one (models/nphash.h trains it);
// any ONNX model with one float input [N, d] and one float output [N, bits] can be another.
// Nothing is learned here: "training" loads the model and checks it against the data.
#pragma once

#include <memory>
#include <string>

#include "annlab/encoder.h"
#include "annlab/model.h"

namespace annlab {

class ModelEncoder final : public BinaryEncoder {
 public:
  // `method` is the factory name ("NPHash"); `model_path` a manifest (.json) or an .onnx file.
  ModelEncoder(size_t d, size_t bits, std::string method, std::string model_path);
  std::string name() const override { return method_; }
  bool trained() const override { return model_ != nullptr; }
  TrainTask train_task(VectorView x, uint64_t seed) override;
  void encode(const float* x, uint64_t* code) const override;
  void encode_rows(const float* x, size_t n, uint64_t* codes) const override;
  size_t memory_bytes() const override;
  // The model file's name and sha256 (the codes in the index are its); loading opens it again and
  // refuses a file whose sha256 differs.
  void save(BinaryWriter& w) const override;
  Status load(BinaryReader& r) override;
  const std::string& model_path() const { return path_; }
  const Model* model() const { return model_.get(); }

 private:
  Status open();
  std::string method_, path_;
  std::unique_ptr<Model> model_;
};

}  // namespace annlab
