// annlab embed: every vector of a file in a learned space (a model) or a PCA space, so any tool
// (every command here, FAISS, a notebook) can work in it.
#include <algorithm>
#include <cstdio>
#include <filesystem>

#include "annlab/io.h"
#include "annlab/model.h"
#include "annlab/pca.h"
#include "common.h"

namespace annlab::cli {

namespace {

// The median wall time of running the model on one row at a time, over the first `rows` rows of x.
Result<double> one_row_ms(const Model& m, const VectorView& x, size_t rows) {
  std::vector<float> in(x.d), out(m.output_dim());
  std::vector<double> ms;
  for (size_t i = 0; i < std::min(rows, x.n); ++i) {
    x.row_to_f32(i, in.data());
    const auto t0 = std::chrono::steady_clock::now();
    ANNLAB_TRY(m.run(in.data(), 1, out.data()));
    ms.push_back(seconds_since(t0) * 1e3);
  }
  if (ms.empty()) return Status::error("--time-rows: no rows to time");
  std::nth_element(ms.begin(), ms.begin() + long(ms.size() / 2), ms.end());
  return ms[ms.size() / 2];
}

}  // namespace

int cmd_embed(const std::vector<std::string>& argv) {
  const CommandSpec spec{
      "embed",
      "Writes every vector of each --in file in another space: a learned model's (--model: the metric-learning\n"
      "CNN of annlab-train embed, or any annlab model manifest / .onnx file), or the first N principal axes of\n"
      "a base file (--pca N --fit BASE). --in and --out pair up and may repeat. An .alds output keeps the\n"
      "input's labels; --bytes stores an l2-normalised embedding as bytes round(127 v) + 128 (the bundled\n"
      "CNN-64 space's compact form: a quarter of the size, searched by the byte kernels).",
      {{"model", "M.json", "the model's manifest (or a bare .onnx file)", false},
       {"pca", "N", "instead of a model: PCA to N dimensions", false},
       {"fit", "BASE", "with --pca: the vectors the PCA is fitted on (all rows)", false},
       {"in", "F", "vectors (.fvecs .ivecs .bvecs .npy .csv .alds)", true, true},
       {"out", "F", "where to write the vectors of the matching --in (.fvecs, or .alds with labels)", true, true},
       {"bytes", "", "with --model and an .alds output: the byte form of the embedding", false},
       {"time-rows", "N", "also time the model on the first N rows of the first input, one row at a time "
                          "(prints the median ms)", false}}};
  Args a;
  int code;
  if (!parse_or_exit(spec, argv, &a, &code)) return code;
  const std::vector<std::string> ins = a.all("in"), outs = a.all("out");
  if (ins.size() != outs.size())
    return fail("embed", Status::error(cat(ins.size(), " --in files but ", outs.size(), " --out files: they pair up")),
                kExitUsage);
  for (const std::string& o : outs) {
    const std::string ext = std::filesystem::path(o).extension().string();
    if (ext != ".fvecs" && ext != ".alds")
      return fail("embed", Status::error(cat("--out ", o, ": expected a .fvecs or .alds file")), kExitUsage);
    if (a.has("bytes") && ext != ".alds")
      return fail("embed", Status::error(cat("--out ", o, ": --bytes writes an .alds file")), kExitUsage);
  }
  if (a.has("model") == a.has("pca"))
    return fail("embed", Status::error("give either --model M.json or --pca N --fit BASE"), kExitUsage);
  if (a.has("bytes") && !a.has("model"))
    return fail("embed", Status::error("--bytes is the byte form of a model's l2-normalised embedding: give --model"),
                kExitUsage);
  auto time_rows = a.get_int("time-rows", 0, 1, 1 << 20);
  if (!time_rows.is_ok()) return fail("embed", time_rows.status(), kExitUsage);

  std::unique_ptr<Model> model;
  Pca pca;
  std::string what;
  if (a.has("model")) {
    auto m = read_model_manifest(a.get("model"));
    if (!m.is_ok()) return fail("embed", m.status());
    auto loaded = load_model(m.value());
    if (!loaded.is_ok()) return fail("embed", loaded.status());
    model = std::move(loaded).value();
    what = cat(a.get("model"), " (", model_runtime_name(), ")");
  } else {
    auto k = a.get_int("pca", 64, 1, 1 << 16);
    if (!k.is_ok()) return fail("embed", k.status(), kExitUsage);
    if (!a.has("fit")) return fail("embed", Status::error("--pca needs --fit BASE: the vectors to fit it on"), kExitUsage);
    auto base = load_dataset(a.get("fit"));
    if (!base.is_ok()) return fail("embed", base.status());
    if (size_t(k.value()) > base->d)
      return fail("embed", Status::error(cat("--pca ", k.value(), " exceeds ", a.get("fit"), "'s dimension ", base->d)),
                  kExitUsage);
    const auto t0 = std::chrono::steady_clock::now();
    auto p = fit_pca(base->view(), size_t(k.value()));
    if (!p.is_ok()) return fail("embed", p.status().with_context(a.get("fit")));
    pca = std::move(p).value();
    what = cat("PCA-", pca.k, " of ", a.get("fit"), " (fitted in ", seconds_since(t0), " s)");
  }
  for (size_t f = 0; f < ins.size(); ++f) {
    auto x = load_dataset(ins[f]);
    if (!x.is_ok()) return fail("embed", x.status());
    const auto t0 = std::chrono::steady_clock::now();
    Dataset y;
    y.name = outs[f];
    y.n = x->n;
    y.labels = x->labels;
    if (model) {
      auto r = run_model_rows(*model, x->view());
      if (!r.is_ok()) return fail("embed", r.status().with_context(ins[f]));
      y.d = model->output_dim();
      y.f32 = std::move(r).value();
    } else {
      if (x->d != pca.d) return fail("embed", Status::error(cat(ins[f], ": dimension ", x->d, ", the PCA's is ", pca.d)));
      y.d = pca.k;
      y.f32 = pca.project(x->view());
    }
    if (a.has("bytes")) {
      y.dtype = DType::U8;
      y.u8.resize(y.f32.size());
      std::transform(y.f32.begin(), y.f32.end(), y.u8.begin(), embedding_byte);
      y.f32.clear();
    }
    const bool alds = std::filesystem::path(outs[f]).extension() == ".alds";
    if (Status st = alds ? save_alds(outs[f], y) : save_fvecs(outs[f], y.view()); !st.is_ok()) return fail("embed", st);
    std::printf("%s: %zu x %zu -> %s: %zu x %zu%s by %s in %.2f s\n", ins[f].c_str(), x->n, x->d, outs[f].c_str(), y.n,
                y.d, a.has("bytes") ? " bytes" : "", what.c_str(), seconds_since(t0));
    if (f == 0 && model && a.has("time-rows")) {
      auto ms = one_row_ms(*model, x->view(), size_t(time_rows.value()));
      if (!ms.is_ok()) return fail("embed", ms.status());
      std::printf("one row at a time: median %.4f ms over %zu rows\n", ms.value(),
                  std::min(size_t(time_rows.value()), x->n));
    }
  }
  return kExitOk;
}

}  // namespace annlab::cli
