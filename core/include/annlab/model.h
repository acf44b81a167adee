// annlab/model.h — learned models behind one interface: a float input [N, in] to a float output
// [N, out], described by a manifest (written by annlab-train: models/*.json) that names its ONNX
// file. Natively ONNX Runtime runs it; in the browser the page runs it with ONNX Runtime Web and
// hands the outputs in (parts/precomputed.h). A learned part (NPhash's encoder) holds a Model.
#pragma once

#include <cstddef>
#include <memory>
#include <string>

#include "annlab/status.h"

namespace annlab {

struct ModelManifest {
  std::string path;         // the manifest file ("models/nphash64.json"), or the bare .onnx given
  std::string method;       // "NPHash"
  std::string onnx;         // the ONNX file, resolved against the manifest's folder
  std::string onnx_sha256;  // as the manifest says (empty for a bare .onnx)
  std::string input_name = "x", output_name = "pre_sign";
  size_t input_dim = 0, output_dim = 0;  // 0: not said (a bare .onnx: read from the model)
  std::string training_sha256;  // the training data's sha256
  size_t multiply_adds = 0, model_bytes = 0;
};

// Reads a manifest (.json), or makes the default one of a bare .onnx file (its own input and
// output names and shapes, read when it is loaded). Errors name the file and the field.
Result<ModelManifest> read_model_manifest(const std::string& path);

class Model {
 public:
  virtual ~Model() = default;
  virtual size_t input_dim() const = 0;
  virtual size_t output_dim() const = 0;
  // y (n x output_dim) = the model of x (n x input_dim).
  virtual Status run(const float* x, size_t n, float* y) const = 0;
  const ModelManifest& manifest() const { return manifest_; }
  const std::string& sha256() const { return sha256_; }  // of the ONNX file's bytes

 protected:
  ModelManifest manifest_;
  std::string sha256_;
};

// True when this build runs ONNX models itself (the native build, with ONNX Runtime).
bool model_runtime_available();
// "ONNX Runtime 1.30.0", or why there is none.
std::string model_runtime_name();
// Loads the manifest's ONNX file (checking its sha256 against the manifest's) into the runtime;
// errors name the file and what was expected (one float input [N, d], one float output [N, out]).
// One thread, like the rest of annlab.
Result<std::unique_ptr<Model>> load_model(const ModelManifest& m);

}  // namespace annlab
