#include "parts/learned_router.h"

#include <algorithm>
#include <filesystem>

#include "annlab/binary_io.h"
#include "annlab/io.h"
#include "annlab/json.h"
#include "parts/kmeans.h"

namespace annlab {

namespace {

// Runs `in` (n rows) through a model that answers later, in slices, polling across steps; the
// outputs land in *out (n x width). A task destroyed first (Cancel) cancels the run.
TrainTask run_later_task(const Model* model, std::vector<float> in, size_t n, size_t width, std::vector<float>* out,
                         std::string stage, double* row_ms) {
  const size_t w_in = model->input_dim();
  constexpr size_t kSlice = 8192;
  out->assign(n * width, 0.0f);
  for (size_t s = 0; s < n; s += kSlice) {
    const size_t m = std::min(kSlice, n - s);
    const bool timed = n == 1 && row_ms;
    const uint64_t run = model->start(in.data() + s * w_in, m, out->data() + s * width, timed);
    struct Cancel {
      const Model* model;
      uint64_t run;
      bool armed = true;
      ~Cancel() {
        if (armed) model->cancel(run);
      }
    } guard{model, run};
    Model::Poll p = model->poll(run);
    while (!p.done) {
      ANNLAB_CO_WAIT(stage, double(s + p.rows_done) / double(n));
      p = model->poll(run);
    }
    guard.armed = false;
    if (!p.status.is_ok()) co_return p.status;
    if (timed) *row_ms += p.compute_ms;
  }
  co_return Status::ok();
}

size_t ceil_div(size_t a, size_t b) { return std::max<size_t>(1, (a + b - 1) / b); }

}  // namespace

LearnedRouter::LearnedRouter(size_t d, size_t nlist, std::string model_path)
    : CellRouter(d, nlist), path_(std::move(model_path)), memo1_(d, nlist), memo2_(d + 1, 1) {}

bool LearnedRouter::runtime_is_asynchronous() {
  const ModelRuntime* rt = model_runtime();
  return rt && rt->asynchronous();
}

bool LearnedRouter::computes_elsewhere() const {
  return layer1_ ? layer1_->asynchronous() : runtime_is_asynchronous();
}

TrainTask LearnedRouter::open_task() {
  const std::string what = cat("Router", cells());
  ModelRuntime* rt = model_runtime();
  if (!rt) co_return Status::error(cat(path_, ": this build cannot run ONNX models: ONNX Runtime is ", model_runtime_name()));
  ANNLAB_CO_STEP(cat(what, ": opening ", path_), 0.0);
  std::string error;
  while (!rt->fetch(path_, &error)) {
    if (!error.empty()) co_return Status::error(error);
    ANNLAB_CO_WAIT(cat("fetching ", path_), 0.0);
  }
  Result<std::vector<uint8_t>> bytes = read_file(path_);
  if (!bytes.is_ok()) co_return bytes.status();
  Result<Json> doc = parse_json(path_, std::string(bytes->begin(), bytes->end()));
  if (!doc.is_ok()) co_return doc.status();
  const Json* method = doc->get("method");
  if (!method || method->text != "Router")
    co_return Status::error(cat(path_, ": not a learned router's manifest (\"method\": \"", method ? method->text : "",
                                "\"; annlab-train router writes one)"));
  const Json* nc = doc->get("nclusters");
  if (!nc || nc->kind != Json::Number || size_t(nc->number) != cells())
    co_return Status::error(cat(path_, ": a router over ", nc ? size_t(nc->number) : 0, " cells; ", what, " needs ",
                                cells()));
  const Json* cl = doc->get("cells");
  auto text = [&](const Json* o, const char* key) -> std::string {
    const Json* v = o ? o->get(key) : nullptr;
    return v && v->kind == Json::String ? v->text : std::string();
  };
  const std::string cells_file = text(cl, "file"), cells_sha = text(cl, "sha256");
  if (cells_file.empty() || cells_sha.empty())
    co_return Status::error(cat(path_, ": expected \"cells\": {\"file\": ..., \"sha256\": ...}"));
  assignment_sha_ = text(cl, "assignment_sha256");
  const Json* mm = cl->get("members_max");
  members_max_ = mm && mm->kind == Json::Number ? size_t(mm->number) : 0;
  if (const Json* t = doc->get("training_data")) {
    training_file_ = text(t, "file");
    const Json* r = t->get("rows");
    training_rows_ = r && r->kind == Json::Number ? size_t(r->number) : 0;
  }
  const std::string cells_path = (std::filesystem::path(path_).parent_path() / cells_file).string();
  while (!rt->fetch(cells_path, &error)) {
    if (!error.empty()) co_return Status::error(error);
    ANNLAB_CO_WAIT(cat("fetching ", cells_path), 0.0);
  }
  Result<std::string> sha = file_sha256(cells_path);
  if (!sha.is_ok()) co_return sha.status();
  if (sha.value() != cells_sha)
    co_return Status::error(cat(cells_path, ": sha256 ", sha.value(), " differs from the manifest's ", cells_sha,
                                " (", path_, "): the cells file was replaced; train the router again"));
  Result<Dataset> cent = load_vectors(cells_path);
  if (!cent.is_ok()) co_return cent.status();
  if (cent->n != cells() || cent->d != dim())
    co_return Status::error(cat(cells_path, ": ", cent->n, " centroids of dimension ", cent->d, "; ", what,
                                " on this data needs ", cells(), " of dimension ", dim()));
  std::vector<float> c(cells() * dim());
  for (size_t i = 0; i < cells(); ++i) cent->view().row_to_f32(i, c.data() + i * dim());
  if (!centroids_.empty() && centroids_ != c)
    co_return Status::error(cat("the index's cells differ from ", cells_path, "'s: the router was trained again"));
  std::unique_ptr<Model> a, b;
  ANNLAB_CO_RUN(open_model_task(path_ + "#layer1", &a));
  ANNLAB_CO_RUN(open_model_task(path_ + "#layer2", &b));
  if (a->input_dim() != dim() || a->output_dim() != cells())
    co_return Status::error(cat(path_, "#layer1: the model maps ", a->input_dim(), " to ", a->output_dim(), " values; ",
                                what, " on this data needs ", dim(), " to ", cells()));
  if (b->input_dim() != dim() + 1 || b->output_dim() == 0)
    co_return Status::error(cat(path_, "#layer2: the model takes ", b->input_dim(), " values; ", what,
                                " on this data needs the query and a cell: ", dim() + 1));
  if (!sha1_.empty() && (a->sha256() != sha1_ || b->sha256() != sha2_))
    co_return Status::error(cat("the index was built with other models than ", path_, " now names (sha256 ",
                                sha1_.substr(0, 12), "… / ", sha2_.substr(0, 12), "…): train it again"));
  members_max_ = b->output_dim();
  cost1_ = ceil_div(a->manifest().multiply_adds, dim());
  cost2_ = ceil_div(b->manifest().multiply_adds, dim());
  memo2_ = OutputMemo<float>(dim() + 1, members_max_);
  sha1_ = a->sha256();
  sha2_ = b->sha256();
  layer1_ = std::move(a);
  layer2_ = std::move(b);
  centroids_ = std::move(c);
  co_return Status::ok();
}

TrainTask LearnedRouter::train_task(VectorView, uint64_t) {
  ANNLAB_CO_RUN(open_task());
  co_return Status::ok();
}

void LearnedRouter::assign(const VectorView& x, int32_t* cell) const {
  assign_nearest(x, centroids_.data(), cells(), cell);
}

const float* LearnedRouter::layer1_of(const float* q, std::vector<float>* buf) const {
  ANNLAB_ASSERT(layer1_ != nullptr);
  if (layer1_->asynchronous()) {
    const float* p = memo1_.find(q);
    ANNLAB_ASSERT(p != nullptr && "a query's cell probabilities were not prepared");
    return p;
  }
  buf->resize(cells());
  const Status st = layer1_->run(q, 1, buf->data());
  ANNLAB_ASSERT(st.is_ok() && "a loaded model failed to run");
  return buf->data();
}

std::vector<float> LearnedRouter::cell_probabilities(const float* q) const {
  std::vector<float> buf;
  const float* p = layer1_of(q, &buf);
  return std::vector<float>(p, p + cells());
}

size_t LearnedRouter::route(const float* q, size_t nprobe, CellChoice* out) const {
  const float* p = layer1_of(q, &out_);
  scratch_.resize(cells());
  for (size_t c = 0; c < cells(); ++c) scratch_[c] = {-p[c], int64_t(c)};
  std::partial_sort(scratch_.begin(), scratch_.begin() + long(nprobe), scratch_.end());
  std::copy_n(scratch_.begin(), nprobe, out);
  return cost1_;
}

size_t LearnedRouter::rank_members(const float* q, size_t cell, std::vector<float>* probs) const {
  ANNLAB_ASSERT(layer2_ != nullptr);
  row_.assign(q, q + dim());
  row_.push_back(float(cell));
  const size_t m = cell < sizes_.size() ? std::min(sizes_[cell], members_max_) : 0;
  if (layer2_->asynchronous()) {
    const float* p = memo2_.find(row_.data());
    ANNLAB_ASSERT(p != nullptr && "a query's layer 2 was not prepared for this cell");
    probs->assign(p, p + m);
  } else {
    out_.resize(members_max_);
    const Status st = layer2_->run(row_.data(), 1, out_.data());
    ANNLAB_ASSERT(st.is_ok() && "a loaded model failed to run");
    probs->assign(out_.begin(), out_.begin() + long(m));
  }
  return cost2_;
}

Status LearnedRouter::members_status() const {
  if (!layer2_) return Status::error(cat("Router", cells(), "'s model ", path_, " is not open yet"));
  // Layer 2's output j of cell c is the j-th member the router was trained on: valid only when the
  // lists hold exactly those members (the same base, in the same order).
  if (!assignment_sha_.empty() && lists_sha_ == assignment_sha_) return Status::ok();
  return Status::error(cat("Router", cells(), "'s layer 2 was trained on the members of ", training_file_, " (",
                           training_rows_, " rows); this index holds ", lists_n_,
                           " other vectors, so its outputs would name other points: search every member of the "
                           "probed cells (leave rerank unset)"));
}

size_t LearnedRouter::ranked_cells_limit() const {
  return computes_elsewhere() ? std::min(kPreparedCells, cells()) : cells();
}

void LearnedRouter::lists_changed(const std::vector<std::vector<int64_t>>& ids, size_t n) {
  sizes_.assign(cells(), 0);
  std::vector<int32_t> cell(n, -1);
  for (size_t c = 0; c < ids.size() && c < cells(); ++c) {
    sizes_[c] = ids[c].size();
    for (int64_t id : ids[c])
      if (id >= 0 && size_t(id) < n) cell[size_t(id)] = int32_t(c);
  }
  lists_sha_ = sha256_hex(cell.data(), cell.size() * sizeof(int32_t));
  lists_n_ = n;
}

Status LearnedRouter::check_inputs(const VectorView& x) const {
  if (!layer1_) {
    if (centroids_.empty()) return Status::error(cat("Router", cells(), " has no model open: train it first"));
    return Status::error(cat("Router", cells(), "'s model ", path_, " is not open yet: prepare the queries first (the lab does)"));
  }
  if (!layer1_->asynchronous()) return Status::ok();
  return memo1_.check(x, cat("Router", cells(), "'s cell probabilities (computed by ", model_runtime_name(), ")"));
}

TrainTask LearnedRouter::prepare_task(VectorView x) {
  if (x.d != dim()) co_return Status::error(cat("vectors have dimension ", x.d, ", the index has ", dim()));
  if (!layer1_) ANNLAB_CO_RUN(open_task());  // an index loaded from a file: its first query opens the models
  if (!layer1_->asynchronous()) co_return Status::ok();
  const size_t d = dim(), C = cells();
  // Layer 1 for the rows without its outputs.
  std::vector<float> in, out;
  std::vector<size_t> todo;
  std::vector<float> row(d);
  for (size_t i = 0; i < x.n; ++i) {
    x.row_to_f32(i, row.data());
    if (!memo1_.find(row.data())) {
      todo.push_back(i);
      in.insert(in.end(), row.begin(), row.end());
    }
  }
  const bool one = x.n == 1;
  if (one) last_row_ms_ = 0;
  const std::string who = cat(" with ", model_runtime_name());
  if (!todo.empty()) {
    ANNLAB_CO_RUN(run_later_task(layer1_.get(), in, todo.size(), C, &out,
                                 cat("layer 1 for ", one ? std::string("the query") : cat(todo.size(), " queries"), who),
                                 one ? &last_row_ms_ : nullptr));
    for (size_t j = 0; j < todo.size(); ++j) memo1_.put(in.data() + j * d, out.data() + j * C);
  }
  // Layer 2 for each row's most probable cells. One query: its most probable cell first, timed on
  // its own (layer 1 and that cell's layer 2 are the prediction the seed times), then the rest.
  const size_t K = std::min(kPreparedCells, C);
  std::vector<float> in2;
  size_t rows2 = 0;
  std::vector<CellChoice> order(C);
  for (size_t i = 0; i < x.n; ++i) {
    x.row_to_f32(i, row.data());
    const float* p = memo1_.find(row.data());
    for (size_t c = 0; c < C; ++c) order[c] = {-p[c], int64_t(c)};
    std::partial_sort(order.begin(), order.begin() + long(K), order.end());
    for (size_t k = 0; k < K; ++k) {
      std::vector<float> r2(row);
      r2.push_back(float(order[k].cell));
      if (memo2_.find(r2.data())) continue;
      in2.insert(in2.end(), r2.begin(), r2.end());
      ++rows2;
    }
  }
  size_t done2 = 0;
  if (one && rows2 > 0) {
    ANNLAB_CO_RUN(run_later_task(layer2_.get(), std::vector<float>(in2.begin(), in2.begin() + long(d + 1)), 1,
                                 members_max_, &out, cat("layer 2 for the query's cell", who), &last_row_ms_));
    memo2_.put(in2.data(), out.data());
    done2 = 1;
  }
  if (rows2 > done2) {
    ANNLAB_CO_RUN(run_later_task(layer2_.get(), std::vector<float>(in2.begin() + long(done2 * (d + 1)), in2.end()),
                                 rows2 - done2, members_max_, &out, cat("layer 2 for ", rows2 - done2, " cells", who),
                                 nullptr));
    for (size_t j = 0; j < rows2 - done2; ++j) memo2_.put(in2.data() + (done2 + j) * (d + 1), out.data() + j * members_max_);
  }
  co_return Status::ok();
}

size_t LearnedRouter::memory_bytes() const {
  return centroids_.size() * 4 + (layer1_ ? layer1_->manifest().model_bytes : 0) +
         (layer2_ ? layer2_->manifest().model_bytes : 0) + memo1_.memory_bytes() + memo2_.memory_bytes();
}

void LearnedRouter::save(BinaryWriter& w) const {
  w.array(centroids_);
  w.string(path_);
  w.string(sha1_);
  w.string(sha2_);
}

Status LearnedRouter::load(BinaryReader& r) {
  ANNLAB_TRY(r.array(&centroids_, "router centroids", r.remaining() / 4));
  if (!centroids_.empty() && centroids_.size() != cells() * dim())
    return r.error(cat("the router holds ", centroids_.size(), " centroid floats, expected ", cells() * dim()));
  ANNLAB_TRY(VectorView::of(centroids_.data(), centroids_.size(), 1).check_finite("router centroid"));
  ANNLAB_TRY(r.string(&path_, "router model file"));
  ANNLAB_TRY(r.string(&sha1_, "router layer 1 sha256"));
  ANNLAB_TRY(r.string(&sha2_, "router layer 2 sha256"));
  layer1_.reset();
  layer2_.reset();
  if (centroids_.empty()) return Status::ok();  // saved before it was trained
  // A runtime that answers later opens the models when the first query needs them (prepare_task);
  // one that answers now opens them here, so a replaced model file is refused at once.
  if (runtime_is_asynchronous()) return Status::ok();
  if (Status st = open_task().run(); !st.is_ok()) return r.error(cat("the index's router: ", st.message()));
  return Status::ok();
}

std::unique_ptr<CellRouter> make_learned_router(size_t d, size_t nlist, std::string model_path) {
  return std::make_unique<LearnedRouter>(d, nlist, std::move(model_path));
}

}  // namespace annlab
