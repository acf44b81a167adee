// wasm/model_bridge.h — the browser lab's model runtime: ONNX Runtime Web, run by the page's model
// service (web/model-service.js, Module.annlabModels) and reached through embind. The core asks
// and polls (annlab/model.h: start/poll across frames); the service runs each request in pieces of
// about 20 ms, so the page keeps drawing, and the outputs are copied into the wasm heap when polled.
#pragma once

namespace annlab::web {

// Makes ONNX Runtime Web the core's model runtime (the lab calls it once at start).
void install_model_bridge();

}  // namespace annlab::web
