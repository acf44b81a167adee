// annlab layout: a 2-D map of a vector file (PCA, or the neighbour-preserving UMAP-style layout of
// annlab/layout.h), written as n 2-D float vectors; held-out queries can be placed on it, and the
// map's neighbour preservation measured.
#include <chrono>
#include <cstdio>

#include "annlab/factory.h"
#include "annlab/io.h"
#include "annlab/layout.h"
#include "common.h"

namespace annlab::cli {

int cmd_layout(const std::vector<std::string>& argv) {
  const CommandSpec spec{
      "layout",
      "Computes a 2-D map of the base vectors: --method pca (the first two principal components) or umap "
      "(neighbours kept together: a k-NN graph by annlab's HNSW, UMAP's fuzzy weights and gradient descent; "
      "seeded and single-threaded, so the lab in the browser computes the same map). Writes n 2-D float "
      "vectors. With --queries, each query is placed at the weighted mean of its 10 nearest base points. "
      "--report K measures the share of each point's K nearest neighbours in the data that are among its K "
      "nearest on the map.",
      {{"base", "F", "the vectors (.fvecs .ivecs .bvecs .npy .csv .alds)", true},
       {"method", "M", "pca | umap (default umap)", false},
       {"out", "XY", "where to write the map (.fvecs, n x 2)", false},
       {"xy", "XY", "measure this map (n x 2) instead of computing one (with --report)", false},
       {"queries", "Q", "vectors to place on the map (a file of the same dimension)", false},
       {"query-out", "QXY", "where to write their places (.fvecs; needs --queries)", false},
       {"neighbors", "K", "k of the k-NN graph (default 15)", false},
       {"epochs", "E", "gradient-descent epochs (default: 500 up to 10,000 points, else 200)", false},
       {"seed", "S", "every random draw (default 42)", false},
       {"report", "K", "print the neighbour preservation at K (e.g. 10)", false},
       {"sample", "N", "points the report measures (default 2000; drawn with the seed)", false}}};
  Args a;
  int code;
  if (!parse_or_exit(spec, argv, &a, &code)) return code;
  auto method = parse_layout_method(a.has("method") ? a.get("method") : "umap");
  if (!method.is_ok()) return fail("layout", Status::error(cat("--method: ", method.message())), kExitUsage);
  auto neighbors = a.get_int("neighbors", 15, 2, 200);
  auto epochs = a.get_int("epochs", 0, 1, 100000);
  auto seed = a.get_int("seed", 42, 0, INT64_MAX);
  auto report = a.get_int("report", 0, 1, 1000);
  auto sample = a.get_int("sample", 2000, 1, INT64_MAX);
  for (auto* r : {&neighbors, &epochs, &seed, &report, &sample})
    if (!r->is_ok()) return fail("layout", r->status(), kExitUsage);
  if (a.has("query-out") != a.has("queries"))
    return fail("layout", Status::error("--queries and --query-out go together"), kExitUsage);
  auto base = load_dataset(a.get("base"));
  if (!base.is_ok()) return fail("layout", base.status());
  if (a.has("xy")) {  // measure a given map
    if (!a.has("report")) return fail("layout", Status::error("--xy measures a map: give --report K"), kExitUsage);
    auto xy = load_dataset(a.get("xy"));
    if (!xy.is_ok()) return fail("layout", xy.status());
    if (xy->d != 2 || xy->n != base->n || xy->dtype != DType::F32)
      return fail("layout", Status::error(cat(a.get("xy"), ": expected ", base->n, " 2-D float vectors, found ", xy->n,
                                              " x ", xy->d)));
    auto kept = neighbour_preservation(base->view(), xy->f32, size_t(report.value()), size_t(sample.value()), 7);
    if (!kept.is_ok()) return fail("layout", kept.status());
    std::printf("neighbour preservation@%lld of %s: %.4f (%zu points sampled, seed 7)\n", report.value(),
                a.get("xy").c_str(), kept.value(), std::min<size_t>(base->n, size_t(sample.value())));
    return kExitOk;
  }
  if (!a.has("out")) return fail("layout", Status::error("missing required option --out"), kExitUsage);
  LayoutParams p;
  p.method = method.value();
  p.neighbors = size_t(neighbors.value());
  p.epochs = a.has("epochs") ? size_t(epochs.value()) : 0;
  p.seed = uint64_t(seed.value());
  const auto t0 = std::chrono::steady_clock::now();
  auto xy = compute_layout(base->view(), p);
  if (!xy.is_ok()) return fail("layout", Status::error(cat(a.get("base"), ": ", xy.message())));
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (Status st = save_fvecs(a.get("out"), VectorView::of(xy->data(), base->n, 2)); !st.is_ok()) return fail("layout", st);
  std::printf("layout %s of %s: %zu points -> %s in %.1f s (seed %lld, one thread)\n", layout_method_name(p.method),
              a.get("base").c_str(), base->n, a.get("out").c_str(), secs, seed.value());
  if (a.has("queries")) {
    auto q = load_dataset(a.get("queries"));
    if (!q.is_ok()) return fail("layout", q.status());
    if (q->d != base->d)
      return fail("layout", Status::error(cat(a.get("queries"), ": dimension ", q->d, ", the base has ", base->d)));
    auto flat = make_index("Flat", base->d, BuildParams{});
    if (!flat.is_ok()) return fail("layout", flat.status());
    if (Status st = flat.value()->add(base->view()); !st.is_ok()) return fail("layout", st);
    auto placed = place_rows_on_layout(*flat.value(), xy.value(), q->view());
    if (!placed.is_ok()) return fail("layout", placed.status());
    const std::vector<float>& qxy = placed.value();
    if (Status st = save_fvecs(a.get("query-out"), VectorView::of(qxy.data(), q->n, 2)); !st.is_ok())
      return fail("layout", st);
    std::printf("placed %zu queries -> %s\n", q->n, a.get("query-out").c_str());
  }
  if (a.has("report")) {
    auto kept = neighbour_preservation(base->view(), xy.value(), size_t(report.value()), size_t(sample.value()), 7);
    if (!kept.is_ok()) return fail("layout", kept.status());
    std::printf("neighbour preservation@%lld: %.4f (%zu points sampled, seed 7)\n", report.value(), kept.value(),
                std::min<size_t>(base->n, size_t(sample.value())));
  }
  return kExitOk;
}

}  // namespace annlab::cli
