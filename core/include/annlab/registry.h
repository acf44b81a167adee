// annlab/registry.h — every method annlab has, one row each.
//
// A row says everything the rest of annlab needs to know about a method: its factory pattern and
// the meaning and range of each number in it, the build and search parameters it takes (with the
// lab's defaults, slider ranges and help), its label, family and help text, and how to make it.
// The grammar text, the factory's parsing and describe() round trip, the parameter checks and
// their messages, the CLI's help (`annlab methods`), the JS API's methods() listing, the lab's
// method list and its parameter controls, and the method tables of README.md and docs/cli.md are
// all derived from these rows. Adding a method is one index class plus one row in registry.cpp;
// tests/core/registry_test.cpp then tests it with no test list to edit.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "annlab/index.h"
#include "annlab/params.h"
#include "annlab/status.h"

namespace annlab {

// One number of a factory pattern ("nlist" in IVF<nlist>,Flat).
struct ArgInfo {
  std::string_view name{};
  int64_t lo{}, hi{};        // the grammar's range
  int64_t def{};               // the lab's starting value
  int64_t ui_lo{}, ui_hi{};  // the lab's slider range (inside lo..hi)
  bool log_scale{};            // the slider is logarithmic
  std::string_view help{};     // one or two sentences for the lab and `annlab methods`
  bool divides_dim = false;  // the dimension must be a multiple of it (PQ's M, Tokens' g)
  int same_as = -1;          // must equal that earlier number (OPQ's M and the PQ's M)
  std::string_view same_note{};   // why, for the message
  std::string_view zero_means{};  // non-empty: the number may be left out (0), meaning this
};

// A parameter as one method uses it (its type and hard range are in param_table()).
struct ParamUse {
  std::string_view name{};
  double def{};                // the lab's starting value (a Choice: the index of its choice)
  double ui_lo{}, ui_hi{};   // the lab's slider range
  bool log_scale{};
  std::string_view help{};     // what it does for this method
  // A lab value that means "not set" (the index's own default): for example leaves 0 "all",
  // label -1 "none". The default (-1e300) is no value: every value of the slider is passed on.
  double unset_value = -1e300;
  std::string_view unset_label{};
  int hi_arg = -1;           // the slider's top is this number of the pattern (nprobe <= nlist)
  int when_arg_zero = -1;    // applies only when that number is left out (LSHx<L>'s bucket_size)
  std::string_view when_note{};  // said when it is given but does not apply
  bool needs_labels = false;   // only offered when the data has labels
  double sweep[4] = {0, 0, 0, 0};  // the main search parameter: four rising values (tests, help)
  std::string_view sweep_with{};   // other search parameters set for that sweep ("rerank=1000")
};

struct MethodInfo {
  std::string_view name{};     // stable identifier ("IVFPQ"): URLs, the JS API, the lab's state
  std::string_view pattern{};  // the factory pattern, '#' for each number: "IVF#,PQ#"
  std::vector<ArgInfo> args{};
  std::vector<ParamUse> build{};   // build parameters ("seed" when the build draws at random)
  std::vector<ParamUse> search{};  // search parameters, in the lab's order
  std::string_view label{};    // "IVF-PQ (residuals)"
  std::string_view family{};   // exact, hashing, partitions, graphs, learned
  std::string_view distance{}; // what search returns: "squared L2", "Hamming (squared L2 with rerank)"...
  std::string_view summary{};  // one line for tables
  std::string_view help{};     // a paragraph for the lab
  std::string_view doc{};      // its docs page, relative to the repository root
  std::string_view example{};  // a small configuration for a few thousand vectors of d = 16 (tests)
  bool implemented{};
  // The method reads `rerank` itself (the learned router: layer 2 picks what is compared, exactly)
  // instead of through the exact re-rank wrapper.
  bool reranks_itself{};
  // Makes the index; args are checked against this row already.
  std::unique_ptr<Index> (*make)(const std::vector<int64_t>& args, size_t dim, const BuildParams& params) = nullptr;

  // The pattern with its numbers named: "IVF<nlist>,PQ<M>".
  std::string grammar() const;
  const ParamUse* search_param(std::string_view n) const;
  const ParamUse* build_param(std::string_view n) const;
  // The main search parameter (the one with a sweep), or nullptr when the method has none.
  const ParamUse* main_search() const;
};

// Every row, in the order the lab lists them.
std::span<const MethodInfo> method_registry();
// The row named `name` ("IVFPQ"), or nullptr.
const MethodInfo* find_method(std::string_view name);

// The grammar as text: "Flat, LSH<b>x<L>, ..." (every row, or only the implemented ones).
std::string grammar_text(bool implemented_only = false);
// The method table in Markdown (the README's and docs/cli.md's, between their generated markers).
std::string methods_markdown();
// The parameter table in Markdown (docs/cli.md).
std::string params_markdown();

}  // namespace annlab
