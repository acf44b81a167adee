// Builds without ONNX Runtime of their own: the WebAssembly builds (the lab installs ONNX Runtime
// Web's runtime when the page starts: wasm/model_bridge.cpp; the command-line tool has none), and
// the sanitizer and fuzz builds. Loading a model is a clear error until a runtime is installed.
#include "model/builtin.h"

namespace annlab {

std::unique_ptr<ModelRuntime> builtin_model_runtime() { return nullptr; }

std::string no_model_runtime_reason() {
#if defined(__EMSCRIPTEN__)
  return "not in this WebAssembly program (learned methods run in the native annlab, with ONNX Runtime, and in the "
         "browser lab, with ONNX Runtime Web)";
#else
  return "not in this build (configured without ONNX Runtime: the sanitizer and fuzz builds)";
#endif
}

Result<std::unique_ptr<Model>> load_model(const ModelManifest& m) {
  if (ModelRuntime* rt = model_runtime(); rt && !rt->asynchronous()) return rt->load(m);
  return Status::error(cat(m.onnx, ": this build cannot run ONNX models at once: ONNX Runtime is ", model_runtime_name()));
}

}  // namespace annlab
