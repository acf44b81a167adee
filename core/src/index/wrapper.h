// Private header (core/src/index): an index made of another index — the exact re-rank
// (RefineIndex) and a vector transform in front (TransformedIndex), as FAISS composes
// IndexRefine and IndexPreTransform.
//
// A wrapper searches its inner index through the inner's own batch search (no second round of
// argument checks) and the capability queries of index.h (as_filterable, ...) look through it.
#pragma once

#include "annlab/index.h"

namespace annlab {

class IndexWrapper {
 public:
  virtual ~IndexWrapper() = default;
  virtual const Index& inner() const = 0;
  virtual Index& inner() = 0;

 protected:
  // The inner index's search_batch (queries already checked by the wrapper's search()).
  static void search_inner(const Index& in, const VectorView& q, size_t k, const SearchParams& p, int64_t* ids,
                           float* distances, QueryStats* stats) {
    in.search_batch(q, k, p, ids, distances, stats);
  }
};

// The first index of type T met going inward from `index` through wrappers, or nullptr: what a
// white-box test or a peer benchmark uses to reach a part (the PQ inside "PQ16"'s re-rank).
template <class T>
const T* find_inner(const Index& index) {
  for (const Index* at = &index; at;) {
    if (const auto* t = dynamic_cast<const T*>(at)) return t;
    const auto* w = dynamic_cast<const IndexWrapper*>(at);
    at = w ? &w->inner() : nullptr;
  }
  return nullptr;
}
template <class T>
T* find_inner(Index& index) {
  return const_cast<T*>(find_inner<T>(static_cast<const Index&>(index)));
}

}  // namespace annlab
