// annlab/model.h — learned models behind one interface: a float input [N, in] to a float output
// [N, out], described by a manifest (written by annlab-train: models/*.json) that names its ONNX
// file. Natively ONNX Runtime runs it at once; in the browser ONNX Runtime Web runs it in the page
// and answers later (start/poll across frames). A learned part (NPhash's encoder) holds a Model.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "annlab/dataset.h"
#include "annlab/status.h"
#include "annlab/train_task.h"

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

// The sha256 of an ONNX file's bytes, or the error when the manifest names another (the file was
// replaced): what every runtime checks before it loads a model.
Result<std::string> checked_onnx_sha256(const ModelManifest& m, const std::vector<uint8_t>& bytes);

// Reads a manifest (.json), or makes the default one of a bare .onnx file (its own input and
// output names and shapes, read when it is loaded). "file.json#part" reads the model described by
// that member of the manifest (a learned router has two: "#layer1", "#layer2"). Errors name the
// file and the field.
Result<ModelManifest> read_model_manifest(const std::string& path);

class Model {
 public:
  virtual ~Model() = default;
  virtual size_t input_dim() const = 0;
  virtual size_t output_dim() const = 0;
  // y (n x output_dim) = the model of x (n x input_dim), now. A model that answers later
  // (asynchronous(): ONNX Runtime Web in the page) refuses it: use start() and poll().
  virtual Status run(const float* x, size_t n, float* y) const = 0;
  const ModelManifest& manifest() const { return manifest_; }
  const std::string& sha256() const { return sha256_; }  // of the ONNX file's bytes

  // ---- models that answer later ------------------------------------------------------------
  // ONNX Runtime Web's sessions open and run with promises, and the page is single-threaded: a
  // stepped caller (the build job, the query inspector) starts a run and polls it across frames.
  virtual bool asynchronous() const { return false; }
  // False while the model is still opening (its session being created); then `st` says how it went
  // (an error names the file and what was expected). input_dim()/output_dim() are known once open.
  virtual bool opened(Status* st) const {
    *st = Status::ok();
    return true;
  }
  struct Poll {
    bool done = false;       // every row has its outputs in y (or the run failed: status)
    size_t rows_done = 0;    // rows whose outputs are in y so far
    Status status = Status::ok();
    // The runtime's own time: for one row, the median (timed runs); otherwise the whole run's, where
    // the runtime reports it (ONNX Runtime Web's service does; 0 when it does not).
    double compute_ms = 0;
  };
  // Starts y = the model of x (n rows); x is copied, y must stay valid until poll() says done, or
  // cancel(). `timed`: also time the model on these rows alone (one row: the query's encoding),
  // the median of repeated runs. By default (a model that answers now) it runs at once.
  virtual uint64_t start(const float* x, size_t n, float* y, bool timed = false) const;
  virtual Poll poll(uint64_t run) const;
  // Forgets a run: its outputs are never written (y may go away).
  virtual void cancel(uint64_t) const {}

 protected:
  ModelManifest manifest_;
  std::string sha256_;

 private:
  mutable Poll last_;  // the default start()'s answer
};

// Where a build's models run: ONNX Runtime natively, ONNX Runtime Web in the page (the WebAssembly
// lab installs it: wasm/model_bridge.cpp), or none (the sanitizer and fuzz builds, the wasm CLI).
class ModelRuntime {
 public:
  virtual ~ModelRuntime() = default;
  // "ONNX Runtime 1.30.0", "ONNX Runtime Web 1.30.0 in the page".
  virtual std::string name() const = 0;
  virtual bool asynchronous() const { return false; }
  // Whether `path` can be read now (true), is still arriving (false: ask again next step; the page
  // fetches it), or cannot be had (false, *error set).
  virtual bool fetch(const std::string& path, std::string* error) {
    (void)path;
    (void)error;
    return true;
  }
  // Loads the manifest's model (its ONNX file readable now), checking the file's sha256 against the
  // manifest's. An asynchronous runtime's model may still be opening (Model::opened).
  virtual Result<std::unique_ptr<Model>> load(const ModelManifest& m) = 0;
};

// The runtime this build runs models with; nullptr when there is none.
ModelRuntime* model_runtime();
// Makes `rt` the runtime (the WebAssembly lab installs ONNX Runtime Web's at start).
void install_model_runtime(std::unique_ptr<ModelRuntime> rt);
// True when this build can run ONNX models (a runtime is there).
bool model_runtime_available();
// "ONNX Runtime 1.30.0", or why there is none.
std::string model_runtime_name();
// Loads the manifest's ONNX file into the runtime, at once (a synchronous runtime only); errors
// name the file and what was expected (one float input [N, d], one float output [N, out]).
// One thread, like the rest of annlab.
Result<std::unique_ptr<Model>> load_model(const ModelManifest& m);
// Opens the model of a manifest (.json) or a bare .onnx in steps, the way a stepped caller needs it
// in the page: the files arrive, the manifest is read, the file's sha256 checked, the session
// opens; steps that wait on the page say so (TrainStep::waiting). Natively it takes no step.
TrainTask open_model_task(std::string path, std::unique_ptr<Model>* out);

// The byte form of an l2-normalised embedding, the compact form the bundled CNN-64 space ships in:
// component v in [-1, 1] becomes the byte round(127 v) + 128, so the core's byte kernels search it
// and its squared L2 distances are 127^2 times the embedding's (up to the rounding). A query is
// put in the same space unrounded: 127 v + 128 (embedding_to_byte_space).
inline constexpr float kEmbedByteScale = 127.0f, kEmbedByteOffset = 128.0f;
uint8_t embedding_byte(float v);
void embedding_to_byte_space(const float* v, size_t n, float* out);

// y (x.n x m.output_dim()) = the model of every row of x, run in batches of 256 rows (a model that
// answers now). Errors: x's dimension is not the model's input, or the runtime's.
Result<std::vector<float>> run_model_rows(const Model& m, const VectorView& x);

}  // namespace annlab
