#include "index/lsh_index.h"

#include <algorithm>
#include <cmath>

#include "annlab/binary_io.h"
#include "annlab/memory.h"
#include "annlab/random.h"
#include "parts/bucket_search.h"
#include "parts/multiprobe.h"

namespace annlab {

LshIndex::LshIndex(size_t d, int bits, int tables, const BuildParams& params)
    : Index(d), bits_(bits), tables_(tables), params_(params), base_(d) {
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
  compute_plane_norms();
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
  const size_t n0 = base_.size();
  if (n0 + x.n > UINT32_MAX)
    return Status::error(cat("LSH holds at most ", UINT32_MAX, " vectors; adding ", x.n, " to ", n0, " would exceed it"));
  ANNLAB_ASSIGN_OR_RETURN(uint64_t table_bytes, checked_bytes("LSH tables", n0 + x.n, size_t(tables_), 2 * 12));
  ANNLAB_TRY(check_memory(cat("LSH tables for ", n0 + x.n, " vectors x ", tables_, " tables"), table_bytes));
  ANNLAB_TRY(base_.add(x));
  std::vector<float> row(dim());
  std::vector<uint64_t> keys(x.n * size_t(tables_));  // point-major
  for (size_t i = 0; i < x.n; ++i) {
    x.row_to_f32(i, row.data());
    for (int t = 0; t < tables_; ++t) keys[i * tables_ + t] = key(t, row.data());
  }
  table_.resize(size_t(tables_));
  std::vector<std::pair<uint64_t, uint32_t>> fresh(x.n);
  for (int t = 0; t < tables_; ++t) {
    for (size_t i = 0; i < x.n; ++i) fresh[i] = {keys[i * tables_ + t], uint32_t(n0 + i)};
    table_[t].merge(fresh);
  }
  return Status::ok();
}

size_t LshIndex::memory_bytes() const {
  size_t bytes = planes_.size() * 4 + offsets_.size() * 4 + plane_norms_.size() * 8 + base_.owned_bytes();
  for (const detail::BucketTable& tb : table_) bytes += tb.memory_bytes();
  return bytes;
}

void LshIndex::compute_plane_norms() {
  const Kernels& k = kernels();
  const size_t d = dim();
  plane_norms_.resize(planes_.size() / d);
  for (size_t p = 0; p < plane_norms_.size(); ++p)
    plane_norms_[p] = std::sqrt(double(k.ip_f32(planes_.data() + p * d, planes_.data() + p * d, d)));
}

template <class Tracer>
void LshIndex::search_one(const VectorView& q, size_t i, size_t k, int64_t probes_wanted, std::vector<uint32_t>& mark,
                          uint32_t epoch, int64_t* ids, float* dist, QueryStats* st, Tracer& tr) const {
  VectorStore::PreparedQuery pq;
  base_.store().prepare(q, i, &pq);
  std::vector<float> scratch(dim());
  const Kernels& kern = kernels();
  detail::TopK top(k);
  const size_t d = dim();
  const int64_t probes = std::max<int64_t>(1, probes_wanted);
  std::vector<double> margin(static_cast<size_t>(bits_));
  std::vector<uint32_t> set;
  for (int t = 0; t < tables_; ++t) {
    // The query's key, and (multi-probe) each bit's distance to its hyperplane.
    uint64_t own = 0;
    for (int j = 0; j < bits_; ++j) {
      const size_t p = size_t(t) * bits_ + j;
      const float proj = kern.ip_f32(planes_.data() + p * d, pq.f.data(), d) - offsets_[p];
      if (proj >= 0) own |= uint64_t{1} << j;
      if (probes > 1) margin[size_t(j)] = std::fabs(double(proj)) / plane_norms_[p];  // in the data's units
    }
    detail::ProbeSequence seq;
    if (probes > 1) seq = detail::ProbeSequence(margin);
    for (int64_t probe = 0; probe < probes; ++probe) {
      uint64_t key_t = own;
      if (probe > 0) {
        if (!seq.next(&set)) break;
        for (uint32_t r : set) key_t ^= uint64_t{1} << seq.element(r);
      }
      detail::scan_bucket(table_[size_t(t)], uint32_t(t), key_t, mark, epoch, base_.store(), pq, kern, scratch.data(), top, st, tr);
    }
  }
  top.write(ids, dist);
}

void LshIndex::search_batch(const VectorView& q, size_t k, const SearchParams& p, int64_t* ids,
                            float* distances, QueryStats* stats) const {
  std::vector<uint32_t> mark(base_.size(), 0);
  detail::NullTracer tr;
  for (size_t i = 0; i < q.n; ++i)
    search_one(q, i, k, p.probes.value_or(1), mark, uint32_t(i + 1), ids + i * k, distances + i * k, stats + i, tr);
}

Status LshIndex::check_search_params(const SearchParams& p) const {
  ANNLAB_TRY(Index::check_search_params(p));
  return detail::check_probes(p);
}

Result<Structure> LshIndex::explain_structure() const {
  if (!trained_) return Status::error(cat(describe(), " is not trained: nothing to explain yet"));
  Structure s;
  s.method = describe();
  s.dim = dim();
  s.n = size();
  const size_t d = dim();
  HyperplaneLayer hp;
  for (int t = 0; t < tables_; ++t)
    for (int j = 0; j < bits_; ++j) {
      const size_t p = size_t(t) * bits_ + j;
      hp.planes.push_back({uint32_t(t), uint32_t(j),
                           std::vector<float>(planes_.begin() + p * d, planes_.begin() + (p + 1) * d), offsets_[p]});
    }
  BucketLayer bk;
  bk.keys.assign(size_t(tables_), std::vector<uint64_t>(size()));
  for (size_t t = 0; t < table_.size(); ++t) table_[t].explain(uint32_t(t), &bk.keys[t], &bk.buckets);
  s.layers.push_back(std::move(hp));
  s.layers.push_back(std::move(bk));
  return s;
}

Result<Trace> LshIndex::explain_query(const VectorView& q, size_t k, const SearchParams& p) const {
  return explain_one(q, k, p, [&](Trace& t) {
    std::vector<uint32_t> mark(base_.size(), 0);
    detail::EventTracer tr{&t.events};
    search_one(q, 0, k, p.probes.value_or(1), mark, 1, t.ids.data(), t.distances.data(), &t.stats, tr);
    std::vector<float> v(dim());
    q.row_to_f32(0, v.data());
    for (int tb = 0; tb < tables_; ++tb) t.query_keys.push_back(key(tb, v.data()));
  });
}

void LshIndex::save_payload(BinaryWriter& w) const {
  w.put<uint32_t>(uint32_t(bits_));
  w.put<uint32_t>(uint32_t(tables_));
  w.put<uint64_t>(params_.seed);
  w.put<uint8_t>(trained_ ? 1 : 0);
  w.array(planes_);
  w.array(offsets_);
  base_.save(w);
  for (const detail::BucketTable& tb : table_) tb.save(w);
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
  compute_plane_norms();
  ANNLAB_TRY(r.array(&offsets_, "LSH offsets", limit));
  if (offsets_.size() != (trained_ ? planes : 0))
    return r.error(cat("LSH holds ", offsets_.size(), " offsets, expected ", planes));
  ANNLAB_TRY(VectorView::of(offsets_.data(), offsets_.size(), 1).check_finite("offset"));
  ANNLAB_TRY(base_.load(r));
  const size_t n = base_.size();
  if (n && !trained_) return r.error("LSH holds vectors but is not trained");
  const uint64_t mask = bits_ >= 64 ? ~uint64_t{0} : (uint64_t{1} << bits_) - 1;
  table_.assign(n ? size_t(tables_) : 0, detail::BucketTable{});
  for (detail::BucketTable& tb : table_) ANNLAB_TRY(tb.load(r, n, mask, "LSH"));
  return Status::ok();
}

}  // namespace annlab
