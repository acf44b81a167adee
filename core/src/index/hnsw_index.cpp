#include "index/hnsw_index.h"

#include <algorithm>
#include <cmath>
#include <queue>

#include "annlab/binary_io.h"
#include "annlab/memory.h"
#include "annlab/random.h"
#include "parts/topk.h"
#include "parts/tracer.h"

namespace annlab {

HnswIndex::HnswIndex(size_t d, size_t m, const BuildParams& params)
    : Index(d), m_(m), params_(params),
      ef_construction_(size_t(params.efConstruction.value_or(kDefaultEfConstruction))), base_(d) {}

size_t HnswIndex::memory_bytes() const {
  size_t b = base_.owned_bytes() + links0_.size() * 4 + level_.size();
  for (const auto& u : upper_) b += u.size() * 4 + sizeof(u);
  return b;
}

const uint32_t* HnswIndex::links(uint32_t node, int level) const {
  if (level == 0) return links0_.data() + size_t(node) * (2 * m_ + 1);
  return upper_[node].data() + size_t(level - 1) * (m_ + 1);
}
uint32_t* HnswIndex::links(uint32_t node, int level) {
  return const_cast<uint32_t*>(static_cast<const HnswIndex*>(this)->links(node, level));
}

template <class Dist, class Tracer>
std::vector<HnswIndex::Cand> HnswIndex::search_layer(const Dist& dist, const std::vector<Cand>& entry, size_t ef,
                                                     int level, Scratch& s, QueryStats* st, Tracer& tr,
                                                     size_t trace_k) const {
  s.reset(base_.size());
  const VectorStore& store = base_.store();
  // Traced (trace_k > 0): the best k of the list so far, as it changes. Whatever leaves the list
  // (its farthest, beyond ef >= k) was never among them, so at the end they are the answer.
  detail::TopK best_k(trace_k);
  auto offer = [&](const Cand& c) {
    if constexpr (Tracer::kOn) {
      if (trace_k && best_k.push(c.first, c.second))
        tr.event(TraceKind::TopKChanged, uint32_t(best_k.rank_of(c.first, c.second)), c.second, float(c.first));
    }
  };
  std::priority_queue<Cand, std::vector<Cand>, std::greater<Cand>> cand;  // nearest first
  std::priority_queue<Cand> best;                                          // farthest first
  for (const Cand& e : entry) {
    s.visited[e.second] = s.epoch;
    cand.push(e);
    best.push(e);
    offer(e);
  }
  while (best.size() > ef) best.pop();
  while (!cand.empty()) {
    const Cand c = cand.top();
    if (best.size() >= ef && c > best.top()) break;
    cand.pop();
    ++st->nodes;
    if constexpr (Tracer::kOn) tr.event(TraceKind::NodeVisited, uint32_t(level), c.second, float(c.first));
    const uint32_t* l = links(c.second, level);
    // The unvisited neighbours first, their vectors fetched together (their cache misses overlap),
    // then their distances in the same order as one by one: the same decisions and trace.
    if (s.fresh.size() < l[0]) s.fresh.resize(l[0]);
    uint32_t* fresh = s.fresh.data();
    size_t nf = 0;
    for (uint32_t j = 1; j <= l[0]; ++j) {
      const uint32_t nb = l[j];
      if (s.visited[nb] == s.epoch) continue;
      s.visited[nb] = s.epoch;
      fresh[nf++] = nb;
    }
    uint32_t touched = 0;
    for (size_t j = 0; j < nf; ++j) touched += store.fetch(fresh[j]);
    s.sink += touched;
    for (size_t j = 0; j < nf; ++j) {
      const uint32_t nb = fresh[j];
      const double d = dist(nb);
      ++st->distances;
      if constexpr (Tracer::kOn) tr.event(TraceKind::DistanceComputed, uint32_t(level), nb, float(d));
      const Cand nc{d, nb};
      if (best.size() < ef || nc < best.top()) {
        cand.push(nc);
        best.push(nc);
        offer(nc);
        if (best.size() > ef) best.pop();
      }
    }
  }
  std::vector<Cand> out(best.size());
  for (size_t i = out.size(); i-- > 0;) {
    out[i] = best.top();
    best.pop();
  }
  return out;
}

// The neighbour-diversity heuristic: keep a candidate (nearest first) only if it is nearer to the
// new node than to every neighbour kept so far.
template <class Dist>
std::vector<HnswIndex::Cand> HnswIndex::select(const std::vector<Cand>& sorted, size_t m, const Dist& between) const {
  if (sorted.size() <= m) return sorted;
  std::vector<Cand> kept;
  for (const Cand& c : sorted) {
    bool good = true;
    for (const Cand& r : kept)
      if (between(c.second, r.second) < c.first) {
        good = false;
        break;
      }
    if (good) kept.push_back(c);
    if (kept.size() >= m) break;
  }
  return kept;
}

void HnswIndex::insert(uint32_t id, Scratch& s) {
  // Level from a seeded draw per id (independent of how the vectors were batched).
  Rng rng(params_.seed ^ (uint64_t(id) * 0x9E3779B97F4A7C15ull));
  const double u = 1.0 - rng.uniform();  // (0, 1]
  const int level = std::min(31, int(std::floor(-deterministic_log(u) / deterministic_log(double(m_)))));
  level_[id] = uint8_t(level);
  upper_[id].assign(size_t(level) * (m_ + 1), 0);
  if (max_level_ < 0) {
    entry_ = id;
    max_level_ = level;
    return;
  }
  const Kernels& kern = kernels();
  const VectorStore& store = base_.store();
  auto dist = [&](uint32_t other) { return store.distance_between(id, other, kern); };
  auto between = [&](uint32_t a, uint32_t b) { return store.distance_between(a, b, kern); };
  QueryStats unused;
  detail::NullTracer tr;
  uint32_t cur = entry_;
  double dcur = dist(cur);
  for (int l = max_level_; l > level; --l) {
    for (bool changed = true; changed;) {
      changed = false;
      const uint32_t* lk = links(cur, l);
      for (uint32_t j = 1; j <= lk[0]; ++j) {
        const double d = dist(lk[j]);
        if (Cand{d, lk[j]} < Cand{dcur, cur}) {
          dcur = d;
          cur = lk[j];
          changed = true;
        }
      }
    }
  }
  std::vector<Cand> ep{{dcur, cur}};
  for (int l = std::min(level, max_level_); l >= 0; --l) {
    std::vector<Cand> w = search_layer(dist, ep, ef_construction_, l, s, &unused, tr);
    const std::vector<Cand> chosen = select(w, m_, between);
    uint32_t* mine = links(id, l);
    mine[0] = uint32_t(chosen.size());
    for (size_t j = 0; j < chosen.size(); ++j) mine[j + 1] = chosen[j].second;
    for (const Cand& c : chosen) {
      uint32_t* theirs = links(c.second, l);
      if (theirs[0] < cap(l)) {
        theirs[++theirs[0]] = id;
        continue;
      }
      // Full: re-choose its neighbours among the old ones and the new node.
      std::vector<Cand> cands{{c.first, id}};
      for (uint32_t j = 1; j <= theirs[0]; ++j) cands.push_back({between(c.second, theirs[j]), theirs[j]});
      std::sort(cands.begin(), cands.end());
      const std::vector<Cand> keep = select(cands, cap(l), between);
      theirs[0] = uint32_t(keep.size());
      for (size_t j = 0; j < keep.size(); ++j) theirs[j + 1] = keep[j].second;
    }
    ep = std::move(w);
  }
  if (level > max_level_) {
    max_level_ = level;
    entry_ = id;
  }
}

Status HnswIndex::add(const VectorView& x) {
  if (x.d != dim()) return Status::error(cat("vectors have dimension ", x.d, ", the index has ", dim()));
  const size_t n0 = base_.size();
  if (n0 + x.n > UINT32_MAX) return Status::error("HNSW holds at most 2^32 - 1 vectors");
  ANNLAB_ASSIGN_OR_RETURN(uint64_t bytes, checked_bytes("HNSW links", n0 + x.n, 2 * m_ + 1, 4));
  ANNLAB_TRY(check_memory(cat("HNSW links for ", n0 + x.n, " vectors"), bytes));
  ANNLAB_TRY(base_.add(x));
  const size_t n = base_.size();
  links0_.resize(n * (2 * m_ + 1), 0);
  level_.resize(n, 0);
  upper_.resize(n);
  Scratch s;
  for (size_t i = n0; i < n; ++i) insert(uint32_t(i), s);
  return Status::ok();
}

template <class Tracer>
void HnswIndex::search_one(const VectorView& q, size_t i, size_t k, size_t ef, Scratch& s, int64_t* ids, float* dist,
                           QueryStats* st, Tracer& tr) const {
  VectorStore::PreparedQuery pq;
  const VectorStore& store = base_.store();
  store.prepare(q, i, &pq);
  s.row.resize(dim());
  const Kernels& kern = kernels();
  auto distf = [&](uint32_t other) { return store.distance(pq, other, kern, s.row.data()); };
  uint32_t cur = entry_;
  double dcur = distf(cur);
  ++st->distances;
  if constexpr (Tracer::kOn) tr.event(TraceKind::DistanceComputed, uint32_t(max_level_), cur, float(dcur));
  for (int l = max_level_; l > 0; --l) {
    for (bool changed = true; changed;) {
      changed = false;
      ++st->nodes;
      if constexpr (Tracer::kOn) tr.event(TraceKind::NodeVisited, uint32_t(l), cur, float(dcur));
      const uint32_t* lk = links(cur, l);
      for (uint32_t j = 1; j <= lk[0]; ++j) {
        const double d = distf(lk[j]);
        ++st->distances;
        if constexpr (Tracer::kOn) tr.event(TraceKind::DistanceComputed, uint32_t(l), lk[j], float(d));
        if (Cand{d, lk[j]} < Cand{dcur, cur}) {
          dcur = d;
          cur = lk[j];
          changed = true;
        }
      }
    }
  }
  const std::vector<Cand> w = search_layer(distf, {{dcur, cur}}, std::max(ef, k), 0, s, st, tr, k);
  st->candidates = w.size();
  detail::TopK top(k);
  for (const Cand& c : w) top.push(c.first, c.second);
  top.write(ids, dist);
}

void HnswIndex::search_batch(const VectorView& q, size_t k, const SearchParams& p, int64_t* ids, float* distances,
                             QueryStats* stats) const {
  detail::NullTracer tr;
  Scratch s;
  const size_t ef = size_t(p.efSearch.value_or(kDefaultEfSearch));
  for (size_t i = 0; i < q.n; ++i) search_one(q, i, k, ef, s, ids + i * k, distances + i * k, stats + i, tr);
}

Result<Structure> HnswIndex::explain_structure() const {
  Structure s;
  s.method = describe();
  s.dim = dim();
  s.n = size();
  GraphLayer g;
  for (uint32_t v = 0; v < size(); ++v)
    for (int l = 0; l <= level_[v]; ++l) {
      const uint32_t* lk = links(v, l);
      for (uint32_t j = 1; j <= lk[0]; ++j) g.edges.push_back({uint32_t(l), v, lk[j]});
    }
  g.top_level.assign(level_.begin(), level_.end());
  s.layers.push_back(std::move(g));
  return s;
}

Result<Trace> HnswIndex::explain_query(const VectorView& q, size_t k, const SearchParams& p) const {
  return explain_one(q, k, p, [&](Trace& t) {
    detail::EventTracer tr{&t.events};
    Scratch s;
    search_one(q, 0, k, size_t(p.efSearch.value_or(kDefaultEfSearch)), s, t.ids.data(), t.distances.data(), &t.stats, tr);
  });
}

void HnswIndex::save_payload(BinaryWriter& w) const {
  w.put<uint64_t>(m_);
  w.put<uint64_t>(ef_construction_);
  w.put<uint64_t>(params_.seed);
  w.put<int32_t>(max_level_);
  w.put<uint32_t>(entry_);
  base_.save(w);
  w.array(level_);
  w.array(links0_);
  for (const auto& u : upper_) w.array(u);
}

Status HnswIndex::load_payload(BinaryReader& r) {
  uint64_t m = 0, ef = 0;
  ANNLAB_TRY(r.get(&m, "HNSW M"));
  if (m != m_) return r.error(cat("HNSW payload has M = ", m, ", the description says ", describe()));
  ANNLAB_TRY(r.get(&ef, "HNSW efConstruction"));
  if (ef == 0 || ef > (1u << 20)) return r.error(cat("HNSW efConstruction ", ef, " is out of range"));
  ef_construction_ = size_t(ef);
  ANNLAB_TRY(r.get(&params_.seed, "HNSW seed"));
  ANNLAB_TRY(r.get(&max_level_, "HNSW top level"));
  ANNLAB_TRY(r.get(&entry_, "HNSW entry point"));
  ANNLAB_TRY(base_.load(r));
  const size_t n = base_.size();
  const uint64_t limit = r.remaining();
  ANNLAB_TRY(r.array(&level_, "HNSW levels", limit));
  ANNLAB_TRY(r.array(&links0_, "HNSW layer-0 links", limit));
  if (level_.size() != n || links0_.size() != n * (2 * m_ + 1))
    return r.error(cat("HNSW holds ", level_.size(), " levels and ", links0_.size(), " layer-0 entries for ", n, " vectors"));
  if (n == 0 ? max_level_ != -1 : (max_level_ < 0 || max_level_ > 31 || entry_ >= n || level_[entry_] != max_level_))
    return r.error(cat("HNSW entry point ", entry_, " / top level ", max_level_, " is inconsistent"));
  upper_.assign(n, {});
  for (size_t v = 0; v < n; ++v) {
    ANNLAB_TRY(r.array(&upper_[v], "HNSW upper links", limit));
    if (level_[v] > max_level_ || upper_[v].size() != size_t(level_[v]) * (m_ + 1))
      return r.error(cat("HNSW node ", v, " has level ", int(level_[v]), " and ", upper_[v].size(), " upper entries"));
    for (int l = 0; l <= level_[v]; ++l) {
      const uint32_t* lk = links(uint32_t(v), l);
      if (lk[0] > cap(l)) return r.error(cat("HNSW node ", v, " has ", lk[0], " links on layer ", l, ", at most ", cap(l)));
      for (uint32_t j = 1; j <= lk[0]; ++j)
        if (lk[j] >= n || level_[lk[j]] < l) return r.error(cat("HNSW node ", v, " links to a missing node ", lk[j]));
    }
  }
  return Status::ok();
}

}  // namespace annlab
