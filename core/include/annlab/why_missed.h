// annlab/why_missed.h — for every true neighbour a search did not return, one sentence saying why,
// read from the query's trace and the index's structure (index.h, structure.h), and the value of a
// search parameter that finds it.
//
// The reason is found by the kind of structure the index has, so every method with cells, buckets,
// codes, a tree or a graph is covered whichever class made it:
//   cells     "true #1 is in cell 17, which ranked 9th of 64 by its centroid's distance; nprobe = 8"
//             (nprobe = 9 probes it; the learned router ranks by layer 1's probability; with PQ
//             codes inside, the next stage is said too);
//   codes     "true #3 ranked 14th by Hamming distance (12 bits apart); rerank = 10" (PQ's estimate
//             likewise; rerank = 14 finds it);
//   buckets   "true #3 shares no bucket with the query in any of the 8 tables; nearest miss: table 5,
//             2 bits apart" (E2LSH: slab steps);
//   graph     "the greedy search never reached it: it is 2 hops from the nodes it expanded";
//   tree      "its leaf was not opened: the search stopped after leaves = 8";
//   tokens    "it shares 1 of the query's 4 tokens; its score ranked it below rerank = 10".
// Where the parameter is not read off the trace (probes, efSearch, leaves, a token's rerank) the
// smallest value that finds it is searched for by re-running the query (doubling, then halving).
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "annlab/index.h"

namespace annlab {

struct MissReason {
  int64_t id = -1;        // the true neighbour the search did not return
  size_t true_rank = 0;   // its rank in the exact answer, from 1
  // Where it was lost: "cell", "layer 2", "code rank", "bucket", "graph", "leaf", "tokens", "tie",
  // "candidate" (its exact distance was computed, yet it is not in the answer).
  std::string stage;
  std::string sentence;
  // The place, for the lab to highlight: the cell, the bucket key (in `table`), the leaf node, or
  // the expanded node nearest to it in the graph; -1 when none.
  int64_t where = -1;
  uint32_t table = 0;
  // The search parameters to set (on top of the search's own) that find it, in order: one, or two
  // when probing its cell is not enough ("nprobe = 9, then rerank = 30"); empty when none of this
  // index's parameters does. `checked`: re-running the query with them returned it.
  std::vector<std::pair<std::string, int64_t>> fix;
  bool checked = false;
  // The search parameters with the fix applied.
  SearchParams fixed(SearchParams p) const;
};

// Why each id of `truth` (the exact k nearest of q, best first) that trace.ids lacks was missed.
// `structure` is the index's explain_structure(); q is the query (one row) in the data's space,
// `params` the search parameters the trace was made with.
Result<std::vector<MissReason>> why_missed(const Index& index, const Structure& structure, const VectorView& q,
                                           const Trace& trace, const std::vector<int64_t>& truth,
                                           const SearchParams& params);

// "1st", "2nd", "3rd", "14th".
std::string ordinal(size_t n);

}  // namespace annlab
