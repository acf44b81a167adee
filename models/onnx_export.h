// models/onnx_export.h — the NPhash inference graph as an ONNX model (libonnx: ModelProto with
// initializers as raw data, opset 17, IR version 8, checked by onnx::checker).
//   x [N, d] float -> Sub(mean) -> MatMul(projection) -> (Gemm -> Relu)* -> Gemm
//   -> Div by Max(ReduceL2, 1e-12) -> pre_sign [N, bits] float
#pragma once

#include <string>

#include "annlab/status.h"
#include "embed.h"
#include "nphash.h"
#include "router.h"

namespace annlab::train {

// Writes the model to `path`; the error says what the checker found.
Status export_nphash_onnx(const NphashGraph& g, const std::string& path);

// The learned router's two graphs (router.h), opset 17:
//   layer 1: x [N, d] -> Sub(mean) -> MatMul(projection) -> Gemm -> Relu -> Gemm -> Softmax -> probs [N, cells]
//   layer 2: x [N, d + 1] = the query then its cell's number -> z = [(q - mean) P, cell_z[cell]] ->
//            relu(z W1[cell] + b1[cell]) -> . W2[members[cell]] + b2[members[cell]] -> Softmax
//            -> probs [N, members_max] (member j of the cell; 0 beyond its members)
Status export_router_layer1_onnx(const RouterGraph& g, const std::string& path);
Status export_router_layer2_onnx(const RouterGraph& g, const std::string& path);

// The metric-learning CNN (embed.h), opset 17:
//   x [N, 784] -> Mul(1/255) -> Reshape [N, 1, 28, 28] -> (Conv 3x3 pad 1 -> Relu -> MaxPool 2)* -> Flatten
//   -> Gemm -> Relu -> Gemm -> Div by Max(ReduceL2, 1e-12) -> embedding [N, dim] float
Status export_embed_onnx(const EmbedGraph& g, const std::string& path);

}  // namespace annlab::train
