#include "annlab/index.h"

#include "index/wrapper.h"

#include <algorithm>
#include <thread>

#include "annlab/factory.h"

namespace annlab {

QueryStats& QueryStats::operator+=(const QueryStats& o) {
  distances += o.distances;
  candidates += o.candidates;
  buckets += o.buckets;
  cells += o.cells;
  nodes += o.nodes;
  return *this;
}

QueryStats SearchResult::total() const {
  QueryStats t;
  for (const auto& s : stats) t += s;
  return t;
}

Status Index::train(const VectorView& x) {
  if (x.d != dim()) return Status::error(cat("training vectors have dimension ", x.d, ", the index has ", dim()));
  return Status::ok();
}

TrainTask Index::train_task(VectorView x) { co_return train(x); }

const MethodInfo* Index::method_info() const {
  const MethodInfo* m = method_.load(std::memory_order_acquire);
  if (!m) {
    auto spec = parse_index_spec(describe());
    if (!spec.is_ok()) return nullptr;
    m = spec->method;
    method_.store(m, std::memory_order_release);
  }
  return m;
}

std::vector<std::string_view> Index::search_param_names() const {
  std::vector<std::string_view> out;
  if (const MethodInfo* m = method_info())
    for (const ParamUse& p : m->search) out.push_back(p.name);
  return out;
}

Status Index::check_search_params(const SearchParams& params) const {
  const auto accepted = search_param_names();
  for (const std::string& name : params.names_set()) {
    if (std::find(accepted.begin(), accepted.end(), name) == accepted.end()) {
      std::string list;
      for (auto a : accepted) list += cat(list.empty() ? "" : ", ", a);
      return Status::error(cat("search parameter '", name, "' does not apply to ", describe(),
                               accepted.empty() ? std::string(" (it takes none)") : cat(" (it takes ", list, ")")));
    }
  }
  return Status::ok();
}

Status Index::check_query(const VectorView& q, size_t k) const {
  if (q.d != dim()) return Status::error(cat("query dimension ", q.d, " != index dimension ", dim()));
  if (k == 0) return Status::error("k = 0: ask for at least one neighbour");
  if (!is_trained()) return Status::error(cat(describe(), " is not trained: train it before searching"));
  if (size() == 0) return Status::error(cat(describe(), " is empty: add vectors before searching"));
  if (k > size()) return Status::error(cat("k = ", k, " exceeds the number of indexed vectors (", size(), ")"));
  ANNLAB_TRY(q.check_finite("query"));
  return check_inputs(q);
}

Status Index::check_inputs(const VectorView&) const { return Status::ok(); }

TrainTask Index::prepare_task(VectorView) { return finished_task(); }

TrainTask finished_task() { co_return Status::ok(); }

Status Index::search(const VectorView& q, size_t k, const SearchParams& params, SearchResult* out,
                     int threads) const {
  ANNLAB_TRY(check_query(q, k));
  ANNLAB_TRY(check_search_params(params));
  if (threads < 1) return Status::error(cat("threads = ", threads, ": expected at least 1"));
#if !defined(__EMSCRIPTEN_PTHREADS__) && defined(__EMSCRIPTEN__)
  if (threads > 1) return Status::error("this WebAssembly build has no threads: use threads = 1");
#endif
  out->nq = q.n;
  out->k = k;
  out->kind = distance_kind(params);
  out->ids.assign(q.n * k, -1);
  out->distances.assign(q.n * k, 0.0f);
  out->stats.assign(q.n, QueryStats{});
  const size_t nt = std::min<size_t>(static_cast<size_t>(threads), std::max<size_t>(q.n, 1));
  if (nt <= 1) {
    search_batch(q, k, params, out->ids.data(), out->distances.data(), out->stats.data());
    return Status::ok();
  }
  std::vector<std::thread> pool;
  for (size_t t = 0; t < nt; ++t) {
    const size_t b = q.n * t / nt, e = q.n * (t + 1) / nt;
    pool.emplace_back([=, this] {
      search_batch(q.rows(b, e - b), k, params, out->ids.data() + b * k, out->distances.data() + b * k,
                   out->stats.data() + b);
    });
  }
  for (auto& th : pool) th.join();
  return Status::ok();
}

const char* distance_kind_name(DistanceKind k) {
  switch (k) {
    case DistanceKind::SquaredL2: return "squared L2";
    case DistanceKind::EstimatedSquaredL2: return "estimated squared L2";
    case DistanceKind::Hamming: return "Hamming";
    case DistanceKind::Score: return "score";
  }
  return "?";
}

const char* trace_kind_name(TraceKind k) {
  switch (k) {
    case TraceKind::BucketOpened: return "bucket_opened";
    case TraceKind::CellProbed: return "cell_probed";
    case TraceKind::NodeVisited: return "node_visited";
    case TraceKind::DistanceComputed: return "distance_computed";
    case TraceKind::TopKChanged: return "topk_changed";
    case TraceKind::CodeCompared: return "code_compared";
    case TraceKind::CellsRanked: return "cells_ranked";
  }
  return "?";
}

const Explainable* as_explainable(const Index& index) { return dynamic_cast<const Explainable*>(&index); }
const Serializable* as_serializable(const Index& index) { return dynamic_cast<const Serializable*>(&index); }
Serializable* as_serializable(Index& index) { return dynamic_cast<Serializable*>(&index); }
// A wrapper's inner index filters (Tokens inside its re-rank).
Filterable* as_filterable(Index& index) { return find_inner<Filterable>(index); }
Refinable* as_refinable(Index& index) { return dynamic_cast<Refinable*>(&index); }
const Refinable* as_refinable(const Index& index) { return dynamic_cast<const Refinable*>(&index); }

}  // namespace annlab

namespace annlab {

int GraphLayer::levels() const {
  int top = -1;
  for (int32_t l : top_level) top = std::max(top, int(l));
  return top + 1;
}

std::string_view layer_kind_name(const Layer& layer) {
  struct Name {
    std::string_view operator()(const HyperplaneLayer&) const { return "hyperplanes"; }
    std::string_view operator()(const SlabLayer&) const { return "slabs"; }
    std::string_view operator()(const BucketLayer&) const { return "buckets"; }
    std::string_view operator()(const CellLayer&) const { return "cells"; }
    std::string_view operator()(const KdTreeLayer&) const { return "kd-tree"; }
    std::string_view operator()(const GraphLayer&) const { return "graph"; }
    std::string_view operator()(const CodebookLayer&) const { return "codebooks"; }
    std::string_view operator()(const TokenLayer&) const { return "tokens"; }
    std::string_view operator()(const BinaryCodeLayer&) const { return "codes"; }
  };
  return std::visit(Name{}, layer);
}

std::vector<std::string_view> Structure::kinds() const {
  std::vector<std::string_view> out;
  for (const Layer& l : layers) out.push_back(layer_kind_name(l));
  return out;
}

}  // namespace annlab
