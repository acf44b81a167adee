#include "parts/kmeans.h"

#include <Eigen/Dense>
#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstring>
#include <limits>
#include <numeric>

#include "annlab/distance.h"
#include "annlab/random.h"
#include "kernels/distance_impl.h"

namespace annlab {

namespace {
using RowMatrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

// Which product the assignment uses (kmeans.h): the level's choice unless a test forces one.
detail::AssignProduct g_forced = detail::AssignProduct::Auto;
std::atomic<size_t> g_int_rows{0};
bool g_bounds = true;
std::atomic<size_t> g_skipped{0};
std::atomic<size_t> g_near_rows{0};
bool g_check_bounds = false;
std::atomic<size_t> g_bound_violations{0};
bool g_trained_labels = true;
std::atomic<size_t> g_trained_label_rows{0};

// A bound on the relative error of the fixed-order l2sq_f32 of d floats against the true squared
// distance (every term is a square, >= 0): the difference and the product round by u each, a
// partial sum of d/32 terms, the 5-level combine and a tail of up to 31 terms; doubled.
double l2sq_rel_error(size_t d) { return 2 * (double(d) / 32 + 40) * 0x1p-24; }

// The squared distance in double (a centroid's drift, the tests' bound check): far below the float
// kernel's rounding, which the bounds' slack covers.
double l2sq_double(const float* a, const float* b, size_t d) {
  double s = 0;
  for (size_t c = 0; c < d; ++c) {
    const double v = double(a[c]) - double(b[c]);
    s += v * v;
  }
  return s;
}

// assign_nearest below this many rows runs the exact kernel on every centroid.
constexpr size_t kDirectRows = 8;

// What every assignment against one set of centroids shares: their squared norms and (AVX2) their
// packed panels. Prepared once per k-means iteration, not once per block of rows.
struct Centroids {
  const float* c = nullptr;
  size_t k = 0, d = 0;
  Eigen::VectorXf norm;
  float max_norm = 0;
  std::vector<float> packed;
  // The level's block product (panels of 16 for AVX2, 32 for AVX-512, 8 for simd128), or none at
  // the scalar level, which uses Eigen's product.
  const detail::FloatBlockProduct* product = nullptr;
  // The centroids in int16 where the level uses them (detail::Int16Rows).
  detail::Int16Rows ints;
  Centroids(const float* centroids, size_t k_, size_t d_) : c(centroids), k(k_), d(d_), norm(Eigen::Index(k_)) {
    const Kernels& kern = kernels();
    for (size_t j = 0; j < k; ++j) norm[Eigen::Index(j)] = kern.ip_f32(c + j * d, c + j * d, d);
    max_norm = k ? norm.maxCoeff() : 0.0f;
    const SimdLevel level = simd_level();
    if (detail::use_int16(level, d, k, detail::kIntMinCentroids)) ints = detail::Int16Rows(c, k, d, level);
    product = detail::float_block_product(level);
    if (product) packed = detail::pack_panels(c, k, d, product->width);
  }
};

// A float at most v (v >= 0 or +inf): the bounds are kept in float to halve their memory.
float float_below(double v) { return float(v * (1 - 1e-6)); }

// Groups of centroids for the k-means bounds: group[j] < t for each centroid j (t = 1: one group).
struct Groups {
  size_t t = 1;
  std::vector<uint32_t> of;     // k: the group of each centroid
  std::vector<uint32_t> order;  // k: the centroids, group by group (ascending within a group)
  std::vector<uint32_t> start;  // t + 1: group g is order[start[g] .. start[g + 1])
  Groups() = default;
  Groups(std::vector<uint32_t> group_of, size_t t_) : t(t_), of(std::move(group_of)), order(of.size()), start(t_ + 1, 0) {
    for (const uint32_t g : of) ++start[g + 1];
    for (size_t g = 0; g < t; ++g) start[g + 1] += start[g];
    std::vector<uint32_t> next(start.begin(), start.end() - 1);
    for (size_t j = 0; j < of.size(); ++j) order[next[of[j]]++] = uint32_t(j);
  }
  size_t size(size_t g) const { return start[g + 1] - start[g]; }
};

// bounds (if not null): per row, t floats (t = groups.t): for each group a lower bound on the true
// distance (not squared) from the row to every centroid of the group but the chosen one (+inf where
// there is none): the k-means bounds start from them.
void assign_prepared(const VectorView& x, const Centroids& cs, int32_t* labels, float* dist,
                     float* bounds = nullptr, const Groups* groups = nullptr) {
  const size_t d = x.d, k = cs.k;
  const float* centroids = cs.c;
  const Kernels& kern = kernels();
  Eigen::Map<const RowMatrix> C(centroids, Eigen::Index(k), Eigen::Index(d));
  const Eigen::VectorXf& cnorm = cs.norm;
  const float cmax = cs.max_norm;
  // Rows per product: small enough for a block of x (and of products) to stay in L2 beside a panel
  // of centroids; a multiple of the micro-kernels' 6 and 12 rows (120 measured best on 784-d).
  const size_t block = std::max<size_t>(1, std::min<size_t>(120, (size_t(1) << 24) / std::max<size_t>(k, 1)));
  RowMatrix X{static_cast<Eigen::Index>(block), static_cast<Eigen::Index>(d)};
  RowMatrix D;
  const std::vector<float>& packed = cs.packed;
  // Scratch kept per thread: assignment runs in steps of a few hundred rows, and zeroing fresh
  // buffers each step cost a twentieth of a wasm IVF1024 build.
  thread_local std::vector<int16_t> X16;
  thread_local std::vector<int32_t> dots;
  thread_local std::vector<float> approx_i;
  thread_local std::vector<double> l1;
  if (cs.ints.ok()) {  // grown, never shrunk (a shrink and a regrow would zero the tail again)
    auto grow = [](auto& v, size_t n) {
      if (v.size() < n) v.resize(n);
    };
    grow(X16, block * cs.ints.dp);
    grow(dots, block * k);
    grow(approx_i, k);
    grow(l1, block);
  }
  // Among the centroids whose approximate score (||c||^2 - 2 x.c) is within `margin` of the best,
  // the exact kernel decides (the lower index on an exact tie), so the product's rounding cannot
  // change the answer: the margin is at least twice the score's error.
  thread_local std::vector<uint32_t> cand;
  if (cand.size() < k) cand.resize(k);
  // A row with one candidate is decided; its exact distance, when wanted, is measured with the
  // block's other such rows by the pairs kernel (the same floats as one at a time).
  thread_local std::vector<uint32_t> single_row, single_centroid;
  thread_local std::vector<float> single_dist;
  // Every score is within margin / 2 of ||c||^2 - 2 x.c, and xnorm within a relative rounding of
  // ||x||^2, so a lower bound of d(x, c)^2 is score + xnorm (1 - g) - margin.
  const size_t t = groups ? groups->t : 1;
  thread_local std::vector<float> group_min;
  if (bounds) group_min.resize(t);
  auto lower_second = [&](const float* approx, double xnorm, double margin, size_t row, int32_t arg) {
    if (!bounds) return;
    float* m = group_min.data();
    std::fill_n(m, t, std::numeric_limits<float>::infinity());
    if (t == 1) {  // the two runs either side of arg (a minimum in memory through m would chain each step)
      const size_t a = arg < 0 ? k : std::min(size_t(arg), k);
      m[0] = std::min(detail::min_f32(approx, a), a < k ? detail::min_f32(approx + a + 1, k - a - 1) : m[0]);
    } else {
      const uint32_t* order = groups->order.data();
      for (size_t q = 0; q < t; ++q) {
        float mq = m[q];
        for (size_t r = groups->start[q]; r < groups->start[q + 1]; ++r)
          if (int32_t(order[r]) != arg) mq = std::min(mq, approx[order[r]]);
        m[q] = mq;
      }
    }
    for (size_t g = 0; g < t; ++g)
      bounds[row * t + g] = float_below(std::sqrt(std::max(0.0, double(m[g]) + xnorm * (1 - l2sq_rel_error(d)) - margin)));
  };
  auto decide = [&](const float* xi, const float* approx, double margin, size_t b0, size_t i, double xnorm) {
    const float best = detail::min_f32(approx, k);
    // best + margin, rounded up to a float so that the comparison keeps everything it must.
    float limit = float(double(best) + margin);
    if (double(limit) < double(best) + margin) limit = std::nextafter(limit, std::numeric_limits<float>::infinity());
    const size_t nc = detail::indices_at_most(approx, k, limit, cand.data());
    if (nc == 1) {
      labels[b0 + i] = int32_t(cand[0]);
      lower_second(approx, xnorm, margin, b0 + i, int32_t(cand[0]));
      if (dist) single_row.push_back(uint32_t(i)), single_centroid.push_back(cand[0]);
      return;
    }
    int32_t arg = -1;
    float exact = std::numeric_limits<float>::infinity();
    for (size_t c = 0; c < nc; ++c) {  // ascending, so an exact tie keeps the lower index
      const size_t j = cand[c];
      const float e = kern.l2sq_f32(xi, centroids + j * d, d);
      if (e < exact) {
        exact = e;
        arg = int32_t(j);
      }
    }
    labels[b0 + i] = arg;
    if (dist) dist[b0 + i] = exact;
    lower_second(approx, xnorm, margin, b0 + i, arg);
  };
  auto finish_block = [&](size_t b0) {
    const size_t ns = single_row.size();
    if (ns == 0) return;
    single_dist.resize(ns);
    kern.l2sq_f32_pairs(X.data(), centroids, single_row.data(), single_centroid.data(), ns, d, single_dist.data());
    for (size_t t = 0; t < ns; ++t) dist[b0 + single_row[t]] = single_dist[t];
    single_row.clear();
    single_centroid.clear();
  };
  for (size_t b0 = 0; b0 < x.n; b0 += block) {
    const size_t m = std::min(block, x.n - b0);
    for (size_t i = 0; i < m; ++i) x.row_to_f32(b0 + i, X.row(Eigen::Index(i)).data());
    if (cs.ints.ok() && detail::small_int_rows(X.data(), m, d, cs.ints.dp, X16.data(), l1.data())) {
      // Exact integer sums against the rounded centroids: |x.c - s x.c16| <= qerr ||x||_1, so each
      // score is within 2 qerr ||x||_1 of the true one, plus the float rounding of ||c||^2 (the
      // relative term, as below); computed in double.
      cs.ints.product(X16.data(), m, cs.ints.v.data(), k, cs.ints.dp, dots.data());
      g_int_rows.fetch_add(m, std::memory_order_relaxed);
      const float s2 = float(2 * cs.ints.scale);
      for (size_t i = 0; i < m; ++i) {
        const float* xi = X.row(Eigen::Index(i)).data();
        const float xnorm = kern.ip_f32(xi, xi, d);
        const int32_t* row = dots.data() + i * k;
        const float* cn = cnorm.data();
        float* a = approx_i.data();
        // In float: the conversion, the product and the difference each round by at most u of
        // ||x||^2 + ||c||^2 (which bounds |2 x.c|), far inside the relative term.
        for (size_t j = 0; j < k; ++j) a[j] = cn[j] - s2 * float(row[j]);
        const double margin = 4 * cs.ints.err * l1[i] * (1 + 1e-6) + 2e-5 * (double(xnorm) + cmax) + 1e-6;
        decide(xi, a, margin, b0, i, double(xnorm));
      }
      finish_block(b0);
      continue;
    }
    if (cs.product) {
      D.resize(Eigen::Index(m), Eigen::Index(k));
      cs.product->fn(X.data(), m, packed.data(), k, d, D.data());
    } else
      D.noalias() = X.topRows(Eigen::Index(m)) * C.transpose();
    for (size_t i = 0; i < m; ++i) {
      const float* xi = X.row(Eigen::Index(i)).data();
      const float xnorm = kern.ip_f32(xi, xi, d);
      // Approximate distances from the product; the few within a safe margin of the best are
      // recomputed exactly, so rounding differences between builds cannot change the answer.
      float* approx = D.row(Eigen::Index(i)).data();  // becomes ||c||^2 - 2 x.c
      const float* cn = cnorm.data();
      for (size_t j = 0; j < k; ++j) approx[j] = cn[j] - 2 * approx[j];
      const float margin = 2e-5f * (xnorm + cmax) + 1e-6f;
      decide(xi, approx, double(margin), b0, i, double(xnorm));
    }
    finish_block(b0);
  }
}

}  // namespace

namespace detail {

namespace {
// The integer path: rows that are small integers (|v| <= 255: every byte dataset) against
// centroids rounded to int16 fixed point, c ~ s * c16. The sums are exact int32:
// |x . c16| <= dp * 255 * qmax < 2^31 by the choice of qmax.
constexpr float kSmallInt = 255.0f;
// The shortest rows where the level chooses the integer path.
constexpr size_t kIntMinDim = 128;
size_t int_qmax(size_t dp) { return std::min<size_t>(32767, size_t((uint64_t(1) << 31) - 1) / (dp * 255)); }
}  // namespace

bool use_int16(SimdLevel level, size_t d, size_t rows, size_t min_rows) {
  // Measured in wasm on Fashion-MNIST: PQ16's 49-d sub-vectors built 20% slower through the integer
  // tiles than through floats; IVF64 and IVF256 (784-d) built 40% and 5% slower, IVF1024 30% faster.
  return g_forced == AssignProduct::Int16 ||
         (g_forced == AssignProduct::Auto && level == SimdLevel::WasmSimd128 && d >= kIntMinDim && rows >= min_rows);
}

bool use_int16_projections(SimdLevel level, size_t d) {
  const bool vector = level == SimdLevel::WasmSimd128 || level == SimdLevel::AVX2 || level == SimdLevel::AVX512;
  return g_forced == AssignProduct::Int16 || (g_forced == AssignProduct::Auto && vector && d >= kIntMinDim);
}

Int16Rows::Int16Rows(const float* c, size_t n, size_t d, SimdLevel level) {
  // The product reads 8 int16 a step in wasm, 16 with AVX2.
  dp = level == SimdLevel::WasmSimd128 ? (d + 7) / 8 * 8 : (d + 15) / 16 * 16;
  const size_t qmax = int_qmax(dp);
  if (qmax < 256) return;  // d in the tens of thousands: the rounding margin would keep too many
  float cabs = 0;
  for (size_t t = 0; t < n * d; ++t) cabs = std::max(cabs, std::fabs(c[t]));
  if (!std::isfinite(cabs)) return;
  scale = cabs > 0 ? double(cabs) / double(qmax) : 1.0;
  v.assign(n * dp, 0);
  double e = 0;
  for (size_t j = 0; j < n; ++j)
    for (size_t t = 0; t < d; ++t) {
      const double x = c[j * d + t];
      const double r = std::clamp(std::nearbyint(x / scale), -double(qmax), double(qmax));
      v[j * dp + t] = int16_t(r);
      e = std::max(e, std::fabs(x - r * scale));
    }
  err = e;
  product = int_block_product(level);
  one = int_rows_product(level);
}

bool small_int_rows(const float* x, size_t m, size_t d, size_t dp, int16_t* out, double* l1) {
  // Without an early exit, so that the compiler vectorizes it (it runs once per query in wasm,
  // where a scalar loop with a branch per value cost twice the integer product it enables).
  for (size_t i = 0; i < m; ++i) {
    const float* r = x + i * d;
    int16_t* o = out + i * dp;
    int ok = 1;
    int64_t s = 0;
    for (size_t t = 0; t < d; ++t) {
      const float v = r[t];
      // fmax drops a NaN, so a NaN or an infinity becomes +-255 here and fails the comparison.
      const float c = std::trunc(std::fmin(std::fmax(v, -kSmallInt), kSmallInt));
      ok &= int(c == v);
      const int iv = int(c);
      o[t] = int16_t(iv);
      s += iv < 0 ? -iv : iv;
    }
    if (!ok) return false;
    std::fill(o + d, o + dp, int16_t(0));
    l1[i] = double(s);
  }
  return true;
}

}  // namespace detail

void detail::force_assign_product(AssignProduct p) { g_forced = p; }
size_t detail::int_assigned_rows() { return g_int_rows.load(std::memory_order_relaxed); }
void detail::set_kmeans_bounds(bool on) { g_bounds = on; }
size_t detail::kmeans_skipped_rows() { return g_skipped.load(std::memory_order_relaxed); }
size_t detail::kmeans_near_rows() { return g_near_rows.load(std::memory_order_relaxed); }
void detail::check_kmeans_bounds(bool on) { g_check_bounds = on; }
size_t detail::kmeans_bound_violations() { return g_bound_violations.load(std::memory_order_relaxed); }
void detail::set_trained_labels(bool on) { g_trained_labels = on; }
size_t detail::trained_label_rows() { return g_trained_label_rows.load(std::memory_order_relaxed); }

namespace {
// Each 8-byte word goes through h = xorshift((h ^ w) * K), a bijection of h for a given w, so two rows of
// one length that differ in a single word always hash apart. One multiply per 8 bytes.
uint64_t row_hash(const uint8_t* p, size_t bytes) {
  constexpr uint64_t K = 0xff51afd7ed558ccdull;
  uint64_t h = 0x9e3779b97f4a7c15ull ^ bytes;
  auto mix = [&](uint64_t w) {
    h = (h ^ w) * K;
    h ^= h >> 32;
  };
  size_t i = 0;
  for (; i + 8 <= bytes; i += 8) {
    uint64_t w;
    std::memcpy(&w, p + i, 8);
    mix(w);
  }
  if (i < bytes) {
    uint64_t w = 0;
    std::memcpy(&w, p + i, bytes - i);
    mix(w);
  }
  return h;
}
const uint8_t* row_bytes(const VectorView& x) {
  return x.u8 ? x.u8 : reinterpret_cast<const uint8_t*>(x.f32);
}
}  // namespace

TrainedLabels::TrainedLabels(const VectorView& x, std::vector<int32_t> labels) {
  if (labels.size() != x.n || x.n == 0 || x.d == 0) return;
  base_ = row_bytes(x);
  u8_ = x.is_u8();
  d_ = x.d;
  const size_t rb = x.d * (u8_ ? 1 : 4);
  hash_.resize(x.n);
  for (size_t i = 0; i < x.n; ++i) hash_[i] = row_hash(row_bytes(x) + i * rb, rb);
  labels_ = std::move(labels);
}

bool TrainedLabels::lookup(const VectorView& x, int32_t* labels) const {
  if (!g_trained_labels || labels_.empty() || x.n == 0 || x.is_u8() != u8_ || x.d != d_) return false;
  const size_t rb = d_ * (u8_ ? 1 : 4);
  const auto* base = static_cast<const uint8_t*>(base_);
  const uint8_t* p = row_bytes(x);
  // Compared as integers: pointers into different objects have no order in C++.
  const uintptr_t at = reinterpret_cast<uintptr_t>(p), from = reinterpret_cast<uintptr_t>(base);
  if (at < from || (at - from) % rb != 0) return false;
  const size_t i0 = (at - from) / rb;
  if (i0 > labels_.size() || x.n > labels_.size() - i0) return false;
  for (size_t i = 0; i < x.n; ++i)
    if (row_hash(p + i * rb, rb) != hash_[i0 + i]) return false;
  std::copy_n(labels_.data() + i0, x.n, labels);
  g_trained_label_rows.fetch_add(x.n, std::memory_order_relaxed);
  return true;
}

void assign_nearest(const VectorView& x, const float* centroids, size_t k, int32_t* labels, float* dist) {
  if (x.n < kDirectRows) {
    // A few rows (IVF-PQ encodes one residual at a time): preparing the centroids for a product
    // would cost more than the exact kernel on every centroid, which gives the same answer.
    const Kernels& kern = kernels();
    std::vector<float> row(x.d);
    for (size_t i = 0; i < x.n; ++i) {
      x.row_to_f32(i, row.data());
      int32_t arg = -1;
      float best = std::numeric_limits<float>::infinity();
      for (size_t j = 0; j < k; ++j) {
        const float e = kern.l2sq_f32(row.data(), centroids + j * x.d, x.d);
        if (e < best) {
          best = e;
          arg = int32_t(j);
        }
      }
      labels[i] = arg;
      if (dist) dist[i] = best;
    }
    return;
  }
  assign_prepared(x, Centroids(centroids, k, x.d), labels, dist);
}

namespace {
// A k-means pass after the first over rows with bounds (kmeans_task explains them), outside the
// coroutine so that its loop variables live in registers, not in the coroutine's frame. Rows whose
// own-centroid distance (dist, measured by the caller) beats every group's bound keep their label;
// rows with a few groups open measure those; the rest go to `redo` for the full assignment.
struct BoundsPass {
  const Kernels& kern;
  const Groups& groups;
  const float* data;     // n x d rows
  const float* grouped;  // the centroids group by group (groups.order)
  size_t d;
  double g;  // the fixed-order kernel's relative rounding (l2sq_rel_error)
  size_t near_limit;
  const double *drift, *drift1, *drift2;  // per centroid; per group the largest two
  const uint32_t* drift_arg;              // per group: the centroid that moved most
  int32_t* label;
  float* dist;
  float* lower;  // n x t bounds on the true distance
  std::vector<uint32_t>& redo;
  size_t skipped = 0, near = 0;
  std::vector<uint32_t> open{};
  std::vector<double> before{}, near_lb2{};

  // Rows from i0 until n or until about `work` multiply-adds were spent measuring; returns the next row.
  size_t rows(size_t i0, size_t n, size_t work) {
    const size_t t = groups.t;
    near_lb2.resize(groups.of.size());
    size_t done = 0;
    size_t i = i0;
    for (; i < n && done < work; ++i) {
      float* lb = lower + i * t;
      const uint32_t mine = uint32_t(label[i]);
      const double u = dist[i];
      open.clear();
      before.clear();
      size_t members = 0;
      for (size_t q = 0; q < t; ++q) {
        const double l = std::max(0.0, double(lb[q]) - (mine == drift_arg[q] ? drift2[q] : drift1[q]));
        if (!(u < (1 - 2 * g) * l * l)) {
          open.push_back(uint32_t(q));
          before.push_back(lb[q]);
          members += groups.size(q);
        }
        lb[q] = float_below(l);
      }
      if (open.empty()) {
        ++skipped;
        continue;
      }
      if (t == 1 || members > near_limit) {
        redo.push_back(uint32_t(i));
        continue;
      }
      // The open groups' centroids (the own centroid's distance is u), each measured exactly unless
      // its bound from the last pass, less how far it moved, already shows it farther than the best
      // so far (Yinyang's local filter). near_lb2: a lower bound on each one's squared distance.
      const float* xi = data + i * d;
      float best = float(u);
      uint32_t arg = mine;
      for (size_t o = 0; o < open.size(); ++o) {
        const uint32_t q = open[o];
        for (size_t r = groups.start[q]; r < groups.start[q + 1]; ++r) {
          const uint32_t j = groups.order[r];
          const double b = before[o] - drift[j];
          if (j == mine) {
            near_lb2[r] = u * (1 - g);
          } else if (b > 0 && double(best) < (1 - 2 * g) * b * b) {
            near_lb2[r] = b * b;
          } else {
            const float e = kern.l2sq_f32(xi, grouped + r * d, d);
            done += d;
            near_lb2[r] = double(e) * (1 - g);
            if (e < best || (e == best && j < arg)) best = e, arg = j;
          }
        }
      }
      for (const uint32_t q : open) {
        double m = std::numeric_limits<double>::infinity();
        for (size_t r = groups.start[q]; r < groups.start[q + 1]; ++r)
          if (groups.order[r] != arg) m = std::min(m, near_lb2[r]);
        lb[q] = float_below(std::sqrt(m));
      }
      const uint32_t mg = groups.of[mine];
      if (arg != mine && std::find(open.begin(), open.end(), mg) == open.end())
        lb[mg] = std::min(lb[mg], float_below(std::sqrt(u * (1 - g))));
      label[i] = int32_t(arg);
      dist[i] = best;
      ++near;
    }
    return i;
  }
};

// Bounds per group pay from this many centroids of this many dimensions, in groups of about
// kGroupSize. Measured on Fashion-MNIST (wasm, native): PQ8's 98-d sub-quantizers 20.0 -> 11.4 s,
// 9.1 -> 9.6 s; IVF256 7.0 -> 5.5 s, 2.8 -> 2.4 s; IVF1024 19.0 -> 11.3 s, 7.4 -> 6.2 s; but PQ16's
// 49-d ones no faster in either build (a row's bound upkeep costs about what measuring it does).
constexpr size_t kGroupMinK = 128, kGroupMinDim = 64, kGroupSize = 16;

// Groups of nearby centroids (a short k-means over the centroids themselves, seeded): the closer a
// group's members, the fewer groups a row must open. Which group a centroid is in changes only the
// speed, never an answer.
Groups centroid_groups(const float* c, size_t k, size_t d, size_t n, uint64_t seed) {
  // The bounds take n * t floats: at most 2^24 (64 MB), fewer groups for a larger sample.
  const size_t t = std::min(k / kGroupSize, (size_t(1) << 24) / std::max<size_t>(n, 1));
  if (k < kGroupMinK || d < kGroupMinDim || t < 2) return Groups(std::vector<uint32_t>(k, 0), 1);
  KMeansParams gp;
  gp.k = t;
  gp.iterations = 5;
  gp.seed = seed ^ 0x9e3779b97f4a7c15ULL;
  const VectorView cv = VectorView::of(c, k, d);
  auto r = kmeans(cv, gp);
  if (!r.is_ok()) return Groups(std::vector<uint32_t>(k, 0), 1);
  std::vector<int32_t> lab(k);
  assign_nearest(cv, r->centroids.data(), t, lab.data());
  return Groups(std::vector<uint32_t>(lab.begin(), lab.end()), t);
}
}  // namespace

Result<KMeansResult> kmeans(const VectorView& x, const KMeansParams& p) {
  KMeansResult out;
  TrainTask task = kmeans_task(x, p, &out);
  ANNLAB_TRY(task.run());
  return out;
}

TrainTask kmeans_task(VectorView x, KMeansParams p, KMeansResult* result) {
  if (p.k == 0) co_return Status::error("k-means: k = 0: ask for at least one cluster");
  if (x.n < p.k) co_return Status::error(cat("k-means: ", x.n, " training vectors are fewer than k = ", p.k, " clusters"));
  if (p.iterations < 0) co_return Status::error(cat("k-means: iterations = ", p.iterations, ": expected >= 0"));
  ANNLAB_CO_TRY(x.check_finite("k-means training"));
  const size_t d = x.d, k = p.k;
  // Work per step: about 2^27 multiply-adds (tens of milliseconds natively).
  constexpr double kStepWork = double(1 << 27);
  Rng rng(p.seed);
  // A seeded sample of the training set.
  std::vector<float> data;
  size_t n = x.n;
  const size_t cap = p.max_points_per_centroid ? k * p.max_points_per_centroid : x.n;
  std::vector<size_t> rows(x.n);
  std::iota(rows.begin(), rows.end(), size_t{0});
  // A random order (so k-means++ below can start from a prefix), truncated to the cap.
  rng.shuffle(rows);
  if (x.n > cap) {
    rows.resize(cap);
    n = cap;
  }
  data.resize(n * d);
  for (size_t i = 0; i < n; ++i) x.row_to_f32(rows[i], data.data() + i * d);
  const Kernels& kern = kernels();
  ANNLAB_CO_STEP(cat("k-means (k = ", k, "): sampled ", n, " vectors"), 0.0);

  // k-means++ on the first min(n, 4 k + 256) sample points (the sample is in random order; enough
  // to spread the centres, and k-means++ costs k passes over them): each next centre drawn with
  // probability proportional to its squared distance to the nearest centre chosen so far.
  KMeansResult out;
  out.k = k;
  out.d = d;
  out.centroids.resize(k * d);
  const size_t ni = std::min(n, 4 * k + 256);
  std::vector<float> nearest(ni, std::numeric_limits<float>::infinity()), to_prev(ni);
  size_t first = size_t(rng.below(ni));
  std::copy_n(data.data() + first * d, d, out.centroids.data());
  const size_t centres_per_step = std::max<size_t>(1, size_t(kStepWork / (double(ni) * double(d))));
  for (size_t c = 1; c < k; ++c) {
    const float* prev = out.centroids.data() + (c - 1) * d;
    double total = 0;
    // The rows kernel (four rows at a time in wasm) gives each row the one-row kernel's distance.
    kern.l2sq_f32_rows(prev, data.data(), ni, d, to_prev.data());
    for (size_t i = 0; i < ni; ++i) {
      nearest[i] = std::min(nearest[i], to_prev[i]);
      total += nearest[i];
    }
    size_t pick = 0;
    if (total > 0) {
      double r = rng.uniform() * total, acc = 0;
      pick = ni - 1;
      for (size_t i = 0; i < ni; ++i) {
        acc += nearest[i];
        if (acc > r) { pick = i; break; }
      }
    } else {
      pick = size_t(rng.below(ni));  // all points coincide with a centre
    }
    std::copy_n(data.data() + pick * d, d, out.centroids.data() + c * d);
    if (c % centres_per_step == 0) ANNLAB_CO_STEP(cat("k-means++ (k = ", k, ")"), double(c) / double(k));
  }

  const VectorView sample = VectorView::of(data.data(), n, d);
  std::vector<int32_t> label(n);
  std::vector<float> dist(n);
  std::vector<double> sums(k * d);
  std::vector<size_t> count(k);
  const size_t rows_per_step = std::max<size_t>(64, size_t(kStepWork / (double(k) * double(d))));
  // Bounds (Hamerly's, and with many centroids Yinyang's: Ding et al. 2015): lower[i * t + g] <=
  // the true distance from row i to every centroid of group g but label[i], kept through an update by
  // subtracting how far the group's other centroids moved. A pass after the first measures each row's
  // distance to its own centroid (the mse needs it anyway); a group whose bound exceeds it by more
  // than the kernel's rounding cannot hold a centroid the full pass would pick (each of its
  // fixed-order distances is larger). A row with every group so excluded keeps its label; a row with
  // a few groups left measures their centroids with the exact kernel, the lower index on a tie, as
  // the full pass decides; the rest are assigned in full.
  const Groups groups = centroid_groups(out.centroids.data(), k, d, n, p.seed);
  const size_t t = groups.t;
  std::vector<float> lower(n * t), gbounds;
  std::vector<float> prev, grouped;
  std::vector<uint32_t> row_ids, own, redo;
  std::vector<double> drift(k), drift1(t), drift2(t);
  std::vector<uint32_t> drift_arg(t);
  std::vector<float> gathered;
  std::vector<int32_t> glabel;
  std::vector<float> gdist;
  const double g = l2sq_rel_error(d);
  // A row measures its open groups itself while they hold at most this many centroids.
  const size_t near_limit = k / 4;
  for (int it = 0; it <= p.iterations; ++it) {
    const Centroids prepared(out.centroids.data(), k, d);
    const std::string what = cat("k-means (k = ", k, ") iteration ", it, "/", p.iterations);
    auto progress = [&](double done) { return (double(it) + done) / double(p.iterations + 1); };
    if (it == 0 || !g_bounds) {
      // The assignment in blocks of rows (each row's answer is independent of the blocking).
      for (size_t b0 = 0; b0 < n; b0 += rows_per_step) {
        const size_t nb = std::min(rows_per_step, n - b0);
        assign_prepared(sample.rows(b0, nb), prepared, label.data() + b0, dist.data() + b0, lower.data() + b0 * t, &groups);
        if (b0 + nb < n) ANNLAB_CO_STEP(what, progress(double(b0 + nb) / double(n)));
      }
    } else {
      // How far each centroid moved (rounded up): per group the largest and the second largest.
      std::fill(drift1.begin(), drift1.end(), 0.0);
      std::fill(drift2.begin(), drift2.end(), 0.0);
      std::fill(drift_arg.begin(), drift_arg.end(), uint32_t(k));
      for (size_t j = 0; j < k; ++j) {
        const double delta = std::sqrt(l2sq_double(out.centroids.data() + j * d, prev.data() + j * d, d)) * (1 + 1e-9);
        drift[j] = delta;
        const uint32_t q = groups.of[j];
        if (delta > drift1[q]) drift2[q] = drift1[q], drift1[q] = delta, drift_arg[q] = uint32_t(j);
        else if (delta > drift2[q]) drift2[q] = delta;
      }
      if (t > 1) {  // the centroids group by group, so that a row reads an open group in one run
        grouped.resize(k * d);
        for (size_t r = 0; r < k; ++r) std::copy_n(out.centroids.data() + size_t(groups.order[r]) * d, d, grouped.data() + r * d);
      }
      row_ids.resize(n);
      own.resize(n);
      std::iota(row_ids.begin(), row_ids.end(), uint32_t{0});
      for (size_t i = 0; i < n; ++i) own[i] = uint32_t(label[i]);
      kern.l2sq_f32_pairs(data.data(), out.centroids.data(), row_ids.data(), own.data(), n, d, dist.data());
      BoundsPass pass{kern, groups, data.data(), grouped.data(), d, g, near_limit,
                      drift.data(), drift1.data(), drift2.data(), drift_arg.data(),
                      label.data(), dist.data(), lower.data(), redo};
      redo.clear();
      // In steps of about kStepWork multiply-adds (a row's share: the centroids it measured).
      for (size_t i0 = 0; i0 < n;) {
        i0 = pass.rows(i0, n, size_t(kStepWork));
        if (i0 < n) ANNLAB_CO_STEP(what, progress(0.5 * double(i0) / double(n)));
      }
      g_skipped.fetch_add(pass.skipped, std::memory_order_relaxed);
      g_near_rows.fetch_add(pass.near, std::memory_order_relaxed);
      ANNLAB_CO_STEP(what, progress(0.5));
      // The rest in full, gathered in blocks of rows.
      gathered.resize(std::min(rows_per_step, redo.size()) * d);
      glabel.resize(rows_per_step);
      gdist.resize(rows_per_step);
      gbounds.resize(rows_per_step * t);
      for (size_t b0 = 0; b0 < redo.size(); b0 += rows_per_step) {
        const size_t nb = std::min(rows_per_step, redo.size() - b0);
        for (size_t r = 0; r < nb; ++r) std::copy_n(data.data() + size_t(redo[b0 + r]) * d, d, gathered.data() + r * d);
        assign_prepared(VectorView::of(gathered.data(), nb, d), prepared, glabel.data(), gdist.data(), gbounds.data(), &groups);
        for (size_t r = 0; r < nb; ++r) {
          const size_t i = redo[b0 + r];
          label[i] = glabel[r];
          dist[i] = gdist[r];
          std::copy_n(gbounds.data() + r * t, t, lower.data() + i * t);
        }
        if (b0 + nb < redo.size()) ANNLAB_CO_STEP(what, progress(0.5 + 0.5 * double(b0 + nb) / double(redo.size())));
      }
    }
    if (g_check_bounds && g_bounds) {  // tests: every bound below the true distance it bounds
      size_t bad = 0;
      for (size_t i = 0; i < n; ++i)
        for (size_t j = 0; j < k; ++j) {
          if (int32_t(j) == label[i]) continue;
          const double s2 = l2sq_double(data.data() + i * d, out.centroids.data() + j * d, d);
          bad += double(lower[i * t + groups.of[j]]) > std::sqrt(s2) * (1 + 1e-12);
        }
      g_bound_violations.fetch_add(bad, std::memory_order_relaxed);
    }
    prev = out.centroids;
    double mse = 0;
    for (size_t i = 0; i < n; ++i) mse += dist[i];
    out.mse = mse / double(n);
    if (p.progress) p.progress(it, out.mse);
    if (it == p.iterations) break;
    std::fill(sums.begin(), sums.end(), 0.0);
    std::fill(count.begin(), count.end(), 0);
    for (size_t i = 0; i < n; ++i) {
      const size_t c = size_t(label[i]);
      ++count[c];
      for (size_t j = 0; j < d; ++j) sums[c * d + j] += data[i * d + j];
    }
    for (size_t c = 0; c < k; ++c)
      if (count[c])
        for (size_t j = 0; j < d; ++j) out.centroids[c * d + j] = float(sums[c * d + j] / double(count[c]));
    // Empty clusters: split the largest cluster in two (as FAISS does), deterministically.
    for (size_t c = 0; c < k; ++c) {
      if (count[c]) continue;
      const size_t big = size_t(std::max_element(count.begin(), count.end()) - count.begin());
      for (size_t j = 0; j < d; ++j) {
        const float v = out.centroids[big * d + j], eps = (j % 2 ? 1 : -1) * 1e-4f * (std::fabs(v) + 1e-3f);
        out.centroids[c * d + j] = v + eps;
        out.centroids[big * d + j] = v - eps;
      }
      count[c] = count[big] / 2;
      count[big] -= count[c];
      ++out.empty_repairs;
    }
    out.iterations = it + 1;
    ANNLAB_CO_STEP(cat("k-means (k = ", k, ") iteration ", it + 1, "/", p.iterations),
                       double(it + 1) / double(p.iterations + 1));
  }
  if (n == x.n) {  // every row trained on: the last pass assigned them all to the final centroids
    out.labels.resize(n);
    for (size_t i = 0; i < n; ++i) out.labels[rows[i]] = label[i];
  }
  *result = std::move(out);
  co_return Status::ok();
}

}  // namespace annlab
