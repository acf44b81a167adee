// Private header (core/src/parts): batched exact k-NN by block products.
//
// A scan compares one query with every stored vector, reading all of them from memory once per
// query. For a batch, exact_knn_blocked reads a block of stored vectors once for a block of
// queries and computes their inner products as a matrix product:
// - bytes against bytes: an integer product (every level's kernel is exact), so the distances
//   ||q||^2 + ||x||^2 - 2 q.x are the byte kernel's, bit for bit;
// - otherwise: the active level's float product picks candidates within a proven rounding bound of
//   the k-th, and the fixed-order l2sq kernel re-checks them, so the answer is the scan's.
// Either way the result is exactly what FlatIndex's one-query scan returns, on every level and in
// both builds.
#pragma once

#include <cstddef>
#include <cstdint>

#include "annlab/dataset.h"
#include "annlab/vector_store.h"

namespace annlab::detail {

// The k nearest of the store's first n vectors for every row of q (nearest first, ties by id, id -1
// and +inf past n), as FlatIndex's scan gives them. Returns false, writing nothing, where the block
// products do not apply (fewer than 4 queries, the scalar level with float data, non-finite values,
// bytes of d >= 33,025); the caller then scans.
bool exact_knn_blocked(const VectorStore& store, size_t n, const VectorView& q, size_t k, int64_t* ids, float* dist);

}  // namespace annlab::detail
