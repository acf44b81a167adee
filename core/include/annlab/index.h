// annlab/index.h — the interface every method shares.
//
// A narrow Index: train / add row-major vectors, batch search with a per-call SearchParams,
// per-query statistics, memory used, a description the factory parses back. Optional
// capabilities are separate interfaces queried with as_explainable / as_serializable /
// as_filterable:
//   Explainable   the structure to draw (in the data's own coordinates) and the ordered trace of
//                 one query's events, so the lab draws and animates every method the same way;
//   Serializable  save / load in annlab's versioned, checksummed index file (index_io.h);
//   Filterable    takes the labels of its vectors, to filter a search by label;
//   Refinable     computes exact distances (a scan, or the `rerank` of coded candidates) from
//                 full vectors it can share with the caller instead of holding its own copy.
// Which search parameters an index takes is said by its method's registry row (registry.h).
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "annlab/dataset.h"
#include "annlab/params.h"
#include "annlab/status.h"
#include "annlab/structure.h"
#include "annlab/train_task.h"

namespace annlab {

class BinaryReader;
class BinaryWriter;
class BaseVectors;
class VectorStore;
class IndexWrapper;
struct MethodInfo;

// What the distances of a result are.
enum class DistanceKind : uint8_t {
  SquaredL2 = 0,           // exact squared Euclidean distance, smaller is nearer
  EstimatedSquaredL2 = 1,  // squared L2 estimated from compressed codes (PQ's ADC), smaller is nearer
  Hamming = 2,             // bits that differ between binary codes, smaller is nearer
  Score = 3,               // a relevance score (BM25, TF-IDF), LARGER is better; rows are best first
};
// "squared L2", "estimated squared L2", "Hamming", "score".
const char* distance_kind_name(DistanceKind k);

// What one query cost.
struct QueryStats {
  uint64_t distances = 0;   // full-precision distances computed
  uint64_t candidates = 0;  // distinct candidates considered
  uint64_t buckets = 0;     // hash buckets opened
  uint64_t cells = 0;       // partition cells probed
  uint64_t nodes = 0;       // tree or graph nodes visited
  QueryStats& operator+=(const QueryStats& o);
};

// Results of a batch search: row q holds the k nearest found for query q, best first; missing
// entries have id -1 and distance +inf (-inf for a score). `kind` says what the distances are.
struct SearchResult {
  size_t nq = 0;
  size_t k = 0;
  DistanceKind kind = DistanceKind::SquaredL2;
  std::vector<int64_t> ids;      // nq * k
  std::vector<float> distances;  // nq * k
  std::vector<QueryStats> stats;  // nq
  QueryStats total() const;
};

enum class TraceKind : uint8_t {
  BucketOpened = 0,      // table, id = bucket key, value = bucket size
  CellProbed = 1,        // id = cell, value = distance to its centroid
  NodeVisited = 2,       // table = layer, id = node
  DistanceComputed = 3,  // id = vector id, value = its full-precision squared distance
  TopKChanged = 4,       // id = vector id that entered the top-k, table = its rank, value = distance
  CodeCompared = 5,      // id = vector id, value = what its code gives (PQ's estimate, a Hamming
                         // distance): no full-precision distance was computed
  CellsRanked = 6,       // the cells were ranked for this query: table = the distance-equivalents it
                         // cost (nearest centroid: one per cell; a learned router: its multiply-adds / d),
                         // id = the cell whose members were ranked (layer 2), -1 = every cell
};
const char* trace_kind_name(TraceKind k);

struct TraceEvent {
  TraceKind kind;
  uint32_t table;
  int64_t id;
  float value;
};

// One query, explained: the ordered events and the result they led to.
struct Trace {
  std::vector<TraceEvent> events;
  std::vector<int64_t> ids;      // k
  std::vector<float> distances;  // k
  DistanceKind kind = DistanceKind::SquaredL2;
  QueryStats stats;
  // What the method made of the query, for per-query views (empty where a method has none):
  std::vector<uint64_t> query_keys;      // LSH, E2LSH: the query's bucket key in every table
  std::vector<uint64_t> query_code;      // binary codes: the query's code, (code_bits + 63) / 64 words
  uint32_t code_bits = 0;
  std::vector<uint32_t> code_distances;  // binary codes: the Hamming distance of every indexed code to it
  std::vector<float> lookup_table;       // PQ: the query's lookup_m x (size / lookup_m) distance table
  uint32_t lookup_m = 0;
  // The learned router (Router<C>): layer 1's probability of every cell; layer 2's most probable
  // member of each probed cell (empty where layer 2 cannot be used); and the same query through
  // IVF on the same cells and lists (nearest centroid first, the same nprobe, every member).
  std::vector<float> cell_probabilities;
  struct MemberPick {
    int64_t cell = -1, id = -1;
    float probability = 0;
  };
  std::vector<MemberPick> layer2_picks;
  std::vector<int64_t> ivf_cells, ivf_ids;  // IVF's probed cells in order; its k answers
  uint64_t ivf_distances = 0;               // the distances IVF computed (centroids included)
};

class Index {
 public:
  virtual ~Index() = default;
  Index(const Index&) = delete;
  Index& operator=(const Index&) = delete;

  size_t dim() const { return d_; }
  virtual size_t size() const = 0;
  // The factory string that makes an index like this one ("Flat", "LSH12x8").
  virtual std::string describe() const = 0;
  virtual bool is_trained() const { return true; }
  // Learns what the method needs from x (n x dim); a no-op for methods that learn nothing.
  virtual Status train(const VectorView& x);
  // The same training cut into steps (train_task.h), for a caller that must stay responsive (the
  // lab in the browser); the same index results. By default a single step that calls train();
  // the k-means methods (IVF, PQ, OPQ, LOPQ, Tokens) step through their k-means. x must outlive it.
  virtual TrainTask train_task(VectorView x);
  // Appends x (n x dim); ids continue from size().
  virtual Status add(const VectorView& x) = 0;
  // Searches nq = q.n queries for their k nearest; `threads` > 1 splits the batch (native only).
  // Errors: dimension mismatch, k = 0, k > size(), untrained or empty index, NaN/Inf in q, a
  // parameter this index does not take or out of its range.
  Status search(const VectorView& q, size_t k, const SearchParams& params, SearchResult* out,
                int threads = 1) const;
  // Bytes held by the index (vectors, tables, codes).
  virtual size_t memory_bytes() const = 0;
  // True when add() rebuilds over everything (a balanced tree): callers add all vectors at once.
  virtual bool rebuilds_on_add() const { return false; }
  // What search() returns as distances with these parameters (squared L2 unless said otherwise).
  virtual DistanceKind distance_kind(const SearchParams& params) const { return DistanceKind::SquaredL2; }
  // The method's registry row (from describe(); nullptr for an index outside the registry).
  const MethodInfo* method_info() const;
  // Search parameters this index understands: its registry row's.
  std::vector<std::string_view> search_param_names() const;

  // Checks params against search_param_names() and their per-index ranges.
  virtual Status check_search_params(const SearchParams& params) const;
  // True when a part's outputs are computed elsewhere and arrive later (a model run by ONNX
  // Runtime Web in the page): prepare_task() then runs over rows before add() or search() takes them.
  virtual bool computes_elsewhere() const { return false; }
  // Whether the base needs prepare_task() before add() too (false when only queries do: the
  // learned router's cells are found by nearest centroid).
  virtual bool base_computed_elsewhere() const { return computes_elsewhere(); }
  // Computes ahead, in steps, what a part computes elsewhere for the rows of x (their codes, run by
  // the page's ONNX Runtime Web): the base before add(), a query before search() and explain. Each
  // step that waits on the page says so (TrainStep::waiting). Finishes at once for an index whose
  // parts compute everything themselves. x must outlive the task.
  virtual TrainTask prepare_task(VectorView x);
  // The outside runtime's own time for the last single row prepared (the query's encoding by ONNX
  // Runtime Web: the median of repeated runs), in ms; 0 when none was timed.
  virtual double prepared_row_ms() const { return 0; }
  // Whether every row of x can be processed now: a part whose outputs are computed elsewhere needs
  // them prepared for these rows first. Always true for an index whose parts compute everything
  // themselves.
  virtual Status check_inputs(const VectorView& x) const;
  // Shared argument checks of search and explain (check_inputs included).
  Status check_query(const VectorView& q, size_t k) const;

 protected:
  friend class IndexWrapper;  // a wrapper (core/src/index/wrapper.h) searches its inner index
  explicit Index(size_t d) : d_(d) {}
  // The shared part of every explain_query: one query, the argument checks, a Trace of k results;
  // run(trace) fills it.
  template <class Run>
  Result<Trace> explain_one(const VectorView& q, size_t k, const SearchParams& p, Run run) const {
    if (q.n != 1) return Status::error(cat("explain takes one query, got ", q.n));
    ANNLAB_TRY(check_query(q, k));
    ANNLAB_TRY(check_search_params(p));
    Trace t;
    t.ids.resize(k);
    t.distances.resize(k);
    t.kind = distance_kind(p);
    run(t);
    return t;
  }
  // Searches queries q (already checked) writing k ids / distances / stats per query.
  virtual void search_batch(const VectorView& q, size_t k, const SearchParams& params,
                            int64_t* ids, float* distances, QueryStats* stats) const = 0;

 private:
  size_t d_;
  mutable std::atomic<const MethodInfo*> method_{nullptr};
};

// ---- explain (the layers are in structure.h) -----------------------------------------------------

class Explainable {
 public:
  virtual ~Explainable() = default;
  virtual Result<Structure> explain_structure() const = 0;
  // Runs one query (q.n == 1) recording every event; same results as search().
  virtual Result<Trace> explain_query(const VectorView& q, size_t k,
                                      const SearchParams& params) const = 0;
};

class Serializable {
 public:
  virtual ~Serializable() = default;
  // Writes everything but the file header (index_io.h writes that).
  virtual void save_payload(BinaryWriter& w) const = 0;
  // Reads what save_payload wrote into an index freshly made from the same description.
  virtual Status load_payload(BinaryReader& r) = 0;
};

class Filterable {
 public:
  virtual ~Filterable() = default;
  // The label of each indexed vector (size() of them).
  virtual Status set_labels(std::vector<int32_t> labels) = 0;
};

class Refinable {
 public:
  virtual ~Refinable() = default;
  // Computes exact distances from `base` (rows 0.. are the vectors that will be added) instead of
  // copying what add() is given: its memory_bytes() then leaves them out. Before the first add().
  virtual Status share_base(std::shared_ptr<const VectorStore> base) = 0;
  // The full vectors it computes exact distances with (shared or its own).
  virtual const BaseVectors& base_vectors() const = 0;
};

const Explainable* as_explainable(const Index& index);
Filterable* as_filterable(Index& index);
Refinable* as_refinable(Index& index);
const Refinable* as_refinable(const Index& index);
const Serializable* as_serializable(const Index& index);
Serializable* as_serializable(Index& index);

}  // namespace annlab
