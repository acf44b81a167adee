#include "parts/strip_order.h"

#include "kernels/distance_impl.h"
#include "parts/tracer.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstring>
#include <limits>
#include <numeric>

namespace annlab::detail {
namespace {

// Power iteration for the leading principal axis of the m centred rows c (d floats each), orthogonal
// to `against` when given; from a fixed start, a fixed number of steps, with the float kernels.
// Returns a unit vector, or zeros where the rows do not vary (in that direction).
std::vector<double> principal_axis(const std::vector<float>& c, size_t m, size_t d,
                                   const std::vector<std::vector<double>>& against, size_t start, int steps) {
  const Kernels& kern = kernels();
  std::vector<double> v(d), w(d);
  std::vector<float> vf(d), wf(d), s(m);
  for (size_t j = 0; j < d; ++j) v[j] = double(1 + (j + start) % 7) * ((j + start) % 2 ? 1.0 : -1.0);
  auto orthogonalise = [&](std::vector<double>& u) {
    for (const std::vector<double>& a : against) {
      double dot = 0;
      for (size_t j = 0; j < d; ++j) dot += u[j] * a[j];
      for (size_t j = 0; j < d; ++j) u[j] -= dot * a[j];
    }
  };
  for (int step = 0; step < steps; ++step) {
    orthogonalise(v);
    for (size_t j = 0; j < d; ++j) vf[j] = float(v[j]);
    kern.ip_f32_rows(vf.data(), c.data(), m, d, s.data());
    std::fill(wf.begin(), wf.end(), 0.0f);
    for (size_t i = 0; i < m; ++i) {
      const float si = s[i], *ci = c.data() + i * d;
      for (size_t j = 0; j < d; ++j) wf[j] += si * ci[j];
    }
    for (size_t j = 0; j < d; ++j) w[j] = wf[j];
    orthogonalise(w);
    double norm = 0;
    for (double t : w) norm += t * t;
    norm = std::sqrt(norm);
    if (!(norm > 0) || !std::isfinite(norm)) return std::vector<double>(d, 0.0);
    for (size_t j = 0; j < d; ++j) v[j] = w[j] / norm;
  }
  return v;
}

std::atomic<uint32_t> touch_sink{0};  // where the WebAssembly build's touching loads go
// The sum of squared differences of kAxes floats, four lanes at a time (in any order: filter_limit bounds
// its rounding).
float projected_l2(const float* p, const float* u) {
  typedef float V4 __attribute__((vector_size(16)));
  V4 acc = {0, 0, 0, 0};
  for (size_t j = 0; j < StripOrderedRows::kAxes; j += 4) {
    V4 a, b;
    std::memcpy(&a, p + j, sizeof a);
    std::memcpy(&b, u + j, sizeof b);
    const V4 t = a - b;
    acc += t * t;
  }
  return (acc[0] + acc[1]) + (acc[2] + acc[3]);
}

}  // namespace

void offer_byte_rows(const Kernels& kern, const uint8_t* q, const uint8_t* x, size_t n, size_t d,
                     const uint16_t* order, const uint32_t* ids, size_t first_id, TopK& top) {
  for (size_t i = 0; i < n;) {
    const double b = top.bound();
    uint32_t dd = 0;
    const size_t j = kern.l2sq_u8_first_below(q, x + i * d, n - i, d, order, nullptr, nullptr,
                                              b >= 4294967295.0 ? UINT32_MAX : uint32_t(b), &dd);
    if (j == n - i) break;
    top.push(double(dd), int64_t(ids ? size_t(ids[i + j]) : first_id + i + j));
    i += j + 1;
  }
}

void StripOrderedRows::project_all(const uint8_t* v, float* u) const {
  std::vector<float> f(d_);
  for (size_t j = 0; j < d_; ++j) f[j] = float(v[j]);
  const Kernels& kern = kernels();
  for (size_t a = 0; a < kAxes; ++a) u[a] = kern.ip_f32(axes_.data() + a * d_, f.data(), d_);
}

void StripOrderedRows::project(const uint8_t* v, double* u1, double* u2) const {
  float u[kAxes];
  project_all(v, u);
  *u1 = double(u[0]);
  *u2 = double(u[1]);
}

float StripOrderedRows::filter_distance(size_t i, const float* u) const { return projected_l2(projections(i), u); }

float StripOrderedRows::filter_limit(double bound) const {
  if (!std::isfinite(bound)) return std::numeric_limits<float>::infinity();
  // A row within the bound has ||A (q - x)|| <= sqrt(bound) (A does not lengthen); the computed
  // projections of q and of x are each within err_ / 2 of A's, component by component, so their
  // difference is within err_ sqrt(kAxes) of it (twice that, for slack); and the float sum of squares
  // of kAxes differences is within gamma_(kAxes + 3) of its value (2^-23 per term, for slack).
  const double r = std::sqrt(std::max(0.0, bound)) * (1.0 + 0x1p-50) + 2.0 * err_ * std::sqrt(double(kAxes));
  const double lim = r * r * (1.0 + double(kAxes + 4) * 0x1p-23) + 0x1p-100;
  if (!(lim < double(std::numeric_limits<float>::max()))) return std::numeric_limits<float>::infinity();
  const float f = float(lim);
  return double(f) >= lim ? f : std::nextafter(f, std::numeric_limits<float>::infinity());
}

void StripOrderedRows::assign(const uint8_t* x, size_t n, size_t d, size_t strip_rows) {
  clear();
  if (n == 0 || d == 0 || d > 66000 || n > size_t(UINT32_MAX)) return;
  d_ = d;
  const Kernels& kern = kernels();
  // The axes, from at most 1,024 evenly spaced rows (they need not be the exact principal axes:
  // any axes give exact answers; these make the discs narrow).
  const size_t step = std::max<size_t>(1, n / 1024), m = (n + step - 1) / step;
  std::vector<double> mean(d, 0.0);
  for (size_t i = 0; i < n; i += step)
    for (size_t j = 0; j < d; ++j) mean[j] += x[i * d + j];
  for (double& v : mean) v /= double(m);
  std::vector<float> centred(m * d);
  for (size_t i = 0, r = 0; i < n; i += step, ++r)
    for (size_t j = 0; j < d; ++j) centred[r * d + j] = float(double(x[i * d + j]) - mean[j]);
  // kAxes axes, each orthogonal to those before it: the first two (12 steps each) lay out the strips,
  // all of them filter the rows of a run; the later ones need fewer steps (any axes are exact).
  std::vector<std::vector<double>> axes;
  for (size_t a = 0; a < kAxes; ++a) axes.push_back(principal_axis(centred, m, d, axes, 3 * a, a < 2 ? 12 : 6));
  // Scale them all, as floats, so that the projection cannot lengthen: the largest eigenvalue of the
  // Gram matrix G of the float axes is at most max_i sum_j |G_ij| (Gershgorin), computed in double
  // from the floats themselves; the axes shrink until that is below 1.
  auto gershgorin = [&](const auto& at) {
    double g = 0;
    for (size_t i = 0; i < kAxes; ++i) {
      double row = 0;
      for (size_t j = 0; j < kAxes; ++j) {
        double c = 0;
        for (size_t t = 0; t < d; ++t) c += double(at(i, t)) * double(at(j, t));
        row += std::fabs(c);
      }
      g = std::max(g, row);
    }
    return g;
  };
  double scale = 1.0;
  if (const double g = gershgorin([&](size_t i, size_t t) { return axes[i][t]; }); g > 0)
    scale = 1.0 / std::sqrt(g * (1.0 + 0x1p-20));
  axes_.resize(kAxes * d);
  for (int attempt = 0;; ++attempt) {
    for (size_t i = 0; i < kAxes; ++i)
      for (size_t t = 0; t < d; ++t) axes_[i * d + t] = float(axes[i][t] * scale);
    // (Each d-term sum in double is within d 2^-52 of its value, each row of kAxes of them: far inside
    // the 2^-20.)
    const double g = gershgorin([&](size_t i, size_t t) { return axes_[i * d + t]; });
    if (g * (1.0 + double(d * kAxes) * 0x1p-50) < 1.0 || attempt == 60) break;
    scale *= 1.0 - 0x1p-20;
  }
  // A projection (ip_f32: d float products of a byte and |p_j|, summed in any order) is within
  // gamma_d = d u / (1 - d u), u = 2^-24, of 255 ||p||_1; twice that, for slack.
  double l1max = 0;
  for (size_t i = 0; i < kAxes; ++i) {
    double l1 = 0;
    for (size_t t = 0; t < d; ++t) l1 += std::fabs(double(axes_[i * d + t]));
    l1max = std::max(l1max, l1);
  }
  const double gamma = double(d) * 0x1p-24 / (1.0 - double(d) * 0x1p-24);
  err_ = 2.0 * gamma * 255.0 * l1max;
  // Every row's projections (in the original order for now): the active level's float block product
  // where there is one (each a sum of d products in some order, FMA or not: within the same bound).
  std::vector<float> proj(n * kAxes);
  {
    const size_t blk = std::max<size_t>(1, std::min<size_t>(256, (size_t(64) << 10) / d));
    std::vector<float> f(blk * d), o(blk);
    const FloatBlockProduct* product = float_block_product(simd_level());
    std::vector<float> packed;
    if (product) {
      packed.resize((kAxes + product->width - 1) / product->width * product->width * d);
      pack_panels_into(axes_.data(), kAxes, d, product->width, packed.data());
    }
    for (size_t i = 0; i < n; i += blk) {
      const size_t cnt = std::min(blk, n - i);
      for (size_t t = 0; t < cnt * d; ++t) f[t] = float(x[i * d + t]);
      if (product) {
        product->fn(f.data(), cnt, packed.data(), kAxes, d, proj.data() + i * kAxes);
        continue;
      }
      for (size_t a = 0; a < kAxes; ++a) {
        kern.ip_f32_rows(axes_.data() + a * d, f.data(), cnt, d, o.data());
        for (size_t t = 0; t < cnt; ++t) proj[(i + t) * kAxes + a] = o[t];
      }
    }
  }
  // Strips by the first projection, each in order of the second.
  std::vector<double> t1(n), t2(n);
  for (size_t i = 0; i < n; ++i) {
    t1[i] = proj[i * kAxes];
    t2[i] = proj[i * kAxes + 1];
  }
  ids_.resize(n);
  std::iota(ids_.begin(), ids_.end(), uint32_t(0));
  std::sort(ids_.begin(), ids_.end(),
            [&](uint32_t u, uint32_t v) { return t1[u] < t1[v] || (t1[u] == t1[v] && u < v); });
  const size_t per = strip_rows ? strip_rows : std::max<size_t>(64, size_t(4.0 * std::sqrt(double(n))));
  for (size_t s = 0; s < n; s += per) {
    const size_t e = std::min(n, s + per);
    starts_.push_back(s);
    lo1_.push_back(t1[ids_[s]]);
    hi1_.push_back(t1[ids_[e - 1]]);
    std::sort(ids_.begin() + long(s), ids_.begin() + long(e),
              [&](uint32_t u, uint32_t v) { return t2[u] < t2[v] || (t2[u] == t2[v] && u < v); });
  }
  starts_.push_back(n);
  rows_.resize(n * d);
  t2_.resize(n);
  proj_.resize(n * kAxes);
  for (size_t i = 0; i < n; ++i) {
    std::memcpy(rows_.data() + i * d, x + size_t(ids_[i]) * d, d);
    t2_[i] = t2[ids_[i]];
    std::memcpy(proj_.data() + i * kAxes, proj.data() + size_t(ids_[i]) * kAxes, kAxes * sizeof(float));
  }
  n_ = n;
}

void StripOrderedRows::clear() {
  n_ = d_ = 0;
  err_ = 0;
  std::vector<float>().swap(axes_);
  std::vector<float>().swap(proj_);
  std::vector<uint8_t>().swap(rows_);
  std::vector<uint32_t>().swap(ids_);
  std::vector<double>().swap(t2_);
  std::vector<size_t>().swap(starts_);
  std::vector<double>().swap(lo1_);
  std::vector<double>().swap(hi1_);
}

size_t StripOrderedRows::memory_bytes() const {
  return rows_.capacity() + ids_.capacity() * sizeof(uint32_t) + t2_.capacity() * sizeof(double) +
         (axes_.capacity() + proj_.capacity()) * sizeof(float) + (lo1_.capacity() + hi1_.capacity()) * sizeof(double) +
         starts_.capacity() * sizeof(size_t);
}

double StripOrderedRows::strip_gap(size_t s, double u1) const {
  const double g = std::max({0.0, lo1_[s] - u1, u1 - hi1_[s]});
  // Less the rounding of both projections and of the subtraction.
  return std::max(0.0, g - 2.0 * err_ - g * 0x1p-51);
}

bool StripOrderedRows::limits(size_t s, double u1, double u2, double bound, size_t* lo, size_t* hi) const {
  const size_t a = starts_[s], e = starts_[s + 1];
  *lo = a;
  *hi = e;
  if (!std::isfinite(bound)) return true;
  // In the disc, (t1 - u1)^2 + (t2 - u2)^2 <= bound, with |t1 - u1| >= the strip's gap: so
  // |t2 - u2| <= sqrt(bound - gap^2), widened by the rounding of both projections and of this sum.
  const double g = strip_gap(s, u1), g2 = g * g * (1.0 - 0x1p-50);
  if (g2 > bound) {
    *lo = *hi = a;
    return false;
  }
  const double w = std::sqrt(bound - g2) * (1.0 + 0x1p-48) + 2.0 * err_ + std::fabs(u2) * 0x1p-50;
  const auto first = t2_.begin() + long(a), last = t2_.begin() + long(e);
  *lo = size_t(std::lower_bound(first, last, u2 - w) - t2_.begin());
  *hi = size_t(std::upper_bound(first, last, u2 + w) - t2_.begin());
  return true;
}

void StripOrderedRows::search(const uint8_t* q, const uint16_t* order, const Kernels& kern, TopK& top,
                              size_t block_rows, size_t* rows_read) const {
  NullTracer tr;
  search(q, order, kern, top, tr, block_rows, rows_read);
}

template <class Tracer>
void StripOrderedRows::search(const uint8_t* q, const uint16_t* order, const Kernels& kern, TopK& top, Tracer& tr,
                              size_t block_rows, size_t* rows_read) const {
  if (n_ == 0) return;
  const size_t d = d_, block = block_rows ? block_rows : std::max<size_t>(16, (size_t(256) << 10) / d);
  size_t read = 0;
  float u[kAxes];
  project_all(q, u);
  const double u1 = double(u[0]), u2 = double(u[1]);
  // A run, 256 rows at a time: rows whose projections on all kAxes axes are beyond the bound
  // (filter_limit) are passed over unread; the others are summed, each stopping once past the bound.
  // Until k rows are held, every row is offered.
  double limit_of = -1;
  float limit = 0;
  uint32_t pass[256];
  // Traced (explain), the same rows are read, in the same order, each summed whole and shown.
  auto traced_row = [&](size_t i) {
    const uint32_t r = kern.l2sq_u8(q, rows_.data() + i * d, d);
    const int64_t id = int64_t(ids_[i]);
    tr.event(TraceKind::DistanceComputed, 0, id, float(r));
    if (top.push(double(r), id)) tr.event(TraceKind::TopKChanged, uint32_t(top.rank_of(double(r), id)), id, float(r));
  };
  auto run = [&](size_t a, size_t e) {
    while (a < e) {
      const size_t end = std::min(e, a + 256);
      const double b = top.bound();
      if (!std::isfinite(b)) {
        read += end - a;
        if constexpr (Tracer::kOn) {
          for (; a < end; ++a) traced_row(a);
        } else {
          offer_byte_rows(kern, q, rows_.data() + a * d, end - a, d, order, ids_.data() + a, 0, top);
        }
        a = end;
        continue;
      }
      if (b != limit_of) limit = filter_limit(b), limit_of = b;
      size_t np = 0;
      for (; a < end; ++a)
        if (projected_l2(proj_.data() + a * kAxes, u) <= limit) pass[np++] = uint32_t(a);
      read += np;
      // The rows that pass lie apart, so the hardware does not prefetch them: natively they are
      // prefetched 4 ahead; WebAssembly has no prefetch instruction, so a byte of every line of the
      // next 8 is loaded before the current 8 are summed (independent loads, waiting on memory
      // together rather than one row after another: Fashion-MNIST 1.3x faster).
#if defined(__wasm__)
      uint32_t sink = 0;
#endif
      if constexpr (Tracer::kOn) {
        for (size_t t = 0; t < np; ++t) traced_row(pass[t]);
        continue;
      }
      for (size_t t = 0; t < np; ++t) {
#if defined(__wasm__)
        if (t % 8 == 0)
          for (size_t g = t + 8; g < std::min(np, t + 16); ++g)
            for (size_t l = 0; l < d; l += 64) sink += rows_[size_t(pass[g]) * d + l];
#else
        if (t + 4 < np)
          for (size_t l = 0; l < d; l += 64) __builtin_prefetch(rows_.data() + size_t(pass[t + 4]) * d + l);
#endif
        const double bt = top.bound();
        const uint32_t i = pass[t];
        const uint32_t r = kern.l2sq_u8_below(q, rows_.data() + size_t(i) * d, d, order,
                                              bt >= 4294967295.0 ? UINT32_MAX : uint32_t(bt));
        if (double(r) <= bt) top.push(double(r), int64_t(ids_[i]));
      }
#if defined(__wasm__)
      touch_sink.store(sink, std::memory_order_relaxed);  // keeps the loads
#endif
    }
  };
  // One strip, outwards from the query's second projection a block at a time on each side, while the
  // bound (which only shrinks) leaves rows beyond that could be in. Returns false when none could.
  auto strip = [&](size_t s) {
    size_t a = 0, e = 0;
    if (!limits(s, u1, u2, top.bound(), &a, &e)) return false;
    if (a >= e) return true;
    const auto first = t2_.begin() + long(starts_[s]), last = t2_.begin() + long(starts_[s + 1]);
    size_t lo = size_t(std::lower_bound(first, last, u2) - t2_.begin());
    lo = std::min(std::max(lo, a), e);
    size_t hi = lo;
    for (;;) {
      bool moved = false;
      if (hi < e) {
        const size_t end = std::min(e, hi + block);
        run(hi, end);
        hi = end;
        moved = true;
        limits(s, u1, u2, top.bound(), &a, &e);
      }
      if (lo > a) {
        const size_t start = std::max(a, lo > block ? lo - block : size_t(0));
        run(start, lo);
        lo = start;
        moved = true;
        limits(s, u1, u2, top.bound(), &a, &e);
      }
      if (!moved) break;
    }
    return true;
  };
  // The query's own strip (the first whose greatest first projection reaches it), then the others by
  // their gap, nearest first, until the next on each side is beyond the bound.
  const size_t ns = strips();
  size_t s0 = size_t(std::lower_bound(hi1_.begin(), hi1_.end(), u1) - hi1_.begin());
  if (s0 == ns) --s0;
  strip(s0);
  size_t left = s0, right = s0 + 1;  // next on the left is left - 1
  bool go_left = left > 0, go_right = right < ns;
  while (go_left || go_right) {
    const bool take_left =
        go_left && (!go_right || strip_gap(left - 1, u1) <= strip_gap(right, u1));
    if (take_left) {
      if (!strip(--left)) go_left = false;
      if (left == 0) go_left = false;
    } else {
      if (!strip(right++)) go_right = false;
      if (right == ns) go_right = false;
    }
  }
  if (rows_read) *rows_read += read;
}

template void StripOrderedRows::search(const uint8_t*, const uint16_t*, const Kernels&, TopK&, NullTracer&, size_t,
                                       size_t*) const;
template void StripOrderedRows::search(const uint8_t*, const uint16_t*, const Kernels&, TopK&, EventTracer&, size_t,
                                       size_t*) const;

}  // namespace annlab::detail
