// annlab/factory.h — indexes from short description strings, FAISS-like.
//
// The grammar (numbers are positive integers):
//   Flat · LSH<b>x<L> · E2LSH<k>x<L> · KDTree<leaf> · IVF<nlist>,Flat · PQ<M> · IVF<nlist>,PQ<M> ·
//   OPQ<M>,IVF<nlist>,PQ<M> · LOPQ<nlist>,PQ<M> · HNSW<M> · Tokens<g>x<m> · SimHash<bits> ·
//   ITQ<bits> · NPHash<bits> · Router<nclusters>
// Note: FAISS's "LSH" is sign codes ranked by Hamming distance; annlab calls that SimHash. annlab's
// LSH is the bucketed hyperplane hash. Every index describes itself back with describe(), and
// parse(describe()) gives the same spec. Methods of the grammar that this build does not have yet
// are parsed but refused by make_index with a message saying so.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "annlab/index.h"
#include "annlab/params.h"
#include "annlab/status.h"

namespace annlab {

enum class IndexKind : uint8_t {
  Flat, LSH, E2LSH, KDTree, IVFFlat, PQ, IVFPQ, OPQIVFPQ, LOPQ, HNSW, Tokens, SimHash, ITQ,
  NPHash, Router
};

struct IndexSpec {
  IndexKind kind = IndexKind::Flat;
  std::vector<int64_t> args;  // the numbers in the order they appear (0 = left out, LSH's b)
  std::string to_string() const;
  bool operator==(const IndexSpec& o) const { return kind == o.kind && args == o.args; }
};

// The grammar as text, for help and error messages.
const char* index_grammar();
Result<IndexSpec> parse_index_spec(std::string_view description);
bool is_implemented(IndexKind kind);
Result<std::unique_ptr<Index>> make_index(const IndexSpec& spec, size_t dim, const BuildParams& params);
Result<std::unique_ptr<Index>> make_index(std::string_view description, size_t dim,
                                          const BuildParams& params = {});
// Gives an index that filters by label (Tokens' `label`) the labels of the vectors it holds, one
// per vector; other indexes take nothing and this is a no-op for them (and for empty labels).
Status attach_labels(Index& index, const std::vector<int32_t>& labels);

}  // namespace annlab
