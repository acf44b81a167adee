// annlab/params.h — build and search parameters given as name=value pairs, and the one parser of
// them that the CLI, the lab and the JS API share.
//
// Build parameters shape an index when it is trained (seed, bucket_size, efConstruction, w);
// search parameters are per call (nprobe, efSearch, probes, rerank, ...). Every parameter is one
// row of param_table(): its name, type, range and one-line help; applying, listing and describing
// parameters all read that table. A value outside its range is an error, never clamped. Which
// parameters a method takes is said by its row in the method registry (registry.h); passing one
// it does not take is an error that names the index.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
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
  std::optional<std::string> model;     // a learned method's model manifest (a .json, or a bare .onnx)
  // The parameters set, seed aside (it is always accepted), in param_table() order.
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

enum class ParamStage : uint8_t { Build, Search };
enum class ParamType : uint8_t {
  Int,     // an integer in [lo, hi]
  Float,   // a finite number > 0
  Choice,  // one of `choices` (comma-separated)
  Seed,    // an unsigned 64-bit integer
  Text,    // a file name (a model manifest)
};

struct ParamInfo {
  std::string_view name;
  ParamStage stage;
  ParamType type;
  int64_t lo, hi;            // Int: the inclusive range
  std::string_view choices;  // Choice: "tfidf,bm25"
  std::string_view help;     // one line, for the CLI's help and the docs
  // Where the value lives (the caller's structs); typed by `type`: std::optional<int64_t>,
  // std::optional<double>, std::optional<std::string> or uint64_t.
  void* (*field)(BuildParams&, SearchParams&);
};

// Every parameter annlab knows, build parameters first.
std::span<const ParamInfo> param_table();
// The row of `name`, or nullptr.
const ParamInfo* find_param(std::string_view name);
// True when `name` is a build (resp. search) parameter.
bool is_build_param(std::string_view name);
bool is_search_param(std::string_view name);

// Applies one "name=value" assignment to whichever struct owns the name. Errors: no '=', unknown
// name (the message lists the known ones), a value that is not a number, or out of range.
Status apply_param(std::string_view assignment, BuildParams* build, SearchParams* search);
Status apply_param(std::string_view name, std::string_view value, BuildParams* build,
                   SearchParams* search);
// Applies a list of assignments separated by spaces or commas ("seed=7 nprobe=8"), in order.
Status apply_params(std::string_view list, BuildParams* build, SearchParams* search);

// The value of a set parameter as text ("8", "2.5", "bm25"); empty when not set.
std::string param_value(const ParamInfo& p, const BuildParams& b, const SearchParams& s);
// "nprobe=8 rerank=100" — the set parameters, seed aside, in table order; for reports.
std::string describe_params(const BuildParams& b, const SearchParams& s);

}  // namespace annlab
