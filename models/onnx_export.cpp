#include "onnx_export.h"

#include <onnx/checker.h>
#include <onnx/onnx_pb.h>

#include <fstream>

namespace annlab::train {

namespace {

void add_tensor(onnx::GraphProto* graph, const std::string& name, const std::vector<int64_t>& dims,
                const std::vector<float>& values) {
  onnx::TensorProto* t = graph->add_initializer();
  t->set_name(name);
  t->set_data_type(onnx::TensorProto::FLOAT);
  for (int64_t d : dims) t->add_dims(d);
  t->set_raw_data(std::string(reinterpret_cast<const char*>(values.data()), values.size() * sizeof(float)));
}

onnx::NodeProto* add_node(onnx::GraphProto* graph, const std::string& op, const std::vector<std::string>& in,
                          const std::string& out) {
  onnx::NodeProto* n = graph->add_node();
  n->set_op_type(op);
  n->set_name(out);
  for (const std::string& i : in) n->add_input(i);
  n->add_output(out);
  return n;
}

void int_attr(onnx::NodeProto* n, const std::string& name, int64_t v) {
  onnx::AttributeProto* a = n->add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::INT);
  a->set_i(v);
}

void set_io(onnx::ValueInfoProto* v, const std::string& name, int64_t width) {
  v->set_name(name);
  onnx::TypeProto_Tensor* t = v->mutable_type()->mutable_tensor_type();
  t->set_elem_type(onnx::TensorProto::FLOAT);
  t->mutable_shape()->add_dim()->set_dim_param("N");
  t->mutable_shape()->add_dim()->set_dim_value(width);
}

void add_int_tensor(onnx::GraphProto* graph, const std::string& name, const std::vector<int64_t>& dims,
                    const std::vector<int64_t>& values) {
  onnx::TensorProto* t = graph->add_initializer();
  t->set_name(name);
  t->set_data_type(onnx::TensorProto::INT64);
  for (int64_t d : dims) t->add_dims(d);
  t->set_raw_data(std::string(reinterpret_cast<const char*>(values.data()), values.size() * sizeof(int64_t)));
}

void ints_attr(onnx::NodeProto* n, const std::string& name, const std::vector<int64_t>& v) {
  onnx::AttributeProto* a = n->add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::INTS);
  for (int64_t x : v) a->add_ints(x);
}

onnx::ModelProto new_model(const std::string& graph_name, const std::string& doc) {
  onnx::ModelProto model;
  model.set_ir_version(8);
  model.set_producer_name("annlab-train");
  model.set_producer_version("1");
  model.set_doc_string(doc);
  onnx::OperatorSetIdProto* opset = model.add_opset_import();
  opset->set_domain("");
  opset->set_version(17);
  model.mutable_graph()->set_name(graph_name);
  return model;
}

// out = in / max(||in||_2 per row, 1e-12).
void add_l2_normalise(onnx::GraphProto* graph, const std::string& in, const std::string& out) {
  onnx::NodeProto* norm = add_node(graph, "ReduceL2", {in}, "norm");
  ints_attr(norm, "axes", {1});
  int_attr(norm, "keepdims", 1);
  add_tensor(graph, "eps", {}, {1e-12f});
  add_node(graph, "Max", {"norm", "eps"}, "norm_eps");
  add_node(graph, "Div", {in, "norm_eps"}, out);
}

Status check_and_write(onnx::ModelProto& model, const std::string& path) {
  try {
    onnx::checker::check_model(model);
  } catch (const std::exception& e) {
    return Status::error(cat(path, ": the ONNX checker refused the graph: ", e.what()));
  }
  std::ofstream f(path, std::ios::binary);
  if (!f || !model.SerializeToOstream(&f)) return Status::error(cat(path, ": cannot write the ONNX model"));
  return Status::ok();
}

}  // namespace

Status export_router_layer1_onnx(const RouterGraph& g, const std::string& path) {
  onnx::ModelProto model = new_model("router_layer1", "annlab learned router, layer 1: the probability of each "
                                                      "k-means cell holding the query's nearest neighbour");
  onnx::GraphProto* graph = model.mutable_graph();
  set_io(graph->add_input(), "x", int64_t(g.d));
  set_io(graph->add_output(), "probs", int64_t(g.cells));
  add_tensor(graph, "mean", {int64_t(g.d)}, g.mean);
  add_tensor(graph, "projection", {int64_t(g.d), int64_t(g.p)}, g.projection);
  add_node(graph, "Sub", {"x", "mean"}, "centred");
  std::string cur = add_node(graph, "MatMul", {"centred", "projection"}, "z")->output(0);
  for (size_t i = 0; i < g.layer1.size(); ++i) {
    const RouterDense& l = g.layer1[i];
    const std::string w = "w" + std::to_string(i), b = "b" + std::to_string(i);
    add_tensor(graph, w, {int64_t(l.out), int64_t(l.in)}, l.w);
    add_tensor(graph, b, {int64_t(l.out)}, l.b);
    onnx::NodeProto* gemm = add_node(graph, "Gemm", {cur, w, b}, "dense" + std::to_string(i));
    int_attr(gemm, "transB", 1);
    cur = gemm->output(0);
    if (l.relu) cur = add_node(graph, "Relu", {cur}, "relu" + std::to_string(i))->output(0);
  }
  int_attr(add_node(graph, "Softmax", {cur}, "probs"), "axis", 1);
  return check_and_write(model, path);
}

Status export_router_layer2_onnx(const RouterGraph& g, const std::string& path) {
  onnx::ModelProto model = new_model("router_layer2", "annlab learned router, layer 2 (one model per cell, packed): "
                                                      "the probability of each member of the given cell being the "
                                                      "query's nearest neighbour");
  onnx::GraphProto* graph = model.mutable_graph();
  const int64_t d = int64_t(g.d), p = int64_t(g.p), C = int64_t(g.cells), h = int64_t(g.hidden2),
                M = int64_t(g.members_max), n = int64_t(g.n);
  set_io(graph->add_input(), "x", d + 1);
  set_io(graph->add_output(), "probs", M);
  add_tensor(graph, "mean", {d}, g.mean);
  add_tensor(graph, "projection", {d, p}, g.projection);
  add_tensor(graph, "cell_z", {C, p}, g.cell_z);
  add_tensor(graph, "w1", {C, 2 * p, h}, g.w1);
  add_tensor(graph, "b1", {C, 1, h}, g.b1);
  add_tensor(graph, "w2", {n + 1, h}, g.w2);
  add_tensor(graph, "b2", {n + 1}, g.b2);
  add_int_tensor(graph, "members", {C, M}, g.members);
  add_int_tensor(graph, "q_start", {1}, {0});
  add_int_tensor(graph, "q_end", {1}, {d});
  add_int_tensor(graph, "c_end", {1}, {d + 1});
  add_int_tensor(graph, "axis1", {1}, {1});
  add_int_tensor(graph, "flat", {1}, {-1});
  add_int_tensor(graph, "row3", {3}, {-1, 1, 2 * p});
  add_int_tensor(graph, "out2", {2}, {-1, M});
  add_node(graph, "Slice", {"x", "q_start", "q_end", "axis1"}, "q");
  add_node(graph, "Slice", {"x", "q_end", "c_end", "axis1"}, "cell_f");
  int_attr(add_node(graph, "Cast", {"cell_f"}, "cell_2d"), "to", onnx::TensorProto::INT64);
  add_node(graph, "Reshape", {"cell_2d", "flat"}, "cell");
  add_node(graph, "Sub", {"q", "mean"}, "centred");
  add_node(graph, "MatMul", {"centred", "projection"}, "zq");
  add_node(graph, "Gather", {"cell_z", "cell"}, "zc");
  int_attr(add_node(graph, "Concat", {"zq", "zc"}, "z"), "axis", 1);
  add_node(graph, "Reshape", {"z", "row3"}, "z3");
  add_node(graph, "Gather", {"w1", "cell"}, "w1c");
  add_node(graph, "Gather", {"b1", "cell"}, "b1c");
  add_node(graph, "MatMul", {"z3", "w1c"}, "h_lin");
  add_node(graph, "Add", {"h_lin", "b1c"}, "h_pre");
  add_node(graph, "Relu", {"h_pre"}, "h");
  add_node(graph, "Gather", {"members", "cell"}, "ids");
  add_node(graph, "Gather", {"w2", "ids"}, "w2c");
  ints_attr(add_node(graph, "Transpose", {"w2c"}, "w2t"), "perm", {0, 2, 1});
  add_node(graph, "MatMul", {"h", "w2t"}, "o3");
  add_node(graph, "Reshape", {"o3", "out2"}, "o_lin");
  add_node(graph, "Gather", {"b2", "ids"}, "b2c");
  add_node(graph, "Add", {"o_lin", "b2c"}, "logits");
  int_attr(add_node(graph, "Softmax", {"logits"}, "probs"), "axis", 1);
  return check_and_write(model, path);
}

Status export_nphash_onnx(const NphashGraph& g, const std::string& path) {
  onnx::ModelProto model = new_model("nphash", "NPhash: pre-sign values of a learned binary hash (the code is their sign)");
  onnx::GraphProto* graph = model.mutable_graph();
  set_io(graph->add_input(), "x", int64_t(g.d));
  set_io(graph->add_output(), "pre_sign", int64_t(g.bits));

  add_tensor(graph, "mean", {int64_t(g.d)}, g.mean);
  add_tensor(graph, "projection", {int64_t(g.d), int64_t(g.pca)}, g.projection);
  add_node(graph, "Sub", {"x", "mean"}, "centred");
  std::string cur = add_node(graph, "MatMul", {"centred", "projection"}, "projected")->output(0);
  for (size_t i = 0; i < g.layers.size(); ++i) {
    const DenseLayer& l = g.layers[i];
    const std::string w = "w" + std::to_string(i), b = "b" + std::to_string(i);
    add_tensor(graph, w, {int64_t(l.out), int64_t(l.in)}, l.w);
    add_tensor(graph, b, {int64_t(l.out)}, l.b);
    onnx::NodeProto* gemm = add_node(graph, "Gemm", {cur, w, b}, (i + 1 == g.layers.size() ? "embedding" : "dense" + std::to_string(i)));
    int_attr(gemm, "transB", 1);
    cur = gemm->output(0);
    if (l.relu) cur = add_node(graph, "Relu", {cur}, "relu" + std::to_string(i))->output(0);
  }
  add_l2_normalise(graph, cur, "pre_sign");
  return check_and_write(model, path);
}

Status export_embed_onnx(const EmbedGraph& g, const std::string& path) {
  onnx::ModelProto model = new_model("embed", "annlab metric-learning CNN: a 28 x 28 image (pixels 0..255) to an "
                                              "l2-normalised embedding trained with a semi-hard triplet loss");
  onnx::GraphProto* graph = model.mutable_graph();
  set_io(graph->add_input(), "x", int64_t(g.h * g.w));
  set_io(graph->add_output(), "embedding", int64_t(g.dim));
  add_tensor(graph, "scale", {}, {1.0f / 255.0f});
  add_int_tensor(graph, "image_shape", {4}, {-1, 1, int64_t(g.h), int64_t(g.w)});
  add_node(graph, "Mul", {"x", "scale"}, "scaled");
  std::string cur = add_node(graph, "Reshape", {"scaled", "image_shape"}, "image")->output(0);
  for (size_t i = 0; i < g.convs.size(); ++i) {
    const ConvLayer& c = g.convs[i];
    const std::string s = std::to_string(i);
    add_tensor(graph, "conv_w" + s, {int64_t(c.out), int64_t(c.in), 3, 3}, c.w);
    add_tensor(graph, "conv_b" + s, {int64_t(c.out)}, c.b);
    onnx::NodeProto* conv = add_node(graph, "Conv", {cur, "conv_w" + s, "conv_b" + s}, "conv" + s);
    ints_attr(conv, "kernel_shape", {3, 3});
    ints_attr(conv, "pads", {1, 1, 1, 1});
    add_node(graph, "Relu", {conv->output(0)}, "conv_relu" + s);
    onnx::NodeProto* pool = add_node(graph, "MaxPool", {"conv_relu" + s}, "pool" + s);
    ints_attr(pool, "kernel_shape", {2, 2});
    ints_attr(pool, "strides", {2, 2});
    cur = pool->output(0);
  }
  int_attr(add_node(graph, "Flatten", {cur}, "flat"), "axis", 1);
  add_tensor(graph, "w1", {int64_t(g.hidden), int64_t(g.flat)}, g.w1);
  add_tensor(graph, "b1", {int64_t(g.hidden)}, g.b1);
  add_tensor(graph, "w2", {int64_t(g.dim), int64_t(g.hidden)}, g.w2);
  add_tensor(graph, "b2", {int64_t(g.dim)}, g.b2);
  int_attr(add_node(graph, "Gemm", {"flat", "w1", "b1"}, "dense1"), "transB", 1);
  add_node(graph, "Relu", {"dense1"}, "relu1");
  int_attr(add_node(graph, "Gemm", {"relu1", "w2", "b2"}, "dense2"), "transB", 1);
  add_l2_normalise(graph, "dense2", "embedding");
  return check_and_write(model, path);
}

}  // namespace annlab::train
