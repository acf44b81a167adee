#include "model_bridge.h"

#include <emscripten/val.h>

#include <map>
#include <string>

#include "annlab/io.h"
#include "annlab/model.h"

namespace annlab::web {

namespace {

using emscripten::val;

val service() { return val::module_property("annlabModels"); }

std::string text(const val& v, const char* key) {
  const val f = v[key];
  return f.isString() ? f.as<std::string>() : std::string();
}

class WebModel final : public Model {
 public:
  WebModel(const ModelManifest& m, std::string sha, int handle) : handle_(handle) {
    manifest_ = m;
    sha256_ = std::move(sha);
  }
  ~WebModel() override { service().call<void>("close", handle_); }

  size_t input_dim() const override { return in_; }
  size_t output_dim() const override { return out_; }
  Status run(const float*, size_t, float*) const override {
    return Status::error(cat(manifest_.onnx, ": ONNX Runtime Web answers later: start a run and poll it"));
  }
  bool asynchronous() const override { return true; }

  bool opened(Status* st) const override {
    if (opened_) {
      *st = open_status_;
      return true;
    }
    const val s = service().call<val>("state", handle_);
    const std::string state = text(s, "state");
    if (state == "opening") return false;
    opened_ = true;
    open_status_ = state == "ready" ? check(s) : Status::error(cat(manifest_.onnx, ": ONNX Runtime Web cannot load it: ", text(s, "error")));
    *st = open_status_;
    return true;
  }

  uint64_t start(const float* x, size_t n, float* y, bool timed) const override {
    // The rows are copied into the service (the heap may grow while it works).
    const val input = val(emscripten::typed_memory_view(n * in_, x)).call<val>("slice");
    const int id = service().call<int>("run", handle_, input, int(n), int(in_), int(out_), timed);
    runs_[uint64_t(id)] = Run{y, n, 0};
    return uint64_t(id);
  }

  Poll poll(uint64_t id) const override {
    Poll p;
    auto it = runs_.find(id);
    if (it == runs_.end()) {
      p.done = true;
      p.status = Status::error(cat(manifest_.onnx, ": no such run of ONNX Runtime Web (", id, ")"));
      return p;
    }
    Run& r = it->second;
    const val s = service().call<val>("poll", int(id));
    // Outputs that arrived since the last poll, copied into their rows.
    const val out = s["out"];
    if (!out.isNull() && !out.isUndefined()) {
      const size_t len = out["length"].as<size_t>();
      const size_t rows = std::min(len / out_, r.n - r.taken);
      val(emscripten::typed_memory_view(rows * out_, r.y + r.taken * out_)).call<void>("set", out.call<val>("subarray", 0, int(rows * out_)));
      r.taken += rows;
    }
    p.rows_done = r.taken;
    const std::string error = text(s, "error");
    if (!error.empty()) {
      p.done = true;
      p.status = Status::error(cat(manifest_.onnx, ": ONNX Runtime Web failed: ", error));
    } else if (s["done"].as<bool>() && r.taken == r.n) {
      p.done = true;
      p.compute_ms = s["ms"].as<double>();
    }
    if (p.done) runs_.erase(it);
    return p;
  }

  void cancel(uint64_t id) const override {
    service().call<void>("cancel", int(id));
    runs_.erase(id);
  }

 private:
  // The session's input and output against what annlab takes (as the native runtime checks them).
  Status check(const val& s) const {
    const int inputs = s["inputs"].as<int>(), outputs = s["outputs"].as<int>();
    if (inputs != 1 || outputs != 1)
      return Status::error(cat(manifest_.onnx, ": expected one float input [N, d] and one float output [N, bits], found ",
                               inputs, " inputs and ", outputs, " outputs"));
    auto width = [&](const char* what, const char* type, const char* shape, size_t want, size_t* w) -> Status {
      const int v = s[shape].as<int>();
      if (text(s, type) != "float32" || v <= 0)
        return Status::error(cat(manifest_.onnx, ": the ", what, " is ", text(s, (std::string(shape) + "Text").c_str()), " ",
                                 text(s, type), ": expected float [N, width]"));
      *w = size_t(v);
      if (want && want != *w)
        return Status::error(cat(manifest_.onnx, ": the ", what, " has width ", *w, "; the manifest ", manifest_.path, " says ", want));
      return Status::ok();
    };
    ANNLAB_TRY(width("input", "inType", "inWidth", manifest_.input_dim, &in_));
    ANNLAB_TRY(width("output", "outType", "outWidth", manifest_.output_dim, &out_));
    return Status::ok();
  }

  struct Run {
    float* y;
    size_t n, taken;
  };
  int handle_;
  mutable size_t in_ = 0, out_ = 0;
  mutable bool opened_ = false;
  mutable Status open_status_ = Status::ok();
  mutable std::map<uint64_t, Run> runs_;
};

class WebRuntime final : public ModelRuntime {
 public:
  std::string name() const override { return service().call<std::string>("name"); }
  bool asynchronous() const override { return true; }
  bool fetch(const std::string& path, std::string* error) override {
    const val s = service().call<val>("file", path);
    const std::string state = text(s, "state");
    if (state == "failed") *error = text(s, "error");
    return state == "ready";
  }
  Result<std::unique_ptr<Model>> load(const ModelManifest& m) override {
    ANNLAB_ASSIGN_OR_RETURN(std::vector<uint8_t> bytes, read_file(m.onnx));
    ANNLAB_ASSIGN_OR_RETURN(std::string sha, checked_onnx_sha256(m, bytes));
    const int handle = service().call<int>("open", m.onnx);
    return std::unique_ptr<Model>(std::make_unique<WebModel>(m, std::move(sha), handle));
  }
};

}  // namespace

void install_model_bridge() {
  if (service().isUndefined()) return;  // a page without the service: no runtime, and the messages say so
  install_model_runtime(std::make_unique<WebRuntime>());
}

}  // namespace annlab::web
