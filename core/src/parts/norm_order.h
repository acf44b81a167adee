// Private header (core/src/parts): byte rows in order of their norm, for the one-query exact scan.
//
// For any rows q and x, ||q - x|| >= | ||q|| - ||x|| | (the triangle inequality). So once k rows are
// held, every row whose norm is further than sqrt(D) from the query's (D: the k-th distance) is out.
// With the rows copied in order of their squared norm, the rows that can be in are one contiguous
// run around the query's own norm: the search starts there and reads outwards, a block at a time on
// each side, each block in increasing address order, until the norm bound closes both sides. On
// Fashion-MNIST with k = 10 that is 55% of the rows, read as two sequential streams, which the
// hardware prefetches in both builds (WebAssembly has no prefetch instruction of its own, and the
// norm-pruned scattered reads of the natural order waited on memory there: docs/speed.md).
//
// The bound is applied to exact integers (squared norms) with limits computed in double precision
// and widened by a margin above their rounding, so no row at or within the k-th distance is passed
// over; TopK orders by (distance, id), so the answer is the natural-order scan's, ties included.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "annlab/distance.h"
#include "parts/topk.h"

namespace annlab::detail {

class NormOrderedRows {
 public:
  // Copies the n rows of d bytes at x in order of (squared norm, id). With `chunk_norms`, also keeps
  // their byte_chunk_norms, so that within the run the kernel skips rows by them (natively; in
  // WebAssembly those skipped rows' gaps made the reads scattered again). Ids must fit 32 bits and
  // d <= 66,000 (squared norms exact in 32 bits); otherwise nothing is kept.
  void assign(const uint8_t* x, size_t n, size_t d, bool chunk_norms);
  void clear();
  bool empty() const { return n_ == 0; }
  bool has_chunk_norms() const { return !norms_.empty(); }
  size_t size() const { return n_; }
  size_t memory_bytes() const;

  // Offers to `top` every row that can be within its k-th distance (rows it cannot take are never
  // read), as (distance, original id). `order` is byte_chunk_order(q); `qnorm` the query's chunk
  // norms when has_chunk_norms() (else unused). `block_rows` (0: about 256 KiB of rows) is how
  // far each side reads between two checks of the bound.
  void search(const uint8_t* q, const uint16_t* order, const float* qnorm, const Kernels& kern, TopK& top,
              size_t block_rows = 0) const;

  // The run of sorted rows [lo, hi) whose squared norms can be within `bound` of the query's
  // squared norm `sq` (the whole range for an infinite bound). Public for tests.
  void limits(uint64_t sq, double bound, size_t* lo, size_t* hi) const;
  uint32_t id(size_t i) const { return ids_[i]; }
  uint64_t key(size_t i) const { return keys_[i]; }

 private:
  size_t n_ = 0, d_ = 0, chunks_ = 0;
  std::vector<uint8_t> rows_;
  std::vector<uint64_t> keys_;  // squared norms, increasing
  std::vector<uint32_t> ids_;   // original row of each sorted row
  std::vector<float> norms_;    // chunk norms in sorted order, or empty
};

}  // namespace annlab::detail
