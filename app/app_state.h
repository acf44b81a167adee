// app/app_state.h — the lab: a data source (data_source.h), the build job and its index, and a
// query inspector (query_inspector.h), and the actions that change them. No drawing here:
// the panels (panel_*.cpp) read and change an AppState; the platform files only run frames.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "annlab/dataset.h"
#include "annlab/index.h"
#include "annlab/model.h"
#include "annlab/factory.h"
#include "annlab/params.h"
#include "annlab/registry.h"
#include "annlab/trace_replay.h"
#include "annlab/vector_store.h"
#include "build_job.h"
#include "data_source.h"
#include "draw_pad.h"
#include "evaluation.h"
#include "query_inspector.h"
#include "view_link.h"

namespace annlab::app {

// What the Index panel is set to: a method of the registry (registry.h) and, for every method, the
// numbers of its pattern and the values of its parameters, so switching methods keeps each one's
// settings. Everything here is derived from the method's row; nothing is per method by hand.
struct IndexConfig {
  IndexConfig();
  size_t method = 0;  // row of method_registry()
  const MethodInfo& info() const;
  // Selects the row named `name` ("IVFPQ"); false when there is none.
  bool select(std::string_view name);
  std::vector<std::vector<int64_t>> args;       // [row][pattern number]
  std::vector<std::vector<double>> build_vals;  // [row][row.build index]
  std::vector<std::vector<double>> search_vals; // [row][row.search index]
  std::vector<std::string> model;               // [row] the model file (model=), empty: the method's default
  // The current method's pattern number / parameter by name (tests and the JS API).
  int64_t& arg(std::string_view name);
  double& value(std::string_view name);
  std::string spec() const;       // factory description
  std::string params() const;     // build parameters as "name=value ..."
  BuildParams build_params() const;
  SearchParams search_params() const;
  // Makes the panel show `spec` with `bp` (a built or loaded index's description).
  void set_from(const IndexSpec& spec, const BuildParams& bp);
  // Numbers that must divide the dimension (PQ's M, Tokens' g) become the nearest divisor of d at
  // or below them, in every row: the defaults follow the data.
  void fit_to(size_t d);
};

// How the map is panned and zoomed, and what it overlays.
struct MapView {
  float cx = 0, cy = 0, scale = 1;  // world point at the centre, pixels per world unit
  uint64_t fitted_serial = 0;       // data_serial the view was last fitted to (0: refit)
  size_t fitted_panes = 1;          // side by side: the panes it was fitted for
  int table = 0;                    // LSH table whose hyperplanes are drawn; HNSW layer whose edges are drawn
  bool planes = true;               // draw the method's structure (hyperplanes, cells, splits, edges, codebooks)
  bool by_cell = true;              // IVF: colour points by their cell instead of their label
  bool by_structure = false;        // other methods: by their leaf, bucket, token, PQ code or code bits
  // The data's extent on the map (set when fitted) and the map area's size (the last frame): the
  // zoom of a link is relative to the fitted view, so it frames the same on any screen.
  float data_w = 1, data_h = 1;
  float width = 0, height = 0, left = 0, top = 0;  // the map area, in display pixels
  float fit_scale() const;
  float zoom() const { return fit_scale() > 0 ? scale / fit_scale() : 1.0f; }
  // A framing to take on the next frame (from a link): centre and zoom.
  bool want_view = false;
  float want_cx = 0, want_cy = 0, want_zoom = 1;
  bool capture_png = false;  // save the map area as a PNG after this frame is drawn (the platform does)
  std::vector<std::string> legend;  // the last frame's legend: every kind of mark drawn, then the colours
  std::vector<float> pane_rects;    // the last frame's panes (side by side): x, y, width, height each
};

class AppState {
 public:
  AppState();
  // The three parts of the lab: where the data comes from, the index being built (config, job,
  // index, structure below), and the query looked at.
  DataSource source;
  QueryInspector inspector;
  const LabData* data() const { return source.data.get(); }
  MapView map;
  // Loads a data set through the source; a new one resets the index and the query.
  bool load_data(DataKind kind);
  void poll_pending_load();
  Status load_user_data(Dataset ds);
  bool load_pending() const { return source.pending(); }

  // Index.
  IndexConfig config;
  // The panel's build request: its description and build parameters (not the search ones).
  std::string build_request() const;
  BuildJob job;
  std::unique_ptr<Index> index;   // the last finished build
  std::unique_ptr<Structure> structure;  // its explain structure (hyperplanes, keys)
  IndexSpec built;                // what `index` is (its row and numbers)
  // What the panel asked for when the index was built (description as written, e.g. "LSHx4", and
  // its build parameters), to tell whether the panel has changed since.
  std::string built_request;
  std::string index_info;         // description, memory, build time
  // The search parameters the search runs with: the controls of the built index's own method,
  // bounded by the built index's numbers (nprobe <= its nlist), whatever the panel is set to build next.
  SearchParams search_params() const;
  // True when the panel's method, numbers or build parameters differ from the built index's.
  bool build_changed() const;
  // When the map and results show another index than the panel is set to: says which, and that
  // the panel's is not built; empty otherwise.
  std::string stale_note() const;
  double build_seconds = 0;       // wall time from Build to the finished index
  double build_work_seconds = 0;  // the part of it spent building (the rest: frames drawn between steps)
  double last_work_ms = 0;        // what the last frame's steps of long work took (the next budget)
  Status start_build();  // the panel's index, in steps (an error now when it cannot be made)
  void cancel_build();
  // Spends up to budget_ms on the running build; installs the index when it finishes.
  void step_build(double budget_ms);
  // Builds synchronously (the JS API and tests): the configured index, or any factory description
  // with build parameters "name=value ..." (the Index panel then shows it).
  Status build_now();
  Status build_spec(const std::string& spec, const std::string& params);
  // Makes a loaded index (already checked against the data) the lab's index.
  void adopt_index(std::unique_ptr<Index> loaded) {
    pending_request_.clear();  // not built from the panel: nothing to compare it with
    pending_spec_.clear();     // nor a link to rebuild it from
    install_index(std::move(loaded), 0.0);
  }

  // The stepper: the query's trace (Results::trace) replayed on the map event by event, with play,
  // pause, step and speed. While it is on, the map shows the search as it stood after `pos` events:
  // the candidates, cells, buckets and nodes so far, and the current best k beside the true k.
  struct Stepper {
    bool active = false, playing = false;
    float speed = 0;   // events per second; 0: the whole trace in about 8 seconds
    double pos = 0;    // events replayed (fractional while playing)
    uint64_t results_serial = 0;
    TraceReplay replay;
    size_t cutoff() const { return active ? size_t(pos) : size_t(-1); }
  } stepper;
  void stepper_start();                 // at the first event, paused
  void stepper_stop();
  void stepper_seek(size_t pos);
  // One step: the next event, where a run of code comparisons (PQ look-ups, Hamming distances)
  // counts as one step.
  void stepper_step();
  void step_stepper(double dt_seconds);  // every frame: plays, and follows a new query's trace
  // The "why missed" entry a person clicked (index into Results::misses), highlighted on the map.
  int focus_miss = -1;

  // Side by side: up to three built indexes pinned beside the current one, each searched with the
  // same query (and its own search parameters as they were when pinned). The map splits into one
  // pane per index with one shared view (pan and zoom move them all); the Results panel compares
  // their answers and costs in one table.
  struct Pinned {
    std::string title;           // "IVF64,Flat nprobe=4"
    std::unique_ptr<Index> index;
    std::unique_ptr<Structure> structure;
    SearchParams params;
    QueryInspector inspector;    // its own exact cache; the query is the lab's
    uint64_t query_serial = 0, k = 0;  // what its results are of
  };
  static constexpr size_t kMaxPinned = 3;
  std::vector<Pinned> pinned;
  // Moves the built index to the side (the next build is the current one); an error when there is
  // none, or kMaxPinned are pinned already.
  Status pin_index();
  void unpin(size_t i);
  // Searches every pinned index with the current query when it changed.
  void refresh_pinned();
  std::string index_title() const;  // the current index with its search parameters

  // The map: the 2-D PCA or the layout that keeps neighbours together (data of more than two
  // dimensions). The bundled sets ship their layout; for a person's own file it is computed in
  // steps between frames (step_layout), single-threaded and seeded like `annlab layout`, up to
  // layout_cap points (the page: kWebLayoutCap; above it the request is refused with the reason).
  static constexpr size_t kWebLayoutCap = 20000;
  size_t layout_cap = size_t(-1);
  Status set_map_kind(LabData::MapKind k);
  void step_layout(double budget_ms);
  bool layout_pending() const { return layout_task_.valid(); }
  void cancel_layout();
  std::string layout_stage;     // what the running layout is doing
  double layout_fraction = 0;
  double layout_seconds = 0;    // wall time of the last layout computed here (0: shipped)
  // Puts the query's map position right after the map changed.
  void replace_query_on_map();

  // Evaluate: the built index with the current search parameters over the first n held-out queries
  // (stepped between frames by step_evaluation).
  Evaluation evaluation;
  int eval_queries = 200;
  void start_evaluation();
  void step_evaluation(double budget_ms);

  // The query: set it (then it is searched), search it again after a change.
  void set_query(std::vector<float> vec, std::string source, int64_t self_id = -1, std::vector<float> image = {});
  void set_query_from_map(float x, float y);  // 2-D: the point itself; images: the nearest base point
  void set_held_out_query(size_t i);
  void pick_random_query();
  // Searches the query again. For an index whose codes are computed elsewhere (NPhash in the page)
  // the query is first encoded by the page's model runtime, across frames (step_query): the
  // results panel says so meanwhile, and shows the encoder's own time beside the search's.
  void run_search();
  void step_query();
  bool query_pending() const { return query_prep_.valid(); }
  std::string query_stage;     // what the query's encoding is doing, while query_pending()
  double query_encode_ms = 0;  // the page's model runtime's time for the query (median of repeats), 0: none

  // The drawing pad (image data): while it is shown, every change of its picture becomes the query,
  // put in the data's space (raw pixels as they are; PCA-N by its basis; a learned space by its
  // model: ONNX Runtime natively at once, ONNX Runtime Web in the page across frames). step_pad()
  // every frame does it; each answer shows untimed at once, and the stroke's last one is timed on the
  // next frame (timing takes 10 ms or more).
  DrawPad pad;
  static constexpr const char* kDrawingQuery = "your drawing";  // the query's source while it is the drawing
  bool show_pad = false;
  void step_pad();
  std::string pad_status;       // how the drawing is put in the space, or why it cannot be
  double pad_embed_ms = 0;      // the model's time for the last drawing (the runtime's own; 0: no model)
  double pad_latency_ms = 0;    // from the last change of the picture to its results (wall time)
  uint64_t pad_searched = 0;    // the pad's serial whose picture the results are of
  // The drawing as a query in the data's space, or why not (not images; a space without a basis).
  // `*later`: the space's model answers later (the page): step_pad picks it up.
  Status pad_query_now(bool* later);

  // Builds `spec` with build parameters "name=value ..." in steps between frames, like the Build
  // button (the panel then shows it): an error now if the description or a parameter is bad.
  Status start_build_spec(const std::string& spec, const std::string& params);
  // Every build started (button, JS API, link) takes a ticket; builds_done is the last ticket that
  // ended, and build_outcome says how ("" when it built, else the error).
  uint64_t builds_started = 0, builds_done = 0;
  std::string build_outcome;

  // Files in. A dropped file by what it is: an .annlab index file (for the current data set); a
  // labels file (one integer per row, as many as the data set's rows: annlab/io.h load_labels);
  // otherwise vectors. The error names the file; nothing changes on error.
  Status load_dropped(const std::string& path);
  // load_dropped as the drop handlers call it: an error about an index file goes to `error` (the
  // Index panel), one about vectors or labels to `data_error` (the Data panel).
  Status drop_file(const std::string& path);
  std::string data_error;  // the last file of vectors or labels that could not be loaded, and why
  Status load_index_file(const std::string& path);
  // A dropped .onnx file: the model of the learned binary encoder (NPhash's row), built on Build.
  Status use_model_file(const std::string& path);
  Status load_labels_file(const std::string& path);
  Status set_labels(const std::vector<int32_t>& labels, const std::string& from);

  // Files out, through the platform's hook (natively: written to out_dir; in the browser: a
  // download); file_note says what was saved.
  std::function<Status(const std::string& name, const std::vector<uint8_t>& bytes)> save_file;
  std::string out_dir = ".";
  // Where a learned method's default model is: <models_dir><method><bits>.json ("models/nphash64.json").
  std::string models_dir = "models/";
  std::string file_note;
  bool save_embeds_base = false;  // save_index: write the base vectors into the file (standalone)
  Status save_index();        // the built index, standalone (its base vectors in the file)
  Status save_results_csv();  // the results table
  // The map area's pixels (RGBA, top row first) as a PNG, called by the platform after drawing.
  Status save_map_png(int width, int height, const std::vector<uint8_t>& rgba);
  std::string file_stem() const;  // "annlab-fashion-mnist-LSH12x8"

  // The view as a link (view_link.h): the data set, the built index and its controls, k, the
  // query and the map. An error for a person's own file (it cannot travel in a link).
  Result<ViewLink> current_view() const;
  // Opens a link: loads its data set, builds its index in steps, then sets the query and the map
  // (advance_view, every frame). A bad link changes nothing and returns the error.
  Status open_view(std::string_view query);
  void advance_view();
  bool view_pending() const { return view_stage_ != 0; }
  // Platform hook: the link to show and copy for a view's query part (the page's address in the
  // browser; an annlab-lab command natively).
  std::function<std::string(const std::string& query)> link_of = [](const std::string& q) {
    return "annlab-lab --view '" + q + "'";
  };

  // What the last frame's layout hid (tests): pixels each panel would need to scroll, and the
  // method list's (when it was open).
  struct Layout {
    float data_hidden = 0, index_hidden = 0, map_hidden = 0, results_hidden = 0;
    bool method_list_open = false;
    float method_list_hidden = 0;
    float method_list_x = 0, method_list_y = 0;  // where to click to open it
    float pad_x = 0, pad_y = 0, pad_cell = 0;     // the drawing pad's top-left corner and pixel size
  } layout;

  // Shown in the UI when something went wrong (the app keeps running).
  std::string error;
  // Frames drawn, for tests.
  uint64_t frame = 0;

 private:
  void install_index(std::unique_ptr<Index> built, double seconds);
  // A new data set: forgets everything built on the previous one.
  void on_new_data();
  // Before the index goes away: a query being encoded by it stops (its model run is cancelled).
  void drop_query_prep() { query_prep_ = TrainTask(); }
  void run_search_now();
  TrainTask query_prep_;
  // The drawing pad's model (a learned space): opened in steps, then one run per picture.
  std::unique_ptr<Model> pad_model_;
  std::string pad_model_path_;
  TrainTask pad_open_;
  uint64_t pad_run_ = 0, pad_run_serial_ = 0;
  bool pad_run_final_ = false;
  std::vector<float> pad_in_, pad_out_;
  std::chrono::steady_clock::time_point pad_run_started_;
  bool pad_time_pending_ = false;  // the stroke's last answer is shown: time it on the next frame
  void pad_search(std::vector<float> vec, bool final_stroke);
  TrainTask layout_task_;
  std::vector<float> layout_xy_;
  uint64_t layout_data_serial_ = 0;
  std::chrono::steady_clock::time_point layout_started_;
  std::string pending_request_;  // build_request() when the running build started
  std::string pending_spec_, built_spec_;            // the description as the panel wrote it
  std::vector<double> pending_build_vals_, built_build_vals_;  // the build controls' values
  void end_build(const std::string& outcome);
  // A description and "name=value ..." build parameters, checked (search parameters refused).
  struct BuildRequest {
    IndexSpec spec;
    BuildParams params;
  };
  static Result<BuildRequest> parse_build_request(const std::string& spec, const std::string& params);
  BuildParams with_default_model(const std::string& spec, BuildParams bp) const;
 public:
  // A learned method's own model: models_dir + "<name lowercased><first number>.json".
  std::string default_model_path(const MethodInfo& m, int64_t first_arg) const;
 private:
  Status build_spec_now(const std::string& spec, const std::string& params);
  uint64_t view_ticket_ = 0;
  std::string loaded_from_;  // the index file being adopted (for index_info)
  ViewLink view_;      // the link being opened
  int view_stage_ = 0; // 0: none; 1: waiting for the data; 2: waiting for the build
};

}  // namespace annlab::app
