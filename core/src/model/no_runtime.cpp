// Builds without ONNX Runtime (WebAssembly: the page runs models with ONNX Runtime Web and hands
// the outputs in; the sanitizer and fuzz builds): loading a model is a clear error.
#include "annlab/model.h"

namespace annlab {

bool model_runtime_available() { return false; }

std::string model_runtime_name() {
#if defined(__EMSCRIPTEN__)
  return "not in the WebAssembly build (learned methods run in the native lab and CLI; ONNX Runtime Web in the page "
         "is not built yet)";
#else
  return "none in this build (configured without ONNX Runtime)";
#endif
}

Result<std::unique_ptr<Model>> load_model(const ModelManifest& m) {
  return Status::error(cat(m.onnx, ": this build cannot run ONNX models: ONNX Runtime is ", model_runtime_name()));
}

}  // namespace annlab
