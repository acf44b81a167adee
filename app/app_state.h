// app/app_state.h — everything the lab shows, and the actions that change it. No drawing here:
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
#include "asset_manifest.h"
#include "build_job.h"

namespace annlab::app {

enum class DataKind { Blobs2D = 0, FashionMnist = 1, Mnist = 2, User = 3 };
const char* data_kind_name(DataKind k);

// A data set as the lab uses it: base vectors, held-out queries, and 2-D map coordinates.
struct LabData {
  DataKind kind = DataKind::Blobs2D;
  std::string name;
  // Base labels and image shape (its vectors live in `exact`, once), and the held-out queries.
  Dataset base, queries;
  std::unique_ptr<Index> exact;       // Flat over the base: the ground truth and the vector store
  VectorView base_view() const;
  // The base vectors as a shared handle: every index that computes exact distances reads these
  // instead of its own copy (Refinable), and an index file may refer to them.
  std::shared_ptr<const VectorStore> base_store() const;
  std::vector<float> base_xy, query_xy;  // n * 2 map coordinates
  std::vector<float> pca_mean, pca_axes;  // image data: d and 2 * d, to place any query on the map
  bool images() const { return base.image_h != 0; }
  std::vector<std::string> classes;  // the name of each label (the bundled sets), else empty
  // "Bag" for a named class, else "label 8".
  std::string class_name(int label) const {
    return label >= 0 && size_t(label) < classes.size() ? classes[size_t(label)] : "label " + std::to_string(label);
  }
  // Map coordinates of a vector (the vector itself for 2-D data).
  void project(const float* v, float* xy) const;
};

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
};

struct QueryState {
  bool set = false;
  std::vector<float> vec;
  float xy[2] = {0, 0};
  std::string source;          // "held-out query 17", "base point 123", "clicked at (x, y)"
  int64_t self_id = -1;        // base id when the query is a base point
};

struct Results {
  bool valid = false;
  size_t k = 10;
  std::vector<int64_t> exact_ids, method_ids;
  std::vector<float> exact_dist, method_dist;  // method_dist: what the method reports (method_kind)
  DistanceKind method_kind = DistanceKind::SquaredL2;
  std::vector<float> method_true;             // the exact squared distance of each returned id
  QueryStats stats;
  double exact_us = 0, method_us = 0;
  double recall = 0;                  // recall@k with the tie rule
  std::vector<int64_t> candidates;    // ids whose distance the method computed (from explain)
  std::vector<int64_t> probed_cells;  // IVF: cells in probe order
  std::vector<int64_t> visited_nodes; // trees and graphs: nodes in visit order
  std::vector<uint32_t> visited_layers;  // HNSW: the layer of each visit (the greedy path is layer > 0)
  std::vector<float> pq_table;        // PQ: the query's M x 256 lookup table
  size_t pq_m = 0;
  std::vector<uint64_t> query_keys;   // LSH, E2LSH: the query's key in every table
  std::vector<std::pair<uint32_t, uint64_t>> probed_buckets;  // LSH, E2LSH: (table, key) in probe order
  std::vector<int32_t> query_tokens;  // Tokens: the query's centroid in each sub-space (-1: term not kept)
  std::vector<uint8_t> shared_tokens; // Tokens: kept query terms each base point shares
  bool filtered = false;              // the exact answer is restricted to the label filter
  std::vector<uint64_t> query_code;   // SimHash, ITQ: the query's code
  size_t code_bits = 0;
  std::vector<float> hamming_hist;    // SimHash, ITQ: how many codes lie at each Hamming distance
  std::vector<uint32_t> hamming_true; // SimHash, ITQ: Hamming distance of each exact neighbour
  uint64_t serial = 0;                // increases with every search
};

// How the map is panned and zoomed, and what it overlays.
struct MapView {
  float cx = 0, cy = 0, scale = 1;  // world point at the centre, pixels per world unit
  uint64_t fitted_serial = 0;       // data_serial the view was last fitted to (0: refit)
  int table = 0;                    // LSH table whose hyperplanes are drawn; HNSW layer whose edges are drawn
  bool planes = true;               // draw the method's structure (hyperplanes, cells, splits, edges, codebooks)
  bool by_cell = true;              // IVF: colour points by their cell instead of their label
};

class AppState {
 public:
  AppState();
  // Where the bundled data sets are ("assets/data/" natively, "/assets/" in the browser).
  std::string assets_dir = "assets/data/";
  // Platform hook: true when the named asset file can be read now; the web platform starts a
  // download and answers false until it has arrived. Natively: always true.
  std::function<bool(const std::string& file)> asset_ready = [](const std::string&) { return true; };

  // Data.
  DataKind wanted_kind = DataKind::Blobs2D;
  int blob_n = 2000, blob_centers = 8;
  uint64_t blob_seed = 7;
  std::unique_ptr<LabData> data;
  uint64_t data_serial = 0;  // increases with every data set loaded
  MapView map;
  std::string data_status;  // "loading MNIST...", or an error
  // Starts (or completes) loading `kind`; returns false while assets are still arriving.
  bool load_data(DataKind kind);
  void poll_pending_load();
  // Makes a person's own vectors the data set (labels optional): up to 1,000 of them, drawn with a
  // fixed seed, are also the held-out queries; the map is the data itself (d <= 2) or its 2-D PCA.
  // On error the previous data set stays.
  Status load_user_data(Dataset ds);
  bool load_pending() const { return pending_load_; }

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
  double build_seconds = 0;
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

  // Query and results.
  QueryState query;
  Results results;
  int k = 10;
  uint64_t random_seed = 99;
  void set_query(std::vector<float> vec, std::string source, int64_t self_id = -1);
  void set_query_from_map(float x, float y);  // 2-D: the point itself; images: the nearest base point
  void set_held_out_query(size_t i);
  void pick_random_query();
  void run_search();
  // The exact squared distance from the query to base point id.
  float query_distance(size_t id) const;
  // The exact k nearest of the query among the base points with this label (the truth of a filtered query).
  void exact_with_label(size_t k, int label, SearchResult* out) const;

  // Shown in the UI when something went wrong (the app keeps running).
  std::string error;
  // Frames drawn, for tests.
  uint64_t frame = 0;

 private:
  void install_index(std::unique_ptr<Index> built, double seconds);
  // Makes `d` the data set and forgets everything built on the previous one.
  void install_data(std::unique_ptr<LabData> d);
  std::string pending_request_;  // build_request() when the running build started
  std::unique_ptr<AssetManifest> manifest_;  // read on the first bundled data set
  bool pending_load_ = false;
  DataKind pending_kind_ = DataKind::Blobs2D;
  uint64_t random_draws_ = 0;
};

}  // namespace annlab::app
