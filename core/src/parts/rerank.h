// Private header (core/src): the top-k of approximate (quantized) distances, optionally re-ranked
// with the exact distance — shared by PQ, IVF-PQ and the binary codes.
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

// Candidates were collected in a TopK of size max(k, rerank) over approximate distances. With
// rerank == 0 the approximate distances are the answer; otherwise the `rerank` best are compared
// exactly with the query and the k nearest of them are the answer.
template <class Tracer>
void finish_with_rerank(TopK& approx, size_t cap, size_t rerank, size_t k, const VectorStore& store,
                        const VectorStore::PreparedQuery& pq, int64_t* ids, float* dist, QueryStats* st, Tracer& tr) {
  std::vector<int64_t> cid(cap);
  std::vector<float> cd(cap);
  approx.write(cid.data(), cd.data());
  if (rerank == 0) {
    std::copy_n(cid.begin(), k, ids);
    std::copy_n(cd.begin(), k, dist);
    return;
  }
  rerank_exact(cid.data(), std::min(cap, rerank), k, store, pq, ids, dist, st, tr);
}

}  // namespace annlab::detail
