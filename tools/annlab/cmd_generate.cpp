#include <cstdio>

#include "annlab/generators.h"
#include "annlab/io.h"
#include "common.h"

namespace annlab::cli {

int cmd_generate(const std::vector<std::string>& argv) {
  const CommandSpec spec{"generate",
                         "Writes a seeded synthetic data set; one seed gives the same bytes in every build.",
                         {{"kind", "blobs|uniform", "Gaussian blobs or uniform in [0,1)^d", true},
                          {"n", "N", "number of vectors", true},
                          {"d", "D", "dimension", true},
                          {"centers", "C", "blobs: number of blobs (default 10)"},
                          {"seed", "S", "random seed (default 1)"},
                          {"out", "F", "output file (.fvecs, or .alds to keep the blob labels)", true}}};
  Args a;
  int code;
  if (!parse_or_exit(spec, argv, &a, &code)) return code;
  auto n = a.get_int("n", 0, 1, 1LL << 30);
  auto d = a.get_int("d", 0, 1, (long long)kMaxDim);
  auto c = a.get_int("centers", 10, 1, 1LL << 30);
  auto seed = a.get_int("seed", 1, 0, INT64_MAX);
  for (const auto* r : {&n, &d, &c, &seed})
    if (!r->is_ok()) return fail("generate", r->status(), kExitUsage);
  const std::string kind = a.get("kind");
  Result<Dataset> ds = Status::error("");
  if (kind == "blobs") ds = make_gaussian_blobs(size_t(n.value()), size_t(d.value()), size_t(c.value()), 1.0, uint64_t(seed.value()));
  else if (kind == "uniform") ds = make_uniform(size_t(n.value()), size_t(d.value()), uint64_t(seed.value()));
  else return fail("generate", Status::error(cat("--kind '", kind, "' is not blobs or uniform")), kExitUsage);
  if (!ds.is_ok()) return fail("generate", ds.status());
  const std::string out = a.get("out");
  const bool alds = out.size() > 5 && out.substr(out.size() - 5) == ".alds";
  Status st = alds ? save_alds(out, ds.value()) : save_fvecs(out, ds->view());
  if (!st.is_ok()) return fail("generate", st);
  std::printf("%s: %zu x %zu -> %s\n", ds->name.c_str(), ds->n, ds->d, out.c_str());
  return kExitOk;
}

}  // namespace annlab::cli
