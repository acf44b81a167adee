#include "annlab/ivf_index.h"

#include <algorithm>
#include <cmath>

#include "annlab/binary_io.h"
#include "annlab/kmeans.h"
#include "annlab/memory.h"
#include "rerank.h"

namespace annlab {

IvfIndex::IvfIndex(size_t d, size_t nlist, size_t pq_m, const BuildParams& params)
    : Index(d), nlist_(nlist), pq_m_(pq_m), params_(params), ids_(nlist), bytes_(nlist), floats_(nlist), refine_(d) {
  if (pq_m_) pq_ = std::make_unique<ProductQuantizer>(d, pq_m_);
}

std::string IvfIndex::describe() const { return pq_m_ ? cat("IVF", nlist_, ",PQ", pq_m_) : cat("IVF", nlist_, ",Flat"); }

std::vector<std::string_view> IvfIndex::search_param_names() const {
  if (pq_m_) return {"nprobe", "rerank"};
  return {"nprobe"};
}

Status IvfIndex::check_search_params(const SearchParams& p) const {
  ANNLAB_TRY(Index::check_search_params(p));
  if (p.nprobe && size_t(*p.nprobe) > nlist_)
    return Status::error(cat("nprobe = ", *p.nprobe, " exceeds the ", nlist_, " cells of ", describe()));
  return Status::ok();
}

size_t IvfIndex::memory_bytes() const {
  size_t b = centroids_.size() * 4 + refine_.memory_bytes() + (pq_ ? pq_->codebooks().size() * 4 : 0) +
             precomputed_.size() * 4;
  for (size_t c = 0; c < nlist_; ++c) b += ids_[c].size() * 8 + bytes_[c].size() + floats_[c].size() * 4;
  return b;
}

Status IvfIndex::train(const VectorView& x) {
  if (x.d != dim()) return Status::error(cat("training vectors have dimension ", x.d, ", the index has ", dim()));
  if (trained_) return Status::error(cat(describe(), " is already trained"));
  if (x.n < nlist_)
    return Status::error(cat(describe(), ": ", x.n, " training vectors are fewer than nlist = ", nlist_, " cells"));
  KMeansParams kp;
  kp.k = nlist_;
  kp.seed = params_.seed;
  kp.iterations = 10;  // as FAISS's IVF training
  ANNLAB_ASSIGN_OR_RETURN(KMeansResult km, kmeans(x, kp));
  centroids_ = std::move(km.centroids);
  if (pq_) {
    // The PQ learns the residuals x - centroid(x) of (a sample of) the training set.
    const size_t n = std::min<size_t>(x.n, 65536);
    std::vector<float> r(n * dim());
    std::vector<int32_t> label(n);
    for (size_t i = 0; i < n; ++i) x.row_to_f32(i, r.data() + i * dim());
    assign_nearest(VectorView::of(r.data(), n, dim()), centroids_.data(), nlist_, label.data());
    for (size_t i = 0; i < n; ++i)
      for (size_t j = 0; j < dim(); ++j) r[i * dim() + j] -= centroids_[size_t(label[i]) * dim() + j];
    ANNLAB_TRY(pq_->train(r.data(), n, params_.seed + 1));
  }
  trained_ = true;
  precompute_tables();
  return Status::ok();
}

void IvfIndex::precompute_tables() {
  precomputed_.clear();
  if (!pq_ || !trained_ || !pq_->trained()) return;
  const size_t d = dim(), m = pq_m_, ds = pq_->dsub(), K = ProductQuantizer::kCentroids;
  const Kernels& kern = kernels();
  const std::vector<float>& books = pq_->codebooks();
  std::vector<float> norms(m * K);
  for (size_t j = 0; j < m * K; ++j) norms[j] = kern.ip_f32(books.data() + j * ds, books.data() + j * ds, ds);
  precomputed_.resize(nlist_ * m * K);
  for (size_t c = 0; c < nlist_; ++c)
    for (size_t s = 0; s < m; ++s)
      for (size_t j = 0; j < K; ++j) {
        const float* r = books.data() + (s * K + j) * ds;
        precomputed_[(c * m + s) * K + j] = norms[s * K + j] + 2 * kern.ip_f32(centroids_.data() + c * d + s * ds, r, ds);
      }
}

Status IvfIndex::add(const VectorView& x) {
  if (!trained_) return Status::error(cat(describe(), " is not trained: train it before adding vectors"));
  if (x.d != dim()) return Status::error(cat("vectors have dimension ", x.d, ", the index has ", dim()));
  ANNLAB_TRY(x.check_finite("added"));
  const size_t d = dim();
  ANNLAB_ASSIGN_OR_RETURN(uint64_t bytes, checked_bytes("IVF lists", x.n, pq_m_ ? pq_m_ + 8 : d * (x.is_u8() ? 1 : 4) + 8));
  ANNLAB_TRY(check_memory(cat("adding ", x.n, " vectors to ", describe()), bytes));
  if (n_ == 0) dtype_ = x.is_u8() ? DType::U8 : DType::F32;
  if (!pq_m_ && dtype_ == DType::U8 && !x.is_u8()) {
    // Floats into byte lists: keep them exact by switching every list to floats.
    for (size_t c = 0; c < nlist_; ++c) {
      floats_[c].assign(bytes_[c].begin(), bytes_[c].end());
      std::vector<uint8_t>().swap(bytes_[c]);
    }
    dtype_ = DType::F32;
  }
  std::vector<int32_t> label(x.n);
  assign_nearest(x, centroids_.data(), nlist_, label.data());
  std::vector<float> row(d);
  std::vector<uint8_t> code(pq_m_);
  for (size_t i = 0; i < x.n; ++i) {
    const size_t c = size_t(label[i]);
    ids_[c].push_back(int64_t(n_ + i));
    if (pq_m_) {
      x.row_to_f32(i, row.data());
      for (size_t j = 0; j < d; ++j) row[j] -= centroids_[c * d + j];
      pq_->encode(row.data(), 1, code.data());
      bytes_[c].insert(bytes_[c].end(), code.begin(), code.end());
    } else if (dtype_ == DType::U8) {
      bytes_[c].insert(bytes_[c].end(), x.u8 + i * d, x.u8 + (i + 1) * d);
    } else {
      x.row_to_f32(i, row.data());
      floats_[c].insert(floats_[c].end(), row.begin(), row.end());
    }
  }
  if (pq_m_) ANNLAB_TRY(refine_.add(x));
  n_ += x.n;
  return Status::ok();
}

template <class Tracer>
void IvfIndex::search_one(const float* q, size_t k, const SearchParams& p, int64_t* ids, float* dist, QueryStats* st,
                          Tracer& tr, std::vector<float>& scratch) const {
  const size_t d = dim();
  const Kernels& kern = kernels();
  const size_t nprobe = std::min(nlist_, size_t(p.nprobe.value_or(1)));
  std::vector<std::pair<float, int64_t>> cells(nlist_);
  for (size_t c = 0; c < nlist_; ++c) cells[c] = {kern.l2sq_f32(q, centroids_.data() + c * d, d), int64_t(c)};
  st->distances += nlist_;
  std::partial_sort(cells.begin(), cells.begin() + long(nprobe), cells.end());
  const size_t rerank = pq_m_ ? size_t(p.rerank.value_or(0)) : 0;
  const size_t cap = std::min(n_, std::max(k, rerank));
  detail::TopK top(cap);
  // A byte copy of the query when it is exactly bytes (then byte lists compare exactly, fast).
  std::vector<uint8_t> qb;
  if (!pq_m_ && dtype_ == DType::U8) {
    bool bytes = true;
    for (size_t j = 0; j < d && bytes; ++j) bytes = q[j] >= 0 && q[j] <= 255 && q[j] == std::floor(q[j]);
    if (bytes) qb.assign(q, q + d);
  }
  const size_t K = ProductQuantizer::kCentroids;
  std::vector<float> table(pq_m_ ? pq_m_ * K : 0), qterm(pq_m_ ? pq_m_ * K : 0);
  if (pq_m_) {
    // -2 <q_m, r_mj>, once per query.
    const std::vector<float>& books = pq_->codebooks();
    const size_t ds = pq_->dsub();
    for (size_t s = 0; s < pq_m_; ++s)
      for (size_t j = 0; j < K; ++j) qterm[s * K + j] = -2 * kern.ip_f32(q + s * ds, books.data() + (s * K + j) * ds, ds);
  }
  for (size_t probe = 0; probe < nprobe; ++probe) {
    const size_t c = size_t(cells[probe].second);
    ++st->cells;
    if constexpr (Tracer::kOn) tr.event(TraceKind::CellProbed, uint32_t(probe), int64_t(c), cells[probe].first);
    const std::vector<int64_t>& list = ids_[c];
    if (pq_m_) {
      const float* pre = precomputed_.data() + c * pq_m_ * K;
      for (size_t j = 0; j < pq_m_ * K; ++j) table[j] = pre[j] + qterm[j];
    }
    for (size_t e = 0; e < list.size(); ++e) {
      double dd;
      if (pq_m_) dd = double(cells[probe].first + pq_->adc(table.data(), bytes_[c].data() + e * pq_m_));
      else if (!qb.empty()) dd = kern.l2sq_u8(qb.data(), bytes_[c].data() + e * d, d);
      else if (dtype_ == DType::F32) dd = kern.l2sq_f32(q, floats_[c].data() + e * d, d);
      else {
        for (size_t j = 0; j < d; ++j) scratch[j] = bytes_[c][e * d + j];
        dd = kern.l2sq_f32(q, scratch.data(), d);
      }
      ++st->candidates;
      if (!pq_m_) ++st->distances;
      if constexpr (Tracer::kOn) tr.event(TraceKind::DistanceComputed, uint32_t(c), list[e], float(dd));
      const bool entered = top.push(dd, list[e]);
      if constexpr (Tracer::kOn) {
        if (entered && !rerank) tr.event(TraceKind::TopKChanged, uint32_t(top.rank_of(dd, list[e])), list[e], float(dd));
      }
    }
  }
  if (pq_m_) {
    VectorStore::PreparedQuery pq;
    refine_.prepare(VectorView::of(q, 1, d), 0, &pq);
    detail::finish_with_rerank(top, cap, rerank, k, refine_, pq, ids, dist, st, tr);
  } else {
    std::vector<int64_t> cid(cap);
    std::vector<float> cd(cap);
    top.write(cid.data(), cd.data());
    for (size_t i = 0; i < k; ++i) {
      ids[i] = i < cap ? cid[i] : -1;
      dist[i] = i < cap ? cd[i] : std::numeric_limits<float>::infinity();
    }
  }
}

void IvfIndex::search_batch(const VectorView& q, size_t k, const SearchParams& p, int64_t* ids, float* distances,
                            QueryStats* stats) const {
  detail::NullTracer tr;
  std::vector<float> row(dim()), scratch(dim());
  for (size_t i = 0; i < q.n; ++i) {
    q.row_to_f32(i, row.data());
    search_one(row.data(), k, p, ids + i * k, distances + i * k, stats + i, tr, scratch);
  }
}

Result<Structure> IvfIndex::explain_structure() const {
  if (!trained_) return Status::error(cat(describe(), " is not trained: nothing to explain yet"));
  Structure s;
  s.family = pq_m_ ? "IVF-PQ" : "IVF";
  s.dim = dim();
  s.n = n_;
  s.centroids = centroids_;
  s.assignment.assign(n_, -1);
  for (size_t c = 0; c < nlist_; ++c)
    for (int64_t id : ids_[c]) s.assignment[size_t(id)] = int32_t(c);
  return s;
}

Result<Trace> IvfIndex::explain_query(const VectorView& q, size_t k, const SearchParams& p) const {
  return explain_one(q, k, p, [&](Trace& t) {
    detail::EventTracer tr{&t.events};
    std::vector<float> row(dim()), scratch(dim());
    q.row_to_f32(0, row.data());
    search_one(row.data(), k, p, t.ids.data(), t.distances.data(), &t.stats, tr, scratch);
  });
}

void IvfIndex::save_payload(BinaryWriter& w) const {
  w.put<uint64_t>(nlist_);
  w.put<uint64_t>(pq_m_);
  w.put<uint64_t>(params_.seed);
  w.put<uint8_t>(trained_ ? 1 : 0);
  w.put<uint8_t>(uint8_t(dtype_));
  w.put<uint64_t>(n_);
  w.array(centroids_);
  for (size_t c = 0; c < nlist_; ++c) {
    w.array(ids_[c]);
    w.array(bytes_[c]);
    w.array(floats_[c]);
  }
  if (pq_) pq_->save(w);
  refine_.save(w);
}

Status IvfIndex::load_payload(BinaryReader& r) {
  uint64_t nlist = 0, m = 0, n = 0;
  uint8_t trained = 0, dtype = 0;
  ANNLAB_TRY(r.get(&nlist, "IVF nlist"));
  ANNLAB_TRY(r.get(&m, "IVF PQ M"));
  if (nlist != nlist_ || m != pq_m_) return r.error(cat("IVF payload has nlist = ", nlist, ", M = ", m, "; the description says ", describe()));
  ANNLAB_TRY(r.get(&params_.seed, "IVF seed"));
  ANNLAB_TRY(r.get(&trained, "IVF trained flag"));
  ANNLAB_TRY(r.get(&dtype, "IVF dtype"));
  ANNLAB_TRY(r.get(&n, "IVF size"));
  if (trained > 1 || dtype > 1) return r.error("IVF flags out of range");
  trained_ = trained;
  dtype_ = DType(dtype);
  const uint64_t limit = r.remaining();
  ANNLAB_TRY(r.array(&centroids_, "IVF centroids", limit));
  if (centroids_.size() != (trained_ ? nlist_ * dim() : 0))
    return r.error(cat("IVF holds ", centroids_.size(), " centroid floats, expected ", nlist_ * dim()));
  ANNLAB_TRY(VectorView::of(centroids_.data(), centroids_.size(), 1).check_finite("IVF centroid"));
  std::vector<uint8_t> seen(n, 0);
  size_t total = 0;
  const size_t d = dim();
  for (size_t c = 0; c < nlist_; ++c) {
    ANNLAB_TRY(r.array(&ids_[c], "IVF list ids", limit));
    ANNLAB_TRY(r.array(&bytes_[c], "IVF list bytes", limit));
    ANNLAB_TRY(r.array(&floats_[c], "IVF list floats", limit));
    const size_t len = ids_[c].size();
    const bool ok = pq_m_ ? bytes_[c].size() == len * pq_m_ && floats_[c].empty()
                          : dtype_ == DType::U8 ? bytes_[c].size() == len * d && floats_[c].empty()
                                                : floats_[c].size() == len * d && bytes_[c].empty();
    if (!ok) return r.error(cat("IVF list ", c, " sizes do not match its ", len, " ids"));
    for (int64_t id : ids_[c]) {
      if (id < 0 || uint64_t(id) >= n || seen[size_t(id)]++) return r.error(cat("IVF list ", c, " has a bad or repeated id ", id));
    }
    ANNLAB_TRY(VectorView::of(floats_[c].data(), floats_[c].size(), 1).check_finite("IVF list"));
    total += len;
  }
  if (total != n) return r.error(cat("IVF lists hold ", total, " ids, expected ", n));
  n_ = n;
  if (pq_) ANNLAB_TRY(pq_->load(r));
  if (pq_ && trained_ != pq_->trained()) return r.error("IVF-PQ: the PQ's training does not match the index's");
  ANNLAB_TRY(refine_.load(r));
  if (refine_.size() != (pq_m_ ? n_ : 0)) return r.error(cat("IVF refine store holds ", refine_.size(), " vectors, expected ", pq_m_ ? n_ : 0));
  precompute_tables();
  return Status::ok();
}

}  // namespace annlab
