#include "annlab/factory.h"

#include <cctype>

#include "annlab/registry.h"
#include "index/refine_index.h"

namespace annlab {

namespace {

// Matches s against a row's pattern; numbers go to args (a number that may be left out becomes 0).
// left_out[i] says the number was not written (as opposed to a written 0).
bool match(const MethodInfo& f, std::string_view s, std::vector<int64_t>* args, bool fold_case,
           std::vector<bool>* left_out = nullptr) {
  args->clear();
  if (left_out) left_out->clear();
  size_t i = 0;
  for (const char* p = f.pattern.data(); p != f.pattern.data() + f.pattern.size(); ++p) {
    if (*p == '#') {
      size_t j = i;
      int64_t v = 0;
      while (j < s.size() && std::isdigit(static_cast<unsigned char>(s[j])) && j - i < 12) v = v * 10 + (s[j++] - '0');
      if (j < s.size() && std::isdigit(static_cast<unsigned char>(s[j]))) v = INT64_MAX / 2;  // absurdly long
      if (j == i) {
        if (f.args[args->size()].zero_means.empty()) return false;
        v = 0;  // "LSHx8": b from bucket_size
      }
      if (left_out) left_out->push_back(j == i);
      args->push_back(v);
      i = j;
    } else {
      if (i >= s.size()) return false;
      const char a = fold_case ? char(std::tolower(static_cast<unsigned char>(s[i]))) : s[i];
      const char b = fold_case ? char(std::tolower(static_cast<unsigned char>(*p))) : *p;
      if (a != b) return false;
      ++i;
    }
  }
  return i == s.size();
}

}  // namespace

std::string index_grammar() { return grammar_text(); }

std::string IndexSpec::to_string() const {
  ANNLAB_ASSERT(method != nullptr);
  std::string out;
  size_t a = 0;
  for (char c : method->pattern) {
    if (c != '#') {
      out += c;
    } else {
      const int64_t v = a < args.size() ? args[a] : 0;
      const bool left_out = v == 0 && !method->args[a].zero_means.empty();
      ++a;
      if (!left_out) out += std::to_string(v);
    }
  }
  return out;
}

Result<IndexSpec> parse_index_spec(std::string_view description) {
  std::string_view s = description;
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  std::vector<int64_t> args;
  std::vector<bool> left_out;
  for (const MethodInfo& f : method_registry()) {
    if (!match(f, s, &args, false, &left_out)) continue;
    for (size_t i = 0; i < args.size(); ++i) {
      const ArgInfo& a = f.args[i];
      if (left_out[i]) continue;
      if (args[i] < a.lo || args[i] > a.hi)
        return Status::error(cat("index description '", s, "': ", a.name, " = ", args[i], " is out of range [", a.lo,
                                 ", ", a.hi, "]"));
    }
    for (size_t i = 0; i < args.size(); ++i) {
      const int j = f.args[i].same_as;
      if (j >= 0 && args[i] != args[size_t(j)])
        return Status::error(cat("index description '", s, "': ", f.args[size_t(j)].name, " = ", args[size_t(j)], " and ",
                                 f.args[i].name, " = ", args[i], " differ: ", f.args[i].same_note));
    }
    return IndexSpec{&f, args};
  }
  for (const MethodInfo& f : method_registry())
    if (match(f, s, &args, true))
      return Status::error(cat("unknown index description '", s, "': names are case-sensitive; did you mean '",
                               IndexSpec{&f, args}.to_string(), "'?"));
  return Status::error(cat("unknown index description '", s, "': expected one of ", index_grammar()));
}

Result<std::unique_ptr<Index>> make_index(const IndexSpec& spec, size_t dim, const BuildParams& params) {
  if (!spec.method) return Status::error("make_index: the spec names no method");
  const MethodInfo& m = *spec.method;
  if (dim == 0 || dim > kMaxDim) return Status::error(cat("dimension ", dim, " is outside 1..", kMaxDim));
  for (const std::string& name : params.names_set()) {
    const ParamUse* use = m.build_param(name);
    const bool fits = use && (use->when_arg_zero < 0 || spec.args[size_t(use->when_arg_zero)] == 0);
    if (!fits)
      return Status::error(cat("build parameter '", name, "' does not apply to ", spec.to_string(),
                               use && !use->when_note.empty() ? cat(" (", use->when_note, ")") : std::string()));
  }
  if (!m.implemented || !m.make)
    return Status::error(cat("index '", spec.to_string(), "' is part of annlab's grammar but not implemented in ",
                             "this build yet (available: ", grammar_text(true), ")"));
  for (size_t i = 0; i < m.args.size(); ++i)
    if (m.args[i].divides_dim && m.args[i].same_as < 0 && dim % size_t(spec.args[i]) != 0)
      return Status::error(cat(spec.to_string(), ": dimension ", dim, " is not divisible by ", m.args[i].name, " = ",
                               spec.args[i]));
  std::unique_ptr<Index> index = m.make(spec.args, dim, params);
  // A method that takes `rerank` re-ranks through the one exact re-rank wrapper (refine_index.h).
  if (m.search_param("rerank") && !m.reranks_itself) index = std::make_unique<RefineIndex>(std::move(index));
  return index;
}

Result<std::unique_ptr<Index>> make_index(std::string_view description, size_t dim, const BuildParams& params) {
  ANNLAB_ASSIGN_OR_RETURN(IndexSpec spec, parse_index_spec(description));
  return make_index(spec, dim, params);
}

Status attach_labels(Index& index, const std::vector<int32_t>& labels) {
  if (labels.empty()) return Status::ok();
  if (Filterable* f = as_filterable(index)) return f->set_labels(labels);
  return Status::ok();
}

}  // namespace annlab
