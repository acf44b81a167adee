// app/app_state.h — the lab: a data source (data_source.h), the build job and its index, and a
// query inspector (query_inspector.h), and the actions that change them. No drawing here:
// the panels (panel_*.cpp) read and change an AppState; the platform files only run frames.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "annlab/dataset.h"
#include "annlab/index.h"
#include "annlab/factory.h"
#include "annlab/params.h"
#include "annlab/registry.h"
#include "annlab/vector_store.h"
#include "build_job.h"
#include "data_source.h"
#include "evaluation.h"
#include "query_inspector.h"

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
  int table = 0;                    // LSH table whose hyperplanes are drawn; HNSW layer whose edges are drawn
  bool planes = true;               // draw the method's structure (hyperplanes, cells, splits, edges, codebooks)
  bool by_cell = true;              // IVF: colour points by their cell instead of their label
  std::vector<std::string> legend;  // the last frame's legend: every kind of mark drawn, then the colours
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
  void start_build();
  // Spends up to budget_ms on the running build; installs the index when it finishes.
  void step_build(double budget_ms);
  // Builds synchronously (the JS API and tests): the configured index, or any factory description
  // with build parameters "name=value ..." (the Index panel then shows it).
  Status build_now();
  Status build_spec(const std::string& spec, const std::string& params);
  // Makes a loaded index (already checked against the data) the lab's index.
  void adopt_index(std::unique_ptr<Index> loaded) {
    pending_request_.clear();  // not built from the panel: nothing to compare it with
    install_index(std::move(loaded), 0.0);
  }

  // Evaluate: the built index with the current search parameters over the first n held-out queries
  // (stepped between frames by step_evaluation).
  Evaluation evaluation;
  int eval_queries = 200;
  void start_evaluation();
  void step_evaluation(double budget_ms);

  // The query: set it (then it is searched), search it again after a change.
  void set_query(std::vector<float> vec, std::string source, int64_t self_id = -1);
  void set_query_from_map(float x, float y);  // 2-D: the point itself; images: the nearest base point
  void set_held_out_query(size_t i);
  void pick_random_query();
  void run_search();

  // Shown in the UI when something went wrong (the app keeps running).
  std::string error;
  // Frames drawn, for tests.
  uint64_t frame = 0;

 private:
  void install_index(std::unique_ptr<Index> built, double seconds);
  // A new data set: forgets everything built on the previous one.
  void on_new_data();
  std::string pending_request_;  // build_request() when the running build started
};

}  // namespace annlab::app
