#include "parts/strip_order.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <numeric>

namespace annlab::detail {
namespace {

// Power iteration for the leading principal axis of the m centred rows c (d floats each), orthogonal
// to `against` when given; from a fixed start, a fixed number of steps, with the float kernels.
// Returns a unit vector, or zeros where the rows do not vary (in that direction).
std::vector<double> principal_axis(const std::vector<float>& c, size_t m, size_t d, const std::vector<double>* against,
                                   size_t start) {
  const Kernels& kern = kernels();
  std::vector<double> v(d), w(d);
  std::vector<float> vf(d), wf(d), s(m);
  for (size_t j = 0; j < d; ++j) v[j] = double(1 + (j + start) % 7) * ((j + start) % 2 ? 1.0 : -1.0);
  auto orthogonalise = [&](std::vector<double>& u) {
    if (!against) return;
    double dot = 0;
    for (size_t j = 0; j < d; ++j) dot += u[j] * (*against)[j];
    for (size_t j = 0; j < d; ++j) u[j] -= dot * (*against)[j];
  };
  for (int step = 0; step < 12; ++step) {
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

}  // namespace

void offer_byte_rows(const Kernels& kern, const uint8_t* q, const uint8_t* x, size_t n, size_t d,
                     const uint16_t* order, const float* qnorm, const float* xnorm, const uint32_t* ids,
                     size_t first_id, TopK& top) {
  const size_t chunks = (d + 127) / 128;
  for (size_t i = 0; i < n;) {
    const double b = top.bound();
    uint32_t dd = 0;
    const size_t j = kern.l2sq_u8_first_below(q, x + i * d, n - i, d, order, qnorm,
                                              xnorm ? xnorm + i * chunks : nullptr,
                                              b >= 4294967295.0 ? UINT32_MAX : uint32_t(b), &dd);
    if (j == n - i) break;
    top.push(double(dd), int64_t(ids ? size_t(ids[i + j]) : first_id + i + j));
    i += j + 1;
  }
}

void StripOrderedRows::project(const uint8_t* v, double* u1, double* u2) const {
  std::vector<float> f(d_);
  for (size_t j = 0; j < d_; ++j) f[j] = float(v[j]);
  const Kernels& kern = kernels();
  *u1 = double(kern.ip_f32(p1_.data(), f.data(), d_));
  *u2 = double(kern.ip_f32(p2_.data(), f.data(), d_));
}

void StripOrderedRows::assign(const uint8_t* x, size_t n, size_t d, bool chunk_norms, size_t strip_rows) {
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
  const std::vector<double> a1 = principal_axis(centred, m, d, nullptr, 0);
  const std::vector<double> a2 = principal_axis(centred, m, d, &a1, 3);
  // Scale both, as floats, so that the projection cannot lengthen: the largest eigenvalue of the Gram
  // matrix [[a, c], [c, b]] of the float axes is at most max(a, b) + |c| (Gershgorin), computed in
  // double from the floats themselves; the axes shrink until that is below 1.
  p1_.resize(d);
  p2_.resize(d);
  double scale = 1.0;
  {
    double a = 0, b = 0, c = 0;
    for (size_t j = 0; j < d; ++j) {
      a += a1[j] * a1[j];
      b += a2[j] * a2[j];
      c += a1[j] * a2[j];
    }
    const double g = std::max(a, b) + std::fabs(c);
    if (g > 0) scale = 1.0 / std::sqrt(g * (1.0 + 0x1p-20));
  }
  for (int attempt = 0;; ++attempt) {
    double a = 0, b = 0, c = 0;
    for (size_t j = 0; j < d; ++j) {
      p1_[j] = float(a1[j] * scale);
      p2_[j] = float(a2[j] * scale);
      a += double(p1_[j]) * p1_[j];
      b += double(p2_[j]) * p2_[j];
      c += double(p1_[j]) * p2_[j];
    }
    // (Each of these d-term sums in double is within d 2^-52 of its value: far inside the 2^-20.)
    if ((std::max(a, b) + std::fabs(c)) * (1.0 + double(d) * 0x1p-50) < 1.0 || attempt == 60) break;
    scale *= 1.0 - 0x1p-20;
  }
  // A projection (ip_f32: d float products of a byte and |p_j|, summed in any order) is within
  // gamma_d = d u / (1 - d u), u = 2^-24, of 255 ||p||_1; twice that, for slack.
  double l1 = 0, l2 = 0;
  for (size_t j = 0; j < d; ++j) {
    l1 += std::fabs(double(p1_[j]));
    l2 += std::fabs(double(p2_[j]));
  }
  const double gamma = double(d) * 0x1p-24 / (1.0 - double(d) * 0x1p-24);
  err_ = 2.0 * gamma * 255.0 * std::max(l1, l2);
  // Strips by the first projection, each in order of the second.
  std::vector<double> t1(n), t2(n);
  {
    const size_t blk = 256;
    std::vector<float> f(blk * d), o1(blk), o2(blk);
    for (size_t i = 0; i < n; i += blk) {
      const size_t cnt = std::min(blk, n - i);
      for (size_t t = 0; t < cnt * d; ++t) f[t] = float(x[i * d + t]);
      kern.ip_f32_rows(p1_.data(), f.data(), cnt, d, o1.data());
      kern.ip_f32_rows(p2_.data(), f.data(), cnt, d, o2.data());
      for (size_t t = 0; t < cnt; ++t) {
        t1[i + t] = o1[t];
        t2[i + t] = o2[t];
      }
    }
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
  for (size_t i = 0; i < n; ++i) {
    std::memcpy(rows_.data() + i * d, x + size_t(ids_[i]) * d, d);
    t2_[i] = t2[ids_[i]];
  }
  n_ = n;
  chunks_ = (d + 127) / 128;
  if (chunk_norms) {
    norms_.resize(n * chunks_);
    byte_chunk_norms(rows_.data(), n, d, norms_.data());
  }
}

void StripOrderedRows::clear() {
  n_ = d_ = chunks_ = 0;
  err_ = 0;
  std::vector<float>().swap(p1_);
  std::vector<float>().swap(p2_);
  std::vector<uint8_t>().swap(rows_);
  std::vector<uint32_t>().swap(ids_);
  std::vector<double>().swap(t2_);
  std::vector<size_t>().swap(starts_);
  std::vector<double>().swap(lo1_);
  std::vector<double>().swap(hi1_);
  std::vector<float>().swap(norms_);
}

size_t StripOrderedRows::memory_bytes() const {
  return rows_.capacity() + ids_.capacity() * sizeof(uint32_t) + t2_.capacity() * sizeof(double) +
         (p1_.capacity() + p2_.capacity()) * sizeof(float) + (lo1_.capacity() + hi1_.capacity()) * sizeof(double) +
         starts_.capacity() * sizeof(size_t) + norms_.capacity() * sizeof(float);
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

void StripOrderedRows::search(const uint8_t* q, const uint16_t* order, const float* qnorm, const Kernels& kern,
                              TopK& top, size_t block_rows, size_t* rows_read) const {
  if (n_ == 0) return;
  const size_t d = d_, block = block_rows ? block_rows : std::max<size_t>(16, (size_t(256) << 10) / d);
  const bool prune = !norms_.empty();
  size_t read = 0;
  auto run = [&](size_t a, size_t e) {
    read += e - a;
    offer_byte_rows(kern, q, rows_.data() + a * d, e - a, d, order, prune ? qnorm : nullptr,
                    prune ? norms_.data() + a * chunks_ : nullptr, ids_.data() + a, 0, top);
  };
  double u1 = 0, u2 = 0;
  project(q, &u1, &u2);
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

}  // namespace annlab::detail
