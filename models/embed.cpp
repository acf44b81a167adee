#include "embed.h"

#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <numeric>

#include "annlab/random.h"
#include "torch_util.h"

namespace annlab::train {

size_t EmbedGraph::parameters() const {
  size_t p = w1.size() + b1.size() + w2.size() + b2.size();
  for (const ConvLayer& c : convs) p += c.w.size() + c.b.size();
  return p;
}

size_t EmbedGraph::multiply_adds() const {
  size_t macs = 0, side = h;
  for (const ConvLayer& c : convs) {
    macs += side * side * c.out * c.in * 9;
    side /= 2;
  }
  return macs + w1.size() + w2.size();
}

namespace {

namespace F = torch::nn::functional;

struct EmbedNetImpl : torch::nn::Module {
  std::vector<torch::nn::Conv2d> convs;
  std::vector<torch::nn::BatchNorm2d> norms;
  torch::nn::Linear fc1{nullptr}, fc2{nullptr};
  torch::nn::BatchNorm1d bn1{nullptr};
  int64_t flat = 0;

  EmbedNetImpl(const std::vector<size_t>& channels, int64_t hidden, int64_t dim) {
    int64_t prev = 1, side = 28;
    for (size_t i = 0; i < channels.size(); ++i) {
      const int64_t c = int64_t(channels[i]);
      convs.push_back(register_module("conv" + std::to_string(i),
                                      torch::nn::Conv2d(torch::nn::Conv2dOptions(prev, c, 3).padding(1))));
      norms.push_back(register_module("bn" + std::to_string(i), torch::nn::BatchNorm2d(c)));
      prev = c;
      side /= 2;
    }
    flat = prev * side * side;
    fc1 = register_module("fc1", torch::nn::Linear(flat, hidden));
    bn1 = register_module("bnfc", torch::nn::BatchNorm1d(hidden));
    fc2 = register_module("fc2", torch::nn::Linear(hidden, dim));
  }
  // x: [N, 784] pixels 0..255 -> [N, dim] unit rows.
  torch::Tensor forward(torch::Tensor x) {
    x = (x * (1.0f / 255.0f)).view({-1, 1, 28, 28});
    for (size_t i = 0; i < convs.size(); ++i) x = F::max_pool2d(torch::relu(norms[i](convs[i](x))), F::MaxPool2dFuncOptions(2));
    x = torch::relu(bn1(fc1(x.flatten(1))));
    return F::normalize(fc2(x), F::NormalizeFuncOptions().p(2).dim(1));
  }
};
TORCH_MODULE(EmbedNet);

// The semi-hard triplet loss of a batch (embeddings e [B, dim], labels y [B]); *active: the share of
// (anchor, positive) pairs whose triplet has a positive loss.
torch::Tensor semi_hard_triplet_loss(const torch::Tensor& e, const torch::Tensor& y, double margin, double* active) {
  const torch::Tensor d = sq_dist(e, e);
  const torch::Tensor same = y.unsqueeze(1) == y.unsqueeze(0);
  const int64_t B = e.size(0);
  const torch::Tensor eye = torch::eye(B, torch::TensorOptions().dtype(torch::kBool));
  const torch::Tensor pos = same & ~eye;
  torch::Tensor neg_d = torch::empty({B, B}, torch::kInt64);
  {
    // For every (anchor a, positive p): the negative chosen from row a, without gradient through the
    // choice; 16 anchors at a time ([16, B, B] rather than [B, B, B] in memory).
    torch::NoGradGuard no_grad;
    const torch::Tensor dd = d.detach();
    const torch::Tensor big = torch::full({}, 1e9f), small = torch::full({}, -1e9f);
    for (int64_t a0 = 0; a0 < B; a0 += 16) {
      const int64_t a1 = std::min<int64_t>(a0 + 16, B), c = a1 - a0;
      const torch::Tensor rows = dd.slice(0, a0, a1);                         // [c, B]
      const torch::Tensor dap = rows.unsqueeze(2);                            // [c, p, 1]
      const torch::Tensor dan = rows.unsqueeze(1).expand({c, B, B});          // [c, p, n]
      const torch::Tensor is_neg = (~same.slice(0, a0, a1)).unsqueeze(1).expand({c, B, B});
      const torch::Tensor outside = is_neg & (dan > dap);
      const torch::Tensor semi = torch::where(outside, dan, big).argmin(2);   // [c, p]
      const torch::Tensor hardest = torch::where(is_neg, dan, small).argmax(2);
      neg_d.slice(0, a0, a1).copy_(torch::where(outside.any(2), semi, hardest));
    }
  }
  const torch::Tensor chosen = d.gather(1, neg_d.view({B, B})) ;  // d[a, n(a, p)]
  const torch::Tensor l = torch::relu(d - chosen + margin);
  const torch::Tensor m = pos.to(torch::kFloat32);
  const double pairs = std::max(1.0, m.sum().item<double>());
  *active = ((l > 0).to(torch::kFloat32) * m).sum().item<double>() / pairs;
  return (l * m).sum() / pairs;
}

}  // namespace

Result<EmbedResult> train_embed(const Dataset& base, const std::vector<int32_t>& labels, const EmbedConfig& cfg,
                                const VectorView* reference) {
  const auto t_start = std::chrono::steady_clock::now();
  if (base.d != 784)
    return Status::error(cat(base.name, ": the CNN takes 28 x 28 images (784 values per row), found d = ", base.d));
  if (labels.size() != base.n)
    return Status::error(cat(base.name, ": ", labels.size(), " labels for ", base.n, " rows: the triplet loss needs one label per row"));
  if (cfg.dim < 2 || cfg.dim > 1024) return Status::error(cat("--dim ", cfg.dim, " is outside 2..1024"));
  if (base.n < cfg.holdout + 100)
    return Status::error(cat(base.name, ": ", base.n, " rows is too few to hold out ", cfg.holdout, " (use --holdout)"));
  if (cfg.batch < 8) return Status::error(cat("--batch ", cfg.batch, ": the triplet mining needs at least 8 rows"));
  torch::set_num_threads(std::max(1, cfg.threads));
  torch::manual_seed(cfg.seed);

  const torch::Tensor perm = seeded_permutation(base.n, cfg.seed ^ 0x51ed2701ull);
  const size_t nh = cfg.holdout, nt = base.n - nh;
  const torch::Tensor all = rows_of(base.view());
  std::vector<int64_t> lab(labels.begin(), labels.end());
  const torch::Tensor all_y = torch::from_blob(lab.data(), {int64_t(base.n)}, torch::kInt64).clone();
  const torch::Tensor xh = all.index_select(0, perm.slice(0, 0, int64_t(nh)));
  const torch::Tensor yh = all_y.index_select(0, perm.slice(0, 0, int64_t(nh)));
  const torch::Tensor xt = all.index_select(0, perm.slice(0, int64_t(nh)));
  const torch::Tensor yt = all_y.index_select(0, perm.slice(0, int64_t(nh)));

  EmbedNet net(cfg.channels, int64_t(cfg.hidden), int64_t(cfg.dim));
  torch::optim::Adam opt(net->parameters(), torch::optim::AdamOptions(cfg.lr));
  auto gen = at::detail::createCPUGenerator(cfg.seed);
  EmbedResult out;
  const int64_t B = int64_t(cfg.batch);
  const size_t batches = nt / size_t(B);  // whole batches only: BatchNorm and the mining want full ones
  auto embed_all = [&](const torch::Tensor& x) {
    std::vector<torch::Tensor> parts;
    for (int64_t a = 0; a < x.size(0); a += 2048) parts.push_back(net->forward(x.slice(0, a, std::min(a + 2048, x.size(0)))));
    return torch::cat(parts);
  };
  for (size_t epoch = 0; epoch < cfg.epochs; ++epoch) {
    const auto t0 = std::chrono::steady_clock::now();
    const double lr = cfg.lr * (0.05 + 0.95 * 0.5 * (1 + std::cos(M_PI * double(epoch) / double(cfg.epochs))));
    for (auto& group : opt.param_groups()) static_cast<torch::optim::AdamOptions&>(group.options()).lr(lr);
    net->train();
    const torch::Tensor shuffle = torch::randperm(int64_t(nt), gen, torch::kInt64);
    double loss_sum = 0, active_sum = 0;
    for (size_t b = 0; b < batches; ++b) {
      const torch::Tensor idx = shuffle.slice(0, int64_t(b) * B, int64_t(b + 1) * B);
      double active = 0;
      const torch::Tensor loss = semi_hard_triplet_loss(net->forward(xt.index_select(0, idx)), yt.index_select(0, idx),
                                                        cfg.margin, &active);
      opt.zero_grad();
      loss.backward();
      opt.step();
      loss_sum += loss.item<double>();
      active_sum += active;
    }
    // Precision@10 of the held-out rows: the share of their 10 nearest training rows in their class.
    net->eval();
    double hits = 0;
    {
      torch::NoGradGuard no_grad;
      const torch::Tensor et = embed_all(xt), eh = embed_all(xh);
      for (int64_t a = 0; a < int64_t(nh); a += 256) {
        const int64_t e = std::min<int64_t>(a + 256, int64_t(nh));
        const torch::Tensor top = std::get<1>(sq_dist(eh.slice(0, a, e), et).topk(10, 1, false));
        hits += (yt.index({top}) == yh.slice(0, a, e).unsqueeze(1)).sum().item<double>();
      }
    }
    EmbedEpoch r;
    r.epoch = epoch + 1;
    r.loss = loss_sum / double(batches);
    r.active = active_sum / double(batches);
    r.precision_at_10 = hits / double(nh * 10);
    r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    out.epochs.push_back(r);
    std::printf("epoch %zu/%zu  loss %.5f  active triplets %.3f  precision@10 %.4f (%zu held-out rows)  %.0f s\n",
                r.epoch, cfg.epochs, r.loss, r.active, r.precision_at_10, nh, r.seconds);
    std::fflush(stdout);
  }

  // The inference graph: every BatchNorm folded into the layer before it.
  net->eval();
  torch::NoGradGuard no_grad;
  EmbedGraph& g = out.graph;
  g.dim = cfg.dim;
  auto fold = [](const torch::Tensor& w, const torch::Tensor& b, const auto& bn, std::vector<float>* wo,
                 std::vector<float>* bo) {
    const torch::Tensor s = bn->weight / torch::sqrt(bn->running_var + bn->options.eps());
    std::vector<int64_t> shape(size_t(w.dim()), 1);
    shape[0] = -1;
    *wo = to_vec(w * s.view(shape));
    *bo = to_vec((b - bn->running_mean) * s + bn->bias);
  };
  for (size_t i = 0; i < net->convs.size(); ++i) {
    ConvLayer c;
    c.in = size_t(net->convs[i]->weight.size(1));
    c.out = size_t(net->convs[i]->weight.size(0));
    fold(net->convs[i]->weight, net->convs[i]->bias, net->norms[i], &c.w, &c.b);
    g.convs.push_back(std::move(c));
  }
  g.flat = size_t(net->flat);
  g.hidden = cfg.hidden;
  fold(net->fc1->weight, net->fc1->bias, net->bn1, &g.w1, &g.b1);
  g.w2 = to_vec(net->fc2->weight);
  g.b2 = to_vec(net->fc2->bias);
  if (reference) out.reference_outputs = to_vec(net->forward(rows_of(*reference)));
  out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t_start).count();
  return out;
}

}  // namespace annlab::train
