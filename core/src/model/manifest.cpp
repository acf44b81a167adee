#include <filesystem>

#include "annlab/io.h"
#include "annlab/json.h"
#include "annlab/model.h"

namespace annlab {

Result<std::string> checked_onnx_sha256(const ModelManifest& m, const std::vector<uint8_t>& bytes) {
  std::string sha = sha256_hex(bytes.data(), bytes.size());
  if (!m.onnx_sha256.empty() && m.onnx_sha256 != sha)
    return Status::error(cat(m.onnx, ": sha256 ", sha, " differs from the manifest's ", m.onnx_sha256, " (", m.path,
                             "): the model file was replaced; train it again or restore it"));
  return sha;
}

Result<ModelManifest> read_model_manifest(const std::string& spec) {
  ModelManifest m;
  m.path = spec;
  // "file.json#layer1": the model described by that member of the manifest (a router's layers).
  const size_t hash = spec.find('#');
  const std::string path = spec.substr(0, hash);
  const std::string part = hash == std::string::npos ? std::string() : spec.substr(hash + 1);
  const std::string ext = std::filesystem::path(path).extension().string();
  if (ext == ".onnx" && part.empty()) {  // a bare model: names and shapes come from the file itself
    m.onnx = path;
    return m;
  }
  if (ext != ".json")
    return Status::error(cat(path, ": a model is a manifest (.json, written by annlab-train) or an .onnx file"));
  ANNLAB_ASSIGN_OR_RETURN(std::vector<uint8_t> bytes, read_file(path));
  ANNLAB_ASSIGN_OR_RETURN(Json doc, parse_json(path, std::string(bytes.begin(), bytes.end())));
  auto text = [&](const Json* o, const char* key) -> Result<std::string> {
    const Json* v = o ? o->get(key) : nullptr;
    if (!v || v->kind != Json::String) return Status::error(cat(path, ": expected a string \"", key, "\""));
    return v->text;
  };
  auto number = [&](const Json* o, const char* key) -> size_t {
    const Json* v = o ? o->get(key) : nullptr;
    return v && v->kind == Json::Number && v->number >= 0 ? size_t(v->number) : 0;
  };
  const Json* format = doc.get("format");
  if (doc.kind != Json::Object || !format || format->text != "annlab-model")
    return Status::error(cat(path, ": not an annlab model manifest (expected \"format\": \"annlab-model\")"));
  if (number(&doc, "version") != 1)
    return Status::error(cat(path, ": manifest version ", number(&doc, "version"), " (this build reads version 1)"));
  ANNLAB_ASSIGN_OR_RETURN(m.method, text(&doc, "method"));
  const Json* model = &doc;
  if (!part.empty()) {
    model = doc.get(part);
    if (!model || model->kind != Json::Object)
      return Status::error(cat(path, ": no model \"", part, "\" in this ", m.method, " manifest"));
  }
  ANNLAB_ASSIGN_OR_RETURN(std::string onnx, text(model, "onnx"));
  m.onnx = (std::filesystem::path(path).parent_path() / onnx).string();
  ANNLAB_ASSIGN_OR_RETURN(m.onnx_sha256, text(model, "onnx_sha256"));
  const Json* in = model->get("input");
  const Json* out = model->get("output");
  ANNLAB_ASSIGN_OR_RETURN(m.input_name, text(in, "name"));
  ANNLAB_ASSIGN_OR_RETURN(m.output_name, text(out, "name"));
  auto width = [&](const Json* o, const char* what) -> Result<size_t> {
    const Json* shape = o ? o->get("shape") : nullptr;
    if (!shape || shape->kind != Json::Array || shape->items.size() != 2 || shape->items[1].kind != Json::Number)
      return Status::error(cat(path, ": the ", what, " needs \"shape\": [\"N\", width]"));
    return size_t(shape->items[1].number);
  };
  ANNLAB_ASSIGN_OR_RETURN(m.input_dim, width(in, "input"));
  ANNLAB_ASSIGN_OR_RETURN(m.output_dim, width(out, "output"));
  if (const Json* t = doc.get("training_data")) m.training_sha256 = t->get("sha256") ? t->get("sha256")->text : "";
  m.multiply_adds = number(model, "multiply_adds_per_query");
  m.model_bytes = number(model, "model_bytes");
  return m;
}

}  // namespace annlab
