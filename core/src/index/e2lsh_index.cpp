#include "index/e2lsh_index.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "annlab/binary_io.h"
#include "annlab/memory.h"
#include "annlab/random.h"
#include "parts/bucket_search.h"
#include "parts/multiprobe.h"

namespace annlab {

uint64_t slab_key(const int64_t* h, size_t k) {
  uint64_t x = 0x9E3779B97F4A7C15ULL;
  for (size_t i = 0; i < k; ++i) {
    x ^= uint64_t(h[i]) + 0x9E3779B97F4A7C15ULL + (x << 6) + (x >> 2);
    x *= 0xBF58476D1CE4E5B9ULL;
    x ^= x >> 31;
  }
  return x;
}

E2LshIndex::E2LshIndex(size_t d, int k, int tables, const BuildParams& params)
    : Index(d), k_(k), tables_(tables), params_(params), base_(d) {}

Status E2LshIndex::check_search_params(const SearchParams& p) const {
  ANNLAB_TRY(Index::check_search_params(p));
  return detail::check_probes(p);
}

size_t E2LshIndex::memory_bytes() const {
  size_t b = a_.size() * 4 + b_.size() * 4 + base_.owned_bytes();
  for (const auto& t : table_) b += t.memory_bytes();
  return b;
}

Status E2LshIndex::train(const VectorView& x) {
  if (x.d != dim()) return Status::error(cat("training vectors have dimension ", x.d, ", the index has ", dim()));
  if (is_trained()) return Status::error(cat(describe(), " is already trained"));
  if (params_.w && !(*params_.w > 0 && std::isfinite(*params_.w)))
    return Status::error(cat(describe(), ": slab width w = ", *params_.w, ": expected a finite number > 0"));
  ANNLAB_TRY(x.check_finite("training"));
  const size_t d = dim();
  Rng rng(params_.seed);
  double w = params_.w.value_or(0.0);
  if (w == 0) {
    // Half the median distance between 1,000 random training pairs.
    if (x.n < 2) return Status::error(cat(describe(), " needs at least 2 training vectors to choose w (or give w)"));
    std::vector<float> a(d), b(d);
    std::vector<double> dist(1000);
    for (double& v : dist) {
      const uint64_t i = rng.below(x.n), j = rng.below(x.n);
      x.row_to_f32(size_t(i), a.data());
      x.row_to_f32(size_t(j), b.data());
      v = std::sqrt(double(kernels().l2sq_f32(a.data(), b.data(), d)));
    }
    std::nth_element(dist.begin(), dist.begin() + 500, dist.end());
    w = dist[500] / 2;
    if (!(w > 0)) return Status::error(cat(describe(), ": the training vectors coincide, so w cannot be chosen (give w)"));
  }
  const size_t funcs = size_t(k_) * size_t(tables_);
  ANNLAB_ASSIGN_OR_RETURN(uint64_t bytes, checked_bytes("p-stable projections", funcs, d, 4));
  ANNLAB_TRY(check_memory(cat("training ", describe()), bytes));
  a_.resize(funcs * d);
  for (float& v : a_) v = float(rng.normal());
  b_.resize(funcs);
  for (float& v : b_) v = float(rng.uniform() * w);
  w_ = w;
  return Status::ok();
}

void E2LshIndex::slabs(int t, const float* x, int64_t* h) const {
  const Kernels& kern = kernels();
  const size_t d = dim();
  for (int i = 0; i < k_; ++i) {
    const size_t f = size_t(t) * size_t(k_) + size_t(i);
    h[i] = int64_t(std::floor((double(kern.ip_f32(a_.data() + f * d, x, d)) + b_[f]) / w_));
  }
}

uint64_t E2LshIndex::key(int t, const float* x) const {
  std::vector<int64_t> h(static_cast<size_t>(k_));
  slabs(t, x, h.data());
  return slab_key(h.data(), h.size());
}

Status E2LshIndex::add(const VectorView& x) {
  if (!is_trained()) return Status::error(cat(describe(), " is not trained: train it before adding vectors"));
  if (x.d != dim()) return Status::error(cat("vectors have dimension ", x.d, ", the index has ", dim()));
  ANNLAB_TRY(x.check_finite("added"));
  const size_t n0 = base_.size();
  if (n0 + x.n > UINT32_MAX)
    return Status::error(cat(describe(), " holds at most ", UINT32_MAX, " vectors; adding ", x.n, " to ", n0, " would exceed it"));
  ANNLAB_ASSIGN_OR_RETURN(uint64_t bytes, checked_bytes("E2LSH tables", n0 + x.n, size_t(tables_), 2 * 12));
  ANNLAB_TRY(check_memory(cat("E2LSH tables for ", n0 + x.n, " vectors x ", tables_, " tables"), bytes));
  ANNLAB_TRY(base_.add(x));
  table_.resize(size_t(tables_));
  std::vector<float> row(dim());
  std::vector<uint64_t> keys(x.n * size_t(tables_));
  for (size_t i = 0; i < x.n; ++i) {
    x.row_to_f32(i, row.data());
    for (int t = 0; t < tables_; ++t) keys[i * size_t(tables_) + size_t(t)] = key(t, row.data());
  }
  std::vector<std::pair<uint64_t, uint32_t>> fresh(x.n);
  for (int t = 0; t < tables_; ++t) {
    for (size_t i = 0; i < x.n; ++i) fresh[i] = {keys[i * size_t(tables_) + size_t(t)], uint32_t(n0 + i)};
    table_[size_t(t)].merge(fresh);
  }
  return Status::ok();
}

template <class Tracer>
void E2LshIndex::search_one(const VectorView& q, size_t i, size_t k, int64_t probes, std::vector<uint32_t>& mark,
                            uint32_t epoch, int64_t* ids, float* dist, QueryStats* st, Tracer& tr) const {
  VectorStore::PreparedQuery pq;
  base_.store().prepare(q, i, &pq);
  std::vector<float> scratch(dim());
  const Kernels& kern = kernels();
  const size_t d = dim(), kk = size_t(k_);
  detail::TopK top(k);
  probes = std::max<int64_t>(1, probes);
  std::vector<int64_t> h(kk), hp(kk);
  // Multi-probe elements: 2k moves, 2c = coordinate c one slab down, 2c + 1 = one up; cost = the
  // squared distance (in units of w) from the query to that slab boundary.
  std::vector<double> cost(2 * kk);
  std::vector<uint32_t> set;
  for (int t = 0; t < tables_; ++t) {
    for (size_t c = 0; c < kk; ++c) {
      const size_t f = size_t(t) * kk + c;
      const double v = (double(kern.ip_f32(a_.data() + f * d, pq.f.data(), d)) + b_[f]) / w_;
      h[c] = int64_t(std::floor(v));
      const double frac = v - std::floor(v);
      cost[2 * c] = frac * frac;
      cost[2 * c + 1] = (1 - frac) * (1 - frac);
    }
    detail::ProbeSequence seq;
    if (probes > 1) seq = detail::ProbeSequence(cost);
    auto valid = [&](const std::vector<uint32_t>& s) {
      for (size_t a = 0; a < s.size(); ++a)
        for (size_t b = a + 1; b < s.size(); ++b)
          if (seq.element(s[a]) / 2 == seq.element(s[b]) / 2) return false;  // down and up on one coordinate
      return true;
    };
    for (int64_t probe = 0; probe < probes; ++probe) {
      hp = h;
      if (probe > 0) {
        if (!seq.next(&set, valid)) break;
        for (uint32_t r : set) hp[seq.element(r) / 2] += seq.element(r) % 2 ? 1 : -1;
      }
      detail::scan_bucket(table_[size_t(t)], uint32_t(t), slab_key(hp.data(), kk), mark, epoch, base_.store(), pq, kern,
                          scratch.data(), top, st, tr);
    }
  }
  top.write(ids, dist);
}

void E2LshIndex::search_batch(const VectorView& q, size_t k, const SearchParams& p, int64_t* ids, float* distances,
                              QueryStats* stats) const {
  std::vector<uint32_t> mark(base_.size(), 0);
  detail::NullTracer tr;
  for (size_t i = 0; i < q.n; ++i)
    search_one(q, i, k, p.probes.value_or(1), mark, uint32_t(i + 1), ids + i * k, distances + i * k, stats + i, tr);
}

Result<Structure> E2LshIndex::explain_structure() const {
  if (!is_trained()) return Status::error(cat(describe(), " is not trained: nothing to explain yet"));
  Structure s;
  s.method = describe();
  s.dim = dim();
  s.n = size();
  const size_t d = dim();
  // Function c of table t as a "hyperplane" a . x = -b: slab boundaries are at a . x + b = m w.
  SlabLayer slabs;
  slabs.width = float(w_);
  for (int t = 0; t < tables_; ++t)
    for (int c = 0; c < k_; ++c) {
      const size_t f = size_t(t) * size_t(k_) + size_t(c);
      slabs.functions.push_back(
          {uint32_t(t), uint32_t(c), std::vector<float>(a_.begin() + long(f * d), a_.begin() + long((f + 1) * d)), -b_[f]});
    }
  BucketLayer bk;
  bk.keys.assign(size_t(tables_), std::vector<uint64_t>(size()));
  for (size_t t = 0; t < table_.size(); ++t) table_[t].explain(uint32_t(t), &bk.keys[t], &bk.buckets);
  s.layers.push_back(std::move(slabs));
  s.layers.push_back(std::move(bk));
  return s;
}

Result<Trace> E2LshIndex::explain_query(const VectorView& q, size_t k, const SearchParams& p) const {
  return explain_one(q, k, p, [&](Trace& t) {
    std::vector<uint32_t> mark(base_.size(), 0);
    detail::EventTracer tr{&t.events};
    search_one(q, 0, k, p.probes.value_or(1), mark, 1, t.ids.data(), t.distances.data(), &t.stats, tr);
    std::vector<float> v(dim());
    q.row_to_f32(0, v.data());
    for (int tb = 0; tb < tables_; ++tb) t.query_keys.push_back(key(tb, v.data()));
  });
}

void E2LshIndex::save_payload(BinaryWriter& w) const {
  w.put<uint32_t>(uint32_t(k_));
  w.put<uint32_t>(uint32_t(tables_));
  w.put<uint64_t>(params_.seed);
  w.put<double>(w_);
  w.array(a_);
  w.array(b_);
  base_.save(w);
  for (const auto& tb : table_) tb.save(w);
}

Status E2LshIndex::load_payload(BinaryReader& r) {
  uint32_t k = 0, tables = 0;
  ANNLAB_TRY(r.get(&k, "E2LSH k"));
  ANNLAB_TRY(r.get(&tables, "E2LSH tables"));
  if (int(k) != k_ || int(tables) != tables_)
    return r.error(cat("E2LSH payload has k = ", k, ", L = ", tables, ", the description says ", describe()));
  ANNLAB_TRY(r.get(&params_.seed, "E2LSH seed"));
  ANNLAB_TRY(r.get(&w_, "E2LSH slab width"));
  if (!(w_ == 0 || (w_ > 0 && std::isfinite(w_)))) return r.error(cat("E2LSH slab width ", w_, " is not a finite number >= 0"));
  const size_t funcs = size_t(k_) * size_t(tables_);
  ANNLAB_TRY(r.array(&a_, "E2LSH projections", r.remaining() / 4));
  ANNLAB_TRY(r.array(&b_, "E2LSH offsets", r.remaining() / 4));
  const bool trained = w_ > 0;
  if (a_.size() != (trained ? funcs * dim() : 0) || b_.size() != (trained ? funcs : 0))
    return r.error(cat("E2LSH holds ", a_.size(), " projection and ", b_.size(), " offset floats, expected ",
                       funcs * dim(), " and ", funcs));
  ANNLAB_TRY(VectorView::of(a_.data(), a_.size(), 1).check_finite("E2LSH projection"));
  ANNLAB_TRY(VectorView::of(b_.data(), b_.size(), 1).check_finite("E2LSH offset"));
  ANNLAB_TRY(base_.load(r));
  const size_t n = base_.size();
  if (n && !trained) return r.error("E2LSH holds vectors but is not trained");
  table_.assign(n ? size_t(tables_) : 0, detail::BucketTable{});
  for (auto& tb : table_) ANNLAB_TRY(tb.load(r, n, ~uint64_t{0}, "E2LSH"));
  return Status::ok();
}

}  // namespace annlab
