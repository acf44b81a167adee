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

}  // namespace

Status export_nphash_onnx(const NphashGraph& g, const std::string& path) {
  onnx::ModelProto model;
  model.set_ir_version(8);
  model.set_producer_name("annlab-train");
  model.set_producer_version("1");
  model.set_doc_string("NPhash: pre-sign values of a learned binary hash (the code is their sign)");
  onnx::OperatorSetIdProto* opset = model.add_opset_import();
  opset->set_domain("");
  opset->set_version(17);
  onnx::GraphProto* graph = model.mutable_graph();
  graph->set_name("nphash");
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
  onnx::NodeProto* norm = add_node(graph, "ReduceL2", {cur}, "norm");
  onnx::AttributeProto* axes = norm->add_attribute();
  axes->set_name("axes");
  axes->set_type(onnx::AttributeProto::INTS);
  axes->add_ints(1);
  int_attr(norm, "keepdims", 1);
  add_tensor(graph, "eps", {}, {1e-12f});
  add_node(graph, "Max", {"norm", "eps"}, "norm_eps");
  add_node(graph, "Div", {cur, "norm_eps"}, "pre_sign");
  try {
    onnx::checker::check_model(model);
  } catch (const std::exception& e) {
    return Status::error(cat(path, ": the ONNX checker refused the graph: ", e.what()));
  }
  std::ofstream f(path, std::ios::binary);
  if (!f || !model.SerializeToOstream(&f)) return Status::error(cat(path, ": cannot write the ONNX model"));
  return Status::ok();
}

}  // namespace annlab::train
