#include <cstdio>

#include "annlab/eval.h"
#include "annlab/io.h"
#include "common.h"

namespace annlab::cli {

namespace {
Status check_ids_fit(const SearchResult& r) {
  for (int64_t id : r.ids)
    if (id > INT32_MAX) return Status::error(cat("id ", id, " does not fit in .ivecs (int32)"));
  return Status::ok();
}
}  // namespace

// Converts a search result to the int32 matrix an .ivecs file holds.
IntMatrix to_int_matrix(const SearchResult& r) {
  IntMatrix m;
  m.n = r.nq;
  m.d = r.k;
  m.v.assign(r.ids.begin(), r.ids.end());
  return m;
}

int cmd_gt(const std::vector<std::string>& argv) {
  const CommandSpec spec{"gt", "Exact k nearest neighbours (squared L2) of every query, written as .ivecs.",
                         {{"base", "B", "base vectors (.fvecs .ivecs .bvecs .npy .csv .alds)", true},
                          {"query", "Q", "query vectors (same formats)", true},
                          {"k", "K", "neighbours per query", true},
                          {"out", "G.ivecs", "where to write the ids", true},
                          opt_threads()}};
  Args a;
  int code;
  if (!parse_or_exit(spec, argv, &a, &code)) return code;
  auto k = a.get_int("k", 10, 1, 1 << 20);
  auto threads = a.get_int("threads", 1, 1, 1024);
  if (!k.is_ok()) return fail("gt", k.status(), kExitUsage);
  if (!threads.is_ok()) return fail("gt", threads.status(), kExitUsage);
  auto base = load_dataset(a.get("base"));
  if (!base.is_ok()) return fail("gt", base.status());
  auto query = load_dataset(a.get("query"));
  if (!query.is_ok()) return fail("gt", query.status());
  const auto t0 = std::chrono::steady_clock::now();
  auto r = exact_knn(base->view(), query->view(), size_t(k.value()), int(threads.value()));
  if (!r.is_ok()) return fail("gt", r.status());
  if (Status st = check_ids_fit(r.value()); !st.is_ok()) return fail("gt", st);
  if (Status st = save_ivecs(a.get("out"), to_int_matrix(r.value())); !st.is_ok()) return fail("gt", st);
  std::printf("ground truth: %zu queries x k=%lld over %zu base vectors in %.2f s -> %s\n", query->n, k.value(),
              base->n, seconds_since(t0), a.get("out").c_str());
  return kExitOk;
}

}  // namespace annlab::cli
