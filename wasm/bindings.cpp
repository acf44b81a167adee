// wasm/bindings.cpp — the lab's JavaScript API (embind), documented in docs/js-api.md.
// Every function returns a plain object: {ok: true, ...} or {ok: false, error: "<the core's
// message>"}; web/lab.js turns the latter into a thrown Error. No C++ exception reaches JS.
#include <emscripten/bind.h>
#include <emscripten/val.h>

#include <chrono>
#include <string>
#include <vector>

#include "annlab/distance.h"
#include "annlab/index.h"
#include "annlab/generators.h"
#include "annlab/index_io.h"
#include "annlab/io.h"
#include "annlab/params.h"
#include "annlab/registry.h"
#include "export.h"
#include "web_lab.h"

using emscripten::val;
using namespace annlab;
using namespace annlab::app;

namespace {

val failure(const std::string& message) {
  val r = val::object();
  r.set("ok", false);
  r.set("error", message);
  return r;
}

val success() {
  val r = val::object();
  r.set("ok", true);
  return r;
}

template <class T>
val to_array(const std::vector<T>& v) {
  val a = val::array();
  for (size_t i = 0; i < v.size(); ++i) a.set(i, double(v[i]));
  return a;
}

val stats_of(const QueryStats& s) {
  val o = val::object();
  o.set("distances", double(s.distances));
  o.set("candidates", double(s.candidates));
  o.set("buckets", double(s.buckets));
  o.set("cells", double(s.cells));
  o.set("nodes", double(s.nodes));
  return o;
}

AppState& state() { return web_lab().state; }

// A query from a JS array or typed array; the error names the dimension mismatch.
Result<std::vector<float>> query_of(const val& q) {
  if (!state().data()) return Status::error("no data set is loaded");
  if (q.isUndefined() || q.isNull() || !q["length"].isNumber())
    return Status::error("the query must be an array or a Float32Array of numbers");
  // One typed-array copy (each element through Number(), as a float): element by element through
  // embind, 784 values cost a tenth of a millisecond, a sixth of an exact search of Fashion-MNIST.
  std::vector<float> v = emscripten::convertJSArrayToNumberVector<float>(q);
  if (v.size() != state().data()->base.d)
    return Status::error(cat("query dimension ", v.size(), " != data dimension ", state().data()->base.d));
  return v;
}

int start(std::string dataset, std::string space) { return start_web_lab(dataset, space); }

val info();

// `space`: for an image set, "raw", "default" or a space of the manifest ("cnn64"); undefined: as
// the Data panel is set.
val load_dataset(std::string name, val space) {
  if (space.isString()) state().source.space = space.as<std::string>();
  DataKind kind;
  if (name == "blobs") kind = DataKind::Blobs2D;
  else if (name == "fashion-mnist") kind = DataKind::FashionMnist;
  else if (name == "mnist") kind = DataKind::Mnist;
  else return failure(cat("unknown data set '", name, "': expected blobs, fashion-mnist or mnist"));
  if (!state().load_data(kind)) {
    val r = failure(cat(name, " is still downloading"));
    r.set("pending", true);
    return r;
  }
  if (!state().data() || state().data()->kind != kind) return failure(state().source.status);
  if (space.isString() && state().data()->images() && !state().source.spaces_of(kind).empty() &&
      state().data()->space != (space.as<std::string>() == "raw" ? "" : space.as<std::string>()) &&
      space.as<std::string>() != "default")
    return failure(state().source.status);
  val r = info();
  return r;
}

// Loads a file the page wrote to the in-memory file system (a person's own vectors).
val load_file(std::string path, val labels) {
  auto ds = load_vectors(path);
  if (!ds.is_ok()) return failure(state().data_error = ds.message());
  const size_t slash = path.find_last_of('/');
  ds->name = slash == std::string::npos ? path : path.substr(slash + 1);
  if (!labels.isUndefined() && !labels.isNull()) {
    Status st = ds->set_labels(emscripten::vecFromJSArray<int32_t>(labels));
    if (!st.is_ok()) return failure(state().data_error = cat(ds->name, ": ", st.message()));
  }
  ds->compact_to_bytes();
  Status st = state().load_user_data(std::move(ds).value());
  if (!st.is_ok()) return failure(state().data_error = st.message());
  return info();
}

// An index file the page wrote to the file system; it must be for the current data set.
val load_index_file(std::string path) {
  auto loaded = load_index(path, state().data() ? state().data()->base_store() : nullptr);
  if (!loaded.is_ok()) return failure(state().error = loaded.message());
  AppState& s = state();
  std::unique_ptr<Index> index = std::move(loaded).value();
  if (!s.source.data || index->dim() != s.source.data->base.d || index->size() != s.source.data->base.n)
    return failure(state().error = cat(path, ": the index holds ", index->size(), " vectors of dimension ", index->dim(),
                                       "; the data set has ", s.source.data ? s.source.data->base.n : 0, " of dimension ",
                                       s.source.data ? s.source.data->base.d : 0));
  s.adopt_index(std::move(index));
  return info();
}

// The current index as an annlab index file (bytes).
// embed_base: write the base vectors into the file (a standalone file) instead of naming them.
val save_index_bytes(bool embed_base) {
  AppState& s = state();
  if (!s.index) return failure("no index is built");
  auto bytes = serialize_index(*s.index, embed_base);
  if (!bytes.is_ok()) return failure(bytes.message());
  val r = success();
  r.set("bytes", val::global("Uint8Array").new_(emscripten::typed_memory_view(bytes->size(), bytes->data())).call<val>("slice"));
  return r;
}

// Seeded Gaussian blobs of any size and dimension as the data set (checked against memory first).
val generate_blobs(double n, double d, double centers, double seed) {
  if (!(n >= 1 && d >= 1 && centers >= 1 && seed >= 0) || n > 4e9 || d > 1e7)
    return failure(cat("generateBlobs: n, d and centers must be >= 1 and seed >= 0 (got ", n, ", ", d, ", ", centers, ", ", seed, ")"));
  auto ds = make_gaussian_blobs(size_t(n), size_t(d), size_t(centers), 1.0, uint64_t(seed));
  if (!ds.is_ok()) return failure(state().error = ds.message());
  Status st = state().load_user_data(std::move(ds).value());
  if (!st.is_ok()) return failure(state().error = st.message());
  return info();
}

val info() {
  AppState& s = state();
  val r = success();
  r.set("simd", std::string(simd_level_name(simd_level())));
  r.set("frame", double(s.frame));
  if (s.source.data) {
    r.set("dataset", s.source.data->name);
    r.set("n", double(s.source.data->base.n));
    r.set("d", double(s.source.data->base.d));
    r.set("queries", double(s.source.data->queries.n));
    r.set("space", s.source.data->space.empty() ? std::string(s.source.data->images() ? "raw" : "") : s.source.data->space);
    r.set("spaceLabel", s.source.data->space_label);
  }
  r.set("index", s.index ? s.index->describe() : std::string());
  r.set("building", s.job.running());
  r.set("viewPending", s.view_pending());
  r.set("error", s.error);
  r.set("dataError", s.data_error);
  r.set("fileNote", s.file_note);
  return r;
}

// A dropped file (written to the file system by the page): an index file, labels or vectors.
val load_dropped(std::string path) {
  Status st = state().drop_file(path);
  if (!st.is_ok()) return failure(st.message());
  val r = info();
  r.set("note", state().file_note);
  return r;
}

val load_labels_file(std::string path) {
  Status st = state().load_labels_file(path);
  if (!st.is_ok()) return failure(state().data_error = st.message());
  val r = info();
  r.set("note", state().file_note);
  return r;
}

// The build the Build button runs, by description: it goes on between frames; buildState(ticket)
// says when it has ended and how.
val start_build(std::string spec, std::string params) {
  Status st = state().start_build_spec(spec, params);
  if (!st.is_ok()) return failure(st.message());
  val r = success();
  r.set("ticket", double(state().builds_started));
  return r;
}

val build_state(double ticket) {
  AppState& s = state();
  val r = success();
  const bool done = double(s.builds_done) >= ticket;
  r.set("done", done);
  r.set("progress", s.job.running() ? s.job.progress() : done ? 1.0 : 0.0);
  r.set("stage", s.job.running() ? s.job.progress_text() : std::string());
  if (done && double(s.builds_done) > ticket) r.set("error", std::string("superseded by a later build"));
  else if (done && !s.build_outcome.empty()) r.set("error", s.build_outcome);
  if (done && s.index && double(s.builds_done) == ticket && s.build_outcome.empty()) {
    r.set("index", s.index->describe());
    r.set("bytes", double(s.index->memory_bytes()));
    const Refinable* rf = as_refinable(*s.index);
    r.set("baseBytes", rf && rf->base_vectors().shared() ? double(s.data()->base_store()->memory_bytes()) : 0.0);
    r.set("seconds", s.build_seconds);
    r.set("workSeconds", s.build_work_seconds);
  }
  return r;
}

// The view as a link, or why there is none (a person's own file, an index loaded from a file).
val view_link() {
  auto v = state().current_view();
  if (!v.is_ok()) return failure(v.message());
  val r = success();
  const std::string q = encode_view_link(v.value());
  r.set("query", q);
  r.set("link", state().link_of(q));
  return r;
}

val open_view(std::string query) {
  Status st = state().open_view(query);
  if (!st.is_ok()) return failure(st.message());
  return success();
}

val results_csv_text() {
  AppState& s = state();
  if (!s.inspector.results.valid) return failure("no results to export: pick a query first");
  const std::string shown = s.index ? s.index->describe() : std::string("exact");
  const std::string p = s.index ? describe_params(BuildParams{}, s.search_params()) : std::string();
  val r = success();
  r.set("csv", results_csv(s.inspector.results, s.inspector.query.source, p.empty() ? shown : shown + " " + p));
  return r;
}

// Asks for the map as a PNG after the next frame (a download, as the PNG button).
val save_map_png() {
  state().map.capture_png = true;
  return success();
}

val save_results_download() {
  Status st = state().save_results_csv();
  if (!st.is_ok()) return failure(st.message());
  return success();
}

val save_index_download(bool embed_base) {
  state().save_embeds_base = embed_base;
  Status st = state().save_index();
  if (!st.is_ok()) return failure(st.message());
  val r = success();
  r.set("note", state().file_note);
  return r;
}

// What the last frame's layout hid, in pixels (0: everything visible).
val layout() {
  const AppState::Layout& l = state().layout;
  val r = success();
  r.set("dataHidden", l.data_hidden);
  r.set("indexHidden", l.index_hidden);
  r.set("mapHidden", l.map_hidden);
  r.set("methodListOpen", l.method_list_open);
  r.set("methodListHidden", l.method_list_hidden);
  r.set("methodListX", l.method_list_x);
  r.set("methodListY", l.method_list_y);
  r.set("mapLeft", state().map.left);
  r.set("mapTop", state().map.top);
  r.set("mapWidth", state().map.width);
  r.set("mapHeight", state().map.height);
  return r;
}

val search(val query, int k, std::string params) {
  auto q = query_of(query);
  if (!q.is_ok()) return failure(q.message());
  AppState& s = state();
  SearchParams sp;
  BuildParams unused;
  if (Status st = apply_params(params, &unused, &sp); !st.is_ok()) return failure(st.message());
  if (!unused.names_set().empty()) return failure(cat("'", params, "': build parameters do not apply to a search"));
  const Index& index = s.index ? *s.index : *s.source.data->exact;
  SearchResult res;
  const auto t0 = std::chrono::steady_clock::now();
  Status st = index.search(VectorView::of(q->data(), 1, q->size()), size_t(std::max(k, 0)), sp, &res);
  const double us = std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count();
  if (!st.is_ok()) return failure(st.message());
  val r = success();
  r.set("index", index.describe());
  r.set("ids", to_array(res.ids));
  r.set("distances", to_array(res.distances));
  r.set("distanceKind", std::string(distance_kind_name(res.kind)));
  r.set("stats", stats_of(res.stats[0]));
  r.set("micros", us);
  return r;
}

// The method registry: every method with its pattern, numbers and parameters (docs/js-api.md).
val use_of(const ParamUse& u) {
  const ParamInfo* p = find_param(u.name);
  val o = val::object();
  o.set("name", std::string(u.name));
  o.set("type", std::string(p->type == ParamType::Int     ? "int"
                            : p->type == ParamType::Float ? "float"
                            : p->type == ParamType::Seed  ? "seed"
                            : p->type == ParamType::Text  ? "text"
                                                          : "choice"));
  if (p->type == ParamType::Int) {
    o.set("min", double(p->lo));
    o.set("max", double(p->hi));
  }
  if (p->type == ParamType::Choice) o.set("choices", std::string(p->choices));
  o.set("default", u.def);
  o.set("help", std::string(u.help));
  return o;
}

val methods() {
  val list = val::array();
  int i = 0;
  for (const MethodInfo& m : method_registry()) {
    val o = val::object();
    o.set("name", std::string(m.name));
    o.set("grammar", m.grammar());
    o.set("label", std::string(m.label));
    o.set("family", std::string(m.family));
    o.set("distance", std::string(m.distance));
    o.set("help", std::string(m.help));
    o.set("implemented", m.implemented);
    val args = val::array();
    for (size_t a = 0; a < m.args.size(); ++a) {
      val x = val::object();
      x.set("name", std::string(m.args[a].name));
      x.set("min", double(m.args[a].lo));
      x.set("max", double(m.args[a].hi));
      x.set("default", double(m.args[a].def));
      x.set("help", std::string(m.args[a].help));
      args.set(a, x);
    }
    o.set("args", args);
    val build = val::array(), search = val::array();
    for (size_t b = 0; b < m.build.size(); ++b) build.set(b, use_of(m.build[b]));
    for (size_t b = 0; b < m.search.size(); ++b) search.set(b, use_of(m.search[b]));
    o.set("build", build);
    o.set("search", search);
    list.set(i++, o);
  }
  val r = success();
  r.set("methods", list);
  return r;
}

val exact(val query, int k) {
  auto q = query_of(query);
  if (!q.is_ok()) return failure(q.message());
  SearchResult res;
  Status st = state().data()->exact->search(VectorView::of(q->data(), 1, q->size()), size_t(std::max(k, 0)), {}, &res);
  if (!st.is_ok()) return failure(st.message());
  val r = success();
  r.set("ids", to_array(res.ids));
  r.set("distances", to_array(res.distances));
  return r;
}

val query_vector(int i) {
  AppState& s = state();
  if (!s.source.data) return failure("no data set is loaded");
  if (i < 0 || size_t(i) >= s.source.data->queries.n)
    return failure(cat("query ", i, " is outside 0..", s.source.data->queries.n - 1));
  std::vector<float> v(s.source.data->base.d);
  s.source.data->queries.view().row_to_f32(size_t(i), v.data());
  val r = success();
  r.set("vector", to_array(v));
  return r;
}

// Held-out query i as an image (pixels 0..255), in whichever space the data are searched.
val query_image(int i) {
  AppState& s = state();
  const LabData* d = s.data();
  if (!d || !d->images()) return failure("the data set on screen has no images");
  if (i < 0 || size_t(i) >= d->queries.n) return failure(cat("query ", i, " is outside 0..", d->queries.n - 1));
  std::vector<float> v(size_t(d->image_h) * d->image_w);
  d->query_image(size_t(i), v.data());
  val r = success();
  r.set("image", to_array(v));
  return r;
}

val results() {
  const AppState& s = state();
  const Results& res = s.inspector.results;
  val r = success();
  r.set("valid", res.valid);
  r.set("serial", double(res.serial));
  r.set("query", s.inspector.query.source);
  r.set("k", double(res.k));
  r.set("exact", to_array(res.exact_ids));
  r.set("method", to_array(res.method_ids));
  r.set("recall", res.recall);
  r.set("stats", stats_of(res.stats));
  // The method's wall time per query: a median over repeated runs (app/query_inspector.h).
  r.set("micros", res.method_time.too_fast ? 0.0 : res.method_time.median_us);
  r.set("timedRuns", double(res.method_time.runs));
  r.set("tooFastToTime", res.method_time.too_fast);
  r.set("selfExcluded", double(res.self_excluded));
  r.set("queryVector", to_array(s.inspector.query.vec));
  // The class of each answer, where the data has labels (a person judging "looks alike").
  if (s.data() && s.data()->base.has_labels()) {
    const std::vector<int32_t>& lab = s.data()->base.labels;
    auto labels_of = [&](const std::vector<int64_t>& ids) {
      std::vector<double> out;
      for (int64_t id : ids) out.push_back(id >= 0 && size_t(id) < lab.size() ? double(lab[size_t(id)]) : -1.0);
      return to_array(out);
    };
    r.set("exactLabels", labels_of(res.exact_ids));
    r.set("methodLabels", labels_of(res.method_ids));
  }
  // A learned method in the page: the query is being encoded by ONNX Runtime Web (results follow).
  r.set("pending", s.query_pending());
  if (s.query_pending()) r.set("stage", s.query_stage);
  r.set("encodeMs", s.query_encode_ms);
  if (res.code_bits) {
    r.set("codeBits", double(res.code_bits));
    std::string hex;
    for (uint64_t w : res.query_code) {
      char buf[17];
      std::snprintf(buf, sizeof buf, "%016llx", (unsigned long long)w);
      hex += buf;
    }
    r.set("queryCode", hex);
    r.set("hammingTrue", to_array(std::vector<double>(res.hamming_true.begin(), res.hamming_true.end())));
    r.set("hammingHistogram", to_array(std::vector<double>(res.hamming_hist.begin(), res.hamming_hist.end())));
  }
  if (!res.cell_probs.empty()) {
    // The learned router: layer 1's probabilities, layer 2's picks, IVF on the same cells.
    r.set("cellProbabilities", to_array(std::vector<double>(res.cell_probs.begin(), res.cell_probs.end())));
    val picks = val::array();
    for (const Trace::MemberPick& p : res.layer2_picks) {
      val o = val::object();
      o.set("cell", double(p.cell));
      o.set("id", double(p.id));
      o.set("probability", double(p.probability));
      picks.call<void>("push", o);
    }
    r.set("layer2Picks", picks);
    val ivf = val::object();
    ivf.set("cells", to_array(std::vector<double>(res.ivf_cells.begin(), res.ivf_cells.end())));
    ivf.set("ids", to_array(std::vector<double>(res.ivf_ids.begin(), res.ivf_ids.end())));
    ivf.set("recall", res.ivf_recall);
    ivf.set("distances", double(res.ivf_distances));
    r.set("ivf", ivf);
  }
  return r;
}

// Evaluate (the Results panel's button): the built index over the first n held-out queries.
val start_evaluation(int n) {
  AppState& s = state();
  if (!s.index) return failure("no index is built: build one to evaluate it");
  if (s.job.running() || s.evaluation.running()) return failure("a build or an evaluation is running");
  s.eval_queries = std::max(1, n);
  s.start_evaluation();
  return success();
}

val report_of(const EvalReport& e) {
  val o = val::object();
  o.set("index", e.index);
  o.set("nq", double(e.nq));
  o.set("k", double(e.k));
  o.set("recall", e.recall);
  o.set("oneRecall", e.one_recall);
  o.set("distanceRatio", e.distance_ratio);
  o.set("micros", e.time.too_fast ? 0.0 : e.time.median_us);
  o.set("bytes", double(e.bytes));
  o.set("encodedElsewhere", e.encoded_elsewhere);
  return o;
}

val evaluation_state() {
  AppState& s = state();
  val r = success();
  r.set("running", s.evaluation.running());
  r.set("progress", s.evaluation.progress());
  r.set("stage", s.evaluation.stage());
  r.set("error", s.error);
  val h = val::array();
  const auto& hist = s.evaluation.history();
  for (size_t i = 0; i < hist.size(); ++i) h.set(i, report_of(hist[i]));
  r.set("history", h);
  if (const EvalReport* e = s.evaluation.report()) r.set("report", report_of(*e));
  return r;
}

val cancel_build() {
  if (!state().job.running()) return failure("no build is running");
  state().cancel_build();
  return success();
}

// Codes computed ahead for rows searched through the API (a learned method in the page: the
// queries' codes, computed by ONNX Runtime Web, across frames): prepareHeldOut(n) starts the first
// n held-out queries, prepareState() works a step and says how far it is.
struct Prepare {
  std::vector<float> rows;
  TrainTask task;
  const Index* index = nullptr;
} g_prepare;

val prepare_held_out(int n) {
  AppState& s = state();
  if (!s.source.data) return failure("no data set is loaded");
  if (!s.index) return failure("no index is built");
  if (n < 1 || size_t(n) > s.source.data->queries.n)
    return failure(cat(n, " queries: the data set has 1..", s.source.data->queries.n));
  g_prepare.task = TrainTask();
  const size_t d = s.source.data->base.d;
  g_prepare.rows.resize(size_t(n) * d);
  for (int i = 0; i < n; ++i) s.source.data->queries.view().row_to_f32(size_t(i), g_prepare.rows.data() + size_t(i) * d);
  g_prepare.index = s.index.get();
  g_prepare.task = s.index->prepare_task(VectorView::of(g_prepare.rows.data(), size_t(n), d));
  return success();
}

val prepare_state() {
  AppState& s = state();
  val r = success();
  if (!g_prepare.task.valid() || g_prepare.index != s.index.get()) {
    if (g_prepare.index != s.index.get()) g_prepare.task = TrainTask();  // the index changed: forgotten
    return failure("nothing is being prepared (or the index changed since)");
  }
  while (g_prepare.task.resume()) {
    r.set("stage", g_prepare.task.step().stage);
    r.set("fraction", g_prepare.task.step().fraction);
    if (g_prepare.task.step().waiting) {
      r.set("done", false);
      return r;
    }
  }
  const Status st = g_prepare.task.status();
  g_prepare.task = TrainTask();
  if (!st.is_ok()) return failure(st.message());
  r.set("done", true);
  return r;
}

val set_query(int i) {
  AppState& s = state();
  if (!s.source.data) return failure("no data set is loaded");
  if (i < 0 || size_t(i) >= s.source.data->queries.n)
    return failure(cat("query ", i, " is outside 0..", s.source.data->queries.n - 1));
  s.set_held_out_query(size_t(i));
  return results();
}

val explain(val query, int k) {
  auto q = query_of(query);
  if (!q.is_ok()) return failure(q.message());
  AppState& s = state();
  const Index& index = s.index ? *s.index : *s.source.data->exact;
  const Explainable* ex = as_explainable(index);
  if (!ex) return failure(cat(index.describe(), " cannot explain itself"));
  auto tr = ex->explain_query(VectorView::of(q->data(), 1, q->size()), size_t(std::max(k, 0)), {});
  if (!tr.is_ok()) return failure(tr.message());
  auto st = ex->explain_structure();
  if (!st.is_ok()) return failure(st.message());
  val r = success();
  val events = val::array();
  for (size_t i = 0; i < tr->events.size(); ++i) {
    const TraceEvent& e = tr->events[i];
    val o = val::object();
    o.set("kind", std::string(trace_kind_name(e.kind)));
    o.set("table", e.table);
    o.set("id", double(e.id));
    o.set("value", e.value);
    events.set(i, o);
  }
  r.set("events", events);
  r.set("ids", to_array(tr->ids));
  // The layers by kind, each with what a page can draw without the lab: planes in full, otherwise
  // sizes (a page that needs more asks for it).
  auto planes_of = [](const std::vector<Hyperplane>& hs) {
    val planes = val::array();
    for (size_t i = 0; i < hs.size(); ++i) {
      val o = val::object();
      o.set("table", hs[i].table);
      o.set("bit", hs[i].bit);
      o.set("normal", to_array(hs[i].normal));
      o.set("offset", hs[i].offset);
      planes.set(i, o);
    }
    return planes;
  };
  val layers = val::array();
  for (size_t i = 0; i < st->layers.size(); ++i) {
    const Layer& l = st->layers[i];
    val o = val::object();
    o.set("kind", std::string(layer_kind_name(l)));
    if (const auto* hp = std::get_if<HyperplaneLayer>(&l)) o.set("planes", planes_of(hp->planes));
    if (const auto* sl = std::get_if<SlabLayer>(&l)) {
      o.set("functions", planes_of(sl->functions));
      o.set("width", sl->width);
    }
    if (const auto* bk = std::get_if<BucketLayer>(&l)) {
      o.set("tables", double(bk->keys.size()));
      o.set("buckets", double(bk->buckets.size()));
    }
    if (const auto* c = std::get_if<CellLayer>(&l)) {
      o.set("cells", double(c->cells(st->dim)));
      o.set("centroids", to_array(c->centroids));
    }
    if (const auto* g = std::get_if<GraphLayer>(&l)) {
      o.set("levels", g->levels());
      o.set("edges", double(g->edges.size()));
    }
    if (const auto* kd = std::get_if<KdTreeLayer>(&l)) o.set("nodes", double(kd->nodes.size()));
    if (const auto* cb = std::get_if<CodebookLayer>(&l)) {
      o.set("m", double(cb->m));
      o.set("ksub", double(cb->ksub));
    }
    if (const auto* tl = std::get_if<TokenLayer>(&l)) {
      o.set("g", double(tl->g));
      o.set("m", double(tl->m));
    }
    if (const auto* bc = std::get_if<BinaryCodeLayer>(&l)) o.set("bits", double(bc->bits));
    layers.set(i, o);
  }
  val structure = val::object();
  structure.set("method", st->method);
  structure.set("n", double(st->n));
  structure.set("layers", layers);
  r.set("structure", structure);
  return r;
}

}  // namespace

EMSCRIPTEN_BINDINGS(annlab_lab) {
  emscripten::function("start", &start);
  emscripten::function("loadDataset", &load_dataset);
  emscripten::function("info", &info);
  emscripten::function("loadFile", &load_file);
  emscripten::function("loadIndexFile", &load_index_file);
  emscripten::function("saveIndex", &save_index_bytes);
  emscripten::function("generateBlobs", &generate_blobs);
  emscripten::function("methods", &methods);
  emscripten::function("search", &search);
  emscripten::function("exact", &exact);
  emscripten::function("queryVector", &query_vector);
  emscripten::function("queryImage", &query_image);
  emscripten::function("results", &results);
  emscripten::function("prepareHeldOut", &prepare_held_out);
  emscripten::function("cancelBuild", &cancel_build);
  emscripten::function("startEvaluation", &start_evaluation);
  emscripten::function("evaluationState", &evaluation_state);
  emscripten::function("prepareState", &prepare_state);
  emscripten::function("setQuery", &set_query);
  emscripten::function("explain", &explain);
  emscripten::function("loadDropped", &load_dropped);
  emscripten::function("loadLabelsFile", &load_labels_file);
  emscripten::function("startBuild", &start_build);
  emscripten::function("buildState", &build_state);
  emscripten::function("viewLink", &view_link);
  emscripten::function("openView", &open_view);
  emscripten::function("resultsCsv", &results_csv_text);
  emscripten::function("saveMapPng", &save_map_png);
  emscripten::function("saveIndexDownload", &save_index_download);
  emscripten::function("saveResultsDownload", &save_results_download);
  emscripten::function("layout", &layout);
}
