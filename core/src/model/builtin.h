// Private header (core/src/model): what the build brings: onnx_runtime.cpp (native ONNX Runtime)
// or no_runtime.cpp (none until one is installed: the page's ONNX Runtime Web, wasm/model_bridge.cpp).
#pragma once

#include <memory>
#include <string>

#include "annlab/model.h"

namespace annlab {

// The build's own runtime, or nullptr.
std::unique_ptr<ModelRuntime> builtin_model_runtime();
// Why a build has no runtime, for the messages ("not in the WebAssembly command-line tool ...").
std::string no_model_runtime_reason();

}  // namespace annlab
