// models/onnx_export.h — the NPhash inference graph as an ONNX model (libonnx: ModelProto with
// initializers as raw data, opset 17, IR version 8, checked by onnx::checker).
//   x [N, d] float -> Sub(mean) -> MatMul(projection) -> (Gemm -> Relu)* -> Gemm
//   -> Div by Max(ReduceL2, 1e-12) -> pre_sign [N, bits] float
#pragma once

#include <string>

#include "annlab/status.h"
#include "nphash.h"

namespace annlab::train {

// Writes the model to `path`; the error says what the checker found.
Status export_nphash_onnx(const NphashGraph& g, const std::string& path);

}  // namespace annlab::train
