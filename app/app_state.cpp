#include "app_state.h"

#include <chrono>
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
    if (v == u.unset_value) continue;
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
    const MethodInfo& m = rows[r];
    for (size_t i = 0; i < m.build.size(); ++i) {
      const ParamInfo* p = find_param(m.build[i].name);
      if (p->type == ParamType::Seed) {
        build_vals[r][i] = double(bp.seed);
        continue;
      }
      const std::string v = param_value(*p, bp, {});
      if (!v.empty() && p->type != ParamType::Choice) build_vals[r][i] = std::strtod(v.c_str(), nullptr);
    }
  }
}

AppState::AppState() = default;

bool AppState::load_data(DataKind kind) {
  const uint64_t before = source.serial;
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
  job.cancel();
  evaluation.forget();
  config.fit_to(data()->base.d);
  map.fitted_serial = 0;
  index.reset();
  structure.reset();
  index_info.clear();
  inspector.reset();
  error.clear();
}

void AppState::poll_pending_load() {
  const uint64_t before = source.serial;
  source.poll(&error);
  if (source.serial != before) on_new_data();
}

void AppState::set_query(std::vector<float> vec, std::string from, int64_t self_id) {
  if (data() && inspector.set(*data(), std::move(vec), std::move(from), self_id)) run_search();
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
  const Status st = inspector.run(*data(), index.get(), structure.get(), index ? search_params() : SearchParams{});
  if (!st.is_ok()) error = st.message();
}

void AppState::start_build() {
  if (!data()) return;
  error.clear();  // a new attempt: the last one's error no longer applies
  auto made = make_index(config.spec(), data()->base.d, config.build_params());
  if (!made.is_ok()) {
    error = made.message();
    return;
  }
  std::unique_ptr<Index> fresh = std::move(made).value();
  if (Refinable* rf = as_refinable(*fresh)) {
    if (Status st = rf->share_base(data()->base_store()); !st.is_ok()) {
      error = st.message();
      return;
    }
  }
  pending_request_ = build_request();
  job.start(std::move(fresh), data()->base_view());
}

void AppState::step_build(double budget_ms) {
  if (!job.running()) return;
  Status st = job.step(budget_ms);
  if (!st.is_ok()) {
    error = cat("build failed: ", st.message());
    return;
  }
  if (job.finished()) {
    build_work_seconds = job.seconds();
    install_index(job.take(), job.wall_seconds());
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
  index = std::move(built_index);
  auto spec = parse_index_spec(index->describe());
  built = spec.is_ok() ? spec.value() : IndexSpec{};
  built_request = pending_request_;
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
                   ", built in ", build_time_text(build_seconds, build_work_seconds));
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
  if (!data()) return Status::error("no data set is loaded");
  BuildParams bp;
  SearchParams unused;
  ANNLAB_TRY(apply_params(params, &bp, &unused));
  if (!unused.names_set().empty()) return Status::error(cat("'", params, "': search parameters do not apply to a build"));
  ANNLAB_ASSIGN_OR_RETURN(IndexSpec parsed, parse_index_spec(spec));
  ANNLAB_ASSIGN_OR_RETURN(std::unique_ptr<Index> built, make_index(parsed, data()->base.d, bp));
  if (Refinable* rf = as_refinable(*built)) ANNLAB_TRY(rf->share_base(data()->base_store()));
  const auto t0 = std::chrono::steady_clock::now();
  ANNLAB_TRY(built->train(data()->base_view()));
  ANNLAB_TRY(built->add(data()->base_view()));
  job.cancel();
  config.set_from(parsed, bp);
  pending_request_ = build_request();
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
  start_build();
  if (!job.running()) return Status::error(error);
  while (job.running()) {
    const std::string before = error;
    step_build(1e9);
    if (!job.running() && !index) return Status::error(error);
  }
  return Status::ok();
}

}  // namespace annlab::app
