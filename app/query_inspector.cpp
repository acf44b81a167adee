#include "query_inspector.h"

#include <algorithm>
#include <chrono>
#include <limits>

#include "annlab/distance.h"
#include "annlab/eval.h"
#include "annlab/random.h"

namespace annlab::app {

void QueryInspector::reset() {
  query = QueryState{};
  results = Results{};
}

bool QueryInspector::set(const LabData& d, std::vector<float> vec, std::string source, int64_t self_id) {
  if (vec.size() != d.base.d) return false;
  query.set = true;
  query.vec = std::move(vec);
  query.source = std::move(source);
  query.self_id = self_id;
  d.project(query.vec.data(), query.xy);
  return true;
}

bool QueryInspector::set_held_out(const LabData& d, size_t i) {
  if (i >= d.queries.n) return false;
  std::vector<float> v(d.base.d);
  d.queries.view().row_to_f32(i, v.data());
  if (!set(d, std::move(v), cat("held-out query ", i))) return false;
  query.xy[0] = d.query_xy[2 * i];
  query.xy[1] = d.query_xy[2 * i + 1];
  return true;
}

bool QueryInspector::set_random(const LabData& d) {
  if (d.queries.n == 0) return false;
  Rng rng(random_seed + random_draws_++);
  return set_held_out(d, size_t(rng.below(d.queries.n)));
}

bool QueryInspector::set_from_map(const LabData& d, float x, float y) {
  if (!d.images()) return set(d, {x, y}, cat("clicked at (", x, ", ", y, ")"));
  size_t best = 0;
  float bd = std::numeric_limits<float>::infinity();
  for (size_t i = 0; i < d.base.n; ++i) {
    const float dx = d.base_xy[2 * i] - x, dy = d.base_xy[2 * i + 1] - y;
    if (dx * dx + dy * dy < bd) {
      bd = dx * dx + dy * dy;
      best = i;
    }
  }
  std::vector<float> v(d.base.d);
  d.base_view().row_to_f32(best, v.data());
  if (!set(d, std::move(v), cat("base point ", best), int64_t(best))) return false;
  query.xy[0] = d.base_xy[2 * best];
  query.xy[1] = d.base_xy[2 * best + 1];
  return true;
}

Status QueryInspector::run(const LabData& d, const Index* index, const Structure* structure, const SearchParams& sp) {
  results.valid = false;
  if (!query.set) return Status::ok();
  const LabData* data = &d;
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
  if (!st.is_ok()) return st;
  if (sp.label && data->base.has_labels()) {
    // A filtered query's truth: the exact k nearest among the points with that label.
    r.filtered = true;
    exact_with_label(d, kk, int(*sp.label), &ex);
  }
  r.exact_ids = ex.ids;
  r.exact_dist = ex.distances;
  if (index) {
    SearchResult m;
    t0 = clock::now();
    st = index->search(q, kk, sp, &m);
    r.method_us = std::chrono::duration<double, std::micro>(clock::now() - t0).count();
    if (!st.is_ok()) return st;
    r.method_ids = m.ids;
    r.method_dist = m.distances;
    r.method_kind = m.kind;
    r.method_true.assign(kk, std::numeric_limits<float>::infinity());
    for (size_t i = 0; i < kk; ++i)
      if (m.ids[i] >= 0) r.method_true[i] = distance_to(d, size_t(m.ids[i]));
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
  return Status::ok();
}

float QueryInspector::distance_to(const LabData& d, size_t id) const {
  std::vector<float> row(d.base.d);
  d.base_view().row_to_f32(id, row.data());
  return kernels().l2sq_f32(query.vec.data(), row.data(), d.base.d);
}

void QueryInspector::exact_with_label(const LabData& d, size_t k, int label, SearchResult* out) const {
  std::vector<std::pair<float, int64_t>> all;
  for (size_t i = 0; i < d.base.n; ++i)
    if (d.base.labels[i] == label) all.emplace_back(distance_to(d, i), int64_t(i));
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
