#include "query_inspector.h"

#include <algorithm>
#include <chrono>
#include <limits>

#include "annlab/distance.h"
#include "annlab/eval.h"
#include "annlab/random.h"

namespace annlab::app {

double clock_resolution_us() {
  static const double res = [] {
    using clock = std::chrono::steady_clock;
    double best = 1e9;
    for (int i = 0; i < 20; ++i) {
      const auto t0 = clock::now();
      auto t1 = clock::now();
      while (t1 == t0) t1 = clock::now();
      best = std::min(best, std::chrono::duration<double, std::micro>(t1 - t0).count());
    }
    return best;
  }();
  return res;
}

std::string timing_text(const Timing& t) {
  if (!t.valid) return "not timed";
  if (t.too_fast) return cat("too fast to time (clock: ", int(clock_resolution_us() + 0.5), " us)");
  const double us = t.median_us;
  const std::string v = us >= 100 ? cat(int64_t(us + 0.5)) : us >= 10 ? cat(int64_t(us * 10 + 0.5) / 10.0)
                                                                     : cat(int64_t(us * 100 + 0.5) / 100.0);
  return cat(v, " us (median of ", t.runs, " runs)");
}

namespace {

// Times f as Timing says; f has run once already (its answer is the one shown).
template <class F>
Timing time_median(F f) {
  using clock = std::chrono::steady_clock;
  const double floor_us = 10 * clock_resolution_us();
  auto sample = [&](size_t reps) {
    const auto t0 = clock::now();
    for (size_t r = 0; r < reps; ++r) f();
    return std::chrono::duration<double, std::micro>(clock::now() - t0).count();
  };
  Timing t;
  t.valid = true;
  size_t reps = 1;
  double us = sample(reps);
  while (us < floor_us && reps < 4096) {
    reps *= 2;
    us = sample(reps);
  }
  if (us < floor_us) {
    t.too_fast = true;
    t.runs = reps;
    return t;
  }
  std::vector<double> per_run{us / double(reps)};
  double total = us;
  // At least 5 samples and 10 ms; at most 200 samples or a quarter of a second.
  while ((per_run.size() < 5 || total < 10000) && per_run.size() < 200 && total < 250000) {
    us = sample(reps);
    per_run.push_back(us / double(reps));
    total += us;
  }
  std::nth_element(per_run.begin(), per_run.begin() + long(per_run.size() / 2), per_run.end());
  t.median_us = per_run[per_run.size() / 2];
  t.runs = per_run.size() * reps;
  return t;
}

// Row of kk + 1 results without id `self` (or without its last entry when self is not in it).
void drop_self(SearchResult* r, int64_t self, size_t kk) {
  auto it = std::find(r->ids.begin(), r->ids.end(), self);
  const size_t at = it == r->ids.end() ? r->ids.size() - 1 : size_t(it - r->ids.begin());
  r->ids.erase(r->ids.begin() + long(at));
  r->distances.erase(r->distances.begin() + long(at));
  r->ids.resize(kk);
  r->distances.resize(kk);
  r->k = kk;
}

}  // namespace

void QueryInspector::reset() {
  query = QueryState{};
  results = Results{};
  exact_cache_ = ExactCache{};
}

bool QueryInspector::set(const LabData& d, std::vector<float> vec, std::string source, int64_t self_id,
                         std::vector<float> image) {
  if (vec.size() != d.base.d) return false;
  if (d.images() && image.empty() && d.space.empty()) image = vec;
  query.set = true;
  query.vec = std::move(vec);
  query.image = std::move(image);
  query.source = std::move(source);
  query.self_id = self_id;
  query.held_out = -1;
  query.clicked = false;
  query.serial = ++query_serial_;
  d.project(query.vec.data(), query.xy);
  return true;
}

bool QueryInspector::set_held_out(const LabData& d, size_t i) {
  if (i >= d.queries.n) return false;
  std::vector<float> v(d.base.d), image;
  d.queries.view().row_to_f32(i, v.data());
  if (d.images()) {
    image.resize(size_t(d.image_h) * d.image_w);
    d.query_image(i, image.data());
  }
  if (!set(d, std::move(v), cat("held-out query ", i), -1, std::move(image))) return false;
  query.held_out = int64_t(i);
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
  // Data that is its own map (d <= 2): the point clicked. Otherwise (images, or vectors drawn by
  // their PCA): the base point nearest the click.
  if (!d.images() && d.pca_mean.empty()) {
    const bool ok = d.base.d == 1 ? set(d, {x}, cat("clicked at ", x)) : set(d, {x, y}, cat("clicked at (", x, ", ", y, ")"));
    query.clicked = ok;
    return ok;
  }
  size_t best = 0;
  float bd = std::numeric_limits<float>::infinity();
  for (size_t i = 0; i < d.base.n; ++i) {
    const float dx = d.base_xy[2 * i] - x, dy = d.base_xy[2 * i + 1] - y;
    if (dx * dx + dy * dy < bd) {
      bd = dx * dx + dy * dy;
      best = i;
    }
  }
  return set_base(d, best);
}

bool QueryInspector::set_base(const LabData& d, size_t id) {
  if (id >= d.base.n) return false;
  std::vector<float> v(d.base.d), image;
  d.base_view().row_to_f32(id, v.data());
  if (d.images()) {
    image.resize(size_t(d.image_h) * d.image_w);
    d.image_view().row_to_f32(id, image.data());
  }
  if (!set(d, std::move(v), cat("base point ", id), int64_t(id), std::move(image))) return false;
  query.xy[0] = d.base_xy[2 * id];
  query.xy[1] = d.base_xy[2 * id + 1];
  return true;
}

Status QueryInspector::run(const LabData& d, const Index* index, const Structure* structure, const SearchParams& sp) {
  results.valid = false;
  if (!query.set) return Status::ok();
  size_t kk = size_t(std::max(1, std::min<int>(k, int(d.base.n))));
  const VectorView q = VectorView::of(query.vec.data(), 1, d.base.d);
  Results r;
  r.serial = results.serial + 1;
  // A base point as the query: it is left out of both answers (it is not its own neighbour), so
  // both search one more and drop it.
  const int64_t self = query.self_id >= 0 && d.base.n > 1 ? query.self_id : -1;
  if (self >= 0 && kk == d.base.n) --kk;
  r.k = kk;
  const size_t ks = self >= 0 ? kk + 1 : kk;
  const int64_t label_key = sp.label && d.base.has_labels() ? *sp.label : -1;
  ExactCache& c = exact_cache_;
  if (c.query_serial != query.serial || c.k != ks || c.label != label_key || (timed && !c.time.valid)) {
    SearchResult ex;
    ANNLAB_TRY(d.exact->search(q, ks, {}, &ex));
    const Timing time = timed ? time_median([&] { (void)d.exact->search(q, ks, {}, &ex); }) : Timing{};
    if (label_key >= 0) exact_with_label(d, ks, int(label_key), &ex);  // a filtered query's truth
    if (self >= 0) drop_self(&ex, self, kk);
    c = ExactCache{query.serial, ks, label_key, std::move(ex), time};
  }
  const SearchResult& ex = c.answer;
  r.exact_time = c.time;
  r.filtered = label_key >= 0;
  r.self_excluded = self;
  r.exact_ids = ex.ids;
  r.exact_dist = ex.distances;
  if (index) {
    SearchResult m;
    ANNLAB_TRY(index->search(q, ks, sp, &m));
    SearchResult scratch;
    if (timed) r.method_time = time_median([&] { (void)index->search(q, ks, sp, &scratch); });
    if (self >= 0) drop_self(&m, self, kk);
    r.method_ids = m.ids;
    r.method_dist = m.distances;
    r.method_kind = m.kind;
    r.method_true.assign(kk, std::numeric_limits<float>::infinity());
    for (size_t i = 0; i < kk; ++i)
      if (m.ids[i] >= 0) r.method_true[i] = distance_to(d, size_t(m.ids[i]));
    r.stats = m.stats[0];
    auto e = evaluate(m.ids.data(), kk, ex.ids.data(), kk, d.base_view(), q, kk);
    if (e.is_ok()) r.recall = e->recall;
    if (const Explainable* x = as_explainable(*index); x && index->describe() != "Flat") {
      auto tr = x->explain_query(q, ks, sp);
      if (tr.is_ok()) {
        for (size_t at = 0; at < tr->events.size(); ++at) {
          const TraceEvent& ev = tr->events[at];
          if (ev.kind == TraceKind::BucketOpened) {
            r.probed_buckets.emplace_back(ev.table, uint64_t(ev.id));
            r.bucket_at.push_back(uint32_t(at));
          }
          if (ev.kind == TraceKind::DistanceComputed && ev.id >= 0 && size_t(ev.id) < d.base.n) {
            r.candidates.push_back(ev.id);
            r.candidate_at.push_back(uint32_t(at));
          }
          if (ev.kind == TraceKind::CellProbed) {
            r.probed_cells.push_back(ev.id);
            r.cell_at.push_back(uint32_t(at));
          }
          if (ev.kind == TraceKind::NodeVisited) {
            r.visited_nodes.push_back(ev.id);
            r.visited_layers.push_back(ev.table);
            r.node_at.push_back(uint32_t(at));
          }
        }
        if (timed && structure) {
          // The true neighbours it missed, each with its reason (the query itself left out).
          std::vector<int64_t> truth;
          for (int64_t id : ex.ids)
            if (id >= 0) truth.push_back(id);
          auto why = why_missed(*index, *structure, q, tr.value(), truth, sp);
          if (why.is_ok()) r.misses = std::move(why).value();
        }
        // The per-query views the method gave with its trace.
        r.pq_m = tr->lookup_m;
        r.pq_table = std::move(tr->lookup_table);
        r.query_keys = std::move(tr->query_keys);
        r.cell_probs = std::move(tr->cell_probabilities);
        r.layer2_picks = std::move(tr->layer2_picks);
        if (!tr->ivf_ids.empty()) {
          std::vector<int64_t> ivf = tr->ivf_ids;
          if (self >= 0) {  // as the method's answer: the query itself left out
            ivf.erase(std::remove(ivf.begin(), ivf.end(), self), ivf.end());
            ivf.resize(kk, -1);
          }
          r.ivf_ids = ivf;
          r.ivf_cells = std::move(tr->ivf_cells);
          r.ivf_distances = tr->ivf_distances;
          auto ie = evaluate(r.ivf_ids.data(), kk, ex.ids.data(), kk, d.base_view(), q, kk);
          if (ie.is_ok()) r.ivf_recall = ie->recall;
        }
        if (tr->code_bits) {
          // The query's code, the Hamming distances of all codes to it, and where the true neighbours fall.
          r.query_code = std::move(tr->query_code);
          r.code_bits = tr->code_bits;
          r.hamming_hist.assign(r.code_bits + 1, 0.0f);
          for (uint32_t h : tr->code_distances) r.hamming_hist[h] += 1;
          for (int64_t id : r.exact_ids)
            if (id >= 0 && size_t(id) < tr->code_distances.size()) r.hamming_true.push_back(tr->code_distances[size_t(id)]);
        }
        r.trace = std::make_shared<const Trace>(std::move(tr).value());
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
