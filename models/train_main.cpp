// annlab-train — trains annlab's learned models with libtorch and exports them to ONNX.
//   annlab-train nphash --base FILE --bits 64 --seed 1 --out STEM [options]
//   annlab-train router --base FILE --nclusters 100 --seed 1 --out STEM [options]
// writes STEM.onnx, STEM.json (the manifest: inputs, outputs, files, training data and its sha256,
// hyper-parameters, seed, metrics per epoch, time, bytes and multiply-adds per query) and, with
// --reference FILE, STEM.reference.fvecs: libtorch's pre-sign values for FILE's first rows (the
// ONNX runtimes are checked against them). Checkpoints after every epoch to STEM.ckpt.*; --resume
// continues from there to the same weights.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <sstream>
#include <string>

#include <torch/torch.h>

#include "annlab/io.h"
#include "annlab/json.h"
#include "annlab/pca.h"
#include "nphash.h"
#include "onnx_export.h"
#include "router.h"

using namespace annlab;
using namespace annlab::train;

namespace {

int usage() {
  std::fprintf(stderr,
               "usage: annlab-train nphash --base FILE --bits N --seed S --out STEM [--epochs N] [--hidden 512,512]\n"
               "         [--pca N] [--batch N] [--proxies N] [--k N] [--lr X] [--similarity l2|cosine]\n"
               "         [--temp-orig X] [--temp-code X] [--holdout N] [--threads N] [--reference FILE]\n"
               "         [--reference-rows N] [--resume] [--stop-after N]\n"
               "       annlab-train router --base FILE --nclusters C --seed S --out STEM [--arch mlp|seed]\n"
               "         [--pca N] [--hidden1 N] [--hidden2 N] [--epochs N] [--patience N] [--batch N] [--lr X]\n"
               "         [--rows N] [--neighbours FILE.ivecs] [--queries FILE] [--reference FILE]\n"
               "         [--reference-rows N] [--threads N]\n"
               "       annlab-train project --base FILE --dim N --in FILE --out FILE.fvecs [--in FILE --out FILE.fvecs]...\n"
               "         (a PCA fitted on the base, applied to each input: the seed's 100-d space for 784-d data)\n"
               "       annlab-train embed --base FILE [--labels FILE] --dim 64 --seed S --out STEM [--epochs N]\n"
               "         [--batch N] [--lr X] [--margin X] [--holdout N] [--threads N] [--reference FILE]\n"
               "         [--reference-rows N]\n"
               "         (the metric-learning CNN of 28 x 28 images; labels from FILE, else the base's own)\n");
  return 2;
}

std::string base_name(const std::string& p) { return std::filesystem::path(p).filename().string(); }

std::string num(double v) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.9g", v);
  return buf;
}

// The options of one subcommand: "--name value" pairs and bare flags. A missing value, a value
// that must be a number and is not, or an option the subcommand does not take ends the program
// with status 2 and the reason.
class Options {
 public:
  Options(int argc, char** argv, std::vector<std::string> flags) {
    for (int i = 2; i < argc; ++i) {
      const std::string a = argv[i];
      if (std::find(flags.begin(), flags.end(), a) != flags.end()) {
        flags_.push_back(a);
        continue;
      }
      if (i + 1 >= argc) {
        std::fprintf(stderr, "annlab-train: %s needs a value\n", a.c_str());
        std::exit(2);
      }
      pairs_.emplace_back(a, argv[++i]);
    }
  }
  bool flag(const std::string& name) {
    known_.push_back(name);
    return std::find(flags_.begin(), flags_.end(), name) != flags_.end();
  }
  // Every value given for `name`, in order.
  std::vector<std::string> all(const std::string& name) {
    known_.push_back(name);
    std::vector<std::string> v;
    for (const auto& [k, x] : pairs_)
      if (k == name) v.push_back(x);
    return v;
  }
  void text(const std::string& name, std::string* out) {
    const std::vector<std::string> v = all(name);
    if (!v.empty()) *out = v.back();
  }
  template <class T>
  void number(const std::string& name, T* out) {
    const std::vector<std::string> v = all(name);
    if (v.empty()) return;
    char* end = nullptr;
    const double x = std::strtod(v.back().c_str(), &end);
    if (v.back().empty() || end != v.back().c_str() + v.back().size()) {
      std::fprintf(stderr, "annlab-train: %s %s: expected a number\n", name.c_str(), v.back().c_str());
      std::exit(2);
    }
    *out = T(x);
  }
  void sizes(const std::string& name, std::vector<size_t>* out) {
    const std::vector<std::string> v = all(name);
    if (v.empty()) return;
    out->clear();
    std::stringstream ss(v.back());
    for (std::string t; std::getline(ss, t, ',');) out->push_back(size_t(std::atol(t.c_str())));
  }
  // False (after saying which) when an option was given that none of the calls above asked for.
  bool all_known() const {
    for (const auto& [k, x] : pairs_)
      if (std::find(known_.begin(), known_.end(), k) == known_.end()) {
        std::fprintf(stderr, "annlab-train: unknown option %s\n", k.c_str());
        return false;
      }
    return true;
  }

 private:
  std::vector<std::pair<std::string, std::string>> pairs_;
  std::vector<std::string> flags_, known_;
};

int fail(const std::string& m) {
  std::fprintf(stderr, "annlab-train: %s\n", m.c_str());
  return 1;
}

// The first `rows` rows of the vectors at `path` (the rows libtorch's reference outputs are of), of
// the base's dimension `d`.
Result<Dataset> load_reference(const std::string& path, size_t rows, size_t d) {
  ANNLAB_ASSIGN_OR_RETURN(Dataset r, load_vectors(path));
  if (r.d != d) return Status::error(cat(path, ": dimension ", r.d, " != the base's ", d));
  std::vector<size_t> first(std::min(rows, r.n));
  for (size_t i = 0; i < first.size(); ++i) first[i] = i;
  return r.subset(first);
}

int router_main(int argc, char** argv);
int project_main(int argc, char** argv);
int embed_main(int argc, char** argv);

}  // namespace

int main(int argc, char** argv) {
  if (argc >= 2 && std::strcmp(argv[1], "router") == 0) return router_main(argc, argv);
  if (argc >= 2 && std::strcmp(argv[1], "project") == 0) return project_main(argc, argv);
  if (argc >= 2 && std::strcmp(argv[1], "embed") == 0) return embed_main(argc, argv);
  if (argc < 2 || std::strcmp(argv[1], "nphash") != 0) return usage();
  NphashConfig cfg;
  std::string base_path, out, reference_path;
  size_t reference_rows = 1000;
  Options o(argc, argv, {"--resume"});
  const bool resume = o.flag("--resume");
  o.text("--base", &base_path);
  o.text("--out", &out);
  o.text("--reference", &reference_path);
  o.number("--reference-rows", &reference_rows);
  o.number("--bits", &cfg.bits);
  o.number("--seed", &cfg.seed);
  o.number("--epochs", &cfg.epochs);
  o.number("--pca", &cfg.pca);
  o.number("--batch", &cfg.batch);
  o.number("--proxies", &cfg.proxies);
  o.number("--k", &cfg.k);
  o.number("--lr", &cfg.lr);
  o.number("--temp-orig", &cfg.temp_orig);
  o.number("--temp-code", &cfg.temp_code);
  o.number("--holdout", &cfg.holdout);
  o.number("--threads", &cfg.threads);
  o.number("--stop-after", &cfg.stop_after);
  o.text("--similarity", &cfg.similarity);
  o.sizes("--hidden", &cfg.hidden);
  if (!o.all_known()) return usage();
  if (base_path.empty() || out.empty()) return usage();
  auto base = load_vectors(base_path);
  if (!base.is_ok()) return fail(base.message());
  auto sha = file_sha256(base_path);
  if (!sha.is_ok()) return fail(sha.message());
  Dataset reference;
  if (!reference_path.empty()) {
    auto r = load_reference(reference_path, reference_rows, base->d);
    if (!r.is_ok()) return fail(r.message());
    reference = std::move(r).value();
  }
  std::printf("NPhash %zu bits on %s: %zu x %zu, seed %llu, %zu epochs, hidden", cfg.bits, base_path.c_str(), base->n,
              base->d, (unsigned long long)cfg.seed, cfg.epochs);
  for (size_t h : cfg.hidden) std::printf(" %zu", h);
  std::printf(", PCA %zu, %zu proxies, k %zu, %s similarity, %d thread(s)\n", cfg.pca, cfg.proxies, cfg.k,
              cfg.similarity.c_str(), cfg.threads);
  const VectorView ref_view = reference.n ? reference.view() : VectorView{};
  auto trained = train_nphash(base.value(), cfg, out + ".ckpt", resume, reference.n ? &ref_view : nullptr);
  if (!trained.is_ok()) return fail(trained.message());
  const std::string onnx_path = out + ".onnx";
  if (Status st = export_nphash_onnx(trained->graph, onnx_path); !st.is_ok()) return fail(st.message());
  auto onnx_sha = file_sha256(onnx_path);
  if (!onnx_sha.is_ok()) return fail(onnx_sha.message());
  std::string files = json_quote(base_name(onnx_path));
  std::string ref_json;
  if (reference.n) {
    const std::string ref_out = out + ".reference.fvecs";
    if (Status st = save_fvecs(ref_out, VectorView::of(trained->reference_outputs.data(), reference.n, cfg.bits));
        !st.is_ok())
      return fail(st.message());
    files += ", " + json_quote(base_name(ref_out));
    auto ref_sha = file_sha256(reference_path);
    ref_json = cat(",\n  \"reference\": {\"file\": ", json_quote(base_name(ref_out)), ", \"inputs\": ",
                   json_quote(base_name(reference_path)), ", \"inputs_sha256\": ",
                   json_quote(ref_sha.is_ok() ? ref_sha.value() : std::string()), ", \"rows\": ", reference.n,
                   ", \"producer\": \"libtorch ", TORCH_VERSION, "\"}");
  }
  const NphashGraph& g = trained->graph;
  size_t params = g.mean.size() + g.projection.size(), macs = g.d * g.pca;
  std::string hidden;
  for (size_t i = 0; i < g.layers.size(); ++i) {
    params += g.layers[i].w.size() + g.layers[i].b.size();
    macs += g.layers[i].in * g.layers[i].out;
  }
  for (size_t i = 0; i < cfg.hidden.size(); ++i) hidden += cat(i ? ", " : "", cfg.hidden[i]);
  std::string epochs;
  for (size_t i = 0; i < trained->epochs.size(); ++i) {
    const EpochReport& e = trained->epochs[i];
    epochs += cat(i ? ",\n    " : "", "{\"epoch\": ", e.epoch, ", \"loss\": ", num(e.loss), ", \"one_recall_at_10\": ",
                  num(e.one_recall_at_10), ", \"seconds\": ", num(e.seconds), "}");
  }
  const std::string manifest = cat(
      "{\n  \"format\": \"annlab-model\",\n  \"version\": 1,\n  \"method\": \"NPHash\",\n  \"bits\": ", cfg.bits,
      ",\n  \"files\": [", files, "],\n  \"onnx\": ", json_quote(base_name(onnx_path)), ",\n  \"onnx_sha256\": ",
      json_quote(onnx_sha.value()), ",\n  \"input\": {\"name\": \"x\", \"shape\": [\"N\", ", g.d,
      "], \"dtype\": \"float32\", \"preprocessing\": \"none outside the graph: it centres the vectors and projects them "
      "on ",
      g.pca, " principal axes of the training rows itself\"},\n  \"output\": {\"name\": \"pre_sign\", \"shape\": [\"N\", ",
      cfg.bits, "], \"dtype\": \"float32\", \"meaning\": \"the l2-normalised embedding; code bit j is [pre_sign_j >= 0]\"},",
      "\n  \"training_data\": {\"file\": ", json_quote(base_name(base_path)), ", \"sha256\": ", json_quote(sha.value()),
      ", \"rows\": ", base->n, ", \"dim\": ", base->d, ", \"held_out_rows\": ", cfg.holdout, "},",
      "\n  \"hyperparameters\": {\"hidden\": [", hidden, "], \"pca\": ", cfg.pca, ", \"epochs\": ", cfg.epochs,
      ", \"batch\": ", cfg.batch, ", \"proxies\": ", cfg.proxies, ", \"k\": ", cfg.k, ", \"beta\": \"sqrt(bits)\"",
      ", \"optimiser\": \"Adam\", \"lr\": ", num(cfg.lr), ", \"schedule\": \"cosine decay to lr/20 over the epochs\"",
      ", \"similarity\": ", json_quote(cfg.similarity), ", \"temp_orig\": ", num(cfg.temp_orig), ", \"temp_code\": ",
      num(cfg.temp_code), "},\n  \"seed\": ", cfg.seed, ",\n  \"threads\": ", cfg.threads,
      ",\n  \"metrics\": {\"final_one_recall_at_10_held_out\": ",
      num(trained->epochs.empty() ? 0.0 : trained->epochs.back().one_recall_at_10), ", \"epochs\": [\n    ", epochs,
      "]},\n  \"training_seconds\": ", num(trained->seconds), ",\n  \"parameters\": ", params,
      ",\n  \"model_bytes\": ", params * 4, ",\n  \"multiply_adds_per_query\": ", macs, ref_json, "\n}\n");
  const std::string json_path = out + ".json";
  if (Status st = write_file(json_path, manifest.data(), manifest.size()); !st.is_ok()) return fail(st.message());
  std::printf("wrote %s, %s (%zu parameters, %zu multiply-adds per query) in %.1f s\n", json_path.c_str(),
              onnx_path.c_str(), params, macs, trained->seconds);
  return 0;
}

namespace {

int router_main(int argc, char** argv) {
  RouterConfig cfg;
  std::string base_path, out, reference_path, neighbours_path, queries_path;
  size_t reference_rows = 200;
  Options o(argc, argv, {});
  o.text("--base", &base_path);
  o.text("--out", &out);
  o.text("--reference", &reference_path);
  o.text("--neighbours", &neighbours_path);
  o.text("--queries", &queries_path);
  o.number("--reference-rows", &reference_rows);
  o.number("--nclusters", &cfg.nclusters);
  o.number("--seed", &cfg.seed);
  o.text("--arch", &cfg.arch);
  o.number("--pca", &cfg.pca);
  o.number("--hidden1", &cfg.hidden1);
  o.number("--hidden2", &cfg.hidden2);
  o.number("--epochs", &cfg.epochs);
  o.number("--patience", &cfg.patience);
  o.number("--batch", &cfg.batch);
  o.number("--lr", &cfg.lr);
  o.number("--rows", &cfg.rows);
  o.number("--threads", &cfg.threads);
  if (!o.all_known()) return usage();
  if (base_path.empty() || out.empty()) return usage();
  auto base = load_vectors(base_path);
  if (!base.is_ok()) return fail(base.message());
  auto sha = file_sha256(base_path);
  if (!sha.is_ok()) return fail(sha.message());
  IntMatrix nbrs;
  if (!neighbours_path.empty()) {
    auto r = load_ivecs(neighbours_path);
    if (!r.is_ok()) return fail(r.message());
    nbrs = std::move(r).value();
  }
  Dataset queries, reference;
  if (!queries_path.empty()) {
    auto r = load_vectors(queries_path);
    if (!r.is_ok()) return fail(r.message());
    if (r->d != base->d) return fail(cat(queries_path, ": dimension ", r->d, " != the base's ", base->d));
    queries = std::move(r).value();
  }
  if (!reference_path.empty()) {
    auto r = load_reference(reference_path, reference_rows, base->d);
    if (!r.is_ok()) return fail(r.message());
    reference = std::move(r).value();
  }
  std::printf("router (%s) on %s: %zu x %zu, %zu cells, seed %llu, pairs from %zu rows, %d thread(s)\n",
              cfg.arch.c_str(), base_path.c_str(), base->n, base->d, cfg.nclusters, (unsigned long long)cfg.seed,
              cfg.rows ? std::min(cfg.rows, base->n) : base->n, cfg.threads);
  const VectorView ref_view = reference.n ? reference.view() : VectorView{};
  auto trained = train_router(base.value(), cfg, nbrs.n ? &nbrs : nullptr, queries.n ? &queries : nullptr,
                              reference.n && cfg.arch == "mlp" ? &ref_view : nullptr);
  if (!trained.is_ok()) return fail(trained.message());
  const RouterResult& r = trained.value();
  const RouterGraph& g = r.graph;
  const std::string assignment_sha = sha256_hex(r.assignment.data(), r.assignment.size() * sizeof(int32_t));
  auto layer_json = [&](const RouterLayerReport& l) {
    return cat("\"epochs\": ", l.epochs, ", \"best_epoch\": ", l.best_epoch, ", \"train_accuracy\": ",
               num(l.train_accuracy), ", \"held_back_accuracy\": ", num(l.held_back_accuracy), ", \"seconds\": ",
               num(l.seconds), ", \"parameters\": ", l.parameters, ", \"multiply_adds_per_query\": ", l.multiply_adds);
  };
  std::string files, parts, ref_json, eval_json;
  if (cfg.arch == "mlp") {
    const std::string l1 = out + ".layer1.onnx", l2 = out + ".layer2.onnx", cells = out + ".cells.fvecs";
    if (Status st = export_router_layer1_onnx(g, l1); !st.is_ok()) return fail(st.message());
    if (Status st = export_router_layer2_onnx(g, l2); !st.is_ok()) return fail(st.message());
    if (Status st = save_fvecs(cells, VectorView::of(r.centroids.data(), g.cells, g.d)); !st.is_ok()) return fail(st.message());
    auto s1 = file_sha256(l1), s2 = file_sha256(l2), sc = file_sha256(cells);
    if (!s1.is_ok() || !s2.is_ok() || !sc.is_ok()) return fail("cannot read back the files just written");
    const size_t bytes1 = std::filesystem::file_size(l1), bytes2 = std::filesystem::file_size(l2);
    files = cat(json_quote(base_name(l1)), ", ", json_quote(base_name(l2)), ", ", json_quote(base_name(cells)));
    parts = cat(",\n  \"layer1\": {\"onnx\": ", json_quote(base_name(l1)), ", \"onnx_sha256\": ", json_quote(s1.value()),
                ", \"input\": {\"name\": \"x\", \"shape\": [\"N\", ", g.d, "], \"dtype\": \"float32\"}",
                ", \"output\": {\"name\": \"probs\", \"shape\": [\"N\", ", g.cells,
                "], \"meaning\": \"the probability of each cell holding the query's nearest neighbour\"}",
                ", \"model_bytes\": ", bytes1, ", ", layer_json(r.layer1), "},",
                "\n  \"layer2\": {\"onnx\": ", json_quote(base_name(l2)), ", \"onnx_sha256\": ", json_quote(s2.value()),
                ", \"input\": {\"name\": \"x\", \"shape\": [\"N\", ", g.d + 1,
                "], \"dtype\": \"float32\", \"meaning\": \"the query, then the number of the cell to look in\"}",
                ", \"output\": {\"name\": \"probs\", \"shape\": [\"N\", ", g.members_max,
                "], \"meaning\": \"the probability of member j of the cell (ascending base id) being the query's "
                "nearest neighbour; 0 beyond the cell's members\"}, \"model_bytes\": ", bytes2, ", ",
                layer_json(r.layer2), "},",
                "\n  \"cells\": {\"file\": ", json_quote(base_name(cells)), ", \"sha256\": ", json_quote(sc.value()),
                ", \"count\": ", g.cells, ", \"kmeans\": ", json_quote(cat("IVF", g.cells, ",Flat's, seed ", cfg.seed)),
                ", \"assignment_sha256\": ", json_quote(assignment_sha), ", \"members_max\": ", g.members_max, "}");
    if (reference.n) {
      const std::string a = out + ".reference1.fvecs", b = out + ".reference2.fvecs";
      if (Status st = save_fvecs(a, VectorView::of(r.reference_layer1.data(), reference.n, g.cells)); !st.is_ok())
        return fail(st.message());
      if (Status st = save_fvecs(b, VectorView::of(r.reference_layer2.data(), reference.n, g.members_max)); !st.is_ok())
        return fail(st.message());
      files += cat(", ", json_quote(base_name(a)), ", ", json_quote(base_name(b)));
      auto ref_sha = file_sha256(reference_path);
      ref_json = cat(",\n  \"reference\": {\"layer1\": ", json_quote(base_name(a)), ", \"layer2\": ",
                     json_quote(base_name(b)), ", \"layer2_cells\": \"layer 1's most probable cell of each row\"",
                     ", \"inputs\": ", json_quote(base_name(reference_path)), ", \"inputs_sha256\": ",
                     json_quote(ref_sha.is_ok() ? ref_sha.value() : std::string()), ", \"rows\": ", reference.n,
                     ", \"producer\": \"libtorch ", TORCH_VERSION, "\"}");
    }
  } else {
    parts = cat(",\n  \"layer1\": {", layer_json(r.layer1), "},\n  \"layer2\": {", layer_json(r.layer2),
                "},\n  \"exported\": false, \"why_not_exported\": ",
                json_quote(cat("the seed's architecture: ", r.layer1.parameters + r.layer2.parameters,
                               " parameters (", (r.layer1.parameters + r.layer2.parameters) * 4 / 1000000,
                               " MB) — evaluated by libtorch in the trainer only")));
  }
  if (r.has_evaluation) {
    const RouterEvaluation& e = r.evaluation;
    eval_json = cat(",\n  \"evaluation\": {\"queries_file\": ", json_quote(base_name(queries_path)), ", \"queries\": ",
                    e.queries, ", \"truth\": \"global exact neighbours\", \"mean_distance_router\": ",
                    num(e.mean_distance_router), ", \"mean_distance_ivf_one_probe\": ", num(e.mean_distance_ivf),
                    ", \"mean_distance_random\": ", num(e.mean_distance_random), ", \"layer1_accuracy\": ",
                    num(e.layer1_accuracy), ", \"layer2_top1\": ", num(e.layer2_top1), ", \"layer2_top5\": ",
                    num(e.layer2_top5), ", \"seed_metric\": ", num(e.seed_metric), ", \"prediction_ms_libtorch\": ",
                    num(e.prediction_ms), "}");
  }
  const std::string manifest = cat(
      "{\n  \"format\": \"annlab-model\",\n  \"version\": 1,\n  \"method\": \"Router\",\n  \"nclusters\": ", g.cells,
      ",\n  \"arch\": ", json_quote(cfg.arch), ",\n  \"files\": [", files, "]", parts,
      ",\n  \"training_data\": {\"file\": ", json_quote(base_name(base_path)), ", \"sha256\": ", json_quote(sha.value()),
      ", \"rows\": ", base->n, ", \"dim\": ", base->d, ", \"pair_rows\": ", cfg.rows ? std::min(cfg.rows, base->n) : base->n,
      ", \"pairs\": \"each row as a query, its nearest other base row as the target; 10 % held back for stopping\"},",
      "\n  \"hyperparameters\": {\"pca\": ", g.p, ", \"hidden1\": ", cfg.hidden1, ", \"hidden2\": ", cfg.hidden2,
      ", \"epochs_max\": ", cfg.epochs, ", \"patience\": ", cfg.patience, ", \"batch\": ", cfg.batch,
      ", \"optimiser\": \"Adam\", \"lr\": ", num(cfg.lr), "},\n  \"seed\": ", cfg.seed, ",\n  \"threads\": ", cfg.threads,
      eval_json, ref_json, ",\n  \"kmeans_seconds\": ", num(r.kmeans_seconds), ",\n  \"neighbours_seconds\": ",
      num(r.neighbours_seconds), ",\n  \"training_seconds\": ", num(r.seconds), "\n}\n");
  const std::string json_path = out + ".json";
  if (Status st = write_file(json_path, manifest.data(), manifest.size()); !st.is_ok()) return fail(st.message());
  std::printf("wrote %s (layer 1 %zu parameters, %zu multiply-adds; layer 2 %zu parameters, %zu multiply-adds per "
              "cell) in %.1f s\n",
              json_path.c_str(), r.layer1.parameters, r.layer1.multiply_adds, r.layer2.parameters,
              r.layer2.multiply_adds, r.seconds);
  return 0;
}

}  // namespace

namespace {

int project_main(int argc, char** argv) {
  std::string base_path;
  size_t dim = 0;
  Options o(argc, argv, {});
  o.text("--base", &base_path);
  o.number("--dim", &dim);
  const std::vector<std::string> ins = o.all("--in"), outs = o.all("--out");
  if (!o.all_known()) return usage();
  if (base_path.empty() || dim == 0 || ins.empty() || ins.size() != outs.size()) return usage();
  auto base = load_vectors(base_path);
  if (!base.is_ok()) return std::fprintf(stderr, "annlab-train: %s\n", base.message().c_str()), 1;
  auto pca = fit_pca(base->view(), dim);
  if (!pca.is_ok()) return std::fprintf(stderr, "annlab-train: %s\n", pca.message().c_str()), 1;
  for (size_t f = 0; f < ins.size(); ++f) {
    auto x = load_vectors(ins[f]);
    if (!x.is_ok()) return std::fprintf(stderr, "annlab-train: %s\n", x.message().c_str()), 1;
    std::vector<float> y(x->n * dim), row(x->d);
    for (size_t i = 0; i < x->n; ++i) {
      x->view().row_to_f32(i, row.data());
      for (size_t k = 0; k < dim; ++k) {
        double s = 0;
        for (size_t j = 0; j < x->d; ++j) s += double(row[j] - pca->mean[j]) * pca->components[k * x->d + j];
        y[i * dim + k] = float(s);
      }
    }
    if (Status st = save_fvecs(outs[f], VectorView::of(y.data(), x->n, dim)); !st.is_ok())
      return std::fprintf(stderr, "annlab-train: %s\n", st.message().c_str()), 1;
    std::printf("%s: %zu x %zu -> %s: %zu x %zu (PCA of %s)\n", ins[f].c_str(), x->n, x->d, outs[f].c_str(), x->n, dim,
                base_path.c_str());
  }
  return 0;
}

}  // namespace

namespace {

int embed_main(int argc, char** argv) {
  EmbedConfig cfg;
  std::string base_path, labels_path, out, reference_path;
  size_t reference_rows = 1000;
  Options o(argc, argv, {});
  o.text("--base", &base_path);
  o.text("--labels", &labels_path);
  o.text("--out", &out);
  o.text("--reference", &reference_path);
  o.number("--reference-rows", &reference_rows);
  o.number("--dim", &cfg.dim);
  o.number("--seed", &cfg.seed);
  o.number("--epochs", &cfg.epochs);
  o.number("--batch", &cfg.batch);
  o.number("--lr", &cfg.lr);
  o.number("--margin", &cfg.margin);
  o.number("--holdout", &cfg.holdout);
  o.number("--threads", &cfg.threads);
  if (!o.all_known()) return usage();
  if (base_path.empty() || out.empty()) return usage();
  auto base = load_vectors(base_path);
  if (!base.is_ok()) return fail(base.message());
  auto sha = file_sha256(base_path);
  if (!sha.is_ok()) return fail(sha.message());
  std::vector<int32_t> labels = base->labels;
  if (!labels_path.empty()) {
    auto l = load_labels(labels_path);
    if (!l.is_ok()) return fail(l.message());
    labels = std::move(l).value();
  } else if (labels.empty()) {
    return fail(cat(base_path, ": has no labels: give them with --labels FILE (the triplet loss needs classes)"));
  }
  Dataset reference;
  if (!reference_path.empty()) {
    auto r = load_reference(reference_path, reference_rows, base->d);
    if (!r.is_ok()) return fail(r.message());
    reference = std::move(r).value();
  }
  std::printf("embedding CNN (%zu-d) on %s: %zu x %zu, seed %llu, %zu epochs, batch %zu, margin %g, %d thread(s)\n",
              cfg.dim, base_path.c_str(), base->n, base->d, (unsigned long long)cfg.seed, cfg.epochs, cfg.batch,
              cfg.margin, cfg.threads);
  const VectorView ref_view = reference.n ? reference.view() : VectorView{};
  auto trained = train_embed(base.value(), labels, cfg, reference.n ? &ref_view : nullptr);
  if (!trained.is_ok()) return fail(trained.message());
  const EmbedGraph& g = trained->graph;
  const std::string onnx_path = out + ".onnx";
  if (Status st = export_embed_onnx(g, onnx_path); !st.is_ok()) return fail(st.message());
  auto onnx_sha = file_sha256(onnx_path);
  if (!onnx_sha.is_ok()) return fail(onnx_sha.message());
  std::string files = json_quote(base_name(onnx_path)), ref_json;
  if (reference.n) {
    const std::string ref_out = out + ".reference.fvecs";
    if (Status st = save_fvecs(ref_out, VectorView::of(trained->reference_outputs.data(), reference.n, cfg.dim));
        !st.is_ok())
      return fail(st.message());
    files += ", " + json_quote(base_name(ref_out));
    auto ref_sha = file_sha256(reference_path);
    ref_json = cat(",\n  \"reference\": {\"file\": ", json_quote(base_name(ref_out)), ", \"inputs\": ",
                   json_quote(base_name(reference_path)), ", \"inputs_sha256\": ",
                   json_quote(ref_sha.is_ok() ? ref_sha.value() : std::string()), ", \"rows\": ", reference.n,
                   ", \"producer\": \"libtorch ", TORCH_VERSION, "\"}");
  }
  std::string epochs, channels;
  for (size_t i = 0; i < trained->epochs.size(); ++i) {
    const EmbedEpoch& e = trained->epochs[i];
    epochs += cat(i ? ",\n    " : "", "{\"epoch\": ", e.epoch, ", \"loss\": ", num(e.loss), ", \"active_triplets\": ",
                  num(e.active), ", \"precision_at_10\": ", num(e.precision_at_10), ", \"seconds\": ", num(e.seconds), "}");
  }
  for (size_t i = 0; i < cfg.channels.size(); ++i) channels += cat(i ? ", " : "", cfg.channels[i]);
  const size_t bytes = std::filesystem::file_size(onnx_path);
  const std::string manifest = cat(
      "{\n  \"format\": \"annlab-model\",\n  \"version\": 1,\n  \"method\": \"Embed\",\n  \"dim\": ", cfg.dim,
      ",\n  \"files\": [", files, "],\n  \"onnx\": ", json_quote(base_name(onnx_path)), ",\n  \"onnx_sha256\": ",
      json_quote(onnx_sha.value()), ",\n  \"input\": {\"name\": \"x\", \"shape\": [\"N\", ", g.h * g.w,
      "], \"dtype\": \"float32\", \"image\": [", g.h, ", ", g.w,
      "], \"preprocessing\": \"none outside the graph: pixels 0..255, row-major; the graph divides by 255\"},"
      "\n  \"output\": {\"name\": \"embedding\", \"shape\": [\"N\", ", cfg.dim,
      "], \"dtype\": \"float32\", \"meaning\": \"the l2-normalised embedding: squared L2 between two is 2 - 2 cos\"},",
      "\n  \"training_data\": {\"file\": ", json_quote(base_name(base_path)), ", \"sha256\": ", json_quote(sha.value()),
      ", \"rows\": ", base->n, ", \"dim\": ", base->d, ", \"held_out_rows\": ", cfg.holdout, "},",
      "\n  \"hyperparameters\": {\"channels\": [", channels, "], \"hidden\": ", cfg.hidden, ", \"epochs\": ", cfg.epochs,
      ", \"batch\": ", cfg.batch, ", \"loss\": \"triplet, semi-hard negatives in the batch, squared L2\", \"margin\": ",
      num(cfg.margin), ", \"optimiser\": \"Adam\", \"lr\": ", num(cfg.lr),
      ", \"schedule\": \"cosine decay to lr/20 over the epochs\"},\n  \"seed\": ", cfg.seed, ",\n  \"threads\": ",
      cfg.threads, ",\n  \"metrics\": {\"final_precision_at_10_held_out\": ",
      num(trained->epochs.empty() ? 0.0 : trained->epochs.back().precision_at_10), ", \"epochs\": [\n    ", epochs,
      "]},\n  \"training_seconds\": ", num(trained->seconds), ",\n  \"parameters\": ", g.parameters(),
      ",\n  \"model_bytes\": ", bytes, ",\n  \"multiply_adds_per_query\": ", g.multiply_adds(), ref_json, "\n}\n");
  const std::string json_path = out + ".json";
  if (Status st = write_file(json_path, manifest.data(), manifest.size()); !st.is_ok()) return fail(st.message());
  std::printf("wrote %s, %s (%zu parameters, %zu bytes, %zu multiply-adds per image) in %.1f s\n", json_path.c_str(),
              onnx_path.c_str(), g.parameters(), bytes, g.multiply_adds(), trained->seconds);
  return 0;
}

}  // namespace
