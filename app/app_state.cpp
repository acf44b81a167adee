#include "app_state.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <iterator>
#include <cmath>
#include <limits>
#include <numeric>

#include "annlab/distance.h"
#include "annlab/eval.h"
#include "annlab/registry.h"
#include "annlab/factory.h"
#include "annlab/generators.h"
#include "annlab/io.h"
#include "annlab/index_io.h"
#include "export.h"
#include "asset_manifest.h"
#include "annlab/params.h"
#include "annlab/pca.h"
#include "annlab/random.h"

namespace annlab::app {

namespace {

std::vector<double> defaults_of(const std::vector<ParamUse>& uses) {
  std::vector<double> v;
  for (const ParamUse& u : uses) v.push_back(u.def);
  return v;
}

// A lab value as the text apply_param reads.
std::string value_text(const ParamUse& u, double v) {
  const ParamInfo* p = find_param(u.name);
  ANNLAB_ASSERT(p != nullptr);
  switch (p->type) {
    case ParamType::Int: return std::to_string(int64_t(std::llround(v)));
    case ParamType::Seed: return std::to_string(uint64_t(std::max(0.0, v)));
    case ParamType::Float: return cat(v);
    case ParamType::Text: return {};  // a file name: not a lab control (the method's default file)
    case ParamType::Choice: {
      std::string_view c = p->choices;
      for (int i = 0; i < int(v); ++i) c.remove_prefix(std::min(c.size(), c.find(',') + 1));
      return std::string(c.substr(0, c.find(',')));
    }
  }
  return {};
}

// Applies the lab values of `uses` that are set (and apply to these pattern numbers).
void apply_values(const std::vector<ParamUse>& uses, const std::vector<double>& vals, const std::vector<int64_t>& args,
                  BuildParams* bp, SearchParams* sp) {
  for (size_t i = 0; i < uses.size(); ++i) {
    const ParamUse& u = uses[i];
    if (u.when_arg_zero >= 0 && args[size_t(u.when_arg_zero)] != 0) continue;
    double v = vals[i];
    if (v == u.unset_value || find_param(u.name)->type == ParamType::Text) continue;
    if (u.hi_arg >= 0) v = std::min(v, double(args[size_t(u.hi_arg)]));
    const Status st = apply_param(u.name, value_text(u, v), bp, sp);
    ANNLAB_ASSERT(st.is_ok());  // the controls keep every value inside its range
  }
}

}  // namespace

IndexConfig::IndexConfig() {
  for (const MethodInfo& m : method_registry()) {
    std::vector<int64_t> a;
    for (const ArgInfo& x : m.args) a.push_back(x.def);
    args.push_back(std::move(a));
    build_vals.push_back(defaults_of(m.build));
    search_vals.push_back(defaults_of(m.search));
    model.emplace_back();
  }
  select("LSH");
}

const MethodInfo& IndexConfig::info() const { return method_registry()[method]; }

bool IndexConfig::select(std::string_view name) {
  const auto rows = method_registry();
  for (size_t i = 0; i < rows.size(); ++i)
    if (rows[i].name == name && rows[i].implemented) {
      method = i;
      return true;
    }
  return false;
}

int64_t& IndexConfig::arg(std::string_view name) {
  const MethodInfo& m = info();
  for (size_t i = 0; i < m.args.size(); ++i)
    if (m.args[i].name == name) return args[method][i];
  ANNLAB_ASSERT(false && "no such pattern number");
}

double& IndexConfig::value(std::string_view name) {
  const MethodInfo& m = info();
  for (size_t i = 0; i < m.build.size(); ++i)
    if (m.build[i].name == name) return build_vals[method][i];
  for (size_t i = 0; i < m.search.size(); ++i)
    if (m.search[i].name == name) return search_vals[method][i];
  ANNLAB_ASSERT(false && "no such parameter");
}

std::string IndexConfig::spec() const {
  std::vector<int64_t> a = args[method];
  for (size_t i = 0; i < a.size(); ++i)
    if (info().args[i].same_as >= 0) a[i] = a[size_t(info().args[i].same_as)];
  return IndexSpec{&info(), a}.to_string();
}

BuildParams IndexConfig::build_params() const {
  BuildParams bp;
  bp.seed = 1;
  SearchParams unused;
  apply_values(info().build, build_vals[method], args[method], &bp, &unused);
  if (!model[method].empty()) bp.model = model[method];
  return bp;
}

SearchParams IndexConfig::search_params() const {
  BuildParams unused;
  SearchParams sp;
  apply_values(info().search, search_vals[method], args[method], &unused, &sp);
  return sp;
}

std::string IndexConfig::params() const {
  const BuildParams bp = build_params();
  const std::string b = describe_params(bp, search_params());
  return info().build_param("seed") ? cat("seed=", bp.seed, b.empty() ? "" : " ", b) : b;
}

void IndexConfig::fit_to(size_t d) {
  const auto rows = method_registry();
  for (size_t r = 0; r < rows.size(); ++r)
    for (size_t i = 0; i < rows[r].args.size(); ++i) {
      const ArgInfo& a = rows[r].args[i];
      if (!a.divides_dim || d == 0) continue;
      int64_t& v = args[r][i];
      v = std::clamp<int64_t>(v, 1, int64_t(d));
      while (v > 1 && d % size_t(v) != 0) --v;
      v = std::max<int64_t>(v, a.lo);
    }
}

void IndexConfig::set_from(const IndexSpec& spec, const BuildParams& bp) {
  const auto rows = method_registry();
  for (size_t r = 0; r < rows.size(); ++r) {
    if (&rows[r] != spec.method) continue;
    method = r;
    args[r] = spec.args;
    model[r] = bp.model.value_or("");
    const MethodInfo& m = rows[r];
    for (size_t i = 0; i < m.build.size(); ++i) {
      const ParamInfo* p = find_param(m.build[i].name);
      if (p->type == ParamType::Seed) {
        build_vals[r][i] = double(bp.seed);
        continue;
      }
      const std::string v = param_value(*p, bp, {});
      if (v.empty()) continue;
      if (p->type != ParamType::Choice) {
        build_vals[r][i] = std::strtod(v.c_str(), nullptr);
        continue;
      }
      std::string_view c = p->choices;
      for (int k = 0; !c.empty(); ++k) {
        if (c.substr(0, c.find(',')) == v) build_vals[r][i] = k;
        if (c.find(',') == std::string_view::npos) break;
        c.remove_prefix(c.find(',') + 1);
      }
    }
  }
}

std::string AppState::default_model_path(const MethodInfo& m, int64_t first_arg) const {
  std::string name(m.name);
  for (char& c : name) c = char(std::tolower(static_cast<unsigned char>(c)));
  return cat(models_dir, name, first_arg, ".json");
}

BuildParams AppState::with_default_model(const std::string& spec, BuildParams bp) const {
  auto parsed = parse_index_spec(spec);
  if (bp.model || !parsed.is_ok() || !parsed->method->build_param("model") || parsed->args.empty()) return bp;
  bp.model = default_model_path(*parsed->method, parsed->args[0]);
  return bp;
}

AppState::AppState() {
  // Natively a saved file is written to out_dir; the browser's platform makes it a download.
  save_file = [this](const std::string& name, const std::vector<uint8_t>& bytes) {
    const std::string path = (out_dir.empty() ? std::string(".") : out_dir) + "/" + name;
    return write_file(path, bytes.data(), bytes.size());
  };
}

bool AppState::load_data(DataKind kind) {
  const uint64_t before = source.serial;
  source.models_dir = models_dir;
  const bool done = source.load(kind, &error);
  if (source.serial != before) on_new_data();
  return done;
}

Status AppState::load_user_data(Dataset ds) {
  ANNLAB_TRY(source.load_user(std::move(ds)));
  on_new_data();
  return Status::ok();
}

void AppState::on_new_data() {
  drop_query_prep();
  // A drawing being embedded is for the old space: forget the run; the pad is searched again.
  if (pad_run_ && pad_model_) pad_model_->cancel(pad_run_);
  pad_run_ = 0;
  pad_searched = 0;
  pad_status.clear();
  if (job.running()) end_build("cancelled: a new data set was loaded");
  job.cancel();
  evaluation.forget();
  evaluation.clear_history();  // comparisons are within one data set
  config.fit_to(data()->base.d);
  map.fitted_serial = 0;
  index.reset();
  structure.reset();
  index_info.clear();
  inspector.reset();
  stepper_stop();
  focus_miss = -1;
  pinned.clear();  // comparisons are within one data set
  cancel_layout();
  error.clear();
  data_error.clear();
}

void AppState::poll_pending_load() {
  const uint64_t before = source.serial;
  source.poll(&error);
  if (source.serial != before) on_new_data();
}

void AppState::set_query(std::vector<float> vec, std::string from, int64_t self_id, std::vector<float> image) {
  if (data() && inspector.set(*data(), std::move(vec), std::move(from), self_id, std::move(image))) run_search();
}

void AppState::set_held_out_query(size_t i) {
  if (data() && inspector.set_held_out(*data(), i)) run_search();
}

void AppState::pick_random_query() {
  if (data() && inspector.set_random(*data())) run_search();
}

void AppState::set_query_from_map(float x, float y) {
  if (data() && inspector.set_from_map(*data(), x, y)) run_search();
}

void AppState::run_search() {
  if (!data()) return;
  drop_query_prep();
  query_encode_ms = 0;
  if (index && index->computes_elsewhere() && inspector.query.set) {
    inspector.results.valid = false;
    query_stage = "encoding the query";
    query_prep_ = index->prepare_task(VectorView::of(inspector.query.vec.data(), 1, inspector.query.vec.size()));
    step_query();  // natively, or a code computed before: done at once
    return;
  }
  run_search_now();
}

void AppState::step_query() {
  if (!query_prep_.valid()) return;
  // Until the page's model runtime is at work (then: next frame).
  if (!resume_for_frame(query_prep_, [] { return false; }, [&](const TrainStep& s) { query_stage = s.stage; })) return;
  const Status st = query_prep_.status();
  query_prep_ = TrainTask();
  if (!st.is_ok()) {
    error = st.message();
    return;
  }
  query_encode_ms = index->prepared_row_ms();
  run_search_now();
}

void AppState::run_search_now() {
  const Status st = inspector.run(*data(), index.get(), structure.get(), index ? search_params() : SearchParams{});
  if (!st.is_ok()) error = st.message();
  focus_miss = -1;  // the misses are the new answer's
  refresh_pinned();
}

Status AppState::start_build() {
  if (!data()) return Status::error("no data set is loaded");
  if (job.running()) end_build("superseded by a later build");
  ++builds_started;
  error.clear();  // a new attempt: the last one's error no longer applies
  auto made = make_index(config.spec(), data()->base.d, with_default_model(config.spec(), config.build_params()));
  if (!made.is_ok()) {
    error = made.message();
    end_build(error);
    return made.status();
  }
  std::unique_ptr<Index> fresh = std::move(made).value();
  if (Refinable* rf = as_refinable(*fresh)) {
    if (Status st = rf->share_base(data()->base_store()); !st.is_ok()) {
      error = st.message();
      end_build(error);
      return st;
    }
  }
  pending_request_ = build_request();
  pending_spec_ = config.spec();
  pending_build_vals_ = config.build_vals[config.method];
  job.start(std::move(fresh), data()->base_view());
  return Status::ok();
}

void AppState::cancel_build() {
  if (!job.running()) return;
  job.cancel();
  end_build("cancelled");
}

Result<AppState::BuildRequest> AppState::parse_build_request(const std::string& spec, const std::string& params) {
  BuildRequest req;
  SearchParams unused;
  ANNLAB_TRY(apply_params(params, &req.params, &unused));
  if (!unused.names_set().empty()) return Status::error(cat("'", params, "': search parameters do not apply to a build"));
  ANNLAB_ASSIGN_OR_RETURN(req.spec, parse_index_spec(spec));
  return req;
}

void AppState::end_build(const std::string& outcome) {
  builds_done = builds_started;
  build_outcome = outcome;
}

Status AppState::start_build_spec(const std::string& spec, const std::string& params) {
  if (!data()) return Status::error("no data set is loaded");
  ANNLAB_ASSIGN_OR_RETURN(BuildRequest req, parse_build_request(spec, params));
  const IndexSpec& parsed = req.spec;
  const BuildParams& bp = req.params;
  // Every check of a real build (dimension, parameters the method does not take) before the
  // panel changes: an empty index is cheap to make.
  ANNLAB_TRY(make_index(parsed, data()->base.d, with_default_model(spec, bp)).status());
  config.set_from(parsed, bp);
  return start_build();
}

void AppState::step_build(double budget_ms) {
  if (!job.running()) return;
  Status st = job.step(budget_ms);
  if (!st.is_ok()) {
    error = cat("build failed: ", st.message());
    end_build(error);
    return;
  }
  if (job.finished()) {
    build_work_seconds = job.seconds();
    install_index(job.take(), job.wall_seconds());
    end_build("");
  }
}

namespace {
// "1.84 s" (wall), with the part spent building when frames were drawn in between.
std::string build_time_text(double wall, double work) {
  auto secs = [](double s) {
    char buf[32];
    std::snprintf(buf, sizeof buf, s < 10 ? "%.2f s" : "%.1f s", s);
    return std::string(buf);
  };
  if (work <= 0 || work >= wall * 0.95) return secs(wall);
  return cat(secs(wall), " wall (", secs(work), " of it building, the rest drawing frames)");
}

// Bytes as MB with two decimals ("1.76").
std::string mib(size_t bytes) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", double(bytes) / 1e6);
  return buf;
}
}  // namespace

SearchParams AppState::search_params() const {
  SearchParams sp;
  if (!index || !built.method) return sp;
  const auto rows = method_registry();
  const size_t r = size_t(built.method - rows.data());
  BuildParams unused;
  apply_values(built.method->search, config.search_vals[r], built.args, &unused, &sp);
  return sp;
}

std::string AppState::build_request() const {
  const BuildParams bp = config.build_params();
  return cat(config.spec(), " seed=", bp.seed, " ", describe_params(bp, {}));
}

bool AppState::build_changed() const { return index && !built_request.empty() && build_request() != built_request; }

std::string AppState::stale_note() const {
  if (!index || !build_changed()) return {};
  const std::string shown = index->describe();
  if (built.method != &config.info())
    return cat("showing ", shown, " (built); ", config.spec(), " is not built: press Build");
  return cat("showing ", shown, " as built; the panel's changes (", config.spec(), ") are not built: press Build");
}

void AppState::install_index(std::unique_ptr<Index> built_index, double seconds) {
  error.clear();  // resolved: an index is built
  evaluation.forget();  // it was of the index being replaced
  build_seconds = seconds;
  drop_query_prep();
  index = std::move(built_index);
  auto spec = parse_index_spec(index->describe());
  built = spec.is_ok() ? spec.value() : IndexSpec{};
  built_request = pending_request_;
  built_spec_ = pending_spec_;
  built_build_vals_ = pending_build_vals_;
  if (data()) (void)attach_labels(*index, data()->base.labels);  // counts match: the index holds the base
  structure.reset();
  if (const Explainable* ex = as_explainable(*index)) {
    auto st = ex->explain_structure();
    if (st.is_ok()) structure = std::make_unique<Structure>(std::move(st).value());
  }
  // Memory: what the index owns; the base vectors it reads for exact distances are the data set's.
  const Refinable* rf = as_refinable(*index);
  const bool shares = rf && rf->base_vectors().shared();
  index_info = cat(index->describe(), ": ", index->size(), " vectors, ", mib(index->memory_bytes()), " MB",
                   shares ? cat(" (it reads the data set's ", mib(data()->base_store()->memory_bytes()),
                                " MB of base vectors for exact distances)")
                          : std::string(),
                   loaded_from_.empty() ? cat(", built in ", build_time_text(build_seconds, build_work_seconds))
                                        : cat(", loaded from ", loaded_from_));
  const BucketLayer* buckets = structure ? structure->find<BucketLayer>() : nullptr;
  if (buckets && !buckets->buckets.empty()) {
    // Bucket sizes from the structure: every non-empty bucket of every table.
    size_t total = 0, largest = 0;
    for (const Bucket& bk : buckets->buckets) {
      total += bk.size;
      largest = std::max<size_t>(largest, bk.size);
    }
    const double mean = double(total) / double(buckets->buckets.size());
    index_info += cat("\n", buckets->buckets.size(), " buckets, mean size ", int(mean * 10) / 10.0, ", largest ", largest);
  }
  if (inspector.query.set) run_search();
}

Status AppState::build_spec(const std::string& spec, const std::string& params) {
  if (job.running()) end_build("superseded by a later build");
  ++builds_started;
  const Status st = build_spec_now(spec, params);
  end_build(st.is_ok() ? std::string() : st.message());
  return st;
}

Status AppState::build_spec_now(const std::string& spec, const std::string& params) {
  if (!data()) return Status::error("no data set is loaded");
  ANNLAB_ASSIGN_OR_RETURN(BuildRequest req, parse_build_request(spec, params));
  const IndexSpec& parsed = req.spec;
  const BuildParams& bp = req.params;
  ANNLAB_ASSIGN_OR_RETURN(std::unique_ptr<Index> built, make_index(parsed, data()->base.d, with_default_model(spec, bp)));
  if (Refinable* rf = as_refinable(*built)) ANNLAB_TRY(rf->share_base(data()->base_store()));
  const auto t0 = std::chrono::steady_clock::now();
  ANNLAB_TRY(built->train(data()->base_view()));
  ANNLAB_TRY(built->add(data()->base_view()));
  job.cancel();
  config.set_from(parsed, bp);
  pending_request_ = build_request();
  pending_spec_ = config.spec();
  pending_build_vals_ = config.build_vals[config.method];
  build_work_seconds = 0;  // built in one go: all of the wall time was building
  install_index(std::move(built), std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  return Status::ok();
}

void AppState::start_evaluation() {
  if (!data() || !index) return;
  const SearchParams sp = search_params();
  const std::string p = describe_params(BuildParams{}, sp);
  evaluation.start(*data(), *index, sp, cat(index->describe(), p.empty() ? "" : " ", p), size_t(std::max(1, eval_queries)),
                   size_t(std::max(1, inspector.k)));
}

void AppState::step_evaluation(double budget_ms) {
  if (!evaluation.running()) return;
  if (Status st = evaluation.step(budget_ms); !st.is_ok()) error = cat("evaluate: ", st.message());
}

Status AppState::build_now() {
  ANNLAB_TRY(start_build());
  while (job.running()) step_build(1e9);
  return build_outcome.empty() ? Status::ok() : Status::error(build_outcome);
}

}  // namespace annlab::app

// ---- files in and out ----------------------------------------------------------------------------

namespace annlab::app {

namespace {
std::string extension_of(const std::string& path) {
  const size_t slash = path.find_last_of('/'), dot = path.find_last_of('.');
  if (dot == std::string::npos || (slash != std::string::npos && dot < slash)) return {};
  std::string e = path.substr(dot);
  for (char& c : e) c = char(std::tolower(static_cast<unsigned char>(c)));
  return e;
}
std::string base_name(const std::string& path) {
  const size_t slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}
}  // namespace

Status AppState::use_model_file(const std::string& path) {
  // The learned binary encoder (NPhash's row) takes any ONNX model [N, d] -> [N, bits]; its shape is
  // checked against the data and the bits when it is built.
  const auto rows = method_registry();
  for (size_t r = 0; r < rows.size(); ++r) {
    if (rows[r].name != std::string_view("NPHash")) continue;
    config.method = r;
    config.model[r] = path;
    file_note = cat(base_name(path), ": the model of ", config.spec(), " (its bits must be the model's outputs): press Build");
    return Status::ok();
  }
  return Status::error(cat(path, ": no learned method takes a model file in this build"));
}

Status AppState::load_dropped(const std::string& path) {
  const std::string ext = extension_of(path);
  if (ext == ".annlab") return load_index_file(path);
  if (ext == ".onnx") return use_model_file(path);
  ANNLAB_ASSIGN_OR_RETURN(std::vector<uint8_t> bytes, read_file(path));
  const std::string name = base_name(path);
  // One integer per row: labels for the data set on screen; anything else is vectors.
  if (data() && (ext == ".ivecs" || ext == ".npy" || ext == ".csv" || ext == ".txt")) {
    auto labels = parse_labels(name, bytes.data(), bytes.size());
    if (labels.is_ok()) return set_labels(labels.value(), name);
    if (ext == ".txt") return labels.status();
  }
  auto ds = parse_vectors(name, bytes.data(), bytes.size());
  bytes = {};
  if (!ds.is_ok()) return ds.status();
  ds->name = name;
  ds->compact_to_bytes();
  return load_user_data(std::move(ds).value());
}

Status AppState::drop_file(const std::string& path) {
  const Status st = load_dropped(path);
  if (st.is_ok()) data_error.clear();
  else if (extension_of(path) == ".annlab") error = st.message();
  else data_error = st.message();
  return st;
}

Status AppState::load_index_file(const std::string& path) {
  if (!data()) return Status::error("no data set is loaded");
  ANNLAB_ASSIGN_OR_RETURN(std::unique_ptr<Index> loaded, load_index(path, data()->base_store()));
  if (loaded->dim() != data()->base.d || loaded->size() != data()->base.n)
    return Status::error(cat(path, ": the index holds ", loaded->size(), " vectors of dimension ", loaded->dim(),
                             "; the data set on screen (", data()->name, ") has ", data()->base.n, " of dimension ",
                             data()->base.d));
  auto spec = parse_index_spec(loaded->describe());
  cancel_build();
  if (spec.is_ok()) {  // the panel shows its method and numbers (its build values are not in the file)
    const size_t r = size_t(spec->method - method_registry().data());
    config.method = r;
    config.args[r] = spec->args;
  }
  loaded_from_ = base_name(path);
  adopt_index(std::move(loaded));
  loaded_from_.clear();
  file_note = cat("loaded ", base_name(path), ": ", index->describe());
  return Status::ok();
}

Status AppState::load_labels_file(const std::string& path) {
  ANNLAB_ASSIGN_OR_RETURN(std::vector<int32_t> labels, load_labels(path));
  return set_labels(labels, base_name(path));
}

Status AppState::set_labels(const std::vector<int32_t>& labels, const std::string& from) {
  if (!source.data) return Status::error("no data set is loaded");
  LabData& d = *source.data;
  if (labels.size() != d.file_rows())
    return Status::error(cat(from, ": ", labels.size(), " labels, but ", d.name, " has ", d.file_rows(), " rows (",
                             d.base.n, " base vectors and ", d.queries.n,
                             " held-out queries): a labels file has one label per row, in the file's order"));
  std::vector<int32_t> b(d.base.n), q(d.queries.n);
  for (size_t i = 0; i < b.size(); ++i) b[i] = labels[d.base_rows[i]];
  for (size_t i = 0; i < q.size(); ++i) q[i] = labels[d.query_rows[i]];
  ANNLAB_TRY(d.base.set_labels(std::move(b)));
  ANNLAB_TRY(d.queries.set_labels(std::move(q)));
  d.classes.clear();  // the bundled names belong to the bundled labels
  if (index) (void)attach_labels(*index, d.base.labels);
  evaluation.forget();
  std::vector<int32_t> distinct = labels;
  std::sort(distinct.begin(), distinct.end());
  distinct.erase(std::unique(distinct.begin(), distinct.end()), distinct.end());
  file_note = cat("labels from ", from, ": ", distinct.size(), " classes over ", labels.size(), " rows");
  source.status = cat(d.name, ": ", d.base.n, " base vectors, ", d.queries.n, " held-out queries, d = ", d.base.d,
                      "; labels from ", from);
  error.clear();
  if (inspector.query.set) run_search();
  return Status::ok();
}

std::string AppState::file_stem() const {
  std::string s = "annlab";
  auto add = [&](std::string_view part) {
    s += '-';
    for (char c : part) s += std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' ? c : '_';
  };
  if (data()) {
    std::string name = data()->name;
    if (const size_t dot = name.find_last_of('.'); data()->kind == DataKind::User && dot != std::string::npos) name.resize(dot);
    add(name);
  }
  if (index) add(index->describe());
  return s;
}

Status AppState::save_index() {
  if (!index) return Status::error("no index is built");
  if (!save_file) return Status::error("this lab cannot save files");
  ANNLAB_ASSIGN_OR_RETURN(std::vector<uint8_t> bytes, serialize_index(*index, save_embeds_base));
  const std::string name = file_stem() + ".annlab";
  ANNLAB_TRY(save_file(name, bytes));
  file_note = cat("saved ", name, " (", mib(bytes.size()), " MB", save_embeds_base ? ", with its base vectors" :
                  ", naming the data set's base vectors", ")");
  return Status::ok();
}

Status AppState::save_results_csv() {
  if (!inspector.results.valid) return Status::error("no results to export: pick a query first");
  if (!save_file) return Status::error("this lab cannot save files");
  const std::string shown = index ? index->describe() : std::string("exact");
  const std::string p = index ? describe_params(BuildParams{}, search_params()) : std::string();
  const std::string csv = results_csv(inspector.results, inspector.query.source, p.empty() ? shown : shown + " " + p);
  const std::string name = file_stem() + "-results.csv";
  ANNLAB_TRY(save_file(name, std::vector<uint8_t>(csv.begin(), csv.end())));
  file_note = cat("saved ", name, " (", inspector.results.k, " ranks)");
  return Status::ok();
}

Status AppState::save_map_png(int width, int height, const std::vector<uint8_t>& rgba) {
  if (!save_file) return Status::error("this lab cannot save files");
  if (width <= 0 || height <= 0 || rgba.size() != size_t(width) * size_t(height) * 4)
    return Status::error(cat("the map's pixels (", width, " x ", height, ") could not be read"));
  const std::string name = file_stem() + "-map.png";
  ANNLAB_TRY(save_file(name, encode_png(width, height, rgba)));
  file_note = cat("saved ", name, " (", width, " x ", height, " pixels)");
  return Status::ok();
}

// ---- links ---------------------------------------------------------------------------------------

namespace {
// A control's value as a link writes it: exactly (floats to 17 digits), choices by name.
std::string link_value(const ParamUse& u, double v) {
  const ParamInfo* p = find_param(u.name);
  if (p->type == ParamType::Float) {
    char buf[40];
    std::snprintf(buf, sizeof buf, "%.17g", v);
    return buf;
  }
  return value_text(u, v);
}
// The control value a link's text stands for.
double control_value(const ParamUse& u, const std::string& text) {
  const ParamInfo* p = find_param(u.name);
  if (p->type != ParamType::Choice) return std::strtod(text.c_str(), nullptr);
  std::string_view c = p->choices;
  for (int k = 0;; ++k) {
    if (c.substr(0, c.find(',')) == text) return k;
    if (c.find(',') == std::string_view::npos) return u.def;
    c.remove_prefix(c.find(',') + 1);
  }
}
}  // namespace

Result<ViewLink> AppState::current_view() const {
  if (!data()) return Status::error("no data set is loaded");
  const LabData& d = *data();
  if (d.kind == DataKind::User)
    return Status::error(cat("a link cannot carry your own file (", d.name, "): it names one of the lab's data sets"));
  ViewLink v;
  v.data = d.kind;
  v.space = d.space;
  v.layout = d.map_kind == LabData::MapKind::Layout;
  if (d.kind == DataKind::Blobs2D) {
    v.blob_n = d.blob_n;
    v.blob_centers = d.blob_centers;
    v.blob_seed = d.blob_seed;
  }
  if (index) {
    if (built_spec_.empty() || !built.method)
      return Status::error("a link cannot carry an index loaded from a file: build it here to share it");
    v.index = built_spec_;
    const size_t r = size_t(built.method - method_registry().data());
    const MethodInfo& m = *built.method;
    // Controls that do not apply to these numbers (LSH's bucket_size once b is given) are left out.
    auto applies = [&](const ParamUse& u) {
      return (u.when_arg_zero < 0 || built.args[size_t(u.when_arg_zero)] == 0) && find_param(u.name)->type != ParamType::Text;
    };
    for (size_t i = 0; i < m.build.size() && i < built_build_vals_.size(); ++i)
      if (built_build_vals_[i] != m.build[i].unset_value && applies(m.build[i]))
        v.params.emplace_back(std::string(m.build[i].name), link_value(m.build[i], built_build_vals_[i]));
    for (size_t i = 0; i < m.search.size(); ++i)
      if (config.search_vals[r][i] != m.search[i].unset_value && applies(m.search[i]))
        v.params.emplace_back(std::string(m.search[i].name), link_value(m.search[i], config.search_vals[r][i]));
  }
  v.k = inspector.k;
  const QueryState& q = inspector.query;
  if (q.set && q.held_out >= 0) {
    v.query = ViewLink::Query::HeldOut;
    v.query_id = q.held_out;
  } else if (q.set && q.self_id >= 0) {
    v.query = ViewLink::Query::Base;
    v.query_id = q.self_id;
  } else if (q.set && q.clicked) {
    v.query = ViewLink::Query::Point;
    v.point[0] = q.xy[0];
    v.point[1] = q.xy[1];
  }
  if (map.fitted_serial == source.serial && map.width > 0) {
    v.has_map = true;
    v.cx = map.cx;
    v.cy = map.cy;
    v.zoom = map.zoom();
  }
  v.structure = map.planes;
  v.by_cell = map.by_cell;
  v.table = map.table;
  return v;
}

Status AppState::open_view(std::string_view query) {
  ANNLAB_ASSIGN_OR_RETURN(ViewLink v, parse_view_link(query));
  view_ = std::move(v);
  view_stage_ = 1;
  if (view_.data == DataKind::Blobs2D) {
    source.blob_n = view_.blob_n;
    source.blob_centers = view_.blob_centers;
    source.blob_seed = view_.blob_seed;
  }
  const std::string want_space = view_.space.empty() ? "raw" : view_.space;
  const bool same = data() && data()->kind == view_.data && view_.data != DataKind::Blobs2D &&
                    data()->space == view_.space;
  source.map_kind = view_.layout ? LabData::MapKind::Layout : LabData::MapKind::Pca;
  if (!same) {
    source.space = want_space;
    load_data(view_.data);
  } else if (Status st = set_map_kind(source.map_kind); !st.is_ok()) {
    error = st.message();
  }
  advance_view();
  return Status::ok();
}

void AppState::advance_view() {
  auto fail = [&](const std::string& why) {
    error = cat("the link could not be restored: ", why);
    view_stage_ = 0;
  };
  if (view_stage_ == 1) {
    if (source.pending()) return;  // still downloading
    if (!data() || data()->kind != view_.data || (data()->images() && data()->space != view_.space))
      return fail(error.empty() ? "its data set did not load" : error);
    if (view_.index.empty()) {
      job.cancel();
      drop_query_prep();
      index.reset();
      structure.reset();
      view_stage_ = 3;
    } else {
      auto spec = parse_index_spec(view_.index);
      if (!spec.is_ok()) return fail(spec.message());
      const auto rows = method_registry();
      const size_t r = size_t(spec->method - rows.data());
      config.method = r;
      config.args[r] = spec->args;
      auto given = [&](std::string_view name) -> const std::string* {
        for (const auto& [n, val] : view_.params)
          if (n == name) return &val;
        return nullptr;
      };
      auto restore = [&](const std::vector<ParamUse>& uses, std::vector<double>& vals) {
        for (size_t i = 0; i < uses.size(); ++i) {
          const std::string* t = given(uses[i].name);
          vals[i] = t ? control_value(uses[i], *t) : uses[i].unset_value != -1e300 ? uses[i].unset_value : uses[i].def;
        }
      };
      restore(rows[r].build, config.build_vals[r]);
      restore(rows[r].search, config.search_vals[r]);
      // The index on screen already is the link's (the same data, method, numbers and build
      // parameters, and nothing building): a link that differs in its query or search parameters
      // opens at once, without building it again.
      // (Setting the link's query below searches it with the link's parameters.)
      if (index && !job.running() && !built_request.empty() && build_request() == built_request) {
        view_stage_ = 3;
      } else {
        if (Status st = start_build(); !st.is_ok()) return fail(st.message());
        view_ticket_ = builds_started;
        view_stage_ = 2;
      }
    }
  }
  if (view_stage_ == 2) {
    if (builds_done < view_ticket_) return;
    if (builds_done != view_ticket_) return fail("a later build replaced its index");
    if (!build_outcome.empty()) return fail(build_outcome);
    view_stage_ = 3;
  }
  if (view_stage_ == 3) {
    const LabData& d = *data();
    inspector.k = view_.k;
    map.planes = view_.structure;
    map.by_cell = view_.by_cell;
    map.table = view_.table;
    if (view_.has_map) {
      map.want_view = true;
      map.want_cx = view_.cx;
      map.want_cy = view_.cy;
      map.want_zoom = view_.zoom;
    }
    view_stage_ = 0;
    switch (view_.query) {
      case ViewLink::Query::HeldOut:
        if (size_t(view_.query_id) >= d.queries.n)
          return fail(cat("held-out query ", view_.query_id, " is outside 0..", d.queries.n - 1));
        set_held_out_query(size_t(view_.query_id));
        break;
      case ViewLink::Query::Base:
        if (size_t(view_.query_id) >= d.base.n) return fail(cat("base point ", view_.query_id, " is outside 0..", d.base.n - 1));
        if (inspector.set_base(d, size_t(view_.query_id))) run_search();
        break;
      case ViewLink::Query::Point:
        if (d.images() || !d.pca_mean.empty()) return fail("a clicked point is a query on 2-D data only");
        set_query_from_map(view_.point[0], view_.point[1]);
        break;
      case ViewLink::Query::None:
        inspector.reset();
        break;
    }
  }
}

float MapView::fit_scale() const {
  if (width <= 0 || height <= 0) return 0;
  return 0.92f * std::min(width / std::max(data_w, 1e-6f), height / std::max(data_h, 1e-6f));
}

}  // namespace annlab::app
