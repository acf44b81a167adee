// annlab/factory.h — indexes from short description strings, FAISS-like.
//
// The grammar is the method registry's (registry.h; `annlab methods` lists it): Flat,
// LSH<b>x<L>, IVF<nlist>,PQ<M>, ... (numbers are positive integers). Note: FAISS's "LSH" is sign
// codes ranked by Hamming distance; annlab calls that SimHash. annlab's LSH is the bucketed
// hyperplane hash. Every index describes itself back with describe(), and
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
#include "annlab/registry.h"
#include "annlab/status.h"

namespace annlab {

struct IndexSpec {
  const MethodInfo* method = nullptr;  // its registry row
  std::vector<int64_t> args;  // the numbers in the order they appear (0 = left out, LSH's b)
  std::string to_string() const;
  bool operator==(const IndexSpec& o) const { return method == o.method && args == o.args; }
};

// The grammar as text, for help and error messages (grammar_text()).
std::string index_grammar();
Result<IndexSpec> parse_index_spec(std::string_view description);
// Checks the spec against the dimension and the build parameters against the method's row, then
// makes the index. Errors: not implemented, dimension out of range or not divisible, a build
// parameter the method does not take.
Result<std::unique_ptr<Index>> make_index(const IndexSpec& spec, size_t dim, const BuildParams& params);
Result<std::unique_ptr<Index>> make_index(std::string_view description, size_t dim,
                                          const BuildParams& params = {});
// Gives an index that filters by label (Filterable, e.g. Tokens' `label`) the labels of the
// vectors it holds, one per vector; other indexes take nothing and this is a no-op for them (and
// for empty labels).
Status attach_labels(Index& index, const std::vector<int32_t>& labels);

}  // namespace annlab
