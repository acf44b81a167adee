#include "parts/model_encoder.h"

#include <algorithm>
#include <vector>

#include "annlab/binary_io.h"

namespace annlab {

ModelEncoder::ModelEncoder(size_t d, size_t bits, std::string method, std::string model_path)
    : BinaryEncoder(d, bits), method_(std::move(method)), path_(std::move(model_path)), memo_(d, words()) {}

bool ModelEncoder::runtime_is_asynchronous() {
  const ModelRuntime* rt = model_runtime();
  return rt && rt->asynchronous();
}

Status ModelEncoder::check_model(const Model& m) const {
  if (m.input_dim() != dim())
    return Status::error(cat(path_, ": the model takes vectors of dimension ", m.input_dim(), "; the data has ", dim()));
  if (m.output_dim() != bits())
    return Status::error(cat(path_, ": the model gives ", m.output_dim(), " values per vector; ", method_, bits(), " needs ",
                             bits()));
  if (!saved_sha_.empty() && m.sha256() != saved_sha_)
    return Status::error(cat("the index's codes were made by the model with sha256 ", saved_sha_, "; ", path_,
                             " now holds ", m.sha256()));
  return Status::ok();
}

TrainTask ModelEncoder::open_task() {
  std::unique_ptr<Model> m;
  ANNLAB_CO_STEP(cat(method_, bits(), ": opening ", path_), 0.0);
  ANNLAB_CO_RUN(open_model_task(path_, &m));
  ANNLAB_CO_TRY(check_model(*m));
  model_ = std::move(m);
  co_return Status::ok();
}

TrainTask ModelEncoder::train_task(VectorView, uint64_t) {
  ANNLAB_CO_RUN(open_task());
  co_return Status::ok();
}

TrainTask ModelEncoder::prepare_task(VectorView x) {
  if (x.d != dim()) co_return Status::error(cat("vectors have dimension ", x.d, ", the index has ", dim()));
  if (!model_) ANNLAB_CO_RUN(open_task());  // an index loaded from a file: its first query opens the model
  if (!model_->asynchronous()) co_return Status::ok();  // it encodes inside add() and search()
  // The rows without a code yet, in slices: each slice is copied, handed to the runtime and
  // polled until its outputs are in; the page draws frames in between.
  std::vector<size_t> todo;
  std::vector<float> row(dim());
  for (size_t i = 0; i < x.n; ++i) {
    x.row_to_f32(i, row.data());
    if (!memo_.find(row.data())) todo.push_back(i);
  }
  const std::string stage = cat("encoding ", todo.size() == 1 ? std::string("the vector") : cat(todo.size(), " vectors"),
                                " with ", model_runtime_name());
  constexpr size_t kSlice = 8192;  // rows handed to the runtime at a time (25 MB of floats at d = 784)
  std::vector<float> in, out;
  std::vector<uint64_t> codes;
  for (size_t s = 0; s < todo.size(); s += kSlice) {
    const size_t m = std::min(kSlice, todo.size() - s);
    in.resize(m * dim());
    out.assign(m * bits(), 0.0f);
    for (size_t j = 0; j < m; ++j) x.row_to_f32(todo[s + j], in.data() + j * dim());
    const bool timed = todo.size() == 1;
    const uint64_t run = model_->start(in.data(), m, out.data(), timed);
    // The run writes into `out` until it is done: a task destroyed first (Cancel) cancels it.
    struct Cancel {
      const Model* model;
      uint64_t run;
      bool armed = true;
      ~Cancel() {
        if (armed) model->cancel(run);
      }
    } guard{model_.get(), run};
    Model::Poll p = model_->poll(run);
    while (!p.done) {
      ANNLAB_CO_WAIT(stage, double(s + p.rows_done) / double(todo.size()));
      p = model_->poll(run);
    }
    guard.armed = false;
    if (!p.status.is_ok()) co_return p.status;
    if (timed) last_row_ms_ = p.compute_ms;
    codes.resize(m * words());
    bits_of(out.data(), m, codes.data());
    for (size_t j = 0; j < m; ++j) memo_.put(in.data() + j * dim(), codes.data() + j * words());
  }
  co_return Status::ok();
}

Status ModelEncoder::check_inputs(const VectorView& x) const {
  if (!model_) {
    if (saved_sha_.empty()) return Status::error(cat(method_, bits(), " has no model open: train it first"));
    return Status::error(cat(method_, bits(), "'s model ", path_, " is not open yet: prepare the vectors first (the lab does)"));
  }
  if (!model_->asynchronous()) return Status::ok();
  return memo_.check(x, cat(method_, bits(), "'s codes (computed by ", model_runtime_name(), ")"));
}

void ModelEncoder::bits_of(const float* y, size_t n, uint64_t* codes) const {
  const size_t w = words();
  for (size_t i = 0; i < n; ++i) {
    uint64_t* c = codes + i * w;
    for (size_t j = 0; j < w; ++j) c[j] = 0;
    for (size_t b = 0; b < bits(); ++b)
      if (y[i * bits() + b] >= 0.0f) c[b / 64] |= uint64_t{1} << (b % 64);
  }
}

void ModelEncoder::encode(const float* x, uint64_t* code) const { encode_rows(x, 1, code); }

void ModelEncoder::encode_rows(const float* x, size_t n, uint64_t* codes) const {
  ANNLAB_ASSERT(model_ != nullptr);
  if (model_->asynchronous()) {
    // Computed ahead by prepare_task (check_inputs refused any row without one).
    for (size_t i = 0; i < n; ++i) {
      const uint64_t* c = memo_.find(x + i * dim());
      ANNLAB_ASSERT(c != nullptr && "a row's code was not prepared");
      std::copy(c, c + words(), codes + i * words());
    }
    return;
  }
  std::vector<float> y(n * bits());
  const Status st = model_->run(x, n, y.data());
  ANNLAB_ASSERT(st.is_ok() && "a loaded model failed to run");
  bits_of(y.data(), n, codes);
}

// The model's weights, and the codes kept from a model that answers later (the page's).
size_t ModelEncoder::memory_bytes() const { return (model_ ? model_->manifest().model_bytes : 0) + memo_.memory_bytes(); }

void ModelEncoder::save(BinaryWriter& w) const {
  w.string(path_);
  w.string(model_ ? model_->sha256() : saved_sha_);
}

Status ModelEncoder::load(BinaryReader& r) {
  std::string sha;
  ANNLAB_TRY(r.string(&path_, "model file"));
  ANNLAB_TRY(r.string(&sha, "model sha256"));
  model_.reset();
  saved_sha_ = sha;
  if (sha.empty()) return Status::ok();  // saved before it was trained
  // A runtime that answers later opens the model when the first query needs it (prepare_task);
  // one that answers now opens it here, so a replaced model file is refused at once.
  if (runtime_is_asynchronous()) return Status::ok();
  if (Status st = open_task().run(); !st.is_ok()) return r.error(cat("the index's model: ", st.message()));
  return Status::ok();
}

}  // namespace annlab
