#include <cstdio>

#include "annlab/factory.h"
#include "annlab/index_io.h"
#include "annlab/io.h"
#include "annlab/vector_store.h"
#include "common.h"

namespace annlab::cli {

IntMatrix to_int_matrix(const SearchResult& r);

int cmd_search(const std::vector<std::string>& argv) {
  const CommandSpec spec{
      "search",
      "Builds an index on the base vectors (or loads one with --load-index), searches every query and writes\n"
      "the k ids found per query as .ivecs (-1 where fewer than k were found).",
      {{"base", "B", "base vectors (.fvecs .ivecs .bvecs .npy .csv .alds)"},
       {"query", "Q", "query vectors (same formats)", true},
       {"index", "SPEC", "index description, e.g. Flat or LSH12x8"},
       {"param", "NAME=VALUE", "build or search parameter (seed, bucket_size, nprobe, ...)", false, true},
       {"k", "K", "neighbours per query", true},
       {"out", "R.ivecs", "where to write the ids", true},
       {"save-index", "F", "save the built index to F (standalone: with the vectors it re-ranks with)"},
       {"refer-to-base", "", "the index shares the base vectors and --save-index names them (n, d, sha256)\n"
                             "instead of embedding them: a small file that loads only with --base B"},
       {"load-index", "F", "search a saved index instead of building one (--base B: the base vectors it names)"},
       opt_threads()}};
  Args a;
  int code;
  if (!parse_or_exit(spec, argv, &a, &code)) return code;
  const bool loading = a.has("load-index");
  if (loading == a.has("index"))
    return fail("search", Status::error("give exactly one of --index SPEC and --load-index F"), kExitUsage);
  if (!loading && !a.has("base")) return fail("search", Status::error("--index needs --base"), kExitUsage);
  if (loading && a.has("refer-to-base"))
    return fail("search", Status::error("--refer-to-base applies to a build (--index), not to --load-index"), kExitUsage);
  auto k = a.get_int("k", 10, 1, 1 << 20);
  auto threads = a.get_int("threads", 1, 1, 1024);
  if (!k.is_ok()) return fail("search", k.status(), kExitUsage);
  if (!threads.is_ok()) return fail("search", threads.status(), kExitUsage);
  BuildParams bp;
  SearchParams sp;
  if (Status st = parse_params(a.all("param"), &bp, &sp); !st.is_ok()) return fail("search", st, kExitUsage);

  auto query = load_dataset(a.get("query"));
  if (!query.is_ok()) return fail("search", query.status());
  std::unique_ptr<Index> index;
  const auto t0 = std::chrono::steady_clock::now();
  if (loading) {
    for (const std::string& p : a.all("param"))
      if (is_build_param(p.substr(0, p.find('='))))
        return fail("search", Status::error(cat("build parameter '", p, "' does not apply to a loaded index")),
                    kExitUsage);
    std::shared_ptr<VectorStore> shared;
    if (a.has("base")) {
      auto base = load_dataset(a.get("base"));
      if (!base.is_ok()) return fail("search", base.status());
      shared = std::make_shared<VectorStore>(base->d);
      if (Status st = shared->add(base->view()); !st.is_ok()) return fail("search", st);
    }
    auto loaded = load_index(a.get("load-index"), shared);
    if (!loaded.is_ok()) return fail("search", loaded.status());
    index = std::move(loaded).value();
  } else {
    auto base = load_dataset(a.get("base"));
    if (!base.is_ok()) return fail("search", base.status());
    auto made = make_index(a.get("index"), base->d, bp);
    if (!made.is_ok()) return fail("search", made.status(), kExitUsage);
    index = std::move(made).value();
    if (a.has("refer-to-base")) {
      Refinable* rf = as_refinable(*index);
      if (!rf)
        return fail("search", Status::error(cat("--refer-to-base: ", index->describe(),
                                                " keeps its vectors in its own lists (it needs no base vectors)")),
                    kExitUsage);
      auto shared = std::make_shared<VectorStore>(base->d);
      if (Status st = shared->add(base->view()); !st.is_ok()) return fail("search", st);
      if (Status st = rf->share_base(shared); !st.is_ok()) return fail("search", st);
    }
    if (Status st = index->train(base->view()); !st.is_ok()) return fail("search", st);
    if (Status st = index->add(base->view()); !st.is_ok()) return fail("search", st);
    if (Status st = attach_labels(*index, base->labels); !st.is_ok()) return fail("search", st);
  }
  const double build_s = seconds_since(t0);
  if (a.has("save-index")) {
    if (Status st = save_index(*index, a.get("save-index")); !st.is_ok()) return fail("search", st);
  }
  SearchResult r;
  const auto t1 = std::chrono::steady_clock::now();
  if (Status st = index->search(query->view(), size_t(k.value()), sp, &r, int(threads.value())); !st.is_ok())
    return fail("search", st);
  const double search_s = seconds_since(t1);
  if (Status st = save_ivecs(a.get("out"), to_int_matrix(r)); !st.is_ok()) return fail("search", st);
  const QueryStats tot = r.total();
  std::printf("%s: %zu vectors, %s %.2f s; %zu queries in %.3f s, %.1f distances/query -> %s (ranked by %s)\n",
              index->describe().c_str(), index->size(), loading ? "loaded in" : "built in", build_s, query->n,
              search_s, double(tot.distances) / double(std::max<size_t>(query->n, 1)), a.get("out").c_str(),
              distance_kind_name(r.kind));
  return kExitOk;
}

}  // namespace annlab::cli
