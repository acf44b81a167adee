// Private header (core/src/parts): byte rows laid out by two principal projections, for the
// one-query exact scan.
//
// For orthonormal axes p1, p2, (p1.(q - x))^2 + (p2.(q - x))^2 <= ||q - x||^2: a projection does not
// lengthen. So once k rows are held, a row whose projection lies outside the disc of radius sqrt(D)
// (D: the k-th distance) around the query's is out. The rows are copied in strips of equal counts by
// their first projection, each strip in order of the second, so the rows of a strip that can be in
// are one contiguous run. The search reads the query's own strip outwards from its second
// projection, then the other strips nearest first, each only over its run, until the next strip is
// beyond the bound. Within a run, each row's projections on kAxes principal axes (kept beside the
// copy, 96 bytes a row) are checked first, the same way: a row outside the ball of radius sqrt(D)
// around the query's projections is passed over unread. On Fashion-MNIST with k = 10 the runs hold a
// quarter of the rows and 4% are read (the strips alone read 26%, in order); the rows read lie apart,
// so they are prefetched (WebAssembly, which has no prefetch instruction: loaded ahead eight at a
// time; docs/speed.md).
//
// Exactness: the float axes are scaled so that the projection provably does not lengthen
// (Gershgorin's bound on their kAxes x kAxes Gram matrix, computed in double from the floats), and
// the runs and the ball are widened by bounds on the projections' rounding and on that of the float
// sum of squares, so no row at or within the k-th distance is passed over; TopK orders by
// (distance, id), so the answer is the natural-order scan's, ties included.
// The axes come from a fixed subsample by a fixed number of power iterations: no randomness.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "annlab/distance.h"
#include "parts/topk.h"

namespace annlab::detail {

// Offers to `top` every one of the n byte rows at x (d bytes each) within its k-th distance, in turn, as
// (distance, id): the kernel's l2sq_u8_first_below stops at the first such row, which is pushed, and
// goes on after it. Row i's id is ids[i], or first_id + i when ids is nullptr.
void offer_byte_rows(const Kernels& kern, const uint8_t* q, const uint8_t* x, size_t n, size_t d,
                     const uint16_t* order, const uint32_t* ids, size_t first_id, TopK& top);

class StripOrderedRows {
 public:
  static constexpr size_t kAxes = 24;  // axes each row is projected on (the first two lay out the strips)

  // Copies the n rows of d bytes at x in strips of `strip_rows` (0: about sqrt(n) * 4) by the first
  // projection, by the second within a strip, with each row's projections on all kAxes axes. Keeps
  // nothing when ids do not fit 32 bits or d > 66,000.
  void assign(const uint8_t* x, size_t n, size_t d, size_t strip_rows = 0);
  void clear();
  bool empty() const { return n_ == 0; }
  size_t size() const { return n_; }
  size_t strips() const { return starts_.empty() ? 0 : starts_.size() - 1; }
  size_t memory_bytes() const;

  // Offers to `top` every row that can be within its k-th distance (rows it cannot take are never
  // read), as (distance, original id). `order` is byte_chunk_order(q). `block_rows` (0: about 256 KiB
  // of rows) is how far each side of the first strip goes between two checks of the bound. Adds the
  // rows whose bytes it read to *rows_read when given.
  void search(const uint8_t* q, const uint16_t* order, const Kernels& kern, TopK& top, size_t block_rows = 0,
              size_t* rows_read = nullptr) const;
  // The same search with a tracer (parts/tracer.h: NullTracer or EventTracer): traced, it reads the
  // same rows in the same order, sums each whole, and reports each distance and each change of the
  // k nearest, so an explained query counts what the search counts.
  template <class Tracer>
  void search(const uint8_t* q, const uint16_t* order, const Kernels& kern, TopK& top, Tracer& tr,
              size_t block_rows = 0, size_t* rows_read = nullptr) const;

  // For tests: the original id of stored row i, and the rows [lo, hi) of strip s whose second
  // projection can be within `bound` of the query's (u1, u2) (projections as project() gives them);
  // limits returns false, with an empty run, when the whole strip is beyond the bound.
  uint32_t id(size_t i) const { return ids_[i]; }
  void project(const uint8_t* v, double* u1, double* u2) const;
  bool limits(size_t s, double u1, double u2, double bound, size_t* lo, size_t* hi) const;
  // The projections of v on all kAxes axes (u: kAxes floats); the sum of squared differences between
  // stored row i's and u, as the search computes it; and the least such sum beyond which a row cannot
  // be within `bound` (infinity when every row can).
  void project_all(const uint8_t* v, float* u) const;
  float filter_distance(size_t i, const float* u) const;
  float filter_limit(double bound) const;

 private:
  double strip_gap(size_t s, double u1) const;  // distance from u1 to strip s's first projections
  const float* projections(size_t i) const { return proj_.data() + i * kAxes; }
  size_t n_ = 0, d_ = 0;
  std::vector<float> axes_;      // the scaled axes, kAxes x d (the first two lay out the strips)
  std::vector<float> proj_;      // each stored row's projections on them, kAxes floats a row
  double err_ = 0;               // bound on a projection's rounding error
  std::vector<uint8_t> rows_;
  std::vector<uint32_t> ids_;    // original row of each stored row
  std::vector<double> t2_;       // second projection of each stored row (increasing within a strip)
  std::vector<size_t> starts_;   // strip s is rows [starts_[s], starts_[s + 1])
  std::vector<double> lo1_, hi1_;  // least and greatest first projection in each strip
};

}  // namespace annlab::detail
