// annlab/params.h — build and search parameters given as name=value pairs.
//
// Build parameters shape an index when it is trained (seed, bucket_size, efConstruction, w);
// search parameters are per call (nprobe, efSearch, probes, rerank, leaves, scoring,
// max_query_terms, min_doc_freq, label). A value
// outside its range is an error, never clamped. Each index lists the search parameters it
// understands; passing one it does not is an error that names the index.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "annlab/status.h"

namespace annlab {

struct BuildParams {
  uint64_t seed = 1234;                 // every random draw of the build
  std::optional<int64_t> bucket_size;   // LSH: target mean bucket size when b is left out
  std::optional<int64_t> efConstruction;
  std::optional<double> w;              // E2LSH slab width
  std::vector<std::string> names_set() const;
};

struct SearchParams {
  std::optional<int64_t> nprobe;
  std::optional<int64_t> efSearch;
  std::optional<int64_t> probes;
  std::optional<int64_t> rerank;
  std::optional<int64_t> leaves;
  std::optional<std::string> scoring;       // Tokens: tfidf | bm25
  std::optional<int64_t> max_query_terms;   // Tokens: the query's terms kept (the rarest first)
  std::optional<int64_t> min_doc_freq;      // Tokens: terms in fewer documents are dropped
  std::optional<int64_t> label;             // Tokens: only documents with this label
  std::vector<std::string> names_set() const;
};

// True when `name` is a build (resp. search) parameter.
bool is_build_param(std::string_view name);
bool is_search_param(std::string_view name);

// Applies one "name=value" assignment to whichever struct owns the name. Errors: no '=', unknown
// name (the message lists the known ones), a value that is not a number, or out of range.
Status apply_param(std::string_view assignment, BuildParams* build, SearchParams* search);
Status apply_param(std::string_view name, std::string_view value, BuildParams* build,
                   SearchParams* search);

// "nprobe=8 rerank=100" — for reports.
std::string describe_params(const BuildParams& b, const SearchParams& s);

}  // namespace annlab
