// Private header (core/src): the exact re-rank of candidate ids, the step RefineIndex adds after
// an index that ranks by codes (index/refine_index.h).
#pragma once

#include <algorithm>

#include "annlab/vector_store.h"
#include "parts/topk.h"
#include "parts/tracer.h"

namespace annlab::detail {

// The k nearest, by the exact distance, of the first `count` candidate ids (stopping at an id of
// -1), written nearest first.
template <class Tracer>
void rerank_exact(const int64_t* cid, size_t count, size_t k, const VectorStore& store,
                  const VectorStore::PreparedQuery& pq, int64_t* ids, float* dist, QueryStats* st, Tracer& tr) {
  const Kernels& kern = kernels();
  std::vector<float> scratch(store.dim());
  TopK exact(k);
  for (size_t i = 0; i < count; ++i) {
    if (cid[i] < 0) break;
    const double dd = store.distance(pq, size_t(cid[i]), kern, scratch.data());
    ++st->distances;
    if constexpr (Tracer::kOn) tr.event(TraceKind::DistanceComputed, 1, cid[i], float(dd));
    if (exact.push(dd, cid[i])) {
      if constexpr (Tracer::kOn) tr.event(TraceKind::TopKChanged, uint32_t(exact.rank_of(dd, cid[i])), cid[i], float(dd));
    }
  }
  exact.write(ids, dist);
}

}  // namespace annlab::detail
