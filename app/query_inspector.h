// app/query_inspector.h — one query looked at closely: the exact answer, the method's answer with
// its distances, statistics and timing, the trace of the search (candidates, probed cells and
// buckets, visited nodes) and the per-method views (PQ's table, the query's code, tokens). It reads
// a data set and an index; it builds nothing.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "annlab/index.h"
#include "annlab/status.h"
#include "annlab/why_missed.h"
#include "data_source.h"

namespace annlab::app {

// A wall time as the lab reports it: the median of at least 5 samples taking at least 10 ms in
// all (each sample enough repeats to last 10 clock ticks), after one run that is not counted;
// `too_fast` when even 4,096 repeats stay under 10 ticks of the clock (about 100 us in a page
// without cross-origin isolation).
struct Timing {
  bool valid = false;
  bool too_fast = false;
  double median_us = 0;  // per run
  size_t runs = 0;       // runs timed
};
// "412 us (median of 24 runs)", or "too fast to time (clock: 100 us)".
std::string timing_text(const Timing& t);
// The smallest step of the clock the lab times with, in microseconds (measured once).
double clock_resolution_us();

struct QueryState {
  bool set = false;
  std::vector<float> vec;       // in the data's space
  std::vector<float> image;     // the query as an image (h * w pixels) when the data are images, else empty
  float xy[2] = {0, 0};
  std::string source;          // "held-out query 17", "base point 123", "clicked at (x, y)"
  int64_t self_id = -1;        // base id when the query is a base point
  int64_t held_out = -1;       // its number when the query is a held-out query
  bool clicked = false;        // a point clicked on a 2-D map (xy is the query)
  uint64_t serial = 0;         // increases with every query set
};

struct Results {
  bool valid = false;
  size_t k = 10;
  std::vector<int64_t> exact_ids, method_ids;
  std::vector<float> exact_dist, method_dist;  // method_dist: what the method reports (method_kind)
  DistanceKind method_kind = DistanceKind::SquaredL2;
  std::vector<float> method_true;             // the exact squared distance of each returned id
  QueryStats stats;
  Timing exact_time, method_time;     // wall time of the exact scan and of the method's search
  int64_t self_excluded = -1;         // a base point as the query: this id, left out of both answers
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
  // The learned router: layer 1's probability of every cell, layer 2's pick in each probed cell,
  // and IVF on the same cells and lists (nearest centroid first, the same nprobe) beside it.
  std::vector<float> cell_probs;
  std::vector<Trace::MemberPick> layer2_picks;
  std::vector<int64_t> ivf_cells, ivf_ids;
  uint64_t ivf_distances = 0;
  double ivf_recall = 0;
  // The whole trace, for the stepper (trace_replay.h), and the event at which each entry above
  // happened, so the map can show the search as it stood after any event.
  std::shared_ptr<const Trace> trace;
  std::vector<uint32_t> candidate_at, cell_at, node_at, bucket_at;
  // Why each true neighbour the method did not return was missed (why_missed.h); filled when the
  // answer is timed (not while a drawing is being drawn: it re-runs the query).
  std::vector<MissReason> misses;
  uint64_t serial = 0;                // increases with every search
};

class QueryInspector {
 public:
  QueryState query;
  Results results;
  int k = 10;
  uint64_t random_seed = 99;
  // False while a drawing is being drawn: each stroke's answer shows at once, untimed (timing takes
  // 10 ms or more per answer); the stroke's last answer is timed.
  bool timed = true;

  // Forgets the query and its results (a new data set).
  void reset();
  // Sets the query (a vector of the data's dimension; false otherwise), with the image it is of
  // (raw pixels: the vector itself when not given). The caller then runs().
  bool set(const LabData& d, std::vector<float> vec, std::string source, int64_t self_id = -1,
           std::vector<float> image = {});
  bool set_held_out(const LabData& d, size_t i);
  bool set_random(const LabData& d);
  // Base point `id` as the query (left out of both answers: it would find itself).
  bool set_base(const LabData& d, size_t id);
  // 2-D data: the clicked point itself; images: the nearest base point.
  bool set_from_map(const LabData& d, float x, float y);
  // Searches the query exactly and, when there is one, with `index` (its structure for the
  // per-method views) and `params`; results stay invalid on error.
  Status run(const LabData& d, const Index* index, const Structure* structure, const SearchParams& params);
  // The exact squared distance from the query to base point id.
  float distance_to(const LabData& d, size_t id) const;
  // The exact k nearest of the query among the base points with this label (the truth of a filtered query).
  void exact_with_label(const LabData& d, size_t k, int label, SearchResult* out) const;

 private:
  uint64_t random_draws_ = 0;
  uint64_t query_serial_ = 0;
  // The exact answer of the current query (it does not change with the method's parameters).
  struct ExactCache {
    uint64_t query_serial = 0;
    size_t k = 0;
    int64_t label = -2;
    SearchResult answer;
    Timing time;
  } exact_cache_;
};

}  // namespace annlab::app
