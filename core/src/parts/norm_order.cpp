#include "parts/norm_order.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <numeric>

namespace annlab::detail {

void NormOrderedRows::assign(const uint8_t* x, size_t n, size_t d, bool chunk_norms) {
  clear();
  if (n == 0 || d == 0 || d > 66000 || n > size_t(UINT32_MAX)) return;
  const Kernels& kern = kernels();
  std::vector<uint64_t> sq(n);
  for (size_t i = 0; i < n; ++i) sq[i] = kern.ip_u8(x + i * d, x + i * d, d);
  ids_.resize(n);
  std::iota(ids_.begin(), ids_.end(), uint32_t(0));
  std::sort(ids_.begin(), ids_.end(), [&](uint32_t a, uint32_t b) { return sq[a] < sq[b] || (sq[a] == sq[b] && a < b); });
  rows_.resize(n * d);
  keys_.resize(n);
  for (size_t i = 0; i < n; ++i) {
    std::memcpy(rows_.data() + i * d, x + size_t(ids_[i]) * d, d);
    keys_[i] = sq[ids_[i]];
  }
  n_ = n;
  d_ = d;
  chunks_ = (d + 127) / 128;
  if (chunk_norms) {
    norms_.resize(n * chunks_);
    byte_chunk_norms(rows_.data(), n, d, norms_.data());
  }
}

void NormOrderedRows::clear() {
  n_ = d_ = chunks_ = 0;
  std::vector<uint8_t>().swap(rows_);
  std::vector<uint64_t>().swap(keys_);
  std::vector<uint32_t>().swap(ids_);
  std::vector<float>().swap(norms_);
}

size_t NormOrderedRows::memory_bytes() const {
  return rows_.capacity() + keys_.capacity() * sizeof(uint64_t) + ids_.capacity() * sizeof(uint32_t) +
         norms_.capacity() * sizeof(float);
}

void NormOrderedRows::limits(uint64_t sq, double bound, size_t* lo, size_t* hi) const {
  *lo = 0;
  *hi = n_;
  if (!std::isfinite(bound)) return;
  // A row can be within the bound only if (||x|| - ||q||)^2 <= bound, i.e. its squared norm lies in
  // [(s - r)^2, (s + r)^2] with s = ||q||, r = sqrt(bound). In double precision s and r are each within
  // 2^-53 of themselves (correctly rounded square roots of exact integers below 2^53), so the two
  // ends are within 2^-49 (sq + bound) of their true values; the margin is far above that, and the
  // keys compared with are exact integers.
  const double s = std::sqrt(double(sq)), r = std::sqrt(bound);
  const double margin = 1.0 + (double(sq) + bound) * 0x1p-40;
  const double top = (s + r) * (s + r) + margin;
  if (top < 0x1p63) *hi = size_t(std::upper_bound(keys_.begin(), keys_.end(), uint64_t(top)) - keys_.begin());
  if (r < s) {
    const double bottom = (s - r) * (s - r) - margin;
    if (bottom >= 1.0) *lo = size_t(std::lower_bound(keys_.begin(), keys_.end(), uint64_t(bottom)) - keys_.begin());
  }
}

void NormOrderedRows::search(const uint8_t* q, const uint16_t* order, const float* qnorm, const Kernels& kern,
                             TopK& top, size_t block_rows) const {
  if (n_ == 0) return;
  const size_t d = d_, block = block_rows ? block_rows : std::max<size_t>(16, (size_t(256) << 10) / d);
  const bool prune = !norms_.empty();
  // Offers the rows [a, e) of the sorted copy that are within the k-th distance, as the natural-order
  // scan does: the kernel stops at the first such row, which is pushed, and goes on after it.
  auto run = [&](size_t a, size_t e) {
    for (size_t i = a; i < e;) {
      const double b = top.bound();
      uint32_t dd = 0;
      const size_t j = kern.l2sq_u8_first_below(q, rows_.data() + i * d, e - i, d, order, prune ? qnorm : nullptr,
                                                prune ? norms_.data() + i * chunks_ : nullptr,
                                                b >= 4294967295.0 ? UINT32_MAX : uint32_t(b), &dd);
      if (j == e - i) break;
      top.push(double(dd), int64_t(ids_[i + j]));
      i += j + 1;
    }
  };
  const uint64_t sq = kern.ip_u8(q, q, d);
  // Rows [lo, hi) have been read; each side moves outwards a block at a time while the bound (which
  // only shrinks) leaves rows beyond it that could be in.
  size_t lo = size_t(std::lower_bound(keys_.begin(), keys_.end(), sq) - keys_.begin()), hi = lo;
  for (;;) {
    bool moved = false;
    size_t a = 0, e = 0;
    limits(sq, top.bound(), &a, &e);
    if (hi < e) {
      const size_t end = std::min(e, hi + block);
      run(hi, end);
      hi = end;
      moved = true;
      limits(sq, top.bound(), &a, &e);
    }
    if (lo > a) {
      const size_t start = std::max(a, lo > block ? lo - block : size_t(0));
      run(start, lo);
      lo = start;
      moved = true;
    }
    if (!moved) break;
  }
}

}  // namespace annlab::detail
