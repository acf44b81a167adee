// Private header (core/src/parts): a binary encoder that is a learned model (annlab/model.h): the
// code's bit j is [y_j >= 0] for the model's output y. NPhash is one (models/nphash.h trains it);
// any ONNX model with one float input [N, d] and one float output [N, bits] can be another.
// Nothing is learned here: "training" opens the model and checks it against the data.
//
// A model that answers at once (ONNX Runtime natively) encodes inside add() and search(). One that
// answers later (ONNX Runtime Web in the page) is run ahead by prepare_task() — the base before
// add(), each query before it is searched — and its codes are kept by the rows' contents, so the
// same index code serves both builds; a row whose code was not computed is refused by
// check_inputs() with what to do, never given a made-up code.
#pragma once

#include <memory>
#include <string>

#include "annlab/encoder.h"
#include "annlab/model.h"
#include "parts/precomputed.h"

namespace annlab {

class ModelEncoder final : public BinaryEncoder {
 public:
  // `method` is the factory name ("NPHash"); `model_path` a manifest (.json) or an .onnx file.
  ModelEncoder(size_t d, size_t bits, std::string method, std::string model_path);
  std::string name() const override { return method_; }
  // An index loaded from a file has its codes: it is trained before its model is open again
  // (in the page, the model opens when the first query needs it).
  bool trained() const override { return model_ != nullptr || !saved_sha_.empty(); }
  TrainTask train_task(VectorView x, uint64_t seed) override;
  bool computes_elsewhere() const override { return model_ ? model_->asynchronous() : runtime_is_asynchronous(); }
  TrainTask prepare_task(VectorView x) override;
  Status check_inputs(const VectorView& x) const override;
  void encode(const float* x, uint64_t* code) const override;
  void encode_rows(const float* x, size_t n, uint64_t* codes) const override;
  size_t memory_bytes() const override;
  // The model file's name and sha256 (the codes in the index are its); loading opens it again and
  // refuses a file whose sha256 differs.
  void save(BinaryWriter& w) const override;
  Status load(BinaryReader& r) override;
  const std::string& model_path() const { return path_; }
  const Model* model() const { return model_.get(); }
  // The runtime's own time to encode the last prepared single row (the query), median of repeats;
  // 0 when it was not timed (a model that answers at once is timed with the search).
  double prepared_row_ms() const override { return last_row_ms_; }

 private:
  static bool runtime_is_asynchronous();
  // Opens the model (in steps) and checks it against the index: dimension, bits, and for an index
  // loaded from a file, the sha256 its codes were made with.
  TrainTask open_task();
  Status check_model(const Model& m) const;
  void bits_of(const float* y, size_t n, uint64_t* codes) const;
  std::string method_, path_;
  std::unique_ptr<Model> model_;
  std::string saved_sha_;       // an index loaded from a file: the sha256 of its codes' model
  OutputMemo<uint64_t> memo_;   // codes computed ahead by a model that answers later
  double last_row_ms_ = 0;
};

}  // namespace annlab
