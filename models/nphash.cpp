#include "nphash.h"

#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <numeric>

#include "annlab/pca.h"
#include "annlab/random.h"
#include "torch_util.h"

namespace annlab::train {

namespace {

struct NphashNetImpl : torch::nn::Module {
  std::vector<torch::nn::Linear> dense;
  std::vector<torch::nn::BatchNorm1d> norms;
  torch::nn::Linear emb{nullptr};

  NphashNetImpl(int64_t in, const std::vector<size_t>& hidden, int64_t bits) {
    int64_t prev = in;
    for (size_t i = 0; i < hidden.size(); ++i) {
      dense.push_back(register_module("dense" + std::to_string(i), torch::nn::Linear(prev, int64_t(hidden[i]))));
      norms.push_back(register_module("bn" + std::to_string(i), torch::nn::BatchNorm1d(int64_t(hidden[i]))));
      prev = int64_t(hidden[i]);
    }
    emb = register_module("embedding", torch::nn::Linear(prev, bits));
  }
  // The l2-normalised embedding: the pre-sign values.
  torch::Tensor embed(torch::Tensor x) {
    for (size_t i = 0; i < dense.size(); ++i) x = torch::relu(norms[i](dense[i](x)));
    return torch::nn::functional::normalize(emb(x), torch::nn::functional::NormalizeFuncOptions().p(2).dim(1));
  }
};
TORCH_MODULE(NphashNet);

std::string fmt_seconds(double s) {
  char buf[32];
  if (s < 90) std::snprintf(buf, sizeof buf, "%.0f s", s);
  else std::snprintf(buf, sizeof buf, "%.1f min", s / 60);
  return buf;
}

struct Files {
  std::string net, opt, rng, state;
  explicit Files(const std::string& stem)
      : net(stem + ".net.pt"), opt(stem + ".optim.pt"), rng(stem + ".rng.pt"), state(stem + ".state.txt") {}
};

}  // namespace

Result<TrainResult> train_nphash(const Dataset& base, const NphashConfig& cfg, const std::string& checkpoint,
                                 bool resume, const VectorView* reference) {
  const auto t_start = std::chrono::steady_clock::now();
  if (cfg.bits < 8 || cfg.bits > 4096) return Status::error(cat("--bits ", cfg.bits, " is outside 8..4096"));
  if (base.n < cfg.holdout + 10)
    return Status::error(cat(base.name, ": ", base.n, " vectors is too few to hold out ", cfg.holdout, " (use --holdout)"));
  if (cfg.similarity != "l2" && cfg.similarity != "cosine")
    return Status::error(cat("--similarity ", cfg.similarity, ": expected l2 or cosine"));
  torch::set_num_threads(std::max(1, cfg.threads));
  torch::manual_seed(cfg.seed);

  // The held-out slice (a seeded draw) and the training rows.
  const torch::Tensor perm = seeded_permutation(base.n, cfg.seed ^ 0x9e3779b97f4a7c15ull);
  const size_t nh = cfg.holdout, nt = base.n - nh;
  const torch::Tensor all = rows_of(base.view());
  const torch::Tensor held = all.index_select(0, perm.slice(0, 0, int64_t(nh)));
  const torch::Tensor xt = all.index_select(0, perm.slice(0, int64_t(nh)));

  // Preprocessing: centring, then a PCA to cfg.pca dimensions (or none), scaled to unit RMS.
  NphashGraph g;
  g.d = base.d;
  g.bits = cfg.bits;
  torch::Tensor mean = xt.mean(0);
  torch::Tensor proj;
  if (cfg.pca > 0 && cfg.pca < base.d) {
    const std::vector<float> flat(xt.data_ptr<float>(), xt.data_ptr<float>() + xt.numel());
    ANNLAB_ASSIGN_OR_RETURN(Pca pca, fit_pca(VectorView::of(flat.data(), nt, base.d), cfg.pca));
    double var = 0;
    for (double v : pca.variance) var += v;
    const float scale = float(1.0 / std::sqrt(std::max(var / double(cfg.pca), 1e-12)));
    proj = torch::from_blob(pca.components.data(), {int64_t(cfg.pca), int64_t(base.d)}, torch::kFloat32).t().clone() * scale;
    mean = torch::from_blob(pca.mean.data(), {int64_t(base.d)}, torch::kFloat32).clone();
    g.pca = cfg.pca;
  } else {
    const double var = (xt - mean).pow(2).mean().item<double>();
    proj = torch::eye(int64_t(base.d)) * float(1.0 / std::sqrt(std::max(var, 1e-12)));
    g.pca = base.d;
  }
  auto prep = [&](const torch::Tensor& x) { return torch::mm(x - mean, proj); };
  const torch::Tensor zt = prep(xt), zh = prep(held);
  // The original space the similarities are taken in: the vectors, or their unit versions (cosine).
  const torch::Tensor st = cfg.similarity == "cosine" ? torch::nn::functional::normalize(
                                                             xt, torch::nn::functional::NormalizeFuncOptions().dim(1))
                                                       : xt;
  // The true nearest training row of each held-out row (for the 1-recall@10 estimate).
  torch::Tensor truth = torch::empty({int64_t(nh)}, torch::kInt64);
  for (int64_t a = 0; a < int64_t(nh); a += 256) {
    const int64_t e = std::min<int64_t>(a + 256, int64_t(nh));
    truth.slice(0, a, e).copy_(std::get<1>(sq_dist(held.slice(0, a, e), xt).min(1)));
  }

  NphashNet net(int64_t(g.pca), cfg.hidden, int64_t(cfg.bits));
  torch::optim::Adam opt(net->parameters(), torch::optim::AdamOptions(cfg.lr));
  auto gen = at::detail::createCPUGenerator(cfg.seed);
  TrainResult out;
  size_t first_epoch = 0;
  const Files files(checkpoint);
  if (resume) {
    std::ifstream st_in(files.state);
    if (!st_in) return Status::error(cat(files.state, ": no checkpoint to resume from"));
    size_t done = 0;
    st_in >> done;
    for (size_t e = 0; e < done; ++e) {
      EpochReport r;
      st_in >> r.epoch >> r.loss >> r.one_recall_at_10 >> r.seconds;
      out.epochs.push_back(r);
    }
    torch::load(net, files.net);
    torch::load(opt, files.opt);
    torch::Tensor state;
    torch::load(state, files.rng);
    gen.set_state(state);
    first_epoch = done;
    std::printf("resuming after epoch %zu of %zu\n", done, cfg.epochs);
  }

  const int64_t P = int64_t(std::min(cfg.proxies, nt - 1));
  const int64_t K = std::min<int64_t>(int64_t(cfg.k), P - 1);
  const int64_t B = int64_t(cfg.batch);
  const double beta = std::sqrt(double(cfg.bits));
  const size_t batches = (nt + size_t(B) - 1) / size_t(B);
  for (size_t epoch = first_epoch; epoch < cfg.epochs; ++epoch) {
    const auto t0 = std::chrono::steady_clock::now();
    // Cosine decay of the learning rate, from lr to lr / 20.
    const double lr = cfg.lr * (0.05 + 0.95 * 0.5 * (1 + std::cos(M_PI * double(epoch) / double(cfg.epochs))));
    for (auto& group : opt.param_groups()) static_cast<torch::optim::AdamOptions&>(group.options()).lr(lr);
    net->train();
    const torch::Tensor shuffle = torch::randperm(int64_t(nt), gen, torch::kInt64);
    double loss_sum = 0;
    for (size_t b = 0; b < batches; ++b) {
      const torch::Tensor qi = shuffle.slice(0, int64_t(b) * B, std::min<int64_t>(int64_t(b + 1) * B, int64_t(nt)));
      const torch::Tensor pi = torch::randperm(int64_t(nt), gen, torch::kInt64).slice(0, 0, P);
      torch::Tensor vals, nn;
      {
        torch::NoGradGuard no_grad;
        const torch::Tensor sq = st.index_select(0, qi), sp = st.index_select(0, pi);
        torch::Tensor sim = cfg.similarity == "cosine" ? torch::mm(sq, sp.t()) : -sq_dist(sq, sp);
        sim.masked_fill_(qi.unsqueeze(1) == pi.unsqueeze(0), -INFINITY);  // a proxy that is the query itself
        std::tie(vals, nn) = sim.topk(K, 1);
        if (cfg.similarity == "l2") vals = vals / vals.select(1, K - 1).abs().clamp_min(1e-12).unsqueeze(1);
      }
      const torch::Tensor e = net->embed(torch::cat({zt.index_select(0, qi), zt.index_select(0, pi)}));
      const torch::Tensor f = beta * torch::tanh(e);
      const int64_t bq = qi.size(0);
      const torch::Tensor fq = f.slice(0, 0, bq), fp = f.slice(0, bq);
      const torch::Tensor fn = fp.index_select(0, nn.flatten()).view({bq, K, int64_t(cfg.bits)});
      const torch::Tensor sh = (fq.unsqueeze(1) * fn).sum(2) / (2.0 * double(cfg.bits)) + 0.5;
      const torch::Tensor p = torch::softmax(vals / cfg.temp_orig, 1);
      const torch::Tensor logq = torch::log_softmax(sh / cfg.temp_code, 1);
      const torch::Tensor loss = (p * (torch::log(p.clamp_min(1e-30)) - logq)).sum(1).mean();
      opt.zero_grad();
      loss.backward();
      opt.step();
      loss_sum += loss.item<double>();
    }
    // 1-recall@10 of the held-out rows against the training rows' codes.
    net->eval();
    double hits = 0;
    {
      torch::NoGradGuard no_grad;
      auto codes = [&](const torch::Tensor& z) {
        std::vector<torch::Tensor> parts;
        for (int64_t a = 0; a < z.size(0); a += 4096) parts.push_back(net->embed(z.slice(0, a, std::min(a + 4096, z.size(0)))));
        return torch::where(torch::cat(parts) >= 0, 1.0f, -1.0f);
      };
      const torch::Tensor ct = codes(zt), ch = codes(zh);
      for (int64_t a = 0; a < int64_t(nh); a += 128) {
        const int64_t e = std::min<int64_t>(a + 128, int64_t(nh));
        const torch::Tensor top = std::get<1>(torch::mm(ch.slice(0, a, e), ct.t()).topk(10, 1));
        hits += (top == truth.slice(0, a, e).unsqueeze(1)).any(1).sum().item<double>();
      }
    }
    EpochReport r;
    r.epoch = epoch + 1;
    r.loss = loss_sum / double(batches);
    r.one_recall_at_10 = hits / double(nh);
    r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    out.epochs.push_back(r);
    double mean_s = 0;
    for (size_t i = first_epoch; i < out.epochs.size(); ++i) mean_s += out.epochs[i].seconds;
    mean_s /= double(out.epochs.size() - first_epoch);
    std::printf("epoch %zu/%zu  loss %.5f  1-recall@10 %.4f (%zu held-out rows)  %s  (about %s left)\n", r.epoch,
                cfg.epochs, r.loss, r.one_recall_at_10, nh, fmt_seconds(r.seconds).c_str(),
                fmt_seconds(mean_s * double(cfg.epochs - r.epoch)).c_str());
    std::fflush(stdout);
    // Checkpoint: weights, optimiser, random state and the epochs so far.
    if (!checkpoint.empty()) {
      torch::save(net, files.net);
      torch::save(opt, files.opt);
      torch::save(gen.get_state(), files.rng);
      std::ofstream st_out(files.state);
      st_out << out.epochs.size() << "\n";
      for (const EpochReport& e : out.epochs)
        st_out << e.epoch << " " << e.loss << " " << e.one_recall_at_10 << " " << e.seconds << "\n";
    }
    if (cfg.stop_after && r.epoch == cfg.stop_after && r.epoch < cfg.epochs)
      return Status::error(cat("stopped after epoch ", r.epoch, " (--stop-after): resume with --resume"));
  }

  // The inference graph: BatchNorm folded into the dense layers before it.
  net->eval();
  torch::NoGradGuard no_grad;
  g.mean.assign(mean.data_ptr<float>(), mean.data_ptr<float>() + mean.numel());
  const torch::Tensor pc = proj.contiguous();
  g.projection.assign(pc.data_ptr<float>(), pc.data_ptr<float>() + pc.numel());
  for (size_t i = 0; i < net->dense.size(); ++i) {
    const auto& bn = net->norms[i];
    const torch::Tensor s = bn->weight / torch::sqrt(bn->running_var + bn->options.eps());
    DenseLayer l;
    l.in = size_t(net->dense[i]->weight.size(1));
    l.out = size_t(net->dense[i]->weight.size(0));
    l.w = to_vec(net->dense[i]->weight * s.unsqueeze(1));
    l.b = to_vec((net->dense[i]->bias - bn->running_mean) * s + bn->bias);
    l.relu = true;
    g.layers.push_back(std::move(l));
  }
  DenseLayer last;
  last.in = size_t(net->emb->weight.size(1));
  last.out = size_t(net->emb->weight.size(0));
  last.w = to_vec(net->emb->weight);
  last.b = to_vec(net->emb->bias);
  g.layers.push_back(std::move(last));
  out.graph = std::move(g);
  if (reference) out.reference_outputs = to_vec(net->embed(prep(rows_of(*reference))));
  out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t_start).count();
  return out;
}

}  // namespace annlab::train
