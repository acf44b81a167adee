#include "annlab/factory.h"

#include <cctype>

#include "annlab/binary_index.h"
#include "annlab/e2lsh_index.h"
#include "annlab/flat_index.h"
#include "annlab/hnsw_index.h"
#include "annlab/ivf_index.h"
#include "annlab/kdtree_index.h"
#include "annlab/pq.h"
#include "annlab/lsh_index.h"
#include "annlab/tokens_index.h"

namespace annlab {

namespace {

struct Form {
  IndexKind kind;
  const char* pattern;     // '#' is a number
  const char* names[3];    // what each number means, for messages
  int64_t lo[3], hi[3];    // allowed range of each number
  bool implemented;
};

constexpr int64_t kBig = int64_t{1} << 24;

// The grammar. A new method adds one row here and one case in make_index.
const Form kForms[] = {
    {IndexKind::Flat, "Flat", {}, {}, {}, true},
    {IndexKind::LSH, "LSH#x#", {"b", "L"}, {1, 1}, {LshIndex::kMaxBits, LshIndex::kMaxTables}, true},
    {IndexKind::E2LSH, "E2LSH#x#", {"k", "L"}, {1, 1}, {64, 1024}, true},
    {IndexKind::KDTree, "KDTree#", {"leaf"}, {1}, {kBig}, true},
    {IndexKind::IVFFlat, "IVF#,Flat", {"nlist"}, {1}, {kBig}, true},
    {IndexKind::PQ, "PQ#", {"M"}, {1}, {1024}, true},
    {IndexKind::IVFPQ, "IVF#,PQ#", {"nlist", "M"}, {1, 1}, {kBig, 1024}, true},
    {IndexKind::OPQIVFPQ, "OPQ#,IVF#,PQ#", {"M", "nlist", "M"}, {1, 1, 1}, {1024, kBig, 1024}, true},
    {IndexKind::LOPQ, "LOPQ#,PQ#", {"nlist", "M"}, {1, 1}, {kBig, 1024}, true},
    {IndexKind::HNSW, "HNSW#", {"M"}, {2}, {1024}, true},
    {IndexKind::Tokens, "Tokens#x#", {"g", "m"}, {1, 2}, {1024, 65536}, true},
    {IndexKind::SimHash, "SimHash#", {"bits"}, {32}, {1024}, true},
    {IndexKind::ITQ, "ITQ#", {"bits"}, {32}, {1024}, true},
    {IndexKind::NPHash, "NPHash#", {"bits"}, {64}, {768}, false},
    {IndexKind::Router, "Router#", {"nclusters"}, {1}, {65536}, false},
};

const Form& form_of(IndexKind k) {
  for (const Form& f : kForms)
    if (f.kind == k) return f;
  ANNLAB_ASSERT(false);
}

// Matches s against a pattern; numbers go to args (a missing LSH b becomes 0).
bool match(const Form& f, std::string_view s, std::vector<int64_t>* args, bool fold_case) {
  args->clear();
  size_t i = 0;
  for (const char* p = f.pattern; *p; ++p) {
    if (*p == '#') {
      size_t j = i;
      int64_t v = 0;
      while (j < s.size() && std::isdigit(static_cast<unsigned char>(s[j])) && j - i < 12) v = v * 10 + (s[j++] - '0');
      if (j < s.size() && std::isdigit(static_cast<unsigned char>(s[j]))) v = INT64_MAX / 2;  // absurdly long
      if (j == i) {
        if (!(f.kind == IndexKind::LSH && args->empty())) return false;
        v = 0;  // "LSHx8": b from bucket_size
      }
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

const char* index_grammar() {
  return "Flat, LSH<b>x<L>, E2LSH<k>x<L>, KDTree<leaf>, IVF<nlist>,Flat, PQ<M>, IVF<nlist>,PQ<M>, "
         "OPQ<M>,IVF<nlist>,PQ<M>, LOPQ<nlist>,PQ<M>, HNSW<M>, Tokens<g>x<m>, SimHash<bits>, ITQ<bits>, "
         "NPHash<bits>, Router<nclusters>";
}

std::string IndexSpec::to_string() const {
  const Form& f = form_of(kind);
  std::string out;
  size_t a = 0;
  for (const char* p = f.pattern; *p; ++p) {
    if (*p != '#') {
      out += *p;
    } else {
      const int64_t v = a < args.size() ? args[a] : 0;
      ++a;
      if (!(kind == IndexKind::LSH && a == 1 && v == 0)) out += std::to_string(v);
    }
  }
  return out;
}

Result<IndexSpec> parse_index_spec(std::string_view description) {
  std::string_view s = description;
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  std::vector<int64_t> args;
  for (const Form& f : kForms) {
    if (!match(f, s, &args, false)) continue;
    for (size_t i = 0; i < args.size(); ++i) {
      if (f.kind == IndexKind::LSH && i == 0 && args[0] == 0 && s.substr(3, 1) == "x") continue;
      if (args[i] < f.lo[i] || args[i] > f.hi[i])
        return Status::error(cat("index description '", s, "': ", f.names[i], " = ", args[i], " is out of range [",
                                 f.lo[i], ", ", f.hi[i], "]"));
    }
    if (f.kind == IndexKind::OPQIVFPQ && args[0] != args[2])
      return Status::error(cat("index description '", s, "': the OPQ rotation is for M = ", args[0],
                               " sub-vectors but the PQ has M = ", args[2], "; they must be equal"));
    return IndexSpec{f.kind, args};
  }
  for (const Form& f : kForms)
    if (match(f, s, &args, true))
      return Status::error(cat("unknown index description '", s, "': names are case-sensitive; did you mean '",
                               IndexSpec{f.kind, args}.to_string(), "'?"));
  return Status::error(cat("unknown index description '", s, "': expected one of ", index_grammar()));
}

bool is_implemented(IndexKind kind) { return form_of(kind).implemented; }

Result<std::unique_ptr<Index>> make_index(const IndexSpec& spec, size_t dim, const BuildParams& params) {
  if (dim == 0 || dim > kMaxDim) return Status::error(cat("dimension ", dim, " is outside 1..", kMaxDim));
  for (const std::string& name : params.names_set()) {
    const bool fits = (name == "bucket_size" && spec.kind == IndexKind::LSH && spec.args[0] == 0) ||
                      (name == "efConstruction" && spec.kind == IndexKind::HNSW) ||
                      (name == "w" && spec.kind == IndexKind::E2LSH);
    if (!fits)
      return Status::error(cat("build parameter '", name, "' does not apply to ", spec.to_string(),
                               name == "bucket_size" ? " (only to LSH with b left out, e.g. 'LSHx8')" : ""));
  }
  // Product quantizers cut the vector into M equal sub-vectors.
  const int64_t m = spec.kind == IndexKind::PQ ? spec.args[0]
                    : (spec.kind == IndexKind::IVFPQ || spec.kind == IndexKind::LOPQ) ? spec.args[1]
                    : spec.kind == IndexKind::OPQIVFPQ ? spec.args[2] : 0;
  if (m && dim % size_t(m) != 0)
    return Status::error(cat(spec.to_string(), ": dimension ", dim, " is not divisible by M = ", m));
  if (spec.kind == IndexKind::Tokens && dim % size_t(spec.args[0]) != 0)
    return Status::error(cat(spec.to_string(), ": dimension ", dim, " is not divisible by g = ", spec.args[0]));
  switch (spec.kind) {
    case IndexKind::Flat:
      return std::unique_ptr<Index>(new FlatIndex(dim));
    case IndexKind::LSH:
      return std::unique_ptr<Index>(new LshIndex(dim, int(spec.args[0]), int(spec.args[1]), params));
    case IndexKind::KDTree:
      return std::unique_ptr<Index>(new KdTreeIndex(dim, size_t(spec.args[0])));
    case IndexKind::HNSW:
      return std::unique_ptr<Index>(new HnswIndex(dim, size_t(spec.args[0]), params));
    case IndexKind::IVFFlat:
      return std::unique_ptr<Index>(new IvfIndex(dim, size_t(spec.args[0]), 0, params));
    case IndexKind::PQ:
      return std::unique_ptr<Index>(new PqIndex(dim, size_t(spec.args[0]), params));
    case IndexKind::IVFPQ:
      return std::unique_ptr<Index>(new IvfIndex(dim, size_t(spec.args[0]), size_t(spec.args[1]), params));
    case IndexKind::OPQIVFPQ:
      return std::unique_ptr<Index>(
          new IvfIndex(dim, size_t(spec.args[1]), size_t(spec.args[2]), params, IvfRotation::OPQ));
    case IndexKind::E2LSH:
      return std::unique_ptr<Index>(new E2LshIndex(dim, int(spec.args[0]), int(spec.args[1]), params));
    case IndexKind::SimHash:
      return std::unique_ptr<Index>(new BinaryCodeIndex(dim, size_t(spec.args[0]), BinaryHash::SimHash, params));
    case IndexKind::ITQ:
      return std::unique_ptr<Index>(new BinaryCodeIndex(dim, size_t(spec.args[0]), BinaryHash::ITQ, params));
    case IndexKind::LOPQ:
      return std::unique_ptr<Index>(
          new IvfIndex(dim, size_t(spec.args[0]), size_t(spec.args[1]), params, IvfRotation::Local));
    case IndexKind::Tokens:
      return std::unique_ptr<Index>(new TokensIndex(dim, size_t(spec.args[0]), size_t(spec.args[1]), params));
    default:
      return Status::error(cat("index '", spec.to_string(), "' is part of annlab's grammar but not implemented in ",
                               "this build yet (available: Flat, LSH<b>x<L>, E2LSH<k>x<L>, KDTree<leaf>, IVF<nlist>,Flat, PQ<M>, IVF<nlist>,PQ<M>, OPQ<M>,IVF<nlist>,PQ<M>, LOPQ<nlist>,PQ<M>, HNSW<M>, Tokens<g>x<m>, SimHash<bits>, ITQ<bits>)"));
  }
}

Result<std::unique_ptr<Index>> make_index(std::string_view description, size_t dim, const BuildParams& params) {
  ANNLAB_ASSIGN_OR_RETURN(IndexSpec spec, parse_index_spec(description));
  return make_index(spec, dim, params);
}

Status attach_labels(Index& index, const std::vector<int32_t>& labels) {
  if (labels.empty()) return Status::ok();
  if (auto* t = dynamic_cast<TokensIndex*>(&index)) return t->set_labels(labels);
  return Status::ok();
}

}  // namespace annlab
