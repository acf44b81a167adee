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

const char* data_kind_name(DataKind k) {
  switch (k) {
    case DataKind::Blobs2D: return "2-D blobs";
    case DataKind::FashionMnist: return "Fashion-MNIST";
    case DataKind::Mnist: return "MNIST";
    case DataKind::User: return "your vectors";
  }
  return "?";
}

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

VectorView LabData::base_view() const { return as_refinable(*exact)->base_vectors().store().view(); }

std::shared_ptr<const VectorStore> LabData::base_store() const { return as_refinable(*exact)->base_vectors().handle(); }

void LabData::project(const float* v, float* xy) const {
  const size_t d = base.d;
  if (pca_mean.empty()) {
    xy[0] = v[0];
    xy[1] = d > 1 ? v[1] : 0.0f;
    return;
  }
  for (int c = 0; c < 2; ++c) {
    double s = 0;
    for (size_t j = 0; j < d; ++j) s += double(v[j] - pca_mean[j]) * pca_axes[c * d + j];
    xy[c] = float(s);
  }
}

AppState::AppState() = default;

namespace {

Result<std::vector<float>> load_xy(const std::string& path, size_t n) {
  ANNLAB_ASSIGN_OR_RETURN(Dataset xy, load_vectors(path));
  if (xy.d != 2 || xy.n != n || xy.dtype != DType::F32)
    return Status::error(cat(path, ": expected ", n, " 2-D float vectors, found ", xy.n, " x ", xy.d));
  return std::move(xy.f32);
}

Status load_basis(LabData* data, const std::string& path) {
  ANNLAB_ASSIGN_OR_RETURN(Dataset basis, load_vectors(path));
  if (basis.n != 3 || basis.d != data->base.d || basis.dtype != DType::F32)
    return Status::error(cat(path, ": expected 3 rows (mean, pc1, pc2) of dimension ", data->base.d));
  data->pca_mean.assign(basis.f32.begin(), basis.f32.begin() + long(basis.d));
  data->pca_axes.assign(basis.f32.begin() + long(basis.d), basis.f32.end());
  return Status::ok();
}

// The manifest's name of a bundled data set.
const char* asset_id(DataKind kind) {
  switch (kind) {
    case DataKind::FashionMnist: return "fashion-mnist";
    case DataKind::Mnist: return "mnist";
    default: return "";
  }
}

// The base vectors move into the exact index (one copy in memory); the Dataset keeps labels.
Status move_base_into_exact(LabData& d) {
  ANNLAB_ASSIGN_OR_RETURN(d.exact, make_index("Flat", d.base.d));
  ANNLAB_TRY(d.exact->add(d.base.view()));
  std::vector<float>().swap(d.base.f32);
  std::vector<uint8_t>().swap(d.base.u8);
  return Status::ok();
}

Result<std::unique_ptr<LabData>> read_data(DataKind kind, const std::string& dir, const AssetDataset* a, int blob_n,
                                           int centers, uint64_t seed) {
  auto data = std::make_unique<LabData>();
  data->kind = kind;
  data->name = a ? a->label : data_kind_name(kind);
  if (a) data->classes = a->classes;
  if (kind == DataKind::Blobs2D) {
    constexpr size_t kQueries = 200;
    ANNLAB_ASSIGN_OR_RETURN(Dataset all, make_gaussian_blobs(size_t(blob_n) + kQueries, 2, size_t(centers), 1.0, seed));
    std::vector<size_t> b(static_cast<size_t>(blob_n)), q(kQueries);
    std::iota(b.begin(), b.end(), size_t{0});
    std::iota(q.begin(), q.end(), size_t(blob_n));
    data->base = all.subset(b);
    data->queries = all.subset(q);
    data->base_xy = data->base.f32;
    data->query_xy = data->queries.f32;
  } else if (kind == DataKind::FashionMnist) {
    ANNLAB_ASSIGN_OR_RETURN(data->base, load_vectors(dir + a->base));
    ANNLAB_ASSIGN_OR_RETURN(data->queries, load_vectors(dir + a->query));
    ANNLAB_ASSIGN_OR_RETURN(data->base_xy, load_xy(dir + a->base_xy, data->base.n));
    ANNLAB_ASSIGN_OR_RETURN(data->query_xy, load_xy(dir + a->query_xy, data->queries.n));
    ANNLAB_TRY(load_basis(data.get(), dir + a->basis));
  } else {
    // MNIST has no official split in the package: a seeded 9,000 / 1,000 one.
    ANNLAB_ASSIGN_OR_RETURN(Dataset all, load_vectors(dir + a->all));
    ANNLAB_ASSIGN_OR_RETURN(std::vector<float> xy, load_xy(dir + a->all_xy, all.n));
    std::vector<size_t> order(all.n);
    std::iota(order.begin(), order.end(), size_t{0});
    Rng rng(42);
    rng.shuffle(order);
    const size_t nb = all.n - all.n / 10;
    std::vector<size_t> b(order.begin(), order.begin() + long(nb)), q(order.begin() + long(nb), order.end());
    data->base = all.subset(b);
    data->queries = all.subset(q);
    for (size_t i : b) data->base_xy.insert(data->base_xy.end(), {xy[2 * i], xy[2 * i + 1]});
    for (size_t i : q) data->query_xy.insert(data->query_xy.end(), {xy[2 * i], xy[2 * i + 1]});
    ANNLAB_TRY(load_basis(data.get(), dir + a->basis));
  }
  ANNLAB_TRY(move_base_into_exact(*data));
  return data;
}

}  // namespace

bool AppState::load_data(DataKind kind) {
  wanted_kind = kind;
  const AssetDataset* asset = nullptr;
  if (kind == DataKind::FashionMnist || kind == DataKind::Mnist) {
    // The bundled sets are what assets/data/manifest.json says.
    if (!manifest_) {
      if (!asset_ready("manifest.json")) {
        pending_load_ = true;
        pending_kind_ = kind;
        data_status = "downloading the asset manifest...";
        return false;
      }
      const std::string path = assets_dir + "manifest.json";
      auto bytes = read_file(path);
      Result<AssetManifest> m = bytes.is_ok() ? parse_asset_manifest(path, std::string(bytes->begin(), bytes->end()))
                                              : Result<AssetManifest>(bytes.status());
      if (!m.is_ok()) {
        pending_load_ = false;
        data_status = error = m.message();
        return true;
      }
      manifest_ = std::make_unique<AssetManifest>(std::move(m).value());
    }
    asset = manifest_->find(asset_id(kind));
    if (!asset) {
      pending_load_ = false;
      data_status = error = cat(assets_dir, "manifest.json lists no data set '", asset_id(kind), "'");
      return true;
    }
  }
  for (const std::string& f : asset ? asset->files : std::vector<std::string>{}) {
    if (!asset_ready(f)) {
      pending_load_ = true;
      pending_kind_ = kind;
      data_status = cat("downloading ", data_kind_name(kind), "...");
      return false;
    }
  }
  pending_load_ = false;
  auto loaded = read_data(kind, assets_dir, asset, blob_n, blob_centers, blob_seed);
  if (!loaded.is_ok()) {
    data_status = loaded.message();
    error = loaded.message();
    return true;  // the previous data stays
  }
  install_data(std::move(loaded).value());
  data_status = cat(data->name, ": ", data->base.n, " base vectors, ", data->queries.n, " held-out queries, d = ",
                    data->base.d);
  return true;
}

Status AppState::load_user_data(Dataset ds) {
  ANNLAB_TRY(ds.validate().with_context(ds.name));
  ANNLAB_TRY(ds.view().check_finite(ds.name));
  auto d = std::make_unique<LabData>();
  d->kind = DataKind::User;
  d->name = ds.name;
  const size_t nq = std::min<size_t>(ds.n, 1000);
  std::vector<size_t> order(ds.n);
  std::iota(order.begin(), order.end(), size_t{0});
  Rng rng(42);
  rng.shuffle(order);
  order.resize(nq);
  d->queries = ds.subset(order);
  if (ds.d <= 2) {
    for (size_t i = 0; i < ds.n; ++i) {
      float xy[2] = {ds.view().at(i, 0), ds.d > 1 ? ds.view().at(i, 1) : 0.0f};
      d->base_xy.insert(d->base_xy.end(), xy, xy + 2);
    }
  } else {
    ANNLAB_ASSIGN_OR_RETURN(Pca pca, fit_pca(ds.view().rows(0, std::min<size_t>(ds.n, 20000)), 2));
    d->base_xy = pca.project(ds.view());
    d->pca_mean = pca.mean;
    d->pca_axes = pca.components;
  }
  for (size_t i = 0; i < nq; ++i)
    d->query_xy.insert(d->query_xy.end(), {d->base_xy[2 * order[i]], d->base_xy[2 * order[i] + 1]});
  d->base = std::move(ds);
  ANNLAB_TRY(move_base_into_exact(*d));
  pending_load_ = false;
  wanted_kind = DataKind::User;
  install_data(std::move(d));
  data_status = cat(data->name, ": ", data->base.n, " vectors, d = ", data->base.d, "; ", nq,
                    " of them are also the held-out queries");
  return Status::ok();
}

void AppState::install_data(std::unique_ptr<LabData> d) {
  job.cancel();
  data = std::move(d);
  ++data_serial;
  map.fitted_serial = 0;
  index.reset();
  structure.reset();
  index_info.clear();
  query = QueryState{};
  results = Results{};
  error.clear();
}

void AppState::poll_pending_load() {
  if (pending_load_) load_data(pending_kind_);
}

void AppState::start_build() {
  if (!data) return;
  auto made = make_index(config.spec(), data->base.d, config.build_params());
  if (!made.is_ok()) {
    error = made.message();
    return;
  }
  std::unique_ptr<Index> fresh = std::move(made).value();
  if (Refinable* rf = as_refinable(*fresh)) {
    if (Status st = rf->share_base(data->base_store()); !st.is_ok()) {
      error = st.message();
      return;
    }
  }
  pending_request_ = build_request();
  job.start(std::move(fresh), data->base_view());
}

void AppState::step_build(double budget_ms) {
  if (!job.running()) return;
  Status st = job.step(budget_ms);
  if (!st.is_ok()) {
    error = cat("build failed: ", st.message());
    return;
  }
  if (job.finished()) install_index(job.take(), job.seconds());
}

namespace {
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

void AppState::install_index(std::unique_ptr<Index> built_index, double seconds) {
  build_seconds = seconds;
  index = std::move(built_index);
  auto spec = parse_index_spec(index->describe());
  built = spec.is_ok() ? spec.value() : IndexSpec{};
  built_request = pending_request_;
  if (data) (void)attach_labels(*index, data->base.labels);  // counts match: the index holds the base
  structure.reset();
  if (const Explainable* ex = as_explainable(*index)) {
    auto st = ex->explain_structure();
    if (st.is_ok()) structure = std::make_unique<Structure>(std::move(st).value());
  }
  // Memory: what the index owns; the base vectors it reads for exact distances are the data set's.
  const Refinable* rf = as_refinable(*index);
  const bool shares = rf && rf->base_vectors().shared();
  index_info = cat(index->describe(), ": ", index->size(), " vectors, ", mib(index->memory_bytes()), " MB",
                   shares ? cat(" (it reads the data set's ", mib(data->base_store()->memory_bytes()),
                                " MB of base vectors for exact distances)")
                          : std::string(),
                   ", built in ", int(build_seconds * 1000), " ms");
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
  if (query.set) run_search();
}

Status AppState::build_spec(const std::string& spec, const std::string& params) {
  if (!data) return Status::error("no data set is loaded");
  BuildParams bp;
  SearchParams unused;
  ANNLAB_TRY(apply_params(params, &bp, &unused));
  if (!unused.names_set().empty()) return Status::error(cat("'", params, "': search parameters do not apply to a build"));
  ANNLAB_ASSIGN_OR_RETURN(IndexSpec parsed, parse_index_spec(spec));
  ANNLAB_ASSIGN_OR_RETURN(std::unique_ptr<Index> built, make_index(parsed, data->base.d, bp));
  if (Refinable* rf = as_refinable(*built)) ANNLAB_TRY(rf->share_base(data->base_store()));
  const auto t0 = std::chrono::steady_clock::now();
  ANNLAB_TRY(built->train(data->base_view()));
  ANNLAB_TRY(built->add(data->base_view()));
  job.cancel();
  config.set_from(parsed, bp);
  pending_request_ = build_request();
  install_index(std::move(built), std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  return Status::ok();
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

void AppState::set_query(std::vector<float> vec, std::string source, int64_t self_id) {
  if (!data || vec.size() != data->base.d) return;
  query.set = true;
  query.vec = std::move(vec);
  query.source = std::move(source);
  query.self_id = self_id;
  data->project(query.vec.data(), query.xy);
  run_search();
}

void AppState::set_held_out_query(size_t i) {
  if (!data || i >= data->queries.n) return;
  std::vector<float> v(data->base.d);
  data->queries.view().row_to_f32(i, v.data());
  set_query(std::move(v), cat("held-out query ", i));
  query.xy[0] = data->query_xy[2 * i];
  query.xy[1] = data->query_xy[2 * i + 1];
}

void AppState::pick_random_query() {
  if (!data || data->queries.n == 0) return;
  Rng rng(random_seed + random_draws_++);
  set_held_out_query(size_t(rng.below(data->queries.n)));
}

void AppState::set_query_from_map(float x, float y) {
  if (!data) return;
  if (!data->images()) {
    set_query({x, y}, cat("clicked at (", x, ", ", y, ")"));
    return;
  }
  size_t best = 0;
  float bd = std::numeric_limits<float>::infinity();
  for (size_t i = 0; i < data->base.n; ++i) {
    const float dx = data->base_xy[2 * i] - x, dy = data->base_xy[2 * i + 1] - y;
    if (dx * dx + dy * dy < bd) {
      bd = dx * dx + dy * dy;
      best = i;
    }
  }
  std::vector<float> v(data->base.d);
  data->base_view().row_to_f32(best, v.data());
  set_query(std::move(v), cat("base point ", best), int64_t(best));
  query.xy[0] = data->base_xy[2 * best];
  query.xy[1] = data->base_xy[2 * best + 1];
}

void AppState::run_search() {
  results.valid = false;
  if (!data || !query.set) return;
  using clock = std::chrono::steady_clock;
  const size_t kk = size_t(std::max(1, std::min<int>(k, int(data->base.n))));
  const VectorView q = VectorView::of(query.vec.data(), 1, data->base.d);
  Results r;
  r.k = kk;
  r.serial = results.serial + 1;
  SearchResult ex;
  auto t0 = clock::now();
  Status st = data->exact->search(q, kk, {}, &ex);
  r.exact_us = std::chrono::duration<double, std::micro>(clock::now() - t0).count();
  if (!st.is_ok()) {
    error = st.message();
    return;
  }
  const SearchParams sp = index ? search_params() : SearchParams{};
  if (sp.label && data->base.has_labels()) {
    // A filtered query's truth: the exact k nearest among the points with that label.
    r.filtered = true;
    exact_with_label(kk, int(*sp.label), &ex);
  }
  r.exact_ids = ex.ids;
  r.exact_dist = ex.distances;
  if (index) {
    SearchResult m;
    t0 = clock::now();
    st = index->search(q, kk, sp, &m);
    r.method_us = std::chrono::duration<double, std::micro>(clock::now() - t0).count();
    if (!st.is_ok()) {
      error = st.message();
      return;
    }
    r.method_ids = m.ids;
    r.method_dist = m.distances;
    r.method_kind = m.kind;
    r.method_true.assign(kk, std::numeric_limits<float>::infinity());
    for (size_t i = 0; i < kk; ++i)
      if (m.ids[i] >= 0) r.method_true[i] = query_distance(size_t(m.ids[i]));
    r.stats = m.stats[0];
    auto e = evaluate(m.ids.data(), kk, ex.ids.data(), kk, data->base_view(), q, kk);
    if (e.is_ok()) r.recall = e->recall;
    if (const Explainable* x = as_explainable(*index); x && index->describe() != "Flat") {
      auto tr = x->explain_query(q, kk, sp);
      if (tr.is_ok()) {
        for (const TraceEvent& ev : tr->events) {
          if (ev.kind == TraceKind::BucketOpened) r.probed_buckets.emplace_back(ev.table, uint64_t(ev.id));
          if (ev.kind == TraceKind::DistanceComputed && ev.id >= 0 && size_t(ev.id) < data->base.n) r.candidates.push_back(ev.id);
          if (ev.kind == TraceKind::CellProbed) r.probed_cells.push_back(ev.id);
          if (ev.kind == TraceKind::NodeVisited) {
            r.visited_nodes.push_back(ev.id);
            r.visited_layers.push_back(ev.table);
          }
        }
        // The per-query views the method gave with its trace.
        r.pq_m = tr->lookup_m;
        r.pq_table = std::move(tr->lookup_table);
        r.query_keys = std::move(tr->query_keys);
        if (tr->code_bits) {
          // The query's code, the Hamming distances of all codes to it, and where the true neighbours fall.
          r.query_code = std::move(tr->query_code);
          r.code_bits = tr->code_bits;
          r.hamming_hist.assign(r.code_bits + 1, 0.0f);
          for (uint32_t h : tr->code_distances) r.hamming_hist[h] += 1;
          for (int64_t id : r.exact_ids)
            if (id >= 0 && size_t(id) < tr->code_distances.size()) r.hamming_true.push_back(tr->code_distances[size_t(id)]);
        }
      }
    }
    const TokenLayer* tokens = structure ? structure->find<TokenLayer>() : nullptr;
    if (tokens && tokens->g > 0) {
      // The query's kept terms (the buckets its trace opened) and how many of them each point shares.
      const size_t g = tokens->g, n = tokens->tokens.size() / g;
      r.query_tokens.assign(g, -1);
      for (const auto& [j, c] : r.probed_buckets)
        if (j < g) r.query_tokens[j] = int32_t(c);
      r.shared_tokens.assign(n, 0);
      for (size_t i = 0; i < n; ++i)
        for (size_t j = 0; j < g; ++j) r.shared_tokens[i] += int32_t(tokens->tokens[i * g + j]) == r.query_tokens[j];
    }
  }
  r.valid = true;
  results = std::move(r);
}

float AppState::query_distance(size_t id) const {
  std::vector<float> row(data->base.d);
  data->base_view().row_to_f32(id, row.data());
  return kernels().l2sq_f32(query.vec.data(), row.data(), data->base.d);
}

void AppState::exact_with_label(size_t k, int label, SearchResult* out) const {
  std::vector<std::pair<float, int64_t>> all;
  for (size_t i = 0; i < data->base.n; ++i)
    if (data->base.labels[i] == label) all.emplace_back(query_distance(i), int64_t(i));
  const size_t m = std::min(k, all.size());
  std::partial_sort(all.begin(), all.begin() + long(m), all.end());
  out->ids.assign(k, -1);
  out->distances.assign(k, std::numeric_limits<float>::infinity());
  for (size_t i = 0; i < m; ++i) {
    out->ids[i] = all[i].second;
    out->distances[i] = all[i].first;
  }
}

}  // namespace annlab::app
