// annlab_smoke — the lab's UI without a window or GPU (Dear ImGui with no backend, as
// examples/example_null): for every data set and method, build an index while frames keep
// running, click the map, press R, change parameters, and check the app answered. Also measures
// the app's own work per frame (draw_lab + ImGui::Render) with the map full of points.
//   annlab_smoke [--assets DIR] [--data blobs|mnist|fashion] [--frames N] [--report] [--quick]
#include <algorithm>
#include <cmath>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <utility>
#include <filesystem>
#include <fstream>
#include <unistd.h>

#include "annlab/eval.h"
#include "annlab/generators.h"
#include "annlab/io.h"
#include "annlab/layout.h"
#include "annlab/model.h"
#include "imgui.h"
#include "export.h"
#include "panels.h"

using annlab::app::AppState;
using annlab::app::DataKind;
using annlab::app::LabData;
using annlab::app::Results;
using annlab::MissReason;
using annlab::Status;


namespace {

int passed = 0, failed = 0;
void check(bool ok, const std::string& what) {
  if (ok) ++passed;
  else {
    ++failed;
    std::printf("FAIL: %s\n", what.c_str());
  }
}

double frame(AppState& s, ImVec2 mouse, bool click = false, bool key_r = false) {
  ImGuiIO& io = ImGui::GetIO();
  // The time since the last frame, as a real backend reports it (at least 1/60 s): the build's
  // budget per frame follows it, so a slow build (ASan) does not crawl at 10 ms per long frame.
  static auto last = std::chrono::steady_clock::now();
  const auto now = std::chrono::steady_clock::now();
  io.DeltaTime = std::max(1.0f / 60.0f, std::chrono::duration<float>(now - last).count());
  last = now;
  io.AddMousePosEvent(mouse.x, mouse.y);
  if (click) io.AddMouseButtonEvent(0, true);
  if (key_r) io.AddKeyEvent(ImGuiKey_R, true);
  const auto t0 = std::chrono::steady_clock::now();
  ImGui::NewFrame();
  annlab::app::draw_lab(s);
  ImGui::Render();
  const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  if (click) io.AddMouseButtonEvent(0, false);
  if (key_r) io.AddKeyEvent(ImGuiKey_R, false);
  return ms;
}

}  // namespace

int main(int argc, char** argv) {
  std::string assets = "assets/data/";
  int frames = 30;
  bool report = false;
  std::string only;  // --data blobs|mnist|fashion: one data set (ctest runs the three in parallel)
  // --quick (the sanitizer build): no PQ or IVF-PQ on the 60,000 Fashion-MNIST images, whose
  // 256-centroid k-means takes tens of seconds natively and far longer under ASan. Their UI still
  // runs there on the blobs and MNIST.
  bool quick = false;
  std::string models = "models/";  // the committed learned models (--models DIR)
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--assets") && i + 1 < argc) assets = std::string(argv[++i]) + "/";
    else if (!std::strcmp(argv[i], "--frames") && i + 1 < argc) frames = std::atoi(argv[++i]);
    else if (!std::strcmp(argv[i], "--report")) report = true;
    else if (!std::strcmp(argv[i], "--data") && i + 1 < argc) only = argv[++i];
    else if (!std::strcmp(argv[i], "--quick")) quick = true;
    else if (!std::strcmp(argv[i], "--models") && i + 1 < argc) models = std::string(argv[++i]) + "/";
  }
  ImGui::CreateContext();
  ImGuiIO& io = ImGui::GetIO();
  io.DisplaySize = ImVec2(1600, 900);
  io.IniFilename = nullptr;
  unsigned char* px;
  int w, h;
  io.Fonts->GetTexDataAsRGBA32(&px, &w, &h);
  const ImVec2 map_centre(1600 * 0.5f, 900 * 0.55f);

  const std::pair<DataKind, const char*> kinds[] = {
      {DataKind::Blobs2D, "blobs"}, {DataKind::Mnist, "mnist"}, {DataKind::FashionMnist, "fashion"}};
  for (const auto& [kind, kind_name] : kinds) {
    if (!only.empty() && only != kind_name) continue;
    for (const annlab::MethodInfo& row : annlab::method_registry()) {
      if (!row.implemented) continue;
      const std::string_view method = row.name;
      AppState s;
      s.source.assets_dir = assets;
      // Raw pixels: the committed learned models read 784-d images, and the build-in-frames checks
      // below were set for 784-d data (the spaces and the drawing pad have their own section).
      s.source.space = "raw";
      const std::string what = std::string(annlab::app::data_kind_name(kind)) + " / " + std::string(row.label);
      s.load_data(kind);
      check(s.source.data != nullptr, what + ": data loaded (" + s.source.status + ")");
      if (!s.source.data) continue;
      check(s.config.select(method), what + ": the panel offers it");
      // The settings of this test, for whichever method has them.
      auto set_arg = [&](std::string_view n, int64_t v) {
        for (size_t i = 0; i < row.args.size(); ++i)
          if (row.args[i].name == n) s.config.args[s.config.method][i] = v;
      };
      auto set_val = [&](std::string_view n, double v) {
        if (row.build_param(n) || row.search_param(n)) s.config.value(n) = v;
      };
      // OPQ and LOPQ learn d x d rotations: minutes of (stepped) training on 784-d images in a debug
      // or ASan build; their UI is exercised on the 2-D blobs. ITQ cannot make 32 bits from 2-D data: a clear error.
      if ((method == "OPQ" || method == "LOPQ") && kind != DataKind::Blobs2D) continue;
      if (quick && (method == "PQ" || method == "IVFPQ") && kind == DataKind::FashionMnist) continue;
      // NPhash runs the committed models (models/nphash<bits>.json, 784-d Fashion-MNIST) where the
      // build has ONNX Runtime: on 2-D blobs, or without a runtime, a clear error instead.
      // The learned router's committed model (models/router100.json) is Fashion-MNIST's: its cells
      // are 784-d, and its layer 2 names Fashion-MNIST's images.
      const bool learned = method == "NPHash" || method == "Router";
      if (learned && (kind == DataKind::Blobs2D || !annlab::model_runtime_available())) {
        s.models_dir = models;
        (void)s.start_build();
        for (int f = 0; f < 1000 && s.job.running(); ++f) frame(s, map_centre);
        const char* want = !annlab::model_runtime_available() ? "this build cannot run ONNX models"
                           : method == "Router" ? "100 centroids of dimension 784; Router100 on this data needs 100 of dimension 2"
                                                : "the model takes vectors of dimension 784; the data has 2";
        check(s.error.find(want) != std::string::npos && !s.index, what + ": a clear error (" + s.error + ")");
        continue;
      }
      s.models_dir = models;
      if (method == "ITQ" && kind == DataKind::Blobs2D) {
        set_arg("bits", 32);
        (void)s.start_build();
        for (int f = 0; f < 1000 && s.job.running(); ++f) frame(s, map_centre);
        check(s.error.find("32 bits exceed the dimension 2") != std::string::npos, what + ": ITQ on 2-D data is a clear error (" + s.error + ")");
        continue;
      }
      set_arg("bits", 64);
      set_val("probes", 4);
      set_arg("L", 6);
      set_arg("b", kind == DataKind::Blobs2D ? 4 : 10);
      set_arg("nlist", kind == DataKind::Blobs2D ? 16 : 32);
      set_arg("M", method == "HNSW" ? 8 : kind == DataKind::Blobs2D ? 2 : 4);
      set_val("efConstruction", 40);
      set_arg("g", kind == DataKind::Blobs2D ? 2 : 16);
      set_arg("m", 16);
      frame(s, map_centre);
      (void)s.start_build();
      int build_frames = 0;
      double worst = 0;
      while (s.job.running() && build_frames < 100000) {
        worst = std::max(worst, frame(s, map_centre));
        ++build_frames;
      }
      check(s.index != nullptr, what + ": build finished while frames ran");
      // The build is cut into steps between frames (not timed here: speed belongs to benchmarks).
      if (kind == DataKind::FashionMnist && (method == "LSH" || method == "HNSW"))
        check(build_frames >= 2, what + ": the build was spread over " + std::to_string(build_frames) + " frames");
      // k-means training is stepped too (it used to run in one frame: seconds of frozen page).
      if (kind == DataKind::FashionMnist && (method == "IVFFlat" || method == "PQ" || method == "IVFPQ" ||
                                             method == "Tokens" || method == "ITQ" || method == "SimHash"))
        // Cut into bounded pieces, the frame drawn between them: counted in pieces, not frames (a fast
        // machine fits several pieces in one frame's budget).
        check(s.job.training_steps() >= 3 && s.job.training_frames() >= 2,
              what + ": training was cut into " + std::to_string(s.job.training_steps()) + " pieces over " +
                  std::to_string(s.job.training_frames()) + " frames");
      frame(s, map_centre, true);   // press on the map...
      frame(s, map_centre);         // ...release: sets the query
      check(s.inspector.query.set && s.inspector.results.valid, what + ": a click on the map set the query and searched");
      const uint64_t serial = s.inspector.results.serial;
      frame(s, map_centre, false, true);
      check(s.inspector.results.serial > serial, what + ": R picked a held-out query");
      check(s.inspector.results.method_ids.size() == s.inspector.results.k, what + ": the method answered k results");
      if (method == "Flat") check(s.inspector.results.recall == 1.0, what + ": Flat recall is 1");
      if (kind == DataKind::Blobs2D) {
        // The legend names the marks this method draws (and, for the code-only rankings, no
        // "distance computed": they compute none).
        frame(s, map_centre);
        const auto& lg = s.map.legend;
        auto has = [&](const std::string& m) { return std::find(lg.begin(), lg.end(), m) != lg.end(); };
        std::vector<std::string> want = {"query", "method's answer"};
        if (method == "LSH") want.insert(want.end(), {"hyperplanes", "in the query's bucket", "distance computed"});
        if (method == "E2LSH") want.insert(want.end(), {"slab boundaries", "in the query's bucket"});
        if (method == "KDTree") want.insert(want.end(), {"k-d splits", "in a visited leaf"});
        if (method == "IVFFlat" || method == "IVFPQ" || method == "OPQ" || method == "LOPQ")
          want.insert(want.end(), {"cells (probed: brighter)", "centroids", "probe order"});
        if (method == "LOPQ") want.push_back("each cell's axes");
        if (method == "HNSW") want.insert(want.end(), {"expanded (bottom layer)", "distance computed"});
        if (method == "PQ") want.push_back("PQ centroids");
        if (method == "Tokens") want.insert(want.end(), {"token cells (the query's: shaded)", "shares query tokens (brighter: more)"});
        if (method == "SimHash") want.push_back("hyperplanes");
        std::string listed;
        for (const std::string& m : lg) listed += "'" + m + "' ";
        for (const std::string& m : want) check(has(m), what + ": the legend lists '" + m + "' (" + listed + ")");
        check(has("true neighbour, found") || has("true neighbour, missed"), what + ": the legend lists the true neighbours");
        if (method == "PQ" || method == "SimHash" || method == "Tokens")
          check(!has("distance computed"), what + ": no 'distance computed' mark for a method that computed none");
      }
      if (method == "Tokens") {
        check(s.inspector.results.query_tokens.size() == size_t(s.config.arg("g")), what + ": the query's tokens are shown");
        // The label filter: every answer (and the exact answer it is compared with) has the label.
        s.config.value("label") = 3;
        s.config.value("rerank") = 50;
        s.run_search();
        bool all_three = s.inspector.results.valid && s.inspector.results.filtered;
        for (int64_t id : s.inspector.results.method_ids) all_three = all_three && (id < 0 || s.source.data->base.labels[size_t(id)] == 3);
        for (int64_t id : s.inspector.results.exact_ids) all_three = all_three && (id < 0 || s.source.data->base.labels[size_t(id)] == 3);
        check(all_three, what + ": label filter 3 returns only label 3, against a filtered exact answer");
      }
      double total = 0;
      for (int f = 0; f < frames; ++f) total += frame(s, ImVec2(map_centre.x + f, map_centre.y + f));
      check(s.error.empty(), what + ": no error (" + s.error + ")");
      if (report)
        std::printf("%-40s %zu points: %.2f ms per frame (draw_lab + Render), build %.2f s over %d frames "
                    "(slowest frame while building %.1f ms)\n",
                    what.c_str(), s.source.data->base.n, total / frames, s.build_seconds, build_frames, worst);
    }
  }
  // A bad build is reported, not fatal.
  if (only.empty() || only == "blobs") {
    AppState s;
    s.load_data(DataKind::Blobs2D);
    s.config.select("LSH");
    s.config.arg("b") = 99;
    (void)s.start_build();
    frame(s, map_centre);
    check(!s.error.empty() && s.source.data != nullptr, "an impossible index is an error message and the data stays");
  }
  // The asset manifest: a broken one is an error naming the file and offset.
  {
    auto bad = annlab::app::parse_asset_manifest("m.json", "{\"datasets\": {\"x\": [}");
    check(!bad.is_ok() && bad.message() == "m.json: offset 20: expected a value, found '}'",
          "a broken manifest names the offset (" + bad.message() + ")");
    auto old = annlab::app::parse_asset_manifest("m.json", "{\"version\": \"annlab-assets-1\", \"files\": {}}");
    check(!old.is_ok() && old.message().find("no \"datasets\" object") != std::string::npos, "an old manifest says to run setup");
  }
  // Search parameters apply to the built index even when a build parameter has changed since:
  // LSH8x4 with probes 8, then L moved to 8 without Build, then probes 2 opens 4 tables x 2 buckets.
  if (only.empty() || only == "blobs") {
    AppState s;
    s.load_data(DataKind::Blobs2D);
    check(s.build_spec("LSH8x4", "seed=3").is_ok(), "LSH8x4 builds");
    check(!s.build_changed(), "right after a build the panel shows no change");
    s.set_held_out_query(0);
    s.config.value("probes") = 8;
    s.run_search();
    check(s.inspector.results.valid && s.inspector.results.stats.buckets == 32, "probes 8 opens 32 buckets (" +
                                                                std::to_string(s.inspector.results.stats.buckets) + ")");
    s.config.arg("L") = 8;
    check(s.build_changed(), "a changed build parameter shows 'changed: Build to apply'");
    s.config.value("probes") = 2;
    s.run_search();
    check(s.inspector.results.valid && s.inspector.results.stats.buckets == 8,
          "probes 2 still applies to the built LSH8x4: 8 buckets (" + std::to_string(s.inspector.results.stats.buckets) + ")");
    s.config.select("HNSW");
    s.run_search();
    check(s.inspector.results.valid && s.inspector.results.stats.buckets == 8, "switching the panel's method keeps the built index's search");
  }
  // Issue 13's defects, each a check that failed before the fix.
  if (only.empty() || only == "blobs") {
    // A dropped file: the held-out queries are not in the index (min(1,000, 10 %), seeded).
    AppState s;
    annlab::Dataset ds = annlab::make_gaussian_blobs(500, 8, 5, 1.0, 3).value();
    ds.name = "mine.fvecs";
    check(s.load_user_data(ds).is_ok(), "a dropped file loads");
    check(s.data()->base.n == 450 && s.data()->queries.n == 50,
          "a dropped file of 500 vectors: 450 base, 50 held-out queries (" + s.source.status + ")");
    check(s.source.status.find("50 held-out queries (not in the index") != std::string::npos, "the status says so");
    check(s.build_spec("Flat", "").is_ok(), "Flat builds on the dropped file");
    s.set_held_out_query(0);
    check(s.inspector.results.valid && s.inspector.results.exact_dist[0] > 0,
          "a held-out query does not find itself at distance 0");
    // Clicking the map of 8-d vectors (drawn by their PCA) picks the nearest point.
    frame(s, map_centre, true);
    frame(s, map_centre);
    check(s.inspector.query.set && s.inspector.query.self_id >= 0, "a click on the map of 8-d vectors picks a base point (" +
                                                                       s.inspector.query.source + ")");
    // ...which is left out of both answers.
    const int64_t self = s.inspector.query.self_id;
    bool absent = s.inspector.results.valid && s.inspector.results.self_excluded == self;
    for (int64_t id : s.inspector.results.exact_ids) absent = absent && id != self;
    for (int64_t id : s.inspector.results.method_ids) absent = absent && id != self;
    check(absent, "the picked base point is in neither answer");
    check(s.inspector.results.recall == 1.0, "Flat still has recall 1 without the self-match");
    // Timings: a median over at least 5 runs (or too fast to time), never one sample.
    const annlab::app::Timing& t = s.inspector.results.method_time;
    check(t.valid && (t.too_fast || t.runs >= 5), "the method's time is a median of " + std::to_string(t.runs) + " runs");
    check(s.inspector.results.exact_time.valid && (s.inspector.results.exact_time.too_fast || s.inspector.results.exact_time.runs >= 5),
          "the exact scan's time is a median too");
  }
  // Stale state: an error clears when a later build succeeds; the panel says when it shows another
  // index than the one built; numbers that must divide d follow the data (PQ's M on 2-D data).
  if (only.empty() || only == "blobs") {
    AppState s;
    s.load_data(DataKind::Blobs2D);
    s.config.select("PQ");
    const int64_t m = s.config.arg("M");
    check(m >= 1 && 2 % m == 0, "PQ's M on 2-D data is a divisor of 2 (" + std::to_string(m) + ")");
    check(s.build_now().is_ok() && s.error.empty(), "PQ with its default M builds on 2-D data (" + s.error + ")");
    s.config.select("LSH");
    s.config.arg("b") = 99;
    (void)s.start_build();
    frame(s, map_centre);
    check(!s.error.empty(), "LSH b = 99 is an error");
    s.config.arg("b") = 6;
    check(s.build_now().is_ok() && s.error.empty(), "the error clears when a later build succeeds (" + s.error + ")");
    check(s.stale_note().empty(), "no note while the panel shows the built index");
    s.config.select("HNSW");
    check(s.stale_note().find("HNSW16 is not built") != std::string::npos &&
              s.stale_note().find("showing LSH6x") != std::string::npos,
          "another method in the panel: the map says it shows the built one (" + s.stale_note() + ")");
  }
  // Build progress: per stage, monotonic, no fixed 60/40 split (HNSW has nothing to train: it
  // starts adding at 0 %, not 60 %); the time reported is the wall time, at least the work time.
  if (only.empty() || only == "blobs") {
    AppState s;
    s.source.blob_n = 20000;
    s.load_data(DataKind::Blobs2D);
    s.config.select("HNSW");
    (void)s.start_build();
    double first_adding = -1, last = -1;
    int last_stage = 0;
    bool monotonic = true;
    for (int f = 0; f < 100000 && s.job.running(); ++f) {
      frame(s, map_centre);
      if (!s.job.running()) break;
      const int st = s.job.stage_number();
      const double p = s.job.progress();
      if (st == 2 && first_adding < 0) first_adding = p;
      if (st == last_stage && p < last) monotonic = false;
      last_stage = st;
      last = p;
    }
    check(s.index != nullptr, "HNSW16 on 20,000 blobs built while frames ran");
    check(first_adding >= 0 && first_adding < 0.5, "HNSW's adding starts near 0 % (" + std::to_string(first_adding) + ")");
    check(monotonic, "progress never goes back within a step");
    check(s.build_seconds >= s.build_work_seconds && s.index_info.find("built in ") != std::string::npos,
          "the build time is the wall time (" + s.index_info + ")");
  }
  // Evaluate: over 200 held-out queries in steps between frames, the same means as
  // exact_knn + evaluate() (what `annlab bench --nq 200` computes) for the same queries and parameters.
  if (only.empty() || only == "blobs") {
    AppState s;
    s.load_data(DataKind::Blobs2D);
    check(s.build_spec("LSH6x4", "seed=3").is_ok(), "LSH6x4 builds");
    s.config.value("probes") = 2;
    s.start_evaluation();
    int frames_run = 0;
    while (s.evaluation.running() && frames_run < 100000) {
      frame(s, map_centre);
      ++frames_run;
    }
    const annlab::app::EvalReport* r = s.evaluation.report();
    check(r != nullptr && r->nq == 200 && r->k == 10, "Evaluate reports 200 queries at k = 10 (" + s.error + ")");
    if (r) {
      const annlab::app::LabData& d = *s.data();
      const annlab::VectorView q = d.queries.view().rows(0, 200);
      annlab::SearchResult got;
      check(s.index->search(q, 10, s.search_params(), &got).is_ok(), "the same 200 queries search");
      auto gt = annlab::exact_knn(d.base_view(), q, 10).value();
      auto want = annlab::evaluate(got.ids.data(), 10, gt.ids.data(), 10, d.base_view(), q, 10).value();
      check(r->recall == want.recall && r->one_recall == want.one_recall && r->distance_ratio == want.distance_ratio,
            "Evaluate's recall " + std::to_string(r->recall) + ", 1-recall " + std::to_string(r->one_recall) +
                " equal the bench's " + std::to_string(want.recall) + ", " + std::to_string(want.one_recall));
      check(r->distances_per_query == double(got.total().distances) / 200.0, "distances per query as the bench counts them");
      check(r->time.valid && (r->time.too_fast || r->time.runs > 0), "a median time per query");
      check(r->worst.size() == 5 && std::is_sorted(r->worst.begin(), r->worst.end()), "the five worst queries, worst first");
      s.set_held_out_query(r->worst[0].second);
      check(s.inspector.results.valid && s.inspector.query.source == "held-out query " + std::to_string(r->worst[0].second),
            "a worst query is a click away");
      check(std::abs(s.inspector.results.recall - r->worst[0].first) < 1e-9, "its recall is the one listed");
    }
    check(s.build_spec("HNSW8", "").is_ok() && s.evaluation.report() == nullptr, "a new index forgets the old evaluation");
  }
  // A value typed past a slider's range is refused, not run: 10,000,000 points would drop the page
  // to a frame every 19 s.
  if (only.empty() || only == "blobs") {
    AppState s;
    s.load_data(DataKind::Blobs2D);
    const uint64_t serial = s.source.serial;
    s.source.blob_n = 10000000;
    s.load_data(DataKind::Blobs2D);
    check(s.source.serial == serial && s.data()->base.n == 2000 &&
              s.error.find("10000000 points in 8 blobs is outside 100..20000") != std::string::npos,
          "10,000,000 typed points are refused and the data stays (" + s.error + ")");
  }
  // Links, files in and out, and the stepped build the JS API uses.
  if (only.empty() || only == "blobs") {
    namespace fs = std::filesystem;
    const fs::path dir = fs::temp_directory_path() / ("annlab-smoke-" + std::to_string(::getpid()));
    fs::create_directories(dir);
    auto run_until = [&](AppState& s, auto done) {
      for (int f = 0; f < 20000 && !done(); ++f) frame(s, ImVec2(5, 5));
    };
    // A stepped build by description: a ticket that ends when the index is in.
    AppState a;
    a.out_dir = dir.string();
    a.source.blob_n = 1500;
    a.source.blob_centers = 5;
    a.source.blob_seed = 11;
    a.load_data(DataKind::Blobs2D);
    const annlab::Status bad = a.start_build_spec("LSH8x", "seed=3");
    check(!bad.is_ok() && a.builds_started == 0 && a.config.info().name == "LSH", "a bad description is refused before anything changes (" + bad.message() + ")");
    check(a.start_build_spec("LSH8x4", "seed=3").is_ok() && a.job.running() && a.builds_started == 1, "LSH8x4 starts building in steps");
    run_until(a, [&] { return a.builds_done == 1; });
    check(a.index && a.build_outcome.empty() && a.index->describe() == "LSH8x4", "the stepped build installed LSH8x4");
    a.config.value("probes") = 2;
    a.inspector.k = 7;
    a.set_held_out_query(5);
    a.map.planes = false;
    run_until(a, [&] { return a.map.width > 0 && a.frame > 5; });
    auto va = a.current_view();
    check(va.is_ok(), "the view has a link (" + va.message() + ")");
    const std::string link = va.is_ok() ? annlab::app::encode_view_link(va.value()) : "";
    check(link.find("v=1&data=blobs&points=1500&blobs=5&data_seed=11&index=LSH8x4&seed=3") == 0 &&
              link.find("&probes=2&k=7&q=h5&map=") != std::string::npos && link.find("&show=cells") != std::string::npos,
          "the link names data, index, parameters, k, query and map (" + link + ")");
    // Opening it elsewhere rebuilds and restores every control and the same answers.
    AppState b;
    check(b.open_view(link).is_ok() && b.view_pending(), "the link opens");
    run_until(b, [&] { return !b.view_pending() && b.frame > 5; });
    check(b.error.empty(), "the link restored without an error (" + b.error + ")");
    check(b.data() && b.data()->base.n == 1500 && b.source.blob_centers == 5 && b.source.blob_seed == 11, "same blobs");
    check(b.index && b.index->describe() == "LSH8x4" && b.config.spec() == "LSH8x4" && b.config.value("probes") == 2 &&
              b.config.build_params().seed == 3 && b.inspector.k == 7 && !b.map.planes,
          "every control restored");
    check(b.inspector.results.valid && b.inspector.results.method_ids == a.inspector.results.method_ids &&
              b.inspector.results.exact_ids == a.inspector.results.exact_ids && b.inspector.results.stats.buckets == 8,
          "the same answer ids (probes 2: 8 buckets)");
    auto vb = b.current_view();
    auto strip_map = [](std::string t) {
      const size_t m = t.find("&map=");
      return m == std::string::npos ? t : t.substr(0, m) + t.substr(t.find('&', m + 1));
    };
    check(vb.is_ok() && strip_map(annlab::app::encode_view_link(vb.value())) == strip_map(link) &&
              std::abs(vb->zoom - va->zoom) < 1e-4 && vb->cx == va->cx && vb->cy == va->cy,
          "the reopened view's link is the link");
    // Bad links change nothing and say why.
    const uint64_t serial = b.source.serial;
    const std::pair<const char*, const char*> bad_links[] = {
        {"v=2&data=blobs", "the link is of format version 2; this lab reads version 1"},
        {"data=blobs", "the link has no format version: expected v=1"},
        {"v=1&data=bogus", "the link's data set 'bogus' is unknown: expected blobs, fashion-mnist or mnist"},
        {"v=1&data=blobs&index=LSH8x4&nprobe=3", "the link sets 'nprobe', which LSH8x4 does not take"},
        {"v=1&data=blobs&index=LSH8x4&probes=-1", "the link: parameter probes = -1 is out of range [0, 1048576]"},
        {"v=1&data=blobs&k=0", "the link's k=0 is not a whole number from 1 to 50"},
        {"v=1&data=blobs&zoom=2", "the link's key 'zoom' is unknown: expected v, data, points, blobs, data_seed, space, index, k, q, layout, map, show, table or a parameter of the index"},
    };
    for (const auto& [q, want] : bad_links) {
      const annlab::Status st = b.open_view(q);
      check(!st.is_ok() && st.message() == want && b.source.serial == serial && !b.view_pending(),
            std::string("bad link '") + q + "': " + st.message());
    }
    check(b.open_view("v=1&data=blobs&index=Flat&q=h99999").is_ok(), "a link with a query outside the data opens");
    run_until(b, [&] { return !b.view_pending(); });
    check(b.error == "the link could not be restored: held-out query 99999 is outside 0..199", "and says which query (" + b.error + ")");

    // Files out: the index, the results table.
    check(a.save_index().is_ok(), "Download index writes a file (" + a.file_note + ")");
    const fs::path index_file = dir / "annlab-2-D_blobs-LSH8x4.annlab";
    check(fs::exists(index_file), "named " + index_file.string() + " (" + a.file_note + ")");
    check(a.save_results_csv().is_ok(), "Export CSV writes a file");
    std::ifstream csv(dir / "annlab-2-D_blobs-LSH8x4-results.csv");
    std::string header, first;
    std::getline(csv, header);
    std::getline(csv, first);
    check(header.rfind("query,index,rank,exact_id,exact_squared_distance,exact_found_by_method,method_id", 0) == 0,
          "the CSV's header (" + header + ")");
    check(first.rfind("\"held-out query 5\",\"LSH8x4 probes=2\",1," + std::to_string(a.inspector.results.exact_ids[0]) + ",", 0) == 0,
          "its first row is the first exact neighbour (" + first + ")");
    size_t lines = 2;
    for (std::string l; std::getline(csv, l);) ++lines;
    check(lines == 1 + 7, "one row per rank (" + std::to_string(lines) + " lines)");
    // Files in: the index file loads on the same data, a labels file colours it.
    AppState c;
    c.source.blob_n = 1500;
    c.source.blob_centers = 5;
    c.source.blob_seed = 11;
    c.load_data(DataKind::Blobs2D);
    check(c.load_dropped(index_file.string()).is_ok() && c.index && c.index->describe() == "LSH8x4", "a dropped .annlab file is the index (" + c.error + ")");
    check(c.index_info.find(", loaded from annlab-2-D_blobs-LSH8x4.annlab") != std::string::npos && c.index_info.find("built in") == std::string::npos,
          "the Index panel says it was loaded, not built (" + c.index_info + ")");
    c.config.value("probes") = 2;
    c.inspector.k = 7;
    c.set_held_out_query(5);
    check(c.inspector.results.method_ids == a.inspector.results.method_ids, "and answers as the built one");
    check(!c.current_view().is_ok() && c.current_view().message() == "a link cannot carry an index loaded from a file: build it here to share it",
          "a loaded index has no link, and says so");
    {
      std::ofstream l(dir / "labels.csv");
      l << "label\n";
      for (size_t i = 0; i < c.data()->file_rows(); ++i) l << (i % 3) << "\n";
    }
    check(c.load_dropped((dir / "labels.csv").string()).is_ok(), "a dropped labels file loads (" + c.file_note + ")");
    bool match = c.data()->base.labels.size() == 1500;
    for (size_t i = 0; match && i < 1500; ++i) match = c.data()->base.labels[i] == int32_t(c.data()->base_rows[i] % 3);
    check(match && c.file_note == "labels from labels.csv: 3 classes over 1700 rows", "labels by file row (" + c.file_note + ")");
    {
      std::ofstream l(dir / "short.csv");
      for (int i = 0; i < 10; ++i) l << i << "\n";
    }
    const annlab::Status short_labels = c.load_dropped((dir / "short.csv").string());
    check(!short_labels.is_ok() && short_labels.message() == "short.csv: 10 labels, but 2-D blobs has 1700 rows (1500 base vectors and 200 "
                                                             "held-out queries): a labels file has one label per row, in the file's order",
          "a labels file of the wrong length says so (" + short_labels.message() + ")");
    check(c.data()->base.labels[0] == int32_t(c.data()->base_rows[0] % 3), "and the labels stay");
    {
      std::ofstream bad(dir / "ragged.csv");
      bad << "1,2\n3\n";
    }
    c.error.clear();
    check(!c.drop_file((dir / "ragged.csv").string()).is_ok() && c.data_error.find("ragged.csv:2: expected 2 values") == 0 &&
              c.error.empty() && c.data()->base.n == 1500,
          "a bad vectors file's error is in the Data panel and the data stays (" + c.data_error + ")");
    // The PNG writer: CRC-32 and Adler-32 check values, and a file whose stored blocks read back.
    const std::string nine = "123456789";
    check(annlab::app::crc32_of(reinterpret_cast<const uint8_t*>(nine.data()), 9) == 0xCBF43926u, "CRC-32 check value");
    const std::string wiki = "Wikipedia";
    check(annlab::app::adler32_of(reinterpret_cast<const uint8_t*>(wiki.data()), 9) == 0x11E60398u, "Adler-32 check value");
    std::vector<uint8_t> px(300 * 250 * 4);
    for (size_t i = 0; i < px.size(); ++i) px[i] = uint8_t(i * 7);
    const std::vector<uint8_t> png = annlab::app::encode_png(300, 250, px);
    std::vector<uint8_t> raw;
    bool chunks_ok = png.size() > 8 && png[1] == 'P';
    for (size_t at = 8; chunks_ok && at + 12 <= png.size();) {
      const uint32_t len = uint32_t(png[at]) << 24 | uint32_t(png[at + 1]) << 16 | uint32_t(png[at + 2]) << 8 | png[at + 3];
      const uint8_t* body = png.data() + at + 8;
      const uint32_t crc = uint32_t(body[len]) << 24 | uint32_t(body[len + 1]) << 16 | uint32_t(body[len + 2]) << 8 | body[len + 3];
      chunks_ok = crc == annlab::app::crc32_of(png.data() + at + 4, len + 4);
      if (std::memcmp(png.data() + at + 4, "IDAT", 4) == 0)
        for (size_t z = 2; z + 5 <= len - 4;) {  // stored blocks: final flag, LEN, NLEN, bytes
          const size_t n = body[z + 1] | size_t(body[z + 2]) << 8;
          raw.insert(raw.end(), body + z + 5, body + z + 5 + n);
          z += 5 + n;
        }
      at += 12 + len;
    }
    bool rows_ok = raw.size() == 250 * (300 * 4 + 1);
    for (size_t y = 0; rows_ok && y < 250; ++y)
      rows_ok = raw[y * 1201] == 0 && std::memcmp(&raw[y * 1201 + 1], &px[y * 1200], 1200) == 0;
    check(chunks_ok && rows_ok, "the PNG's chunks carry their CRCs and its rows read back");
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
  // The spaces of Fashion-MNIST and the drawing pad: a picture through the pad's input path
  // becomes the query in each space exactly as the model or basis maps the image directly.
  if (only.empty() || only == "fashion") {
    auto run_until = [&](AppState& s, auto done) {
      for (int f = 0; f < 2000 && !done(); ++f) frame(s, ImVec2(5, 5));
    };
    AppState s;
    s.source.assets_dir = assets;
    s.models_dir = models;
    s.load_data(DataKind::FashionMnist);
    const annlab::app::LabData* d = s.data();
    check(d && d->space == "cnn64" && d->base.d == 64 && d->base.n == 60000 && d->images() &&
              d->image_view().n == 60000 && d->pixels.d == 784,
          "Fashion-MNIST opens in CNN-64, its images kept for the thumbnails (" + s.source.status + ")");
    if (d && d->space == "cnn64") {
      s.set_held_out_query(3);
      const std::vector<float> image = s.inspector.query.image;
      const std::vector<float> held = s.inspector.query.vec;
      check(image.size() == 784 && s.inspector.results.valid, "a held-out query has its image and its answer");
      s.show_pad = true;
      s.pad.set_image(image.data());
      run_until(s, [&] { return s.pad_searched == s.pad.serial(); });
      if (annlab::model_runtime_available()) {
        check(s.inspector.query.source == AppState::kDrawingQuery && s.inspector.results.valid,
              "the drawing is the query (" + s.pad_status + ")");
        auto m = annlab::read_model_manifest(models + "embed64.json");
        auto model = m.is_ok() ? annlab::load_model(m.value()) : annlab::Result<std::unique_ptr<annlab::Model>>(m.status());
        check(model.is_ok(), "the committed CNN loads (" + (model.is_ok() ? std::string() : model.message()) + ")");
        if (model.is_ok()) {
          std::vector<float> e(64), direct(64);
          check(model.value()->run(image.data(), 1, e.data()).is_ok(), "the CNN embeds the image directly");
          annlab::embedding_to_byte_space(e.data(), 64, direct.data());
          check(s.inspector.query.vec == direct, "held-out query 3 through the pad's input path embeds exactly as directly");
          double worst = 0;
          for (size_t j = 0; j < 64; ++j) worst = std::max(worst, double(std::fabs(direct[j] - held[j])));
          check(worst <= 127 * 1e-4, "and within 1e-4 (x127) of the shipped embedding of that query (" + std::to_string(worst) + ")");
        }
        check(s.inspector.query.image == s.pad.pixels(), "the query's thumbnail is the drawing");
        // Strokes with the mouse on the pad: the picture changes, each change is searched; undo and clear.
        s.pad.clear();
        frame(s, ImVec2(5, 5));
        const float px = s.layout.pad_x, py = s.layout.pad_y, cell = s.layout.pad_cell;
        check(cell > 0, "the pad is drawn");
        ImGuiIO& io = ImGui::GetIO();
        auto at = [&](float x, float y) { return ImVec2(px + x * cell, py + y * cell); };
        io.AddMousePosEvent(at(10, 4).x, at(10, 4).y);
        frame(s, at(10, 4));
        io.AddMouseButtonEvent(0, true);
        frame(s, at(10, 4));
        for (float y = 4; y <= 24; y += 2) frame(s, at(10, y));
        check(s.pad.drawing() && !s.pad.empty(), "a drag paints on the pad");
        io.AddMouseButtonEvent(0, false);
        frame(s, at(10, 24));
        frame(s, at(10, 24));
        check(!s.pad.drawing() && s.pad_searched == s.pad.serial() && s.inspector.query.source == AppState::kDrawingQuery &&
                  s.inspector.results.exact_time.valid,
              "the stroke's end searched the drawing, timed (" + s.pad_status + ")");
        check(s.pad.undo() && s.pad.empty(), "undo takes the stroke back");
      } else {
        check(s.pad_status.find("this build cannot run ONNX models") != std::string::npos && s.data() == d &&
                  s.inspector.query.source == "held-out query 3",
              "without a model runtime the pad says why, and the lab goes on (" + s.pad_status + ")");
      }
      // PCA-64: the drawing projected on the shipped basis, as the shipped query vectors are.
      s.source.space = "pca64";
      s.load_data(DataKind::FashionMnist);
      check(s.data() && s.data()->space == "pca64" && s.data()->base.d == 64, "PCA-64 loads (" + s.source.status + ")");
      if (s.data() && s.data()->space == "pca64") {
        s.set_held_out_query(3);
        const std::vector<float> pca_held = s.inspector.query.vec;
        s.pad.set_image(image.data());
        run_until(s, [&] { return s.pad_searched == s.pad.serial(); });
        double worst = 0, scale = 0;
        for (size_t j = 0; j < 64; ++j) {
          worst = std::max(worst, double(std::fabs(s.inspector.query.vec[j] - pca_held[j])));
          scale = std::max(scale, double(std::fabs(pca_held[j])));
        }
        check(s.inspector.query.source == AppState::kDrawingQuery && worst <= 1e-4 * scale,
              "a picture on the pad in PCA-64 is the query's own projection (" + std::to_string(worst) + ")");
      }
      // Raw pixels: the picture is the vector.
      s.source.space = "raw";
      s.load_data(DataKind::FashionMnist);
      s.pad.set_image(image.data());
      run_until(s, [&] { return s.pad_searched == s.pad.serial(); });
      check(s.data()->base.d == 784 && s.inspector.query.vec == image, "in raw pixels the drawing is the vector");
      // A missing model: the pad says which file and why; the data set and the query stay.
      AppState b;
      b.source.assets_dir = assets;
      b.models_dir = "/nonexistent/";
      b.load_data(DataKind::FashionMnist);
      b.set_held_out_query(1);
      b.show_pad = true;
      b.pad.set_image(image.data());
      run_until(b, [&] { return b.pad_searched == b.pad.serial(); });
      const std::string want = annlab::model_runtime_available() ? "cannot open '/nonexistent/embed64.json'"
                                                                 : "this build cannot run ONNX models";
      check(b.pad_status.find(want) != std::string::npos && b.data() && b.data()->space == "cnn64" &&
                b.inspector.query.source == "held-out query 1" && b.inspector.results.valid,
            "a missing model is a clear message and the lab goes on (" + b.pad_status + ")");
      // An unknown space is refused, and the data set stays.
      b.source.space = "bogus";
      b.load_data(DataKind::FashionMnist);
      check(b.error == "Fashion-MNIST has no space 'bogus' (it has raw, cnn64, pca64): the previous data set stays" &&
                b.data()->space == "cnn64",
            "an unknown space is refused (" + b.error + ")");
    }
  }
  if (only.empty() || only == "fashion") {
    // Watching a method think: the shipped layout, the stepper, why missed, side by side.
    AppState s;
    s.source.assets_dir = assets;
    s.models_dir = models;
    s.load_data(DataKind::FashionMnist);
    check(s.data() && s.data()->has_layout() && s.data()->map_kind == LabData::MapKind::Pca,
          "Fashion-MNIST ships its layout; the map opens on PCA");
    const std::vector<float> pca_xy = s.data()->base_xy;
    check(s.set_map_kind(LabData::MapKind::Layout).is_ok() && !s.layout_pending() &&
              s.data()->map_kind == LabData::MapKind::Layout && s.data()->base_xy != pca_xy,
          "the layout shows at once (shipped, not recomputed)");
    check(s.build_spec("IVF64,Flat", "seed=1").is_ok(), "IVF64,Flat builds");
    s.config.value("nprobe") = 1;
    s.set_held_out_query(5);
    for (int f = 0; f < 3; ++f) frame(s, ImVec2(5, 5));
    const Results& r = s.inspector.results;
    check(r.valid && r.trace != nullptr, "the query's trace is kept for the stepper");
    // The stepper: at the end, the search's answer and counts; half way, fewer.
    s.stepper_seek(size_t(-1));
    check(s.stepper.active && s.stepper.replay.best_ids == r.method_ids &&
              s.stepper.replay.counts.distances == r.stats.distances && s.stepper.replay.counts.cells == r.stats.cells,
          "the stepper ends with the search's answer and counts");
    s.stepper_seek(0);
    s.stepper_step();
    check(s.stepper.replay.position() >= 1 && s.stepper.replay.counts.distances < r.stats.distances,
          "one step shows less than the whole search");
    s.stepper.playing = true;
    for (int f = 0; f < 5; ++f) frame(s, ImVec2(5, 5));
    check(s.stepper.replay.position() > 1, "Play advances over frames");
    s.stepper_stop();
    // Why missed, on a query that misses at nprobe = 1 (the first of the first 50 that does).
    size_t q = 0;
    for (; q < 50; ++q) {
      s.set_held_out_query(q);
      frame(s, ImVec2(5, 5));
      if (!s.inspector.results.misses.empty()) break;
    }
    check(q < 50, "some query misses a true neighbour at nprobe = 1");
    if (q < 50) {
      const MissReason m = s.inspector.results.misses[0];  // a copy: the next search replaces the list
      check(m.stage == "cell" && !m.fix.empty() && m.fix[0].first == "nprobe",
            "IVF's miss is its cell's rank with an nprobe that finds it (" + m.sentence + ")");
      s.focus_miss = 0;
      frame(s, ImVec2(5, 5));
      const auto& lg = s.map.legend;
      check(std::find(lg.begin(), lg.end(), std::string("the missed neighbour and where it was lost")) != lg.end(),
            "a clicked reason is shown on the map");
      s.config.value("nprobe") = double(m.fix[0].second);
      s.run_search();
      const auto& ids = s.inspector.results.method_ids;
      check(std::find(ids.begin(), ids.end(), m.id) != ids.end(),
            "the nprobe it names finds that neighbour (" + m.sentence + "; searched with nprobe " +
                std::to_string(s.search_params().nprobe.value_or(-1)) + ")");
    }
    // A link to the index on screen, with another query or nprobe, opens without building it again
    // and searches with the link's nprobe, even where the query is the same; another seed builds.
    {
      const std::string link = "v=1&data=fashion-mnist&space=cnn64&layout=umap&index=IVF64,Flat&k=10&";
      const uint64_t started = s.builds_started;
      for (const auto& [rest, cells] : {std::pair{"seed=1&nprobe=3&q=h7", 3u}, std::pair{"seed=1&nprobe=5&q=h7", 5u}}) {
        check(s.open_view(link + rest).is_ok(), "a link to the index on screen opens");
        for (int f = 0; f < 2000 && s.view_pending(); ++f) frame(s, ImVec2(5, 5));
        check(s.builds_started == started && s.error.empty() && s.inspector.query.source == "held-out query 7" &&
                  s.inspector.results.valid && s.inspector.results.stats.cells == cells,
              std::string("... without building it again, searched with ") + rest + " (" + std::to_string(s.builds_started - started) +
                  " builds, " + std::to_string(s.inspector.results.stats.cells) + " cells" + s.error + ")");
      }
      check(s.open_view(link + "seed=2&nprobe=3&q=h7").is_ok(), "a link with another seed opens");
      for (int f = 0; f < 2000 && s.view_pending(); ++f) frame(s, ImVec2(5, 5));
      check(s.builds_started == started + 1 && s.error.empty() && s.config.build_params().seed == 2 && s.inspector.results.valid,
            "and builds (" + s.error + ")");
    }
    // Side by side: IVF pinned, HNSW built; two panes of one size share the view.
    check(s.pin_index().is_ok() && !s.index && s.pinned.size() == 1, "the built index is pinned");
    // (--quick, the sanitizer build: Flat beside it, not HNSW's 60,000 inserts.)
    check(s.build_spec(quick ? "Flat" : "HNSW16", "").is_ok(), "a second index builds beside it");
    s.set_held_out_query(3);
    for (int f = 0; f < 3; ++f) frame(s, ImVec2(5, 5));
    check(s.map.pane_rects.size() == 8 && s.map.pane_rects[2] == s.map.pane_rects[6] &&
              s.map.pane_rects[3] == s.map.pane_rects[7] && s.map.pane_rects[4] > s.map.pane_rects[0],
          "two panes side by side, of one size");
    check(s.pinned[0].inspector.results.valid && s.pinned[0].query_serial == s.inspector.query.serial,
          "the pinned index answered the same query");
    // A drag in the second pane pans both (one MapView).
    const float cx = s.map.cx;
    const ImVec2 p0(s.map.pane_rects[4] + 0.5f * s.map.pane_rects[6], s.map.pane_rects[5] + 0.5f * s.map.pane_rects[7]);
    ImGuiIO& io = ImGui::GetIO();
    frame(s, p0);
    io.AddMouseButtonEvent(0, true);
    frame(s, p0);
    for (int i = 1; i <= 5; ++i) frame(s, ImVec2(p0.x + 12.0f * float(i), p0.y));
    io.AddMouseButtonEvent(0, false);
    frame(s, ImVec2(p0.x + 60, p0.y));
    check(s.map.cx < cx, "a drag in the second pane pans the shared view (" + std::to_string(cx) + " -> " +
                              std::to_string(s.map.cx) + ")");
  }
  {
    // A person's own file: the layout is computed in steps; above the page's cap it is refused.
    AppState s;
    annlab::Dataset ds = annlab::make_gaussian_blobs(1200, 8, 5, 1.0, 3).value();
    ds.name = "blobs8.fvecs";
    check(s.load_user_data(ds).is_ok(), "an 8-d file loads");
    s.layout_cap = 1000;
    const Status refused = s.set_map_kind(LabData::MapKind::Layout);
    check(!refused.is_ok() && refused.message().find("over this page's limit of 1000") != std::string::npos &&
              s.data()->map_kind == LabData::MapKind::Pca,
          "a layout over the cap is refused with the reason (" + refused.message() + ")");
    s.layout_cap = 20000;
    check(s.set_map_kind(LabData::MapKind::Layout).is_ok() && s.layout_pending(), "a layout starts in steps");
    int frames_taken = 0;
    while (s.layout_pending() && frames_taken < 5000) frame(s, ImVec2(5, 5)), ++frames_taken;
    check(!s.layout_pending() && s.data()->map_kind == LabData::MapKind::Layout && frames_taken >= 2,
          "the layout finished over " + std::to_string(frames_taken) + " frames");
    auto direct = annlab::compute_layout(s.data()->base_view(), annlab::LayoutParams{});
    check(direct.is_ok() && direct.value() == s.data()->base_xy, "stepped and one-call layouts are identical");
  }
  ImGui::DestroyContext();
  std::printf("ui smoke: %d passed, %d failed\n", passed, failed);
  return failed ? 1 : 0;
}
