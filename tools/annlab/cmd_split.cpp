#include <cstdio>

#include "annlab/io.h"
#include "common.h"

namespace annlab::cli {

namespace {
bool ends_with(const std::string& s, std::string_view e) {
  return s.size() >= e.size() && s.compare(s.size() - e.size(), e.size(), e) == 0;
}
// Writes ds to path in the format its extension names (.fvecs, or .alds, which keeps labels and bytes).
Status save_by_extension(const std::string& path, const Dataset& ds) {
  return ends_with(path, ".alds") ? save_alds(path, ds) : save_fvecs(path, ds.view());
}
}  // namespace

int cmd_split(const std::vector<std::string>& argv) {
  const CommandSpec spec{"split",
                         "Splits a vector file into base vectors and held-out queries exactly as the lab does with a "
                         "file you drop: min(1,000, 10 %) of the rows, drawn with the seed, are the queries; the "
                         "rest, in file order, the base. No query is in the base.",
                         {{"in", "F", "the vectors (.fvecs .ivecs .bvecs .npy .csv .alds)", true},
                          {"base-out", "B", "where to write the base (.fvecs or .alds)", true},
                          {"query-out", "Q", "where to write the queries (.fvecs or .alds)", true},
                          {"seed", "S", "the shuffle's seed (the lab's: 42)", false},
                          {"max-queries", "N", "at most this many queries (the lab's: 1000)", false},
                          {"base-rows", "N", "keep only the first N base rows (smaller bases from one split)", false}}};
  Args a;
  int code;
  if (!parse_or_exit(spec, argv, &a, &code)) return code;
  auto seed = a.get_int("seed", 42, 0, INT64_MAX);
  auto maxq = a.get_int("max-queries", 1000, 1, 1 << 30);
  if (!seed.is_ok()) return fail("split", seed.status(), kExitUsage);
  if (!maxq.is_ok()) return fail("split", maxq.status(), kExitUsage);
  auto base_rows = a.get_int("base-rows", 0, 1, INT64_MAX);
  if (!base_rows.is_ok()) return fail("split", base_rows.status(), kExitUsage);
  for (const char* opt : {"base-out", "query-out"})
    if (!ends_with(a.get(opt), ".fvecs") && !ends_with(a.get(opt), ".alds"))
      return fail("split", Status::error(cat("--", opt, " ", a.get(opt), ": expected a .fvecs or .alds output file")),
                  kExitUsage);
  auto ds = load_dataset(a.get("in"));
  if (!ds.is_ok()) return fail("split", ds.status());
  HeldOutSplit sp = split_held_out(ds->n, uint64_t(seed.value()), size_t(maxq.value()));
  if (a.has("base-rows")) {
    if (size_t(base_rows.value()) > sp.base.size())
      return fail("split", Status::error(cat("--base-rows ", base_rows.value(), ": the base has only ", sp.base.size(),
                                             " rows")), kExitUsage);
    sp.base.resize(size_t(base_rows.value()));
  }
  if (Status st = save_by_extension(a.get("base-out"), ds->subset(sp.base)); !st.is_ok()) return fail("split", st);
  if (Status st = save_by_extension(a.get("query-out"), ds->subset(sp.queries)); !st.is_ok()) return fail("split", st);
  std::printf("split %s: %zu base vectors -> %s, %zu held-out queries -> %s (seed %lld)\n", a.get("in").c_str(),
              sp.base.size(), a.get("base-out").c_str(), sp.queries.size(), a.get("query-out").c_str(), seed.value());
  return kExitOk;
}

}  // namespace annlab::cli
