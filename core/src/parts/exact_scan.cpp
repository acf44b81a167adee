#include "parts/exact_scan.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <vector>

#include "annlab/distance.h"
#include "kernels/distance_impl.h"
#include "parts/topk.h"

namespace annlab::detail {

namespace {

constexpr size_t kMinQueries = 4;

// Bytes. Blocks of 64 queries and 120 stored rows stay in L2 while the product runs. With VNNI the
// rows stay bytes (padded to 32) and the queries are shifted to signed, q.x = x.(q - 128) +
// 128 sum(x); otherwise both are widened to int16 (padded to 16). All of it is exact integer
// arithmetic, so the distances ||q||^2 + ||x||^2 - 2 q.x are the byte kernel's.
bool blocked_bytes(const VectorStore& store, size_t n, const VectorView& q, size_t k, int64_t* ids, float* dist) {
  constexpr size_t QB = 64, XB = 120;
  const size_t d = store.dim();
  const Kernels& kern = kernels();
  const ByteBlockProduct vnni = byte_block_product(simd_level());
  const IntBlockProduct wide = int_block_product(simd_level());
  const size_t dp = vnni ? (d + 31) / 32 * 32 : (d + 15) / 16 * 16;
  const uint8_t* base = store.view().u8;
  std::vector<uint32_t> xn(n), xsum(vnni ? n : 0);
  for (size_t j = 0; j < n; ++j) {
    const uint8_t* row = base + j * d;
    xn[j] = kern.ip_u8(row, row, d);
    if (vnni) xsum[j] = std::accumulate(row, row + d, 0u);
  }
  std::vector<int16_t> q16(vnni ? 0 : QB * dp, 0), x16(vnni ? 0 : XB * dp, 0);
  std::vector<int8_t> q8(vnni ? QB * dp : 0, 0);
  std::vector<uint8_t> x8(vnni ? XB * dp : 0, 0);
  std::vector<int32_t> dots(QB * XB);
  std::vector<uint32_t> qn(QB);
  std::vector<TopK> tops(QB, TopK(k));
  VectorStore::PreparedQuery pq;
  for (size_t i0 = 0; i0 < q.n; i0 += QB) {
    const size_t m = std::min(QB, q.n - i0);
    for (size_t i = 0; i < m; ++i) {
      store.prepare(q, i0 + i, &pq);
      if (!pq.bytes) return false;  // unreachable: the caller checked every query first
      if (vnni) {
        for (size_t t = 0; t < d; ++t) q8[i * dp + t] = int8_t(int(pq.b[t]) - 128);
        for (size_t t = d; t < dp; ++t) q8[i * dp + t] = 0;
      } else {
        std::copy_n(pq.b.data(), d, q16.data() + i * dp);
      }
      qn[i] = kern.ip_u8(pq.b.data(), pq.b.data(), d);
    }
    for (size_t j0 = 0; j0 < n; j0 += XB) {
      const size_t xb = std::min(XB, n - j0);
      if (vnni) {
        for (size_t j = 0; j < xb; ++j) std::copy_n(base + (j0 + j) * d, d, x8.data() + j * dp);
        vnni(q8.data(), m, x8.data(), xb, dp, dots.data());
      } else {
        for (size_t j = 0; j < xb; ++j) std::copy_n(base + (j0 + j) * d, d, x16.data() + j * dp);
        wide(q16.data(), m, x16.data(), xb, dp, dots.data());
      }
      for (size_t i = 0; i < m; ++i) {
        TopK& top = tops[i];
        double bound = top.bound();
        const int32_t* row = dots.data() + i * xb;
        const int64_t qi = int64_t(qn[i]);
        for (size_t j = 0; j < xb; ++j) {
          const int64_t dot = int64_t(row[j]) + (vnni ? 128 * int64_t(xsum[j0 + j]) : 0);
          const double dd = double(qi + int64_t(xn[j0 + j]) - 2 * dot);
          if (dd > bound) continue;
          if (top.push(dd, int64_t(j0 + j))) bound = top.bound();
        }
      }
    }
    for (size_t i = 0; i < m; ++i) tops[i].write(ids + (i0 + i) * k, dist + (i0 + i) * k);
  }
  return true;
}

// The smallest float >= b (+inf stays +inf).
float float_above(double b) {
  float f = float(b);
  if (double(f) < b) f = std::nextafter(f, std::numeric_limits<float>::infinity());
  return f;
}

// Floats: the level's FMA product in panels, then candidates re-checked by the fixed-order kernel.
// Rounding bound: the product, the two norms (each at most gamma_d times ||q||^2 + ||x||^2), the two
// additions and the re-check kernel's own rounding (gamma_d times the distance, itself at most
// 2 (||q||^2 + ||x||^2)) sum to under 5 (d + 2) u (||q||^2 + ||x||^2) with u = 2^-24; the margin
// uses 8.
bool blocked_floats(const VectorStore& store, size_t n, const VectorView& q, size_t k, int64_t* ids, float* dist,
                    const FloatBlockProduct& product) {
  // The queries are the packed side (packed once per block of 128), the stored rows stream through
  // as they are (floats) or converted by blocks of 240 (bytes).
  constexpr size_t QB = 128, XB = 96;
  const size_t d = store.dim(), w = product.width;
  const Kernels& kern = kernels();
  const VectorView base = store.view();
  const double rel = 8.0 * double(d + 2) * std::ldexp(1.0, -24);
  std::vector<float> xn(n), row(d);
  for (size_t j = 0; j < n; ++j) {
    base.row_to_f32(j, row.data());
    xn[j] = kern.ip_f32(row.data(), row.data(), d);
    if (!std::isfinite(xn[j])) return false;
  }
  std::vector<VectorStore::PreparedQuery> pq(QB);
  std::vector<float> qbuf(QB * d), packed((QB + w - 1) / w * d * w), xbuf(base.u8 ? XB * d : 0), dots(XB * QB), qn(QB);
  std::vector<double> bounds(QB);
  std::vector<float> fbounds(QB), low(QB);
  const float fast_keep = float(1.0 - rel - 16.0 * std::ldexp(1.0, -24));
  std::vector<float> scratch(d);
  struct Cand {
    double lower;
    int64_t id;
  };
  std::vector<std::vector<Cand>> cands(QB);
  std::vector<TopK> upper(QB, TopK(k));
  for (size_t i0 = 0; i0 < q.n; i0 += QB) {
    const size_t m = std::min(QB, q.n - i0);
    for (size_t i = 0; i < m; ++i) {
      store.prepare(q, i0 + i, &pq[i]);
      std::copy_n(pq[i].f.data(), d, qbuf.data() + i * d);
      qn[i] = kern.ip_f32(pq[i].f.data(), pq[i].f.data(), d);
      if (!std::isfinite(qn[i])) return false;  // the caller scans them all again
      cands[i].clear();
      bounds[i] = upper[i].bound();
      fbounds[i] = float_above(bounds[i]);
    }
    pack_panels_into(qbuf.data(), m, d, w, packed.data());
    for (size_t j0 = 0; j0 < n; j0 += XB) {
      const size_t xb = std::min(XB, n - j0);
      const float* x = base.f32 ? base.f32 + j0 * d : xbuf.data();
      if (base.u8)
        for (size_t j = 0; j < xb; ++j) base.row_to_f32(j0 + j, xbuf.data() + j * d);
      product.fn(x, xb, packed.data(), m, d, dots.data());  // dots[j * m + i] = x_j . q_i
      for (size_t j = 0; j < xb; ++j) {
        const float* drow = dots.data() + j * m;
        const float xnj = xn[j0 + j];
        // A vectorised float pre-filter: its own rounding (a few u of the norms) is inside fast_keep's
        // 16 u,
        // so it drops only rows the exact test below would drop.
        for (size_t i = 0; i < m; ++i) low[i] = (qn[i] + xnj) * fast_keep - 2.0f * drow[i];
        const int64_t id = int64_t(j0 + j);
        for (size_t i = 0; i < m; ++i) {
          if (low[i] > fbounds[i]) continue;
          const double norms = double(qn[i]) + double(xnj);
          const double approx = norms - 2.0 * double(drow[i]);
          const double e = rel * norms + 1e-30;
          if (approx - e > bounds[i]) continue;
          cands[i].push_back({approx - e, id});
          if (approx + e < bounds[i] && upper[i].push(approx + e, id)) {
            bounds[i] = upper[i].bound();
            fbounds[i] = float_above(bounds[i]);
          }
        }
      }
    }
    std::vector<int64_t> tmp_ids(k);
    std::vector<float> tmp_d(k);
    for (size_t i = 0; i < m; ++i) {
      const double bound = upper[i].bound();
      upper[i].write(tmp_ids.data(), tmp_d.data());  // empties it for the next block of queries
      TopK top(k);
      for (const Cand& c : cands[i])
        if (c.lower <= bound) top.push(store.distance(pq[i], size_t(c.id), kern, scratch.data()), c.id);
      top.write(ids + (i0 + i) * k, dist + (i0 + i) * k);
    }
  }
  return true;
}

}  // namespace

bool exact_knn_blocked(const VectorStore& store, size_t n, const VectorView& q, size_t k, int64_t* ids, float* dist) {
  if (q.n < kMinQueries || n == 0 || k == 0 || n > store.size()) return false;
  const size_t d = store.dim();
  // Bytes stay integers with VNNI (4 products an instruction), in wasm (i32x4.dot_i16x8_s: twice
  // the float rate) and at the scalar level; AVX2 without VNNI multiplies them as floats, as fast
  // as its int16 product and re-checked exactly by the byte kernel. The queries are checked to be
  // bytes only where the integer product would run.
  const SimdLevel level = simd_level();
  const bool integers = byte_block_product(level) || level == SimdLevel::WasmSimd128 || !float_block_product(level);
  if (store.dtype() == DType::U8 && d < 33025 && integers) {
    bool bytes = true;
    VectorStore::PreparedQuery pq;
    for (size_t i = 0; i < q.n && bytes; ++i) {
      store.prepare(q, i, &pq);
      bytes = pq.bytes;
    }
    if (bytes) return blocked_bytes(store, n, q, k, ids, dist);
  }
  const FloatBlockProduct* product = float_block_product(level);
  if (!product || !q.check_finite("query").is_ok()) return false;
  return blocked_floats(store, n, q, k, ids, dist, *product);
}

}  // namespace annlab::detail
