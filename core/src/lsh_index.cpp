#include "annlab/lsh_index.h"

#include <algorithm>
#include <cmath>

#include "annlab/binary_io.h"
#include "annlab/random.h"
#include "topk.h"
#include "tracer.h"

namespace annlab {

LshIndex::LshIndex(size_t d, int bits, int tables, const BuildParams& params)
    : Index(d), bits_(bits), tables_(tables), params_(params), store_(d) {
  ANNLAB_ASSERT(bits >= 0 && bits <= kMaxBits && tables >= 1 && tables <= kMaxTables);
}

std::string LshIndex::describe() const {
  return bits_ == 0 ? cat("LSHx", tables_) : cat("LSH", bits_, "x", tables_);
}

Status LshIndex::train(const VectorView& x) {
  if (x.d != dim()) return Status::error(cat("training vectors have dimension ", x.d, ", the index has ", dim()));
  if (x.n == 0) return Status::error("LSH training needs at least one vector (got 0)");
  if (trained_) return Status::error(cat(describe(), " is already trained"));
  ANNLAB_TRY(x.check_finite("training"));
  const size_t d = dim();
  if (bits_ == 0) {
    const int64_t bucket = params_.bucket_size.value_or(kDefaultBucketSize);
    const double ratio = double(x.n) / double(bucket);
    int b = 1;
    while (b < kMaxBits && std::ldexp(1.0, b + 1) <= ratio) ++b;  // floor(log2(n / bucket)), >= 1
    bits_ = b;
  }
  // Hyperplanes pass through the mean of the training data (image pixels are all >= 0, and
  // hyperplanes through the origin would put nearly every image on the same side).
  std::vector<double> mean_d(d, 0.0);
  std::vector<float> row(d);
  for (size_t i = 0; i < x.n; ++i) {
    x.row_to_f32(i, row.data());
    for (size_t j = 0; j < d; ++j) mean_d[j] += row[j];
  }
  std::vector<float> mean(d);
  for (size_t j = 0; j < d; ++j) mean[j] = static_cast<float>(mean_d[j] / double(x.n));
  Rng rng(params_.seed);
  const size_t planes = size_t(tables_) * size_t(bits_);
  planes_.resize(planes * d);
  for (float& v : planes_) v = static_cast<float>(rng.normal());
  offsets_.resize(planes);
  const Kernels& k = kernels();
  for (size_t p = 0; p < planes; ++p) offsets_[p] = k.ip_f32(planes_.data() + p * d, mean.data(), d);
  trained_ = true;
  return Status::ok();
}

uint64_t LshIndex::key(int t, const float* x) const {
  const Kernels& k = kernels();
  const size_t d = dim();
  uint64_t key = 0;
  for (int j = 0; j < bits_; ++j) {
    const size_t p = size_t(t) * bits_ + j;
    if (k.ip_f32(planes_.data() + p * d, x, d) >= offsets_[p]) key |= uint64_t{1} << j;
  }
  return key;
}

Status LshIndex::add(const VectorView& x) {
  if (!trained_) return Status::error(cat(describe(), " is not trained: train it before adding vectors"));
  if (x.d != dim()) return Status::error(cat("vectors have dimension ", x.d, ", the index has ", dim()));
  if (store_.size() + x.n > UINT32_MAX)
    return Status::error(cat("LSH holds at most ", UINT32_MAX, " vectors; adding ", x.n, " to ", store_.size(),
                             " would exceed it"));
  ANNLAB_TRY(store_.add(x));
  std::vector<float> row(dim());
  point_keys_.reserve(point_keys_.size() + x.n * size_t(tables_));
  for (size_t i = 0; i < x.n; ++i) {
    x.row_to_f32(i, row.data());
    for (int t = 0; t < tables_; ++t) point_keys_.push_back(key(t, row.data()));
  }
  rebuild_tables();
  return Status::ok();
}

void LshIndex::rebuild_tables() {
  const size_t n = store_.size();
  table_.assign(size_t(tables_), Table{});
  std::vector<std::pair<uint64_t, uint32_t>> pairs(n);
  for (int t = 0; t < tables_; ++t) {
    for (size_t i = 0; i < n; ++i) pairs[i] = {point_keys_[i * tables_ + t], uint32_t(i)};
    std::sort(pairs.begin(), pairs.end());
    Table& tb = table_[t];
    tb.ids.resize(n);
    for (size_t i = 0; i < n; ++i) {
      if (i == 0 || pairs[i].first != pairs[i - 1].first) {
        tb.keys.push_back(pairs[i].first);
        tb.starts.push_back(uint32_t(i));
      }
      tb.ids[i] = pairs[i].second;
    }
    tb.starts.push_back(uint32_t(n));
  }
}

std::pair<uint32_t, uint32_t> LshIndex::bucket_range(int t, uint64_t key) const {
  const Table& tb = table_[t];
  const auto it = std::lower_bound(tb.keys.begin(), tb.keys.end(), key);
  if (it == tb.keys.end() || *it != key) return {0, 0};
  const size_t b = size_t(it - tb.keys.begin());
  return {tb.starts[b], tb.starts[b + 1]};
}

size_t LshIndex::memory_bytes() const {
  size_t bytes = planes_.size() * 4 + offsets_.size() * 4 + point_keys_.size() * 8 + store_.memory_bytes();
  for (const Table& tb : table_) bytes += tb.keys.size() * 8 + tb.starts.size() * 4 + tb.ids.size() * 4;
  return bytes;
}

LshIndex::BucketStats LshIndex::bucket_stats() const {
  BucketStats s;
  size_t total = 0;
  for (const Table& tb : table_) {
    s.buckets += tb.keys.size();
    for (size_t b = 0; b < tb.keys.size(); ++b) {
      const size_t sz = tb.starts[b + 1] - tb.starts[b];
      total += sz;
      s.max_size = std::max(s.max_size, sz);
    }
  }
  s.mean_size = s.buckets ? double(total) / double(s.buckets) : 0.0;
  return s;
}

template <class Tracer>
void LshIndex::search_one(const VectorView& q, size_t i, size_t k, std::vector<uint32_t>& mark,
                          uint32_t epoch, int64_t* ids, float* dist, QueryStats* st, Tracer& tr) const {
  VectorStore::PreparedQuery pq;
  store_.prepare(q, i, &pq);
  std::vector<float> scratch(dim());
  const Kernels& kern = kernels();
  detail::TopK top(k);
  for (int t = 0; t < tables_; ++t) {
    const uint64_t key_t = key(t, pq.f.data());
    const auto [b, e] = bucket_range(t, key_t);
    ++st->buckets;
    if constexpr (Tracer::kOn) tr.event(TraceKind::BucketOpened, uint32_t(t), int64_t(key_t), float(e - b));
    const std::vector<uint32_t>& members = table_[t].ids;
    for (uint32_t p = b; p < e; ++p) {
      const uint32_t id = members[p];
      if (mark[id] == epoch) continue;
      mark[id] = epoch;
      ++st->candidates;
      ++st->distances;
      const double dd = store_.distance(pq, id, kern, scratch.data());
      if constexpr (Tracer::kOn) tr.event(TraceKind::DistanceComputed, uint32_t(t), int64_t(id), float(dd));
      const bool entered = top.push(dd, int64_t(id));
      if constexpr (Tracer::kOn) {
        if (entered) tr.event(TraceKind::TopKChanged, uint32_t(top.rank_of(dd, id)), int64_t(id), float(dd));
      }
    }
  }
  top.write(ids, dist);
}

void LshIndex::search_batch(const VectorView& q, size_t k, const SearchParams&, int64_t* ids,
                            float* distances, QueryStats* stats) const {
  std::vector<uint32_t> mark(store_.size(), 0);
  detail::NullTracer tr;
  for (size_t i = 0; i < q.n; ++i)
    search_one(q, i, k, mark, uint32_t(i + 1), ids + i * k, distances + i * k, stats + i, tr);
}

Result<Structure> LshIndex::explain_structure() const {
  if (!trained_) return Status::error(cat(describe(), " is not trained: nothing to explain yet"));
  Structure s;
  s.family = "LSH";
  s.dim = dim();
  s.n = size();
  const size_t d = dim();
  for (int t = 0; t < tables_; ++t)
    for (int j = 0; j < bits_; ++j) {
      const size_t p = size_t(t) * bits_ + j;
      s.hyperplanes.push_back({uint32_t(t), uint32_t(j),
                               std::vector<float>(planes_.begin() + p * d, planes_.begin() + (p + 1) * d),
                               offsets_[p]});
    }
  s.keys.assign(size_t(tables_), std::vector<uint64_t>(size()));
  for (size_t i = 0; i < size(); ++i)
    for (int t = 0; t < tables_; ++t) s.keys[t][i] = point_keys_[i * tables_ + t];
  for (int t = 0; t < tables_; ++t)
    for (size_t b = 0; b < table_[t].keys.size(); ++b)
      s.buckets.push_back({uint32_t(t), table_[t].keys[b], table_[t].starts[b + 1] - table_[t].starts[b]});
  return s;
}

Result<Trace> LshIndex::explain_query(const VectorView& q, size_t k, const SearchParams& p) const {
  if (q.n != 1) return Status::error(cat("explain takes one query, got ", q.n));
  ANNLAB_TRY(check_query(q, k));
  ANNLAB_TRY(check_search_params(p));
  Trace t;
  t.ids.resize(k);
  t.distances.resize(k);
  std::vector<uint32_t> mark(store_.size(), 0);
  detail::EventTracer tr{&t.events};
  search_one(q, 0, k, mark, 1, t.ids.data(), t.distances.data(), &t.stats, tr);
  return t;
}

void LshIndex::save_payload(BinaryWriter& w) const {
  w.put<uint32_t>(uint32_t(bits_));
  w.put<uint32_t>(uint32_t(tables_));
  w.put<uint64_t>(params_.seed);
  w.put<uint8_t>(trained_ ? 1 : 0);
  w.array(planes_);
  w.array(offsets_);
  w.array(point_keys_);
  store_.save(w);
}

Status LshIndex::load_payload(BinaryReader& r) {
  uint32_t bits = 0, tables = 0;
  uint8_t trained = 0;
  ANNLAB_TRY(r.get(&bits, "LSH bits"));
  ANNLAB_TRY(r.get(&tables, "LSH tables"));
  if (int(tables) != tables_ || (bits_ != 0 && int(bits) != bits_) || bits > uint32_t(kMaxBits))
    return r.error(cat("LSH payload has b = ", bits, ", L = ", tables, ", the description says ", describe()));
  ANNLAB_TRY(r.get(&params_.seed, "LSH seed"));
  ANNLAB_TRY(r.get(&trained, "LSH trained flag"));
  if (trained > 1) return r.error(cat("LSH trained flag is ", int(trained), ", expected 0 or 1"));
  bits_ = int(bits);
  trained_ = trained == 1;
  const size_t planes = size_t(tables_) * size_t(bits_);
  const uint64_t limit = r.remaining();
  ANNLAB_TRY(r.array(&planes_, "LSH hyperplanes", limit));
  if (planes_.size() != (trained_ ? planes * dim() : 0))
    return r.error(cat("LSH holds ", planes_.size(), " hyperplane coefficients, expected ", planes * dim()));
  ANNLAB_TRY(VectorView::of(planes_.data(), planes_.size(), 1).check_finite("hyperplane"));
  ANNLAB_TRY(r.array(&offsets_, "LSH offsets", limit));
  if (offsets_.size() != (trained_ ? planes : 0))
    return r.error(cat("LSH holds ", offsets_.size(), " offsets, expected ", planes));
  ANNLAB_TRY(VectorView::of(offsets_.data(), offsets_.size(), 1).check_finite("offset"));
  ANNLAB_TRY(r.array(&point_keys_, "LSH bucket keys", limit));
  ANNLAB_TRY(store_.load(r));
  if (point_keys_.size() != store_.size() * size_t(tables_))
    return r.error(cat("LSH holds ", point_keys_.size(), " bucket keys, expected ", store_.size() * size_t(tables_)));
  if (store_.size() && !trained_) return r.error("LSH holds vectors but is not trained");
  const uint64_t mask = bits_ >= 64 ? ~uint64_t{0} : (uint64_t{1} << bits_) - 1;
  for (uint64_t key : point_keys_)
    if (key & ~mask) return r.error(cat("LSH bucket key ", key, " has bits beyond b = ", bits_));
  rebuild_tables();
  return Status::ok();
}

}  // namespace annlab
