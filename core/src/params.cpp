#include "annlab/params.h"

#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <sstream>

namespace annlab {

namespace {

constexpr int64_t kBig = int64_t{1} << 31;

// The table: each parameter once. A new parameter adds a field to its struct and a row here.
#define ANNLAB_FIELD(strct, member) [](BuildParams& b, SearchParams& s) -> void* { \
    (void)b; (void)s; return &strct.member; }
const ParamInfo kParams[] = {
    {"seed", ParamStage::Build, ParamType::Seed, 0, 0, {}, "every random draw of the build (default 1234)",
     ANNLAB_FIELD(b, seed)},
    {"bucket_size", ParamStage::Build, ParamType::Int, 1, kBig, {},
     "LSH with b left out: b = floor(log2(n / bucket_size)) (default 16)", ANNLAB_FIELD(b, bucket_size)},
    {"efConstruction", ParamStage::Build, ParamType::Int, 1, 1 << 20, {},
     "HNSW: beam width while building (default 200)", ANNLAB_FIELD(b, efConstruction)},
    {"w", ParamStage::Build, ParamType::Float, 0, 0, {},
     "E2LSH: slab width (default: half the median distance of random training pairs)", ANNLAB_FIELD(b, w)},
    {"model", ParamStage::Build, ParamType::Text, 0, 0, {},
     "a learned method's model: its manifest (.json, written by annlab-train) or a bare .onnx file "
     "(default: models/<method><bits>.json)",
     ANNLAB_FIELD(b, model)},
    {"nprobe", ParamStage::Search, ParamType::Int, 1, kBig, {}, "cells visited per query, nearest first (default 1)",
     ANNLAB_FIELD(s, nprobe)},
    {"efSearch", ParamStage::Search, ParamType::Int, 1, 1 << 20, {}, "HNSW: beam width while searching (default 16)",
     ANNLAB_FIELD(s, efSearch)},
    {"probes", ParamStage::Search, ParamType::Int, 0, 1 << 20, {},
     "buckets opened per table, the query's own first (multi-probe; default 1)", ANNLAB_FIELD(s, probes)},
    {"rerank", ParamStage::Search, ParamType::Int, 0, kBig, {},
     "re-rank this many of the best coded candidates with the exact distance (default 0: none)",
     ANNLAB_FIELD(s, rerank)},
    {"leaves", ParamStage::Search, ParamType::Int, 1, kBig, {}, "k-d tree: at most this many leaves (default: all)",
     ANNLAB_FIELD(s, leaves)},
    {"scoring", ParamStage::Search, ParamType::Choice, 0, 0, "tfidf,bm25", "Tokens: tfidf or bm25 (default bm25)",
     ANNLAB_FIELD(s, scoring)},
    {"max_query_terms", ParamStage::Search, ParamType::Int, 1, kBig, {},
     "Tokens: keep this many of the query's terms, the rarest first (default: all)",
     ANNLAB_FIELD(s, max_query_terms)},
    {"min_doc_freq", ParamStage::Search, ParamType::Int, 1, kBig, {},
     "Tokens: drop query terms held by fewer documents (default 1)", ANNLAB_FIELD(s, min_doc_freq)},
    {"label", ParamStage::Search, ParamType::Int, INT32_MIN, INT32_MAX, {},
     "Tokens: only documents with this label (default: no filter)", ANNLAB_FIELD(s, label)},
};
#undef ANNLAB_FIELD

std::string known_names() {
  std::string s = "build: ";
  for (const ParamInfo& p : kParams)
    if (p.stage == ParamStage::Build) s += cat(p.name, " ");
  s += "; search: ";
  for (const ParamInfo& p : kParams)
    if (p.stage == ParamStage::Search) s += cat(p.name, " ");
  s.pop_back();
  return s;
}

Result<int64_t> parse_int(std::string_view name, std::string_view value, int64_t lo, int64_t hi) {
  std::string v(value);
  char* end = nullptr;
  errno = 0;
  const long long x = std::strtoll(v.c_str(), &end, 10);
  if (v.empty() || end != v.c_str() + v.size() || errno == ERANGE)
    return Status::error(cat("parameter ", name, ": '", value, "' is not an integer"));
  if (x < lo || x > hi)
    return Status::error(cat("parameter ", name, " = ", x, " is out of range [", lo, ", ", hi, "]"));
  return static_cast<int64_t>(x);
}

Result<uint64_t> parse_seed(std::string_view name, std::string_view value) {
  std::string v(value);
  char* end = nullptr;
  errno = 0;
  const unsigned long long x = std::strtoull(v.c_str(), &end, 10);
  if (v.empty() || v[0] == '-' || end != v.c_str() + v.size() || errno == ERANGE)
    return Status::error(cat("parameter ", name, ": '", value, "' is not an unsigned 64-bit integer"));
  return static_cast<uint64_t>(x);
}

Result<double> parse_positive(std::string_view name, std::string_view value) {
  std::string v(value);
  char* end = nullptr;
  const double x = std::strtod(v.c_str(), &end);
  if (v.empty() || end != v.c_str() + v.size() || !std::isfinite(x))
    return Status::error(cat("parameter ", name, ": '", value, "' is not a finite number"));
  if (!(x > 0)) return Status::error(cat("parameter ", name, " = ", value, " is out of range: it must be > 0"));
  return x;
}

bool is_choice(std::string_view choices, std::string_view v) {
  while (!choices.empty()) {
    const size_t c = choices.find(',');
    if (choices.substr(0, c) == v) return true;
    if (c == std::string_view::npos) break;
    choices.remove_prefix(c + 1);
  }
  return false;
}

std::string choice_list(std::string_view choices) {
  std::string out;
  for (char ch : choices) out += ch == ',' ? std::string(", ") : std::string(1, ch);
  return out;
}

std::vector<std::string> set_names(ParamStage stage, const BuildParams& b, const SearchParams& s) {
  std::vector<std::string> out;
  for (const ParamInfo& p : kParams)
    if (p.stage == stage && p.type != ParamType::Seed && !param_value(p, b, s).empty()) out.emplace_back(p.name);
  return out;
}

}  // namespace

std::span<const ParamInfo> param_table() { return kParams; }

const ParamInfo* find_param(std::string_view name) {
  for (const ParamInfo& p : kParams)
    if (p.name == name) return &p;
  return nullptr;
}

bool is_build_param(std::string_view name) {
  const ParamInfo* p = find_param(name);
  return p && p->stage == ParamStage::Build;
}

bool is_search_param(std::string_view name) {
  const ParamInfo* p = find_param(name);
  return p && p->stage == ParamStage::Search;
}

std::vector<std::string> BuildParams::names_set() const { return set_names(ParamStage::Build, *this, {}); }
std::vector<std::string> SearchParams::names_set() const { return set_names(ParamStage::Search, {}, *this); }

std::string param_value(const ParamInfo& p, const BuildParams& b, const SearchParams& s) {
  void* f = p.field(const_cast<BuildParams&>(b), const_cast<SearchParams&>(s));
  switch (p.type) {
    case ParamType::Int: {
      const auto& v = *static_cast<std::optional<int64_t>*>(f);
      return v ? std::to_string(*v) : std::string();
    }
    case ParamType::Float: {
      const auto& v = *static_cast<std::optional<double>*>(f);
      if (!v) return {};
      std::ostringstream os;  // the shortest text that reads back as the same double
      os.precision(17);
      os << *v;
      std::ostringstream shortest;
      shortest << *v;
      return std::strtod(shortest.str().c_str(), nullptr) == *v ? shortest.str() : os.str();
    }
    case ParamType::Choice:
    case ParamType::Text: {
      const auto& v = *static_cast<std::optional<std::string>*>(f);
      return v ? *v : std::string();
    }
    case ParamType::Seed: return std::to_string(*static_cast<uint64_t*>(f));
  }
  return {};
}

Status apply_param(std::string_view name, std::string_view value, BuildParams* b, SearchParams* s) {
  const ParamInfo* p = find_param(name);
  if (!p) return Status::error(cat("unknown parameter '", name, "' (known: ", known_names(), ")"));
  BuildParams bdummy;
  SearchParams sdummy;
  void* f = p->field(b ? *b : bdummy, s ? *s : sdummy);
  switch (p->type) {
    case ParamType::Int: {
      ANNLAB_ASSIGN_OR_RETURN(int64_t v, parse_int(name, value, p->lo, p->hi));
      *static_cast<std::optional<int64_t>*>(f) = v;
      break;
    }
    case ParamType::Float: {
      ANNLAB_ASSIGN_OR_RETURN(double v, parse_positive(name, value));
      *static_cast<std::optional<double>*>(f) = v;
      break;
    }
    case ParamType::Choice:
      if (!is_choice(p->choices, value))
        return Status::error(cat("parameter ", name, ": '", value, "' is not one of ", choice_list(p->choices)));
      *static_cast<std::optional<std::string>*>(f) = std::string(value);
      break;
    case ParamType::Text:
      if (value.empty()) return Status::error(cat("parameter ", name, ": expected a file name"));
      *static_cast<std::optional<std::string>*>(f) = std::string(value);
      break;
    case ParamType::Seed: {
      ANNLAB_ASSIGN_OR_RETURN(uint64_t v, parse_seed(name, value));
      *static_cast<uint64_t*>(f) = v;
      break;
    }
  }
  return Status::ok();
}

Status apply_param(std::string_view assignment, BuildParams* b, SearchParams* s) {
  const size_t eq = assignment.find('=');
  if (eq == std::string_view::npos || eq == 0)
    return Status::error(cat("parameter '", assignment, "' is not of the form name=value"));
  return apply_param(assignment.substr(0, eq), assignment.substr(eq + 1), b, s);
}

Status apply_params(std::string_view list, BuildParams* b, SearchParams* s) {
  size_t i = 0;
  while (i < list.size()) {
    while (i < list.size() && (list[i] == ' ' || list[i] == ',' || list[i] == '\t')) ++i;
    size_t e = i;
    while (e < list.size() && list[e] != ' ' && list[e] != ',' && list[e] != '\t') ++e;
    if (e > i) ANNLAB_TRY(apply_param(list.substr(i, e - i), b, s));
    i = e;
  }
  return Status::ok();
}

std::string describe_params(const BuildParams& b, const SearchParams& s) {
  std::string out;
  for (const ParamInfo& p : kParams) {
    if (p.type == ParamType::Seed) continue;
    const std::string v = param_value(p, b, s);
    if (!v.empty()) out += cat(out.empty() ? "" : " ", p.name, "=", v);
  }
  return out;
}

}  // namespace annlab
