// annlab-train — trains annlab's learned models with libtorch and exports them to ONNX.
//   annlab-train nphash --base FILE --bits 64 --seed 1 --out STEM [options]
// writes STEM.onnx, STEM.json (the manifest: inputs, outputs, files, training data and its sha256,
// hyper-parameters, seed, metrics per epoch, time, bytes and multiply-adds per query) and, with
// --reference FILE, STEM.reference.fvecs: libtorch's pre-sign values for FILE's first rows (the
// ONNX runtimes are checked against them). Checkpoints after every epoch to STEM.ckpt.*; --resume
// continues from there to the same weights.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <sstream>
#include <string>

#include <torch/torch.h>

#include "annlab/io.h"
#include "annlab/json.h"
#include "nphash.h"
#include "onnx_export.h"

using namespace annlab;
using namespace annlab::train;

namespace {

int usage() {
  std::fprintf(stderr,
               "usage: annlab-train nphash --base FILE --bits N --seed S --out STEM [--epochs N] [--hidden 512,512]\n"
               "         [--pca N] [--batch N] [--proxies N] [--k N] [--lr X] [--similarity l2|cosine]\n"
               "         [--temp-orig X] [--temp-code X] [--holdout N] [--threads N] [--reference FILE]\n"
               "         [--reference-rows N] [--resume] [--stop-after N]\n");
  return 2;
}

std::string base_name(const std::string& p) { return std::filesystem::path(p).filename().string(); }

std::string num(double v) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.9g", v);
  return buf;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || std::strcmp(argv[1], "nphash") != 0) return usage();
  NphashConfig cfg;
  std::string base_path, out, reference_path;
  size_t reference_rows = 1000;
  bool resume = false;
  for (int i = 2; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--resume") {
      resume = true;
      continue;
    }
    if (i + 1 >= argc) {
      std::fprintf(stderr, "annlab-train: %s needs a value\n", a.c_str());
      return 2;
    }
    const std::string v = argv[++i];
    char* end = nullptr;
    const double x = std::strtod(v.c_str(), &end);
    const bool is_num = end == v.c_str() + v.size() && !v.empty();
    auto need_num = [&]() {
      if (!is_num) {
        std::fprintf(stderr, "annlab-train: %s %s: expected a number\n", a.c_str(), v.c_str());
        std::exit(2);
      }
      return x;
    };
    if (a == "--base") base_path = v;
    else if (a == "--out") out = v;
    else if (a == "--reference") reference_path = v;
    else if (a == "--reference-rows") reference_rows = size_t(need_num());
    else if (a == "--bits") cfg.bits = size_t(need_num());
    else if (a == "--seed") cfg.seed = uint64_t(need_num());
    else if (a == "--epochs") cfg.epochs = size_t(need_num());
    else if (a == "--pca") cfg.pca = size_t(need_num());
    else if (a == "--batch") cfg.batch = size_t(need_num());
    else if (a == "--proxies") cfg.proxies = size_t(need_num());
    else if (a == "--k") cfg.k = size_t(need_num());
    else if (a == "--lr") cfg.lr = need_num();
    else if (a == "--temp-orig") cfg.temp_orig = need_num();
    else if (a == "--temp-code") cfg.temp_code = need_num();
    else if (a == "--holdout") cfg.holdout = size_t(need_num());
    else if (a == "--threads") cfg.threads = int(need_num());
    else if (a == "--stop-after") cfg.stop_after = size_t(need_num());
    else if (a == "--similarity") cfg.similarity = v;
    else if (a == "--hidden") {
      cfg.hidden.clear();
      std::stringstream ss(v);
      for (std::string t; std::getline(ss, t, ',');) cfg.hidden.push_back(size_t(std::atol(t.c_str())));
    } else {
      std::fprintf(stderr, "annlab-train: unknown option %s\n", a.c_str());
      return usage();
    }
  }
  if (base_path.empty() || out.empty()) return usage();
  auto fail = [](const std::string& m) {
    std::fprintf(stderr, "annlab-train: %s\n", m.c_str());
    return 1;
  };
  auto base = load_vectors(base_path);
  if (!base.is_ok()) return fail(base.message());
  auto sha = file_sha256(base_path);
  if (!sha.is_ok()) return fail(sha.message());
  Dataset reference;
  if (!reference_path.empty()) {
    auto r = load_vectors(reference_path);
    if (!r.is_ok()) return fail(r.message());
    if (r->d != base->d) return fail(cat(reference_path, ": dimension ", r->d, " != the base's ", base->d));
    reference = r->subset([&] {
      std::vector<size_t> rows(std::min(reference_rows, r->n));
      for (size_t i = 0; i < rows.size(); ++i) rows[i] = i;
      return rows;
    }());
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
