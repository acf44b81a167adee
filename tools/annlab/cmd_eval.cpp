#include <cstdio>

#include "annlab/eval.h"
#include "annlab/io.h"
#include "common.h"

namespace annlab::cli {

int cmd_eval(const std::vector<std::string>& argv) {
  const CommandSpec spec{"eval",
                         "Quality of a result file against the ground truth: recall@k (ann-benchmarks tie rule),\n"
                         "1-recall@k and the mean ratio of returned to true distance. True distances are\n"
                         "recomputed from the vectors.",
                         {{"result", "R.ivecs", "ids found, k or more per query", true},
                          {"gt", "G.ivecs", "true neighbours, k or more per query", true},
                          {"base", "B", "base vectors", true},
                          {"query", "Q", "query vectors", true},
                          {"k", "K", "evaluate the first K", true},
                          {"base-labels", "L", "labels of the base rows (a labels file, or vectors that carry them: "
                           ".alds): also prints label precision@K", false},
                          {"query-labels", "L", "labels of the queries (same forms); with --base-labels", false}}};
  Args a;
  int code;
  if (!parse_or_exit(spec, argv, &a, &code)) return code;
  auto k = a.get_int("k", 10, 1, 1 << 20);
  if (!k.is_ok()) return fail("eval", k.status(), kExitUsage);
  auto res = load_ivecs(a.get("result"));
  if (!res.is_ok()) return fail("eval", res.status());
  auto gt = load_ivecs(a.get("gt"));
  if (!gt.is_ok()) return fail("eval", gt.status());
  auto base = load_dataset(a.get("base"));
  if (!base.is_ok()) return fail("eval", base.status());
  auto query = load_dataset(a.get("query"));
  if (!query.is_ok()) return fail("eval", query.status());
  if (res->n != query->n)
    return fail("eval", Status::error(cat(a.get("result"), ": ", res->n, " rows, but ", query->n, " queries")));
  if (gt->n != query->n)
    return fail("eval", Status::error(cat(a.get("gt"), ": ", gt->n, " rows, but ", query->n, " queries")));
  std::vector<int64_t> r(res->v.begin(), res->v.end()), g(gt->v.begin(), gt->v.end());
  auto q = evaluate(r.data(), res->d, g.data(), gt->d, base->view(), query->view(), size_t(k.value()));
  if (!q.is_ok()) return fail("eval", q.status());
  std::printf("queries %zu  k %zu\nrecall@%zu %.4f\n1-recall@%zu %.4f\ndistance ratio %.4f\n", q->nq, q->k, q->k,
              q->recall, q->k, q->one_recall, q->distance_ratio);
  if (a.has("base-labels") != a.has("query-labels"))
    return fail("eval", Status::error("--base-labels and --query-labels go together"), kExitUsage);
  if (a.has("base-labels")) {
    auto bl = load_labels_of(a.get("base-labels"));
    if (!bl.is_ok()) return fail("eval", bl.status());
    auto ql = load_labels_of(a.get("query-labels"));
    if (!ql.is_ok()) return fail("eval", ql.status());
    if (bl->size() != base->n)
      return fail("eval", Status::error(cat(a.get("base-labels"), ": ", bl->size(), " labels, but ", base->n, " base rows")));
    auto p = label_precision(r.data(), res->d, res->n, q->k, bl.value(), ql.value());
    if (!p.is_ok()) return fail("eval", p.status().with_context(a.get("query-labels")));
    std::printf("label precision@%zu %.4f\n", q->k, p.value());
  }
  return kExitOk;
}

}  // namespace annlab::cli
