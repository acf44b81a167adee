// peers — runs the libraries annlab is compared with on the same files and queries as `annlab
// bench`, single-threaded, and writes the same JSON records (plus "library"):
//   FAISS 1.7.3 built from Debian's source package with AVX2 (tools/bench/build-peers), and
//   hnswlib (Debian's headers) compiled -O3 -march=native.
// Usage: peers --base B --query Q --gt G [--k 10] [--nq N]
//              [--families flat,ivf,sq8,pq,ivfpq,hnsw,opq,hash,binary] --json F
//   opq     FAISS OPQ16,IVF1024,PQ16 with exact refinement (annlab's OPQ with rerank)
//   hash    FAISS ITQ64,LSH / ITQ128,LSH and IndexLSH with a random rotation and trained thresholds
//           ("LSHrt", 64 / 128 bits): binary codes ranked by Hamming distance, end to end
//   exact   batched exact search: FAISS IndexFlatL2 (BLAS) against annlab's Flat over the bytes it
//           stores and over the same vectors as floats, all queries in one call, three rounds
//           alternating the three, median of each
//   binary  the Hamming scan alone on the same codes (annlab's ITQ64 / ITQ128 codes of the base and
//           the queries): FAISS IndexBinaryFlat against annlab's popcount kernel + counting selection
#include <faiss/AutoTune.h>
#include <faiss/IndexBinaryFlat.h>
#include <faiss/IndexFlat.h>
#include <faiss/IndexHNSW.h>
#include <faiss/IndexLSH.h>
#include <faiss/index_factory.h>
#include <hnswlib/hnswlib.h>
#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "index/binary_index.h"
#include "index/flat_index.h"
#include "annlab/distance.h"
#include "annlab/eval.h"
#include "annlab/factory.h"
#include "annlab/io.h"
#include "index/wrapper.h"

// Debian's libopenblas0-pthread runs its own thread pool, which omp_set_num_threads does not reach:
// without this FAISS's BLAS calls (k-means training, batched exact search) used every core.
extern "C" void openblas_set_num_threads(int);

namespace {

using idx_t = faiss::Index::idx_t;

struct Record {
  std::string library, index, params;
  double recall = 0, one_recall = 0, qps_single = 0, qps_batch = 0, build_s = 0;
  size_t index_bytes = 0;
};

double since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

struct Bench {
  size_t n = 0, nq = 0, d = 0, k = 10;
  std::vector<float> base, query;
  annlab::Dataset base_ds, query_ds;
  annlab::IntMatrix gt;
  std::vector<Record> out;

  void record(Record r, const std::vector<int64_t>& ids) {
    std::vector<int64_t> g(gt.v.begin(), gt.v.end());
    auto q = annlab::evaluate(ids.data(), k, g.data(), gt.d, base_ds.view(), query_ds.view(), k);
    if (!q.is_ok()) {
      std::fprintf(stderr, "peers: %s\n", q.message().c_str());
      std::exit(1);
    }
    r.recall = q->recall;
    r.one_recall = q->one_recall;
    std::printf("%-8s %-22s %-14s recall %.4f  qps_1 %9.1f  qps_batch %9.1f  build %.2f s\n", r.library.c_str(),
                r.index.c_str(), r.params.c_str(), r.recall, r.qps_single, r.qps_batch, r.build_s);
    std::fflush(stdout);
    out.push_back(r);
  }

  // Untimed queries one at a time for up to 0.2 s (warm caches), as `annlab bench` does.
  template <class Search>
  void warm(Search search) {
    const auto t0 = std::chrono::steady_clock::now();
    for (size_t i = 0; i < nq && since(t0) < 0.2; ++i) search(i);
  }

  // One FAISS index from a factory string, with a sweep of one parameter.
  void faiss_run(const std::string& spec, const std::string& pname, const std::vector<double>& values,
                 const std::vector<std::pair<std::string, double>>& fixed = {}) {
    faiss_run(std::unique_ptr<faiss::Index>(faiss::index_factory(int(d), spec.c_str())), spec, pname, values, fixed);
  }
  void faiss_run(std::unique_ptr<faiss::Index> index, const std::string& spec, const std::string& pname,
                 const std::vector<double>& values, const std::vector<std::pair<std::string, double>>& fixed = {}) {
    const auto t0 = std::chrono::steady_clock::now();
    index->train(idx_t(n), base.data());
    index->add(idx_t(n), base.data());
    const double build = since(t0);
    faiss::ParameterSpace ps;
    std::string fixed_desc;
    for (const auto& [name, v] : fixed) {
      ps.set_index_parameter(index.get(), name, v);
      fixed_desc += " " + name + "=" + std::to_string(int64_t(v));
    }
    std::vector<double> vals = values.empty() ? std::vector<double>{0} : values;
    for (double v : vals) {
      if (!pname.empty()) ps.set_index_parameter(index.get(), pname, v);
      std::vector<float> D(nq * k);
      std::vector<idx_t> I(nq * k);
      warm([&](size_t i) { index->search(1, query.data() + i * d, idx_t(k), D.data(), I.data()); });
      auto t1 = std::chrono::steady_clock::now();
      for (size_t i = 0; i < nq; ++i) index->search(1, query.data() + i * d, idx_t(k), D.data() + i * k, I.data() + i * k);
      const double single = since(t1);
      std::vector<float> D2(nq * k);
      std::vector<idx_t> I2(nq * k);
      t1 = std::chrono::steady_clock::now();
      index->search(idx_t(nq), query.data(), idx_t(k), D2.data(), I2.data());
      const double batch = since(t1);
      Record r;
      r.library = "faiss";
      r.index = spec;
      r.params = (pname.empty() ? "" : pname + "=" + std::to_string(int64_t(v))) + fixed_desc;
      r.qps_single = double(nq) / single;
      r.qps_batch = double(nq) / batch;
      r.build_s = build;
      record(r, std::vector<int64_t>(I.begin(), I.end()));
    }
  }

  // The Hamming scan alone, on one set of codes: annlab's ITQ<bits> codes of the base and the
  // queries, searched for their k nearest by FAISS IndexBinaryFlat and by annlab's fused scan and
  // selection (hamming_smallest, what ITQ / SimHash search runs), one query at a time. Both must
  // find the same Hamming distances.
  void binary_run(size_t bits) {
    const std::string spec = "ITQ" + std::to_string(bits);
    auto made = annlab::make_index(spec, d);
    auto& itq = *annlab::find_inner<annlab::BinaryCodeIndex>(*made.value());
    if (!itq.train(base_ds.view()).is_ok() || !itq.add(base_ds.view()).is_ok()) std::exit(1);
    const size_t words = itq.words(), bytes = bits / 8;
    std::vector<uint64_t> qcodes(nq * words);
    for (size_t i = 0; i < nq; ++i) itq.encode(query.data() + i * d, qcodes.data() + i * words);
    // Little-endian words are the same bytes in the same order: FAISS reads them as bytes.
    const auto* base_bytes = reinterpret_cast<const uint8_t*>(itq.codes().data());
    const auto* q_bytes = reinterpret_cast<const uint8_t*>(qcodes.data());
    faiss::IndexBinaryFlat fb{static_cast<faiss::Index::idx_t>(bits)};
    fb.add(idx_t(n), base_bytes);
    std::vector<int32_t> fd(nq * k);
    std::vector<idx_t> fi(nq * k);
    warm([&](size_t i) { fb.search(1, q_bytes + i * bytes, idx_t(k), fd.data(), fi.data()); });
    auto t1 = std::chrono::steady_clock::now();
    for (size_t i = 0; i < nq; ++i) fb.search(1, q_bytes + i * bytes, idx_t(k), fd.data() + i * k, fi.data() + i * k);
    const double faiss_s = since(t1);
    Record r;
    r.library = "faiss";
    r.index = "IndexBinaryFlat" + std::to_string(bits);
    r.params = "codes=" + spec;
    r.qps_single = r.qps_batch = double(nq) / faiss_s;
    record(r, std::vector<int64_t>(fi.begin(), fi.end()));
    // annlab at the active SIMD level and, when that is AVX512, at AVX2 too (the level FAISS was built for).
    const annlab::SimdLevel active = annlab::simd_level();
    for (const annlab::SimdLevel level : {active, annlab::SimdLevel::AVX2}) {
      if (level == annlab::SimdLevel::AVX2 && active != annlab::SimdLevel::AVX512) continue;
      if (!annlab::set_simd_level(level).is_ok()) std::exit(1);
      annlab_scan(bits, words, spec, qcodes, itq.codes(), fd);
    }
    if (!annlab::set_simd_level(active).is_ok()) std::exit(1);
  }

  void annlab_scan(size_t bits, size_t words, const std::string& spec, const std::vector<uint64_t>& qcodes,
                   const std::vector<uint64_t>& codes, const std::vector<int32_t>& fd) {
    std::vector<int64_t> ai(nq * k), cand;
    std::vector<uint32_t> ham(1);
    const annlab::Kernels& kern = annlab::kernels();
    warm([&](size_t i) { annlab::hamming_smallest(qcodes.data() + i * words, codes.data(), n, words, k, &cand); });
    const auto t1 = std::chrono::steady_clock::now();
    for (size_t i = 0; i < nq; ++i) {
      annlab::hamming_smallest(qcodes.data() + i * words, codes.data(), n, words, k, &cand);
      std::copy(cand.begin(), cand.end(), ai.begin() + long(i * k));
    }
    const double annlab_s = since(t1);
    for (size_t i = 0; i < nq; ++i) {  // the same distances (ids may differ among equal distances)
      for (size_t j = 0; j < k; ++j) {
        kern.hamming_scan(qcodes.data() + i * words, codes.data() + size_t(ai[i * k + j]) * words, 1, words, ham.data());
        if (int32_t(ham[0]) != fd[i * k + j]) {
          std::fprintf(stderr, "peers: Hamming scans disagree at query %zu rank %zu: annlab %u, FAISS %d\n", i, j, ham[0], fd[i * k + j]);
          std::exit(1);
        }
      }
    }
    Record r;
    r.library = "annlab";
    r.index = "HammingScan" + std::to_string(bits);
    r.params = "codes=" + spec + ",simd=" + annlab::simd_level_name(annlab::simd_level());
    r.qps_single = r.qps_batch = double(nq) / annlab_s;
    record(r, ai);
  }

  // Batched exact search, side by side: each round times FAISS, then annlab on bytes, then annlab
  // on floats (at the active level and, when that is AVX512, at AVX2, FAISS's level); the medians
  // of three rounds are recorded. annlab's distances are checked against a double-precision sum
  // (FAISS's own are rounded from ||q||^2 + ||x||^2 - 2 q.x in floats; its recall is reported).
  void exact_run() {
    faiss::IndexFlatL2 flat{int(d)};
    flat.add(idx_t(n), base.data());
    annlab::FlatIndex bytes{d}, floats{d};
    if (!bytes.add(base_ds.view()).is_ok() || !floats.add(annlab::VectorView::of(base.data(), n, d)).is_ok()) std::exit(1);
    const annlab::VectorView qb = query_ds.view(), qf = annlab::VectorView::of(query.data(), nq, d);
    const annlab::SimdLevel active = annlab::simd_level();
    std::vector<annlab::SimdLevel> levels = {active};
    if (active == annlab::SimdLevel::AVX512) levels.push_back(annlab::SimdLevel::AVX2);
    std::vector<float> D(nq * k);
    std::vector<idx_t> I(nq * k);
    std::vector<std::vector<double>> times(1 + 2 * levels.size());
    std::vector<std::vector<int64_t>> ids(times.size());
    for (int round = 0; round < 3; ++round) {
      auto t0 = std::chrono::steady_clock::now();
      flat.search(idx_t(nq), query.data(), idx_t(k), D.data(), I.data());
      times[0].push_back(since(t0));
      ids[0].assign(I.begin(), I.end());
      for (size_t l = 0; l < levels.size(); ++l) {
        if (!annlab::set_simd_level(levels[l]).is_ok()) std::exit(1);
        for (int which = 0; which < 2; ++which) {
          annlab::SearchResult r;
          t0 = std::chrono::steady_clock::now();
          if (!(which ? floats : bytes).search(which ? qf : qb, k, {}, &r).is_ok()) std::exit(1);
          times[1 + 2 * l + which].push_back(since(t0));
          for (size_t i = 0; i < nq * k; ++i) {  // annlab's distances are the exact ones (FAISS rounds)
            const float* qi = query.data() + i / k * d;
            const float* xi = base.data() + size_t(r.ids[i]) * d;
            double e = 0;
            for (size_t t = 0; t < d; ++t) e += double(qi[t] - xi[t]) * double(qi[t] - xi[t]);
            if (std::abs(double(r.distances[i]) - e) > 1e-6 * e) {
              std::fprintf(stderr, "peers: annlab's exact distance at query %zu rank %zu is %g, not %g\n", i / k, i % k,
                           double(r.distances[i]), e);
              std::exit(1);
            }
          }
          ids[1 + 2 * l + which] = r.ids;
        }
      }
      if (!annlab::set_simd_level(active).is_ok()) std::exit(1);
    }
    for (size_t t = 0; t < times.size(); ++t) {
      std::sort(times[t].begin(), times[t].end());
      Record r;
      r.library = t == 0 ? "faiss" : "annlab";
      r.index = t == 0 ? "IndexFlatL2 batched" : ((t - 1) % 2 ? "Flat batched (floats)" : "Flat batched (bytes)");
      r.params = t == 0 ? "blas" : std::string("simd=") + annlab::simd_level_name(levels[(t - 1) / 2]);
      r.qps_batch = double(nq) / times[t][1];
      record(r, ids[t]);
    }
  }

  void hnswlib_run(size_t M, size_t efc, const std::vector<size_t>& efs) {
    hnswlib::L2Space space(d);
    const auto t0 = std::chrono::steady_clock::now();
    hnswlib::HierarchicalNSW<float> h(&space, n, M, efc, 100);
    for (size_t i = 0; i < n; ++i) h.addPoint(base.data() + i * d, i);
    const double build = since(t0);
    for (size_t ef : efs) {
      h.setEf(ef);
      warm([&](size_t i) { h.searchKnn(query.data() + i * d, k); });
      std::vector<int64_t> ids(nq * k, -1);
      auto t1 = std::chrono::steady_clock::now();
      for (size_t i = 0; i < nq; ++i) {
        auto res = h.searchKnn(query.data() + i * d, k);
        for (size_t j = res.size(); j-- > 0;) {
          ids[i * k + j] = int64_t(res.top().second);
          res.pop();
        }
      }
      const double single = since(t1);
      Record r;
      r.library = "hnswlib";
      r.index = "HNSW" + std::to_string(M) + " efC" + std::to_string(efc);
      r.params = "efSearch=" + std::to_string(ef);
      r.qps_single = r.qps_batch = double(nq) / single;  // hnswlib's batch API is a loop too
      r.build_s = build;
      record(r, ids);
    }
  }
};

std::string json(const std::vector<Record>& rs, size_t k) {
  std::string s = "[\n";
  for (size_t i = 0; i < rs.size(); ++i) {
    char buf[768];
    std::snprintf(buf, sizeof buf,
                  "  {\"library\": \"%s\", \"index\": \"%s\", \"params\": \"%s\", \"k\": %zu, \"recall\": %.6f, "
                  "\"one_recall\": %.6f, \"qps_single\": %.2f, \"qps_batch\": %.2f, \"build_s\": %.4f}%s\n",
                  rs[i].library.c_str(), rs[i].index.c_str(), rs[i].params.c_str(), k, rs[i].recall, rs[i].one_recall,
                  rs[i].qps_single, rs[i].qps_batch, rs[i].build_s, i + 1 < rs.size() ? "," : "");
    s += buf;
  }
  return s + "]\n";
}

}  // namespace

int main(int argc, char** argv) {
  std::string base_path, query_path, gt_path, json_path, families = "flat,ivf,sq8,pq,ivfpq,hnsw";
  size_t nq_limit = 0, k = 10;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string a = argv[i], v = argv[i + 1];
    if (a == "--base") base_path = v;
    else if (a == "--query") query_path = v;
    else if (a == "--gt") gt_path = v;
    else if (a == "--json") json_path = v;
    else if (a == "--nq") nq_limit = std::stoul(v);
    else if (a == "--k") k = std::stoul(v);
    else if (a == "--families") families = "," + v + ",";
    else {
      std::fprintf(stderr, "peers: unknown option %s\n", a.c_str());
      return 2;
    }
  }
  if (families.front() != ',') families = "," + families + ",";
  omp_set_num_threads(1);
  openblas_set_num_threads(1);
  Bench b;
  b.k = k;
  auto base = annlab::load_vectors(base_path);
  auto query = annlab::load_vectors(query_path);
  auto gt = annlab::load_ivecs(gt_path);
  if (!base.is_ok() || !query.is_ok() || !gt.is_ok()) {
    std::fprintf(stderr, "peers: %s%s%s\n", base.message().c_str(), query.message().c_str(), gt.message().c_str());
    return 1;
  }
  b.base_ds = std::move(base).value();
  b.query_ds = std::move(query).value();
  b.gt = std::move(gt).value();
  if (nq_limit && nq_limit < b.query_ds.n) {
    std::vector<size_t> first(nq_limit);
    for (size_t i = 0; i < nq_limit; ++i) first[i] = i;
    b.query_ds = b.query_ds.subset(first);
    b.gt.n = nq_limit;
    b.gt.v.resize(nq_limit * b.gt.d);
  }
  b.n = b.base_ds.n;
  b.nq = b.query_ds.n;
  b.d = b.base_ds.d;
  b.base.resize(b.n * b.d);
  b.query.resize(b.nq * b.d);
  for (size_t i = 0; i < b.n; ++i) b.base_ds.view().row_to_f32(i, b.base.data() + i * b.d);
  for (size_t i = 0; i < b.nq; ++i) b.query_ds.view().row_to_f32(i, b.query.data() + i * b.d);
  auto has = [&](const char* f) { return families.find(std::string(",") + f + ",") != std::string::npos; };
  const std::vector<double> probes = {1, 2, 4, 8, 16, 32, 64, 128};
  if (has("flat")) b.faiss_run("Flat", "", {});
  if (has("ivf")) b.faiss_run("IVF1024,Flat", "nprobe", probes);
  if (has("sq8")) {
    b.faiss_run("SQ8", "", {});
    b.faiss_run("IVF1024,SQ8", "nprobe", probes);
  }
  if (has("pq")) {
    b.faiss_run("PQ16", "", {});
    b.faiss_run("PQ16,RFlat", "k_factor_rf", {5, 10, 20, 50});
  }
  if (has("ivfpq")) {
    b.faiss_run("IVF1024,PQ16", "nprobe", probes);
    b.faiss_run("IVF1024,PQ16,RFlat", "nprobe", {8, 16, 32, 64}, {{"k_factor_rf", 10}});
  }
  if (has("hnsw")) {
    b.hnswlib_run(16, 200, {16, 32, 64, 128, 256});
    b.faiss_run("HNSW16", "efSearch", {16, 32, 64, 128, 256});
  }
  if (has("opq")) b.faiss_run("OPQ16,IVF1024,PQ16,RFlat", "nprobe", {4, 8, 16, 32, 64}, {{"k_factor_rf", 10}});
  if (has("hash")) {
    for (const char* spec : {"ITQ64,LSH", "ITQ128,LSH"}) b.faiss_run(spec, "", {});
    for (int bits : {64, 128, 256})
      b.faiss_run(std::make_unique<faiss::IndexLSH>(int(b.d), bits, true, true), "LSH" + std::to_string(bits) + "rt", "", {});
  }
  if (has("exact")) b.exact_run();
  if (has("binary")) {
    b.binary_run(64);
    b.binary_run(128);
  }
  if (!json_path.empty()) {
    const std::string js = json(b.out, k);
    FILE* f = std::fopen(json_path.c_str(), "w");
    if (!f) return 1;
    std::fwrite(js.data(), 1, js.size(), f);
    std::fclose(f);
  }
  return 0;
}
