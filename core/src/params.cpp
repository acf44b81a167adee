#include "annlab/params.h"

#include <cerrno>
#include <cstdint>
#include <cmath>
#include <cstdlib>

namespace annlab {

namespace {

constexpr std::string_view kBuildNames[] = {"seed", "bucket_size", "efConstruction", "w"};
constexpr std::string_view kSearchNames[] = {"nprobe", "efSearch", "probes", "rerank", "leaves", "scoring",
                                               "max_query_terms", "min_doc_freq", "label"};

std::string known_names() {
  std::string s = "build: ";
  for (auto n : kBuildNames) s += cat(n, " ");
  s += "; search: ";
  for (auto n : kSearchNames) s += cat(n, " ");
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

Result<uint64_t> parse_seed(std::string_view value) {
  std::string v(value);
  char* end = nullptr;
  errno = 0;
  const unsigned long long x = std::strtoull(v.c_str(), &end, 10);
  if (v.empty() || v[0] == '-' || end != v.c_str() + v.size() || errno == ERANGE)
    return Status::error(cat("parameter seed: '", value, "' is not an unsigned 64-bit integer"));
  return static_cast<uint64_t>(x);
}

}  // namespace

bool is_build_param(std::string_view name) {
  for (auto n : kBuildNames) if (n == name) return true;
  return false;
}

bool is_search_param(std::string_view name) {
  for (auto n : kSearchNames) if (n == name) return true;
  return false;
}

std::vector<std::string> BuildParams::names_set() const {
  std::vector<std::string> out;
  if (bucket_size) out.emplace_back("bucket_size");
  if (efConstruction) out.emplace_back("efConstruction");
  if (w) out.emplace_back("w");
  return out;
}

std::vector<std::string> SearchParams::names_set() const {
  std::vector<std::string> out;
  if (nprobe) out.emplace_back("nprobe");
  if (efSearch) out.emplace_back("efSearch");
  if (probes) out.emplace_back("probes");
  if (rerank) out.emplace_back("rerank");
  if (leaves) out.emplace_back("leaves");
  if (scoring) out.emplace_back("scoring");
  if (max_query_terms) out.emplace_back("max_query_terms");
  if (min_doc_freq) out.emplace_back("min_doc_freq");
  if (label) out.emplace_back("label");
  return out;
}

Status apply_param(std::string_view name, std::string_view value, BuildParams* b, SearchParams* s) {
  constexpr int64_t kBig = int64_t{1} << 31;
  if (name == "seed") {
    ANNLAB_ASSIGN_OR_RETURN(b->seed, parse_seed(value));
  } else if (name == "bucket_size") {
    ANNLAB_ASSIGN_OR_RETURN(b->bucket_size, parse_int(name, value, 1, kBig));
  } else if (name == "efConstruction") {
    ANNLAB_ASSIGN_OR_RETURN(b->efConstruction, parse_int(name, value, 1, 1 << 20));
  } else if (name == "w") {
    std::string v(value);
    char* end = nullptr;
    const double x = std::strtod(v.c_str(), &end);
    if (v.empty() || end != v.c_str() + v.size() || !std::isfinite(x))
      return Status::error(cat("parameter w: '", value, "' is not a finite number"));
    if (!(x > 0)) return Status::error(cat("parameter w = ", value, " is out of range: it must be > 0"));
    b->w = x;
  } else if (name == "nprobe") {
    ANNLAB_ASSIGN_OR_RETURN(s->nprobe, parse_int(name, value, 1, kBig));
  } else if (name == "efSearch") {
    ANNLAB_ASSIGN_OR_RETURN(s->efSearch, parse_int(name, value, 1, 1 << 20));
  } else if (name == "probes") {
    ANNLAB_ASSIGN_OR_RETURN(s->probes, parse_int(name, value, 0, 1 << 20));
  } else if (name == "rerank") {
    ANNLAB_ASSIGN_OR_RETURN(s->rerank, parse_int(name, value, 0, kBig));
  } else if (name == "leaves") {
    ANNLAB_ASSIGN_OR_RETURN(s->leaves, parse_int(name, value, 1, kBig));
  } else if (name == "scoring") {
    if (value != "tfidf" && value != "bm25")
      return Status::error(cat("parameter scoring: '", value, "' is not one of tfidf, bm25"));
    s->scoring = std::string(value);
  } else if (name == "max_query_terms") {
    ANNLAB_ASSIGN_OR_RETURN(s->max_query_terms, parse_int(name, value, 1, kBig));
  } else if (name == "min_doc_freq") {
    ANNLAB_ASSIGN_OR_RETURN(s->min_doc_freq, parse_int(name, value, 1, kBig));
  } else if (name == "label") {
    ANNLAB_ASSIGN_OR_RETURN(s->label, parse_int(name, value, INT32_MIN, INT32_MAX));
  } else {
    return Status::error(cat("unknown parameter '", name, "' (known: ", known_names(), ")"));
  }
  return Status::ok();
}

Status apply_param(std::string_view assignment, BuildParams* b, SearchParams* s) {
  const size_t eq = assignment.find('=');
  if (eq == std::string_view::npos || eq == 0)
    return Status::error(cat("parameter '", assignment, "' is not of the form name=value"));
  return apply_param(assignment.substr(0, eq), assignment.substr(eq + 1), b, s);
}

std::string describe_params(const BuildParams& b, const SearchParams& s) {
  std::string out;
  auto add = [&](std::string_view n, auto v) { out += cat(out.empty() ? "" : " ", n, "=", v); };
  if (b.bucket_size) add("bucket_size", *b.bucket_size);
  if (b.efConstruction) add("efConstruction", *b.efConstruction);
  if (b.w) add("w", *b.w);
  if (s.nprobe) add("nprobe", *s.nprobe);
  if (s.efSearch) add("efSearch", *s.efSearch);
  if (s.probes) add("probes", *s.probes);
  if (s.rerank) add("rerank", *s.rerank);
  if (s.leaves) add("leaves", *s.leaves);
  if (s.scoring) add("scoring", *s.scoring);
  if (s.max_query_terms) add("max_query_terms", *s.max_query_terms);
  if (s.min_doc_freq) add("min_doc_freq", *s.min_doc_freq);
  if (s.label) add("label", *s.label);
  return out;
}

}  // namespace annlab
