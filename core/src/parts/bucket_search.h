// Private header (core/src): the parts of a bucketed LSH search that hyperplane LSH and p-stable
// LSH share: the `probes` check and the scan of one bucket.
#pragma once

#include <vector>

#include "parts/bucket_table.h"
#include "annlab/params.h"
#include "annlab/vector_store.h"
#include "parts/topk.h"
#include "parts/tracer.h"

namespace annlab::detail {

inline Status check_probes(const SearchParams& p) {
  if (p.probes && *p.probes < 1) return Status::error(cat("probes = ", *p.probes, ": expected at least 1 (the query's own bucket)"));
  return Status::ok();
}

// Opens the bucket `key` of table t and compares the query exactly with each of its vectors not
// yet seen by this query (mark[id] == epoch once seen), offering each to top.
template <class Tracer>
void scan_bucket(const BucketTable& table, uint32_t t, uint64_t key, std::vector<uint32_t>& mark, uint32_t epoch,
                 const VectorStore& store, const VectorStore::PreparedQuery& pq, const Kernels& kern, float* scratch,
                 TopK& top, QueryStats* st, Tracer& tr) {
  const auto [b, e] = table.range(key);
  ++st->buckets;
  if constexpr (Tracer::kOn) tr.event(TraceKind::BucketOpened, t, int64_t(key), float(e - b));
  for (uint32_t p = b; p < e; ++p) {
    const uint32_t id = table.ids[p];
    if (mark[id] == epoch) continue;
    mark[id] = epoch;
    ++st->candidates;
    ++st->distances;
    const double dd = store.distance(pq, id, kern, scratch);
    if constexpr (Tracer::kOn) tr.event(TraceKind::DistanceComputed, t, int64_t(id), float(dd));
    const bool entered = top.push(dd, int64_t(id));
    if constexpr (Tracer::kOn) {
      if (entered) tr.event(TraceKind::TopKChanged, uint32_t(top.rank_of(dd, id)), int64_t(id), float(dd));
    }
  }
}

}  // namespace annlab::detail
