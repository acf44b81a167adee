#include <cstdio>
#include <cstring>
#include <memory>

#include "annlab/distance.h"
#include "annlab/eval.h"
#include "annlab/factory.h"
#include "annlab/index_io.h"
#include "annlab/io.h"
#include "annlab/vector_store.h"
#include "common.h"

namespace annlab::cli {

namespace {

struct Record {
  std::string index, params;
  size_t k = 0;
  double recall = 0, one_recall = 0, ratio = 0, qps_single = 0, qps_batch = 0, build_s = 0;
  double distances = 0, candidates = 0;
  size_t index_bytes = 0;  // what the index owns
  size_t base_bytes = 0;   // the base vectors it shares for exact distances (0: none shared)
};

std::string json_escape(const std::string& s) {
  std::string o;
  for (char c : s) {
    if (c == '"' || c == '\\') o += '\\';
    o += c;
  }
  return o;
}

std::string to_json(const std::vector<Record>& rs, const std::string& simd, int threads) {
  std::string s = "[\n";
  for (size_t i = 0; i < rs.size(); ++i) {
    const Record& r = rs[i];
    char buf[1024];
    std::snprintf(buf, sizeof buf,
                  "  {\"index\": \"%s\", \"params\": \"%s\", \"k\": %zu, \"recall\": %.6f, \"one_recall\": %.6f, "
                  "\"distance_ratio\": %.6f, \"qps_single\": %.2f, \"qps_batch\": %.2f, \"build_s\": %.4f, "
                  "\"index_bytes\": %zu, \"base_bytes\": %zu, \"distances_per_query\": %.2f, \"candidates_per_query\": %.2f, "
                  "\"simd\": \"%s\", \"threads\": %d, \"build\": \"%s\"}%s\n",
                  json_escape(r.index).c_str(), json_escape(r.params).c_str(), r.k, r.recall, r.one_recall, r.ratio,
                  r.qps_single, r.qps_batch, r.build_s, r.index_bytes, r.base_bytes, r.distances, r.candidates, simd.c_str(), threads,
#if defined(__EMSCRIPTEN__)
                  "wasm",
#else
                  "native",
#endif
                  i + 1 < rs.size() ? "," : "");
    s += buf;
  }
  return s + "]\n";
}

}  // namespace

int cmd_bench(const std::vector<std::string>& argv) {
  const CommandSpec spec{
      "bench",
      "Builds each index, then for each parameter value measures recall@k against the ground truth, QPS one\n"
      "query at a time (the interactive case) and batched, build time and index bytes. Sweeping a build\n"
      "parameter rebuilds the index for each value. With --load-index, saved indexes are measured as they are\n"
      "(the same file natively and in WebAssembly: search speed without two builds).",
      {{"base", "B", "base vectors", true},
       {"query", "Q", "query vectors", true},
       {"gt", "G.ivecs", "true neighbours (annlab gt), k or more per query", true},
       {"index", "SPEC", "index description; repeat to compare several", false, true},
       {"load-index", "F", "measure a saved index (annlab search --save-index) instead of building one;\n"
                           "repeatable (build_s is then 0)", false, true},
       {"k", "K", "neighbours per query (default 10)"},
       {"param", "NAME=VALUE", "build or search parameter, for every run", false, true},
       {"sweep", "NAME=V1,V2,...", "run once per value of one parameter"},
       {"json", "F", "also write the records as JSON to F"},
       {"nq", "N", "use only the first N queries (and ground-truth rows)"},
       opt_threads()}};
  Args a;
  int code;
  if (!parse_or_exit(spec, argv, &a, &code)) return code;
  if (!a.has("index") && !a.has("load-index"))
    return fail("bench", Status::error("give --index SPEC or --load-index F (or several)"), kExitUsage);
  auto k = a.get_int("k", 10, 1, 1 << 20);
  auto threads = a.get_int("threads", 1, 1, 1024);
  auto nq = a.get_int("nq", 0, 1, 1LL << 40);
  if (!nq.is_ok()) return fail("bench", nq.status(), kExitUsage);
  if (!k.is_ok()) return fail("bench", k.status(), kExitUsage);
  if (!threads.is_ok()) return fail("bench", threads.status(), kExitUsage);
  BuildParams bp0;
  SearchParams sp0;
  if (Status st = parse_params(a.all("param"), &bp0, &sp0); !st.is_ok()) return fail("bench", st, kExitUsage);
  std::string sweep_name;
  std::vector<std::string> sweep_values{""};
  if (a.has("sweep")) {
    const std::string sw = a.get("sweep");
    const size_t eq = sw.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == sw.size())
      return fail("bench", Status::error(cat("--sweep '", sw, "' is not of the form name=v1,v2,...")), kExitUsage);
    sweep_name = sw.substr(0, eq);
    sweep_values.clear();
    for (size_t b = eq + 1; b <= sw.size();) {
      size_t e = sw.find(',', b);
      if (e == std::string::npos) e = sw.size();
      sweep_values.push_back(sw.substr(b, e - b));
      b = e + 1;
    }
    BuildParams bt = bp0;
    SearchParams st = sp0;
    for (const auto& v : sweep_values)
      if (Status s = apply_param(sweep_name, v, &bt, &st); !s.is_ok()) return fail("bench", s, kExitUsage);
  }
  const bool sweep_build = !sweep_name.empty() && is_build_param(sweep_name);
  if (sweep_build && a.has("load-index"))
    return fail("bench", Status::error(cat("--sweep ", sweep_name, " rebuilds the index: it cannot apply to --load-index")),
                kExitUsage);

  auto base = load_dataset(a.get("base"));
  if (!base.is_ok()) return fail("bench", base.status());
  auto query = load_dataset(a.get("query"));
  if (!query.is_ok()) return fail("bench", query.status());
  auto gt = load_ivecs(a.get("gt"));
  if (!gt.is_ok()) return fail("bench", gt.status());
  if (a.has("nq") && size_t(nq.value()) < query->n) {
    std::vector<size_t> first(size_t(nq.value()));
    for (size_t i = 0; i < first.size(); ++i) first[i] = i;
    query.value() = query->subset(first);
    gt->v.resize(first.size() * gt->d);
    gt->n = first.size();
  }
  if (gt->n != query->n)
    return fail("bench", Status::error(cat(a.get("gt"), ": ", gt->n, " rows, but ", query->n, " queries")));
  if (gt->d < size_t(k.value()))
    return fail("bench", Status::error(cat(a.get("gt"), ": ", gt->d, " neighbours per query, fewer than k = ", k.value())));
  std::vector<int64_t> gt_ids(gt->v.begin(), gt->v.end());
  const size_t K = size_t(k.value());
  const int T = int(threads.value());

  std::printf("# annlab bench: base %s (%zu x %zu, %s), %zu queries, k=%zu, SIMD %s, threads %d\n",
              a.get("base").c_str(), base->n, base->d, dtype_name(base->dtype), query->n, K,
              simd_level_name(simd_level()), T);
  std::printf("%-16s %-22s %9s %9s %7s %11s %11s %10s %9s %12s %12s\n", "index", "params", "recall", "1-recall",
              "ratio", "qps_1", "qps_batch", "dist/q", "build_s", "bytes", "base_shared");
  // The base vectors, once: indexes that compute exact distances from them share these (as the lab
  // does), so `bytes` is what each index owns and `base_shared` the vectors it reads beside.
  auto shared = std::make_shared<VectorStore>(base->d);
  if (Status st = shared->add(base->view()); !st.is_ok()) return fail("bench", st);
  std::vector<Record> records;
  // Specs to build, then files to load ("" + path).
  std::vector<std::pair<std::string, std::string>> sources;
  for (const std::string& s : a.all("index")) sources.push_back({s, ""});
  for (const std::string& f : a.all("load-index")) sources.push_back({"", f});
  for (const auto& [spec_str, load_path] : sources) {
    std::unique_ptr<Index> index;
    double build_s = 0;
    if (!load_path.empty()) {
      auto loaded = load_index(load_path, shared);
      if (!loaded.is_ok()) return fail("bench", loaded.status());
      index = std::move(loaded).value();
    }
    for (const std::string& value : sweep_values) {
      BuildParams bp = bp0;
      SearchParams sp = sp0;
      if (!sweep_name.empty()) (void)apply_param(sweep_name, value, &bp, &sp);
      if (!index || sweep_build) {
        auto made = make_index(spec_str, base->d, bp);
        if (!made.is_ok()) return fail("bench", made.status(), kExitUsage);
        index = std::move(made).value();
        if (Refinable* rf = as_refinable(*index))
          if (Status st = rf->share_base(shared); !st.is_ok()) return fail("bench", st);
        const auto t0 = std::chrono::steady_clock::now();
        if (Status st = index->train(base->view()); !st.is_ok()) return fail("bench", st);
        if (Status st = index->add(base->view()); !st.is_ok()) return fail("bench", st);
        if (Status st = attach_labels(*index, base->labels); !st.is_ok()) return fail("bench", st);
        build_s = seconds_since(t0);
      }
      Record r;
      r.index = index->describe();
      r.params = describe_params(bp, sp);
      if (sweep_name == "seed") r.params += cat(r.params.empty() ? "" : " ", sweep_name, "=", value);
      r.k = K;
      r.build_s = build_s;
      r.index_bytes = index->memory_bytes();
      if (const Refinable* rf = as_refinable(*index); rf && rf->base_vectors().shared()) r.base_bytes = shared->memory_bytes();
      // One query at a time: the interactive case.
      SearchResult one, all;
      std::vector<int64_t> ids(query->n * K);
      QueryStats tot;
      const VectorView qv = query->view();
      // Warm-up, untimed: queries one at a time for 0.2 s (cycling through them when they take
      // less), so that WebAssembly runs the engine's optimised code (V8 starts a function in its
      // baseline compiler and compiles it optimised in the background once hot; a fast index
      // used to be timed before that code arrived) and both builds start with warm caches.
      const auto t0 = std::chrono::steady_clock::now();
      for (size_t i = 0; query->n && seconds_since(t0) < 0.2; ++i)
        if (Status st = index->search(qv.rows(i % query->n, 1), K, sp, &one); !st.is_ok()) return fail("bench", st);
      const auto t1 = std::chrono::steady_clock::now();
      for (size_t i = 0; i < query->n; ++i) {
        if (Status st = index->search(qv.rows(i, 1), K, sp, &one); !st.is_ok()) return fail("bench", st);
        std::memcpy(ids.data() + i * K, one.ids.data(), K * sizeof(int64_t));
        tot += one.stats[0];
      }
      const double single_s = seconds_since(t1);
      const auto t2 = std::chrono::steady_clock::now();
      if (Status st = index->search(qv, K, sp, &all, T); !st.is_ok()) return fail("bench", st);
      const double batch_s = seconds_since(t2);
      if (all.ids != ids)
        return fail("bench", Status::error(cat(r.index, ": batched results differ from one-at-a-time results")));
      auto q = evaluate(ids.data(), K, gt_ids.data(), gt->d, base->view(), qv, K);
      if (!q.is_ok()) return fail("bench", q.status());
      r.recall = q->recall;
      r.one_recall = q->one_recall;
      r.ratio = q->distance_ratio;
      r.qps_single = double(query->n) / single_s;
      r.qps_batch = double(query->n) / batch_s;
      r.distances = double(tot.distances) / double(query->n);
      r.candidates = double(tot.candidates) / double(query->n);
      std::printf("%-16s %-22s %9.4f %9.4f %7.4f %11.1f %11.1f %10.1f %9.3f %12zu %12zu\n", r.index.c_str(),
                  r.params.empty() ? "-" : r.params.c_str(), r.recall, r.one_recall, r.ratio, r.qps_single, r.qps_batch,
                  r.distances, r.build_s, r.index_bytes, r.base_bytes);
      std::fflush(stdout);
      records.push_back(r);
    }
  }
  if (a.has("json")) {
    const std::string js = to_json(records, simd_level_name(simd_level()), T);
    if (Status st = write_file(a.get("json"), js.data(), js.size()); !st.is_ok()) return fail("bench", st);
  }
  return kExitOk;
}

}  // namespace annlab::cli
