#include "parts/list_scanners.h"

#include <algorithm>
#include <cmath>

#include "annlab/binary_io.h"
#include "annlab/distance.h"
#include "annlab/memory.h"
#include "annlab/pca.h"
#include "parts/tracer.h"

namespace annlab {

size_t InvertedLists::memory_bytes() const {
  size_t b = 0;
  for (size_t c = 0; c < ids.size(); ++c) b += ids[c].size() * 8 + bytes[c].size() + floats[c].size() * 4;
  return b;
}

namespace {

// Offers entry e of a list (id, distance dd: exact, or estimated from its code) to the top-k, with
// its events.
template <class Tracer>
inline void offer(detail::TopK& top, uint32_t cell, int64_t id, double dd, Tracer& tr, bool exact) {
  if constexpr (Tracer::kOn) tr.event(exact ? TraceKind::DistanceComputed : TraceKind::CodeCompared, cell, id, float(dd));
  const bool entered = top.push(dd, id);
  if constexpr (Tracer::kOn) {
    if (entered) tr.event(TraceKind::TopKChanged, uint32_t(top.rank_of(dd, id)), id, float(dd));
  }
}

// Calls f with the tracer that matches `events` (none in search: the calls compile away).
template <class F>
inline void with_tracer(std::vector<TraceEvent>* events, F f) {
  if (events) {
    detail::EventTracer tr{events};
    f(tr);
  } else {
    detail::NullTracer tr;
    f(tr);
  }
}

class FlatScanner final : public ListScanner {
 public:
  explicit FlatScanner(size_t d) : d_(d) {}
  size_t code_m() const override { return 0; }
  bool codes_residuals() const override { return false; }
  bool exact() const override { return true; }
  bool trained() const override { return true; }
  TrainTask train_task(float*, const int32_t*, size_t, size_t, uint64_t) override { co_return Status::ok(); }
  void prepare(const float*, size_t) override {}
  void add(InvertedLists& lists, size_t c, const VectorView& x, size_t i, float* row) const override {
    if (lists.dtype == DType::U8) lists.bytes[c].insert(lists.bytes[c].end(), x.u8 + i * d_, x.u8 + (i + 1) * d_);
    else lists.floats[c].insert(lists.floats[c].end(), row, row + d_);
  }
  void start(const float* q, size_t d, Query* s) const override {
    s->q = q;
    s->scratch.resize(d);
    // A byte copy of the query when it is exactly bytes (then byte lists compare exactly, fast).
    bool bytes = true;
    for (size_t j = 0; j < d && bytes; ++j) bytes = q[j] >= 0 && q[j] <= 255 && q[j] == std::floor(q[j]);
    s->qb.clear();
    if (bytes) s->qb.assign(q, q + d);
  }
  void scan(Query& s, const InvertedLists& lists, size_t c, const float*, float, detail::TopK& top, QueryStats* st,
            std::vector<TraceEvent>* events) const override {
    scan_entries(s, lists, c, nullptr, lists.ids[c].size(), top, st, events);
  }
  bool scans_positions() const override { return true; }
  void scan_positions(Query& s, const InvertedLists& lists, size_t c, const uint32_t* pos, size_t n, detail::TopK& top,
                      QueryStats* st, std::vector<TraceEvent>* events) const override {
    scan_entries(s, lists, c, pos, n, top, st, events);
  }

 private:
  // Entries pos[0..count) of cell c's list (all of them in order when pos is null).
  void scan_entries(Query& s, const InvertedLists& lists, size_t c, const uint32_t* pos, size_t count,
                    detail::TopK& top, QueryStats* st, std::vector<TraceEvent>* events) const {
    with_tracer(events, [&](auto& tr) {
      const Kernels& kern = kernels();
      const std::vector<int64_t>& list = lists.ids[c];
      const bool u8 = lists.dtype == DType::U8;
      for (size_t i = 0; i < count; ++i) {
        const size_t e = pos ? pos[i] : i;
        double dd;
        if (u8 && !s.qb.empty()) dd = kern.l2sq_u8(s.qb.data(), lists.bytes[c].data() + e * d_, d_);
        else if (!u8) dd = kern.l2sq_f32(s.q, lists.floats[c].data() + e * d_, d_);
        else {
          for (size_t j = 0; j < d_; ++j) s.scratch[j] = lists.bytes[c][e * d_ + j];
          dd = kern.l2sq_f32(s.q, s.scratch.data(), d_);
        }
        ++st->candidates;
        ++st->distances;
        offer(top, uint32_t(c), list[e], dd, tr, true);
      }
    });
  }

 public:
  size_t memory_bytes() const override { return 0; }

 private:
  size_t d_;
};

// The PQ of residuals that both PQ scanners share: training, encoding, saving.
class PqScannerBase : public ListScanner {
 public:
  PqScannerBase(size_t d, size_t m, std::string what) : d_(d), pq_(d, m), what_(std::move(what)) {}
  size_t code_m() const override { return pq_.m(); }
  bool codes_residuals() const override { return true; }
  bool exact() const override { return false; }
  bool trained() const override { return pq_.trained(); }
  void save(BinaryWriter& w) const override { pq_.save(w); }
  Status load(BinaryReader& r) override { return pq_.load(r); }

 protected:
  void append_code(InvertedLists& lists, size_t c, const float* r) const {
    uint8_t code[256];
    pq_.encode(r, 1, code);
    lists.bytes[c].insert(lists.bytes[c].end(), code, code + pq_.m());
  }
  template <class Tracer>
  void scan_codes(const float* table, float base, const InvertedLists& lists, size_t c, detail::TopK& top,
                  QueryStats* st, Tracer& tr) const {
    const std::vector<int64_t>& list = lists.ids[c];
    const size_t m = pq_.m();
    for (size_t e = 0; e < list.size(); ++e) {
      const double dd = double(base + pq_.adc(table, lists.bytes[c].data() + e * m));
      ++st->candidates;
      offer(top, uint32_t(c), list[e], dd, tr, false);
    }
  }
  size_t d_;
  ProductQuantizer pq_;
  std::string what_;
};

class PqResidualScanner final : public PqScannerBase {
 public:
  using PqScannerBase::PqScannerBase;
  TrainTask train_task(float* r, const int32_t*, size_t n, size_t, uint64_t seed) override {
    ANNLAB_CO_RUN(pq_.train_task(r, n, seed + 1));
    co_return Status::ok();
  }
  // Per cell c, sub-space m, centroid j: ||r_mj||^2 + 2 <c_m, r_mj>, so that a query's table for
  // a cell is this plus -2 <q_m, r_mj> (once per query) and the distance is ||q - c||^2 plus the
  // code's sum. nlist * M * 256 floats.
  void prepare(const float* centroids, size_t nlist) override {
    pre_.clear();
    if (!pq_.trained()) return;
    const size_t m = pq_.m(), ds = pq_.dsub(), K = ProductQuantizer::kCentroids;
    const Kernels& kern = kernels();
    const std::vector<float>& books = pq_.codebooks();
    std::vector<float> norms(m * K);
    for (size_t j = 0; j < m * K; ++j) norms[j] = kern.ip_f32(books.data() + j * ds, books.data() + j * ds, ds);
    pre_.resize(nlist * m * K);
    for (size_t c = 0; c < nlist; ++c)
      for (size_t s = 0; s < m; ++s) {
        float* pre = pre_.data() + (c * m + s) * K;
        kern.ip_f32_rows(centroids + c * d_ + s * ds, books.data() + s * K * ds, K, ds, pre);
        for (size_t j = 0; j < K; ++j) pre[j] = norms[s * K + j] + 2 * pre[j];
      }
  }
  void add(InvertedLists& lists, size_t c, const VectorView&, size_t, float* row) const override {
    append_code(lists, c, row);
  }
  void start(const float* q, size_t, Query* s) const override {
    s->q = q;
    const size_t m = pq_.m(), ds = pq_.dsub(), K = ProductQuantizer::kCentroids;
    const Kernels& kern = kernels();
    const std::vector<float>& books = pq_.codebooks();
    s->term.resize(m * K);
    s->table.resize(m * K);
    for (size_t sub = 0; sub < m; ++sub) {
      float* term = s->term.data() + sub * K;
      kern.ip_f32_rows(q + sub * ds, books.data() + sub * K * ds, K, ds, term);
      for (size_t j = 0; j < K; ++j) term[j] = -2 * term[j];
    }
  }
  void scan(Query& s, const InvertedLists& lists, size_t c, const float*, float coarse, detail::TopK& top,
            QueryStats* st, std::vector<TraceEvent>* events) const override {
    const size_t mk = pq_.m() * ProductQuantizer::kCentroids;
    const float* pre = pre_.data() + c * mk;
    for (size_t j = 0; j < mk; ++j) s.table[j] = pre[j] + s.term[j];
    with_tracer(events, [&](auto& tr) { scan_codes(s.table.data(), coarse, lists, c, top, st, tr); });
  }
  size_t memory_bytes() const override { return (pq_.codebooks().size() + pre_.size()) * 4; }

 private:
  std::vector<float> pre_;
};

class LocalPqScanner final : public PqScannerBase {
 public:
  using PqScannerBase::PqScannerBase;
  TrainTask train_task(float* r, const int32_t* cell, size_t n, size_t nlist, uint64_t seed) override {
    ANNLAB_CO_RUN(train_rotations(r, cell, n, nlist));
    ANNLAB_CO_RUN(pq_.train_task(r, n, seed + 1));
    co_return Status::ok();
  }
  void prepare(const float*, size_t) override {}
  void add(InvertedLists& lists, size_t c, const VectorView&, size_t, float* row) const override {
    std::vector<float> rotated(d_);
    rotate_rows(rot_.data() + c * d_ * d_, d_, row, 1, rotated.data());
    append_code(lists, c, rotated.data());
  }
  void start(const float* q, size_t d, Query* s) const override {
    s->q = q;
    s->scratch.resize(2 * d);
    s->table.resize(pq_.m() * ProductQuantizer::kCentroids);
  }
  // The table holds whole distances: the query's residual, rotated into the cell's axes, against
  // the codebooks.
  void scan(Query& s, const InvertedLists& lists, size_t c, const float* centroid, float, detail::TopK& top,
            QueryStats* st, std::vector<TraceEvent>* events) const override {
    float* diff = s.scratch.data();
    float* rq = diff + d_;
    for (size_t j = 0; j < d_; ++j) diff[j] = s.q[j] - centroid[j];
    rotate_rows(rot_.data() + c * d_ * d_, d_, diff, 1, rq);
    pq_.distance_table(rq, s.table.data());
    with_tracer(events, [&](auto& tr) { scan_codes(s.table.data(), 0.0f, lists, c, top, st, tr); });
  }
  size_t memory_bytes() const override { return (pq_.codebooks().size() + rot_.size() + var_.size()) * 4; }
  void save_tail(BinaryWriter& w) const override {
    w.array(rot_);
    w.array(var_);
  }
  Status load_tail(BinaryReader& r, size_t nlist) override {
    const size_t dd = d_ * d_;
    const bool trained = pq_.trained();
    ANNLAB_TRY(r.array(&rot_, "LOPQ rotations", r.remaining() / 4));
    ANNLAB_TRY(r.array(&var_, "LOPQ variances", r.remaining() / 4));
    if (rot_.size() != (trained ? nlist * dd : 0) || var_.size() != (trained ? nlist * d_ : 0))
      return r.error(cat("LOPQ holds ", rot_.size(), " rotation and ", var_.size(), " variance floats, expected ",
                         trained ? nlist * dd : 0, " and ", trained ? nlist * d_ : 0));
    ANNLAB_TRY(VectorView::of(rot_.data(), rot_.size(), 1).check_finite("LOPQ rotation"));
    for (float v : var_)
      if (!(v >= 0 && v <= 3.0e38f)) return r.error(cat("LOPQ variance ", v, " is not a finite non-negative number"));
    return Status::ok();
  }
  const std::vector<float>* cell_rotations() const override { return &rot_; }
  std::vector<float> cell_axes() const override {
    const size_t d = d_, nlist = var_.size() / std::max<size_t>(d, 1);
    std::vector<float> axes(nlist * d * d);
    for (size_t c = 0; c < nlist; ++c)
      for (size_t row = 0; row < d; ++row) {
        const float sd = std::sqrt(var_[c * d + row]);
        for (size_t j = 0; j < d; ++j) axes[(c * d + row) * d + j] = rot_[(c * d + row) * d + j] * sd;
      }
    return axes;
  }

 private:
  // The principal axes of each cell's residuals, distributed over the M sub-vectors so that each
  // gets about the same total variance; rotates r in place.
  TrainTask train_rotations(float* r, const int32_t* label, size_t n, size_t nlist) {
    const size_t d = d_, m = pq_.m(), ds = d / m;
    ANNLAB_CO_TRY(check_memory_for("LOPQ rotations", nlist, d * d, 4,
                                   cat("training ", what_, " (one ", d, " x ", d, " rotation per cell)")));
    rot_.assign(nlist * d * d, 0.0f);
    var_.assign(nlist * d, 0.0f);
    std::vector<std::vector<size_t>> members(nlist);
    for (size_t i = 0; i < n; ++i) members[size_t(label[i])].push_back(i);
    const Kernels& kern = kernels();
    std::vector<float> cols, rotated(d);
    std::vector<double> cov(d * d), values, vectors, load(m);
    std::vector<size_t> fill(m);
    double work = 0;
    for (size_t c = 0; c < nlist; ++c) {
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
      float* rot = rot_.data() + c * d * d;
      for (size_t e = 0; e < d; ++e) {
        size_t best = m;
        for (size_t s = 0; s < m; ++s)
          if (fill[s] < ds && (best == m || load[s] < load[best])) best = s;
        const size_t row = best * ds + fill[best]++;
        const double var = std::max(values[e], 0.0);
        load[best] += var;
        var_[c * d + row] = float(var);
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
        ANNLAB_CO_STEP(cat("LOPQ: rotation of cell ", c + 1, "/", nlist), double(c + 1) / double(nlist));
      }
    }
    co_return Status::ok();
  }
  std::vector<float> rot_;  // per cell, rows = principal axes in sub-vector order (d x d)
  std::vector<float> var_;  // per cell, the variance along each row of its rotation
};

}  // namespace

std::unique_ptr<ListScanner> make_flat_scanner(size_t d) { return std::make_unique<FlatScanner>(d); }
std::unique_ptr<ListScanner> make_pq_residual_scanner(size_t d, size_t m, std::string what) {
  return std::make_unique<PqResidualScanner>(d, m, std::move(what));
}
std::unique_ptr<ListScanner> make_local_pq_scanner(size_t d, size_t m, std::string what) {
  return std::make_unique<LocalPqScanner>(d, m, std::move(what));
}

}  // namespace annlab
