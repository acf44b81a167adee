#include "index/ivf_index.h"

#include <algorithm>
#include <cmath>

#include "annlab/binary_io.h"
#include "parts/kmeans.h"
#include "annlab/memory.h"
#include "annlab/pca.h"
#include "parts/rerank.h"

namespace annlab {

IvfIndex::IvfIndex(size_t d, size_t nlist, size_t pq_m, const BuildParams& params, IvfRotation rot)
    : Index(d), nlist_(nlist), pq_m_(pq_m), params_(params), rot_(pq_m ? rot : IvfRotation::None), ids_(nlist),
      bytes_(nlist), floats_(nlist), refine_(d) {
  if (pq_m_) pq_ = std::make_unique<ProductQuantizer>(d, pq_m_);
}

std::string IvfIndex::describe() const {
  switch (rot_) {
    case IvfRotation::OPQ: return cat("OPQ", pq_m_, ",IVF", nlist_, ",PQ", pq_m_);
    case IvfRotation::Local: return cat("LOPQ", nlist_, ",PQ", pq_m_);
    case IvfRotation::None: break;
  }
  return pq_m_ ? cat("IVF", nlist_, ",PQ", pq_m_) : cat("IVF", nlist_, ",Flat");
}

Status IvfIndex::check_search_params(const SearchParams& p) const {
  ANNLAB_TRY(Index::check_search_params(p));
  if (p.nprobe && size_t(*p.nprobe) > nlist_)
    return Status::error(cat("nprobe = ", *p.nprobe, " exceeds the ", nlist_, " cells of ", describe()));
  return Status::ok();
}

size_t IvfIndex::memory_bytes() const {
  size_t b = centroids_.size() * 4 + refine_.owned_bytes() + (pq_ ? pq_->codebooks().size() * 4 : 0) +
             precomputed_.size() * 4 + rotation_.size() * 4 + cell_rot_.size() * 4 + cell_var_.size() * 4;
  for (size_t c = 0; c < nlist_; ++c) b += ids_[c].size() * 8 + bytes_[c].size() + floats_[c].size() * 4;
  return b;
}

TrainTask IvfIndex::train_task(VectorView x) {
  if (x.d != dim()) co_return Status::error(cat("training vectors have dimension ", x.d, ", the index has ", dim()));
  if (trained_) co_return Status::error(cat(describe(), " is already trained"));
  if (x.n < nlist_)
    co_return Status::error(cat(describe(), ": ", x.n, " training vectors are fewer than nlist = ", nlist_, " cells"));
  const size_t d = dim();
  if (pq_ && x.n < ProductQuantizer::kCentroids)
    co_return Status::error(cat(describe(), " needs at least ", ProductQuantizer::kCentroids,
                             " training vectors (256 centroids per sub-space), got ", x.n));
  // OPQ: learn the rotation on a seeded sample, then train everything else on rotated vectors.
  std::vector<float> xr;
  VectorView xt = x;
  if (rot_ == IvfRotation::OPQ) {
    ANNLAB_CO_TRY(x.check_finite("training"));
    ANNLAB_CO_TRY(check_memory_for("OPQ rotated training copy", x.n, d, 4, cat("training ", describe())));
    const std::vector<float> sample = sample_rows(x, 8192, params_.seed + 2);
    const size_t ns = sample.size() / d;
    OpqTraining opq;
    ANNLAB_CO_RUN(train_opq_rotation_task(sample.data(), ns, d, pq_m_, params_.seed + 3, 8, &opq));
    rotation_ = std::move(opq.rotation);
    xr.resize(x.n * d);
    std::vector<float> row(d);
    for (size_t i = 0; i < x.n; ++i) {
      x.row_to_f32(i, row.data());
      rotate_rows(rotation_.data(), d, row.data(), 1, xr.data() + i * d);
    }
    xt = VectorView::of(xr.data(), x.n, d);
  }
  KMeansParams kp;
  kp.k = nlist_;
  kp.seed = params_.seed;
  kp.iterations = 10;  // as FAISS's IVF training
  KMeansResult km;
  ANNLAB_CO_RUN(kmeans_task(xt, kp, &km));
  centroids_ = std::move(km.centroids);
  if (pq_) {
    // The PQ learns the residuals x - centroid(x) of (a sample of) the training set.
    const size_t n = std::min<size_t>(xt.n, 65536);
    std::vector<float> r(n * d);
    std::vector<int32_t> label(n);
    for (size_t i = 0; i < n; ++i) xt.row_to_f32(i, r.data() + i * d);
    assign_nearest(VectorView::of(r.data(), n, d), centroids_.data(), nlist_, label.data());
    for (size_t i = 0; i < n; ++i)
      for (size_t j = 0; j < d; ++j) r[i * d + j] -= centroids_[size_t(label[i]) * d + j];
    if (rot_ == IvfRotation::Local) ANNLAB_CO_RUN(train_local_rotations(r.data(), label.data(), n));
    ANNLAB_CO_RUN(pq_->train_task(r.data(), n, params_.seed + 1));
  }
  trained_ = true;
  precompute_tables();
  co_return Status::ok();
}

TrainTask IvfIndex::train_local_rotations(float* r, const int32_t* label, size_t n) {
  const size_t d = dim(), m = pq_m_, ds = d / m;
  ANNLAB_CO_TRY(check_memory_for("LOPQ rotations", nlist_, d * d, 4, cat("training ", describe(), " (one ", d, " x ", d, " rotation per cell)")));
  cell_rot_.assign(nlist_ * d * d, 0.0f);
  cell_var_.assign(nlist_ * d, 0.0f);
  std::vector<std::vector<size_t>> members(nlist_);
  for (size_t i = 0; i < n; ++i) members[size_t(label[i])].push_back(i);
  const Kernels& kern = kernels();
  std::vector<float> cols, rotated(d);
  std::vector<double> cov(d * d), values, vectors, load(m);
  std::vector<size_t> fill(m);
  double work = 0;
  for (size_t c = 0; c < nlist_; ++c) {
    // The second moment of the cell's residuals (their mean is ~0: the centroid is their mean).
    const size_t nc = members[c].size();
    cols.resize(d * nc);
    for (size_t t = 0; t < nc; ++t)
      for (size_t j = 0; j < d; ++j) cols[j * nc + t] = r[members[c][t] * d + j];
    for (size_t p = 0; p < d; ++p)
      for (size_t q = 0; q <= p; ++q)
        cov[p * d + q] = cov[q * d + p] =
            nc ? double(kern.ip_f32(cols.data() + p * nc, cols.data() + q * nc, nc)) / double(nc) : 0.0;
    ANNLAB_CO_TRY(symmetric_eigen(cov, d, &values, &vectors));
    // Eigenvalue allocation: the axes by decreasing variance, each into the sub-vector (with room
    // left) whose variance so far is smallest, so the M sub-vectors carry about equal variance.
    std::fill(load.begin(), load.end(), 0.0);
    std::fill(fill.begin(), fill.end(), size_t{0});
    float* rot = cell_rot_.data() + c * d * d;
    for (size_t e = 0; e < d; ++e) {
      size_t best = m;
      for (size_t s = 0; s < m; ++s)
        if (fill[s] < ds && (best == m || load[s] < load[best])) best = s;
      const size_t row = best * ds + fill[best]++;
      const double var = std::max(values[e], 0.0);
      load[best] += var;
      cell_var_[c * d + row] = float(var);
      for (size_t j = 0; j < d; ++j) rot[row * d + j] = float(vectors[e * d + j]);
    }
    for (size_t i : members[c]) {
      rotate_rows(rot, d, r + i * d, 1, rotated.data());
      std::copy(rotated.begin(), rotated.end(), r + i * d);
    }
    // A cell costs a d x d covariance and its eigen-decomposition: a step every few cells.
    work += double(d) * double(d) * double(nc + d);
    if (work > double(1 << 27)) {
      work = 0;
      ANNLAB_CO_STEP(cat("LOPQ: rotation of cell ", c + 1, "/", nlist_), double(c + 1) / double(nlist_));
    }
  }
  co_return Status::ok();
}

void IvfIndex::precompute_tables() {
  precomputed_.clear();
  if (!pq_ || !trained_ || !pq_->trained() || rot_ == IvfRotation::Local) return;
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
  // In blocks, so OPQ's rotated copy stays small.
  const size_t block = 4096;
  std::vector<int32_t> label(std::min(block, x.n));
  std::vector<float> row(d), rotated(rot_ == IvfRotation::OPQ ? std::min(block, x.n) * d : 0), tmp(d);
  std::vector<uint8_t> code(pq_m_);
  for (size_t b0 = 0; b0 < x.n; b0 += block) {
    const size_t nb = std::min(block, x.n - b0);
    VectorView xb = x.rows(b0, nb);
    if (rot_ == IvfRotation::OPQ) {
      for (size_t i = 0; i < nb; ++i) {
        xb.row_to_f32(i, row.data());
        rotate_rows(rotation_.data(), d, row.data(), 1, rotated.data() + i * d);
      }
      xb = VectorView::of(rotated.data(), nb, d);
    }
    assign_nearest(xb, centroids_.data(), nlist_, label.data());
    for (size_t i = 0; i < nb; ++i) {
      const size_t c = size_t(label[i]);
      ids_[c].push_back(int64_t(n_ + b0 + i));
      if (pq_m_) {
        xb.row_to_f32(i, row.data());
        for (size_t j = 0; j < d; ++j) row[j] -= centroids_[c * d + j];
        if (rot_ == IvfRotation::Local) {
          rotate_rows(cell_rot_.data() + c * d * d, d, row.data(), 1, tmp.data());
          row.swap(tmp);
        }
        pq_->encode(row.data(), 1, code.data());
        bytes_[c].insert(bytes_[c].end(), code.begin(), code.end());
      } else if (dtype_ == DType::U8) {
        bytes_[c].insert(bytes_[c].end(), xb.u8 + i * d, xb.u8 + (i + 1) * d);
      } else {
        xb.row_to_f32(i, row.data());
        floats_[c].insert(floats_[c].end(), row.begin(), row.end());
      }
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
  // qs: the query in the space of the centroids (OPQ's rotated space); q stays for the re-rank.
  std::vector<float> qrot;
  const float* qs = q;
  if (rot_ == IvfRotation::OPQ) {
    qrot.resize(d);
    rotate_rows(rotation_.data(), d, q, 1, qrot.data());
    qs = qrot.data();
  }
  std::vector<std::pair<float, int64_t>> cells(nlist_);
  for (size_t c = 0; c < nlist_; ++c) cells[c] = {kern.l2sq_f32(qs, centroids_.data() + c * d, d), int64_t(c)};
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
  std::vector<float> table(pq_m_ ? pq_m_ * K : 0), qterm(pq_m_ && rot_ != IvfRotation::Local ? pq_m_ * K : 0), diff, rq;
  if (rot_ == IvfRotation::Local) {
    diff.resize(d);
    rq.resize(d);
  } else if (pq_m_) {
    // -2 <q_m, r_mj>, once per query.
    const std::vector<float>& books = pq_->codebooks();
    const size_t ds = pq_->dsub();
    for (size_t s = 0; s < pq_m_; ++s)
      for (size_t j = 0; j < K; ++j) qterm[s * K + j] = -2 * kern.ip_f32(qs + s * ds, books.data() + (s * K + j) * ds, ds);
  }
  for (size_t probe = 0; probe < nprobe; ++probe) {
    const size_t c = size_t(cells[probe].second);
    ++st->cells;
    if constexpr (Tracer::kOn) tr.event(TraceKind::CellProbed, uint32_t(probe), int64_t(c), cells[probe].first);
    const std::vector<int64_t>& list = ids_[c];
    float base = cells[probe].first;  // the code's sum is added to ||q - c||^2 ...
    if (rot_ == IvfRotation::Local) {
      // ... except in LOPQ, whose table holds whole distances: the query's residual, rotated
      // into the cell's axes, against the codebooks.
      for (size_t j = 0; j < d; ++j) diff[j] = q[j] - centroids_[c * d + j];
      rotate_rows(cell_rot_.data() + c * d * d, d, diff.data(), 1, rq.data());
      pq_->distance_table(rq.data(), table.data());
      base = 0;
    } else if (pq_m_) {
      const float* pre = precomputed_.data() + c * pq_m_ * K;
      for (size_t j = 0; j < pq_m_ * K; ++j) table[j] = pre[j] + qterm[j];
    }
    for (size_t e = 0; e < list.size(); ++e) {
      double dd;
      if (pq_m_) dd = double(base + pq_->adc(table.data(), bytes_[c].data() + e * pq_m_));
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
    refine_.store().prepare(VectorView::of(q, 1, d), 0, &pq);
    detail::finish_with_rerank(top, cap, rerank, k, refine_.store(), pq, ids, dist, st, tr);
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
  const size_t d = dim();
  s.family = rot_ == IvfRotation::OPQ ? "OPQ" : rot_ == IvfRotation::Local ? "LOPQ" : pq_m_ ? "IVF-PQ" : "IVF";
  s.dim = d;
  s.n = n_;
  s.centroids = centroids_;
  if (rot_ == IvfRotation::OPQ) {
    // Back to the data's space: c = R^T c_rotated.
    for (size_t c = 0; c < nlist_; ++c)
      for (size_t j = 0; j < d; ++j) {
        double v = 0;
        for (size_t i = 0; i < d; ++i) v += double(rotation_[i * d + j]) * centroids_[c * d + i];
        s.centroids[c * d + j] = float(v);
      }
  }
  if (rot_ == IvfRotation::Local && nlist_ * d * d <= (size_t{1} << 20)) {
    // Each cell's principal axes, scaled by the standard deviation along them.
    s.axes.resize(nlist_ * d * d);
    for (size_t c = 0; c < nlist_; ++c)
      for (size_t row = 0; row < d; ++row) {
        const float sd = std::sqrt(cell_var_[c * d + row]);
        for (size_t j = 0; j < d; ++j) s.axes[(c * d + row) * d + j] = cell_rot_[(c * d + row) * d + j] * sd;
      }
  }
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
  if (rot_ == IvfRotation::OPQ) w.array(rotation_);
  if (rot_ == IvfRotation::Local) {
    w.array(cell_rot_);
    w.array(cell_var_);
  }
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
  const size_t dd = dim() * dim();
  if (rot_ == IvfRotation::OPQ) {
    ANNLAB_TRY(r.array(&rotation_, "OPQ rotation", r.remaining() / 4));
    if (rotation_.size() != (trained_ ? dd : 0))
      return r.error(cat("OPQ rotation holds ", rotation_.size(), " floats, expected ", trained_ ? dd : 0));
    ANNLAB_TRY(VectorView::of(rotation_.data(), rotation_.size(), 1).check_finite("OPQ rotation"));
  }
  if (rot_ == IvfRotation::Local) {
    ANNLAB_TRY(r.array(&cell_rot_, "LOPQ rotations", r.remaining() / 4));
    ANNLAB_TRY(r.array(&cell_var_, "LOPQ variances", r.remaining() / 4));
    if (cell_rot_.size() != (trained_ ? nlist_ * dd : 0) || cell_var_.size() != (trained_ ? nlist_ * dim() : 0))
      return r.error(cat("LOPQ holds ", cell_rot_.size(), " rotation and ", cell_var_.size(), " variance floats, expected ",
                         trained_ ? nlist_ * dd : 0, " and ", trained_ ? nlist_ * dim() : 0));
    ANNLAB_TRY(VectorView::of(cell_rot_.data(), cell_rot_.size(), 1).check_finite("LOPQ rotation"));
    for (float v : cell_var_)
      if (!(v >= 0 && v <= 3.0e38f)) return r.error(cat("LOPQ variance ", v, " is not a finite non-negative number"));
  }
  precompute_tables();
  return Status::ok();
}

}  // namespace annlab
