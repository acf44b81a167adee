#include "router.h"

#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <numeric>

#include "annlab/eval.h"
#include "annlab/factory.h"
#include "annlab/index.h"
#include "annlab/pca.h"
#include "annlab/random.h"
#include "annlab/structure.h"
#include "torch_util.h"

namespace annlab::train {

namespace {

using Clock = std::chrono::steady_clock;
double since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

// ---- mlp -------------------------------------------------------------------------------------

struct Layer1MlpImpl : torch::nn::Module {
  torch::nn::Linear dense{nullptr}, out{nullptr};
  torch::nn::BatchNorm1d bn{nullptr};
  Layer1MlpImpl(int64_t in, int64_t hidden, int64_t cells) {
    dense = register_module("dense", torch::nn::Linear(in, hidden));
    bn = register_module("bn", torch::nn::BatchNorm1d(hidden));
    out = register_module("out", torch::nn::Linear(hidden, cells));
  }
  torch::Tensor forward(const torch::Tensor& z) { return out(torch::relu(bn(dense(z)))); }  // logits
};
TORCH_MODULE(Layer1Mlp);

// Every cell's layer 2, packed: cell c's hidden layer is w1[c], b1[c]; its output j is member j of
// the cell, whose output weights are row members[c][j] of w2 (one row per base id).
struct Layer2MlpImpl : torch::nn::Module {
  torch::Tensor w1, b1, w2, b2;
  Layer2MlpImpl(int64_t cells, int64_t in, int64_t hidden, int64_t n) {
    const double a = 1.0 / std::sqrt(double(in)), c = 1.0 / std::sqrt(double(hidden));
    w1 = register_parameter("w1", torch::empty({cells, in, hidden}).uniform_(-a, a));
    b1 = register_parameter("b1", torch::zeros({cells, hidden}));
    w2 = register_parameter("w2", torch::empty({n, hidden}).uniform_(-c, c));
    b2 = register_parameter("b2", torch::zeros({n}));
  }
  // z: B x in, all rows of cell c; ids: the cell's members -> B x members logits.
  torch::Tensor forward(const torch::Tensor& z, int64_t c, const torch::Tensor& ids) {
    const torch::Tensor h = torch::relu(torch::mm(z, w1[c]) + b1[c]);
    return torch::mm(h, w2.index_select(0, ids).t()) + b2.index_select(0, ids);
  }
};
TORCH_MODULE(Layer2Mlp);

// ---- seed ------------------------------------------------------------------------------------

// The paper's network: Conv1d(1->128, 3) ReLU, MaxPool(2), Conv1d(128->128, 3) ReLU,
// Conv1d(128->256, 3) ReLU, flatten, Dense -> softmax.
struct SeedNetImpl : torch::nn::Module {
  torch::nn::Conv1d c1{nullptr}, c2{nullptr}, c3{nullptr};
  torch::nn::Linear out{nullptr};
  SeedNetImpl(int64_t len, int64_t classes) {
    c1 = register_module("c1", torch::nn::Conv1d(torch::nn::Conv1dOptions(1, 128, 3)));
    c2 = register_module("c2", torch::nn::Conv1d(torch::nn::Conv1dOptions(128, 128, 3)));
    c3 = register_module("c3", torch::nn::Conv1d(torch::nn::Conv1dOptions(128, 256, 3)));
    const int64_t l = ((len - 2) / 2 - 2) - 2;
    out = register_module("out", torch::nn::Linear(256 * l, classes));
  }
  torch::Tensor forward(const torch::Tensor& z) {
    torch::Tensor x = torch::relu(c1(z.unsqueeze(1)));
    x = torch::max_pool1d(x, 2);
    x = torch::relu(c3(torch::relu(c2(x))));
    return out(x.flatten(1));
  }
};
TORCH_MODULE(SeedNet);

size_t parameter_count(const torch::nn::Module& m) {
  size_t n = 0;
  for (const auto& p : m.parameters()) n += size_t(p.numel());
  return n;
}

// The seed's fitting rule around one classifier: epochs of shuffled mini-batches; after each, the
// held-back accuracy; keep the best weights; stop after `patience` epochs without a new best.
template <class Step, class Accuracy, class Save, class Restore>
void fit(const RouterConfig& cfg, const char* what, RouterLayerReport* rep, Step step, Accuracy accuracy, Save save,
         Restore restore) {
  const auto t0 = Clock::now();
  double best = -1;
  size_t since_best = 0;
  for (size_t e = 1; e <= cfg.epochs; ++e) {
    const double train_acc = step(e);
    const double acc = accuracy();
    rep->epochs = e;
    std::printf("%s epoch %zu: train accuracy %.4f, held-back accuracy %.4f (%.0f s)\n", what, e, train_acc, acc,
                since(t0));
    std::fflush(stdout);
    if (acc > best) {
      best = acc;
      rep->best_epoch = e;
      rep->train_accuracy = train_acc;
      rep->held_back_accuracy = acc;
      since_best = 0;
      save();
    } else if (++since_best >= cfg.patience) {
      break;
    }
  }
  restore();
  rep->seconds = since(t0);
}

}  // namespace

Result<RouterResult> train_router(const Dataset& base, const RouterConfig& cfg, const IntMatrix* neighbours,
                                  const Dataset* queries, const VectorView* reference) {
  const auto t_start = Clock::now();
  const size_t n = base.n, d = base.d, C = cfg.nclusters;
  if (cfg.arch != "mlp" && cfg.arch != "seed") return Status::error(cat("--arch ", cfg.arch, ": expected mlp or seed"));
  if (C < 2 || C > n / 2) return Status::error(cat("--nclusters ", C, ": expected 2..", n / 2, " for ", n, " rows"));
  const size_t rows = cfg.rows ? std::min(cfg.rows, n) : n;
  if (rows < 20) return Status::error(cat("--rows ", rows, ": too few training pairs"));
  torch::set_num_threads(std::max(1, cfg.threads));
  torch::manual_seed(cfg.seed);
  RouterResult out;

  // The cells: IVF<C>,Flat's own k-means over the whole base, with the same seed.
  auto t = Clock::now();
  BuildParams bp;
  bp.seed = cfg.seed;
  ANNLAB_ASSIGN_OR_RETURN(std::unique_ptr<Index> ivf, make_index(cat("IVF", C, ",Flat"), d, bp));
  ANNLAB_TRY(ivf->train(base.view()));
  ANNLAB_TRY(ivf->add(base.view()));
  const Explainable* ex = as_explainable(*ivf);
  ANNLAB_ASSIGN_OR_RETURN(Structure st, ex->explain_structure());
  const CellLayer& cl = std::get<CellLayer>(st.layers.at(0));
  out.centroids = cl.centroids;
  out.assignment = cl.assignment;
  out.kmeans_seconds = since(t);
  std::vector<std::vector<int64_t>> members(C);
  std::vector<int64_t> position(n);
  for (size_t i = 0; i < n; ++i) {
    const size_t c = size_t(out.assignment[i]);
    position[i] = int64_t(members[c].size());
    members[c].push_back(int64_t(i));
  }
  size_t mmax = 0;
  for (const auto& m : members) mmax = std::max(mmax, m.size());
  std::printf("k-means: %zu cells (IVF%zu,Flat's, seed %llu) in %.1f s; largest cell %zu members\n", C, C,
              (unsigned long long)cfg.seed, out.kmeans_seconds, mmax);

  // Each training row's nearest other base row.
  t = Clock::now();
  std::vector<int64_t> nn(rows);
  if (neighbours) {
    if (neighbours->n != n || neighbours->d < 2)
      return Status::error(cat("--neighbours holds ", neighbours->n, " x ", neighbours->d, " ids; expected ", n,
                               " x 2 or more (the base's own nearest neighbours)"));
    for (size_t i = 0; i < rows; ++i) {
      const int32_t* r = neighbours->v.data() + i * neighbours->d;
      nn[i] = r[0] == int32_t(i) ? r[1] : r[0];
    }
  } else {
    ANNLAB_ASSIGN_OR_RETURN(SearchResult r, exact_knn(base.view(), base.view().rows(0, rows), 2, cfg.threads));
    for (size_t i = 0; i < rows; ++i) nn[i] = r.ids[i * 2] == int64_t(i) ? r.ids[i * 2 + 1] : r.ids[i * 2];
  }
  for (size_t i = 0; i < rows; ++i)
    if (nn[i] < 0 || size_t(nn[i]) >= n || nn[i] == int64_t(i))
      return Status::error(cat("row ", i, ": its nearest other neighbour ", nn[i], " is not another base row"));
  out.neighbours_seconds = since(t);

  // Pairs: 90 % train, 10 % held back (a seeded draw), as the seed splits.
  std::vector<size_t> order(rows);
  std::iota(order.begin(), order.end(), size_t{0});
  Rng rng(cfg.seed ^ 0x5851f42d4c957f2dull);
  rng.shuffle(order);
  const size_t n_back = std::max<size_t>(1, rows / 10);
  const std::vector<size_t> back(order.begin(), order.begin() + long(n_back)), train(order.begin() + long(n_back), order.end());

  // The fixed preprocessing: centring and a PCA projection (scaled to unit RMS) of the base.
  RouterGraph& g = out.graph;
  g.d = d, g.cells = C, g.n = n, g.members_max = mmax, g.hidden2 = cfg.hidden2;
  const torch::Tensor all = rows_of(base.view());
  torch::Tensor mean = all.mean(0), proj;
  const size_t p_in = cfg.arch == "seed" ? std::min<size_t>(100, d) : cfg.pca;
  if (p_in > 0 && p_in < d) {
    ANNLAB_ASSIGN_OR_RETURN(Pca pca, fit_pca(base.view(), p_in));
    double var = 0;
    for (double v : pca.variance) var += v;
    const float scale = float(1.0 / std::sqrt(std::max(var / double(p_in), 1e-12)));
    proj = torch::from_blob(pca.components.data(), {int64_t(p_in), int64_t(d)}, torch::kFloat32).t().clone() * scale;
    mean = torch::from_blob(pca.mean.data(), {int64_t(d)}, torch::kFloat32).clone();
    g.p = p_in;
  } else {
    const double var = (all - mean).pow(2).mean().item<double>();
    proj = torch::eye(int64_t(d)) * float(1.0 / std::sqrt(std::max(var, 1e-12)));
    g.p = d;
  }
  auto prep = [&](const torch::Tensor& x) { return torch::mm(x - mean, proj); };
  const torch::Tensor z = prep(all.slice(0, 0, int64_t(rows)));
  const torch::Tensor cent = torch::from_blob(out.centroids.data(), {int64_t(C), int64_t(d)}, torch::kFloat32).clone();
  const torch::Tensor zc = prep(cent);
  const int64_t P = int64_t(g.p);

  std::vector<int64_t> cell_of(rows), pos_of(rows);
  for (size_t i = 0; i < rows; ++i) {
    cell_of[i] = out.assignment[size_t(nn[i])];
    pos_of[i] = position[size_t(nn[i])];
  }
  auto ids_tensor = [](const std::vector<size_t>& v) {
    std::vector<int64_t> w(v.begin(), v.end());
    return torch::from_blob(w.data(), {int64_t(w.size())}, torch::kInt64).clone();
  };
  const torch::Tensor cells_t = torch::from_blob(cell_of.data(), {int64_t(rows)}, torch::kInt64).clone();
  const torch::Tensor train_t = ids_tensor(train), back_t = ids_tensor(back);
  auto gen = at::detail::createCPUGenerator(cfg.seed);
  const int64_t B = int64_t(cfg.batch);

  // ---- layer 1: the cell of the query's nearest neighbour ----
  const bool seed_arch = cfg.arch == "seed";
  Layer1Mlp l1m{nullptr};
  SeedNet l1s{nullptr};
  std::shared_ptr<torch::nn::Module> l1;
  if (seed_arch) l1s = SeedNet(P, int64_t(C)), l1 = l1s.ptr();
  else l1m = Layer1Mlp(P, int64_t(cfg.hidden1), int64_t(C)), l1 = l1m.ptr();
  auto logits1 = [&](const torch::Tensor& x) { return seed_arch ? l1s->forward(x) : l1m->forward(x); };
  auto argmax1 = [&](const torch::Tensor& x) {
    torch::NoGradGuard ng;
    l1->eval();
    std::vector<torch::Tensor> parts;
    for (int64_t a = 0; a < x.size(0); a += 2048) parts.push_back(logits1(x.slice(0, a, std::min(a + 2048, x.size(0)))).argmax(1));
    return torch::cat(parts);
  };
  {
    torch::optim::Adam opt(l1->parameters(), torch::optim::AdamOptions(cfg.lr));
    std::vector<torch::Tensor> best;
    const torch::Tensor zb = z.index_select(0, back_t), yb = cells_t.index_select(0, back_t);
    fit(
        cfg, "layer 1", &out.layer1,
        [&](size_t) {
          l1->train();
          const torch::Tensor sh = train_t.index_select(0, torch::randperm(int64_t(train.size()), gen, torch::kInt64));
          double hits = 0;
          for (int64_t a = 0; a < sh.size(0); a += B) {
            const torch::Tensor idx = sh.slice(0, a, std::min(a + B, sh.size(0)));
            if (idx.size(0) < 2) continue;  // BatchNorm needs two rows
            const torch::Tensor lg = logits1(z.index_select(0, idx));
            const torch::Tensor y = cells_t.index_select(0, idx);
            const torch::Tensor loss = torch::nn::functional::cross_entropy(lg, y);
            opt.zero_grad();
            loss.backward();
            opt.step();
            hits += (lg.argmax(1) == y).sum().item<double>();
          }
          return hits / double(train.size());
        },
        [&]() { return (argmax1(zb) == yb).to(torch::kFloat64).mean().item<double>(); },
        [&]() {
          best.clear();
          for (const auto& p : l1->parameters()) best.push_back(p.detach().clone());
          for (const auto& b : l1->buffers()) best.push_back(b.detach().clone());
        },
        [&]() {
          torch::NoGradGuard ng;
          size_t i = 0;
          for (auto& p : l1->parameters()) p.copy_(best[i++]);
          for (auto& b : l1->buffers()) b.copy_(best[i++]);
        });
    out.layer1.parameters = parameter_count(*l1);
  }

  // ---- layer 2: the neighbour among the members of its cell, from (query, centroid) ----
  // Pairs grouped by the target's cell: each cell's model learns from its own pairs.
  std::vector<std::vector<int64_t>> train_by_cell(C), back_by_cell(C);
  for (size_t i : train) train_by_cell[size_t(cell_of[i])].push_back(int64_t(i));
  for (size_t i : back) back_by_cell[size_t(cell_of[i])].push_back(int64_t(i));
  std::vector<torch::Tensor> members_t(C);
  for (size_t c = 0; c < C; ++c)
    members_t[c] = torch::from_blob(members[c].data(), {int64_t(members[c].size())}, torch::kInt64).clone();
  const torch::Tensor pos_t = torch::from_blob(pos_of.data(), {int64_t(rows)}, torch::kInt64).clone();
  auto input2 = [&](const torch::Tensor& zq, int64_t c) {
    return torch::cat({zq, zc[c].unsqueeze(0).expand({zq.size(0), P})}, 1);
  };
  Layer2Mlp l2m{nullptr};
  std::vector<SeedNet> l2s;
  std::vector<std::shared_ptr<torch::nn::Module>> l2;  // one (packed mlp) or C (seed)
  if (seed_arch) {
    for (size_t c = 0; c < C; ++c) {
      l2s.push_back(SeedNet(2 * P, int64_t(std::max<size_t>(1, members[c].size()))));
      l2.push_back(l2s.back().ptr());
    }
  } else {
    l2m = Layer2Mlp(int64_t(C), 2 * P, int64_t(cfg.hidden2), int64_t(n));
    l2.push_back(l2m.ptr());
  }
  auto logits2 = [&](const torch::Tensor& in, int64_t c) {
    return seed_arch ? l2s[size_t(c)]->forward(in) : l2m->forward(in, c, members_t[size_t(c)]);
  };
  {
    std::vector<torch::optim::Adam> opts;
    for (auto& m : l2) opts.emplace_back(m->parameters(), torch::optim::AdamOptions(cfg.lr));
    std::vector<torch::Tensor> best;
    std::vector<size_t> cell_order(C);
    std::iota(cell_order.begin(), cell_order.end(), size_t{0});
    fit(
        cfg, "layer 2", &out.layer2,
        [&](size_t) {
          // Mini-batches of one cell each, the cells' batches in a shuffled order.
          std::vector<std::pair<size_t, torch::Tensor>> batches;
          for (size_t c = 0; c < C; ++c) {
            const auto& v = train_by_cell[c];
            if (v.empty()) continue;
            torch::Tensor ids = torch::from_blob(const_cast<int64_t*>(v.data()), {int64_t(v.size())}, torch::kInt64);
            ids = ids.index_select(0, torch::randperm(ids.size(0), gen, torch::kInt64));
            for (int64_t a = 0; a < ids.size(0); a += B) batches.emplace_back(c, ids.slice(0, a, std::min(a + B, ids.size(0))));
          }
          const torch::Tensor perm = torch::randperm(int64_t(batches.size()), gen, torch::kInt64);
          double hits = 0;
          for (int64_t bi = 0; bi < perm.size(0); ++bi) {
            const auto& [c, idx] = batches[size_t(perm[bi].item<int64_t>())];
            torch::nn::Module& m = *l2[seed_arch ? c : 0];
            m.train();
            const torch::Tensor lg = logits2(input2(z.index_select(0, idx), int64_t(c)), int64_t(c));
            const torch::Tensor y = pos_t.index_select(0, idx);
            const torch::Tensor loss = torch::nn::functional::cross_entropy(lg, y);
            auto& opt = opts[seed_arch ? c : 0];
            opt.zero_grad();
            loss.backward();
            opt.step();
            hits += (lg.argmax(1) == y).sum().item<double>();
          }
          return hits / double(train.size());
        },
        [&]() {
          // Held back: fed the TRUE cell (the layer's own accuracy).
          torch::NoGradGuard ng;
          double hits = 0;
          for (size_t c = 0; c < C; ++c) {
            const auto& v = back_by_cell[c];
            if (v.empty()) continue;
            l2[seed_arch ? c : 0]->eval();
            const torch::Tensor ids = torch::from_blob(const_cast<int64_t*>(v.data()), {int64_t(v.size())}, torch::kInt64);
            hits += (logits2(input2(z.index_select(0, ids), int64_t(c)), int64_t(c)).argmax(1) == pos_t.index_select(0, ids))
                        .sum()
                        .item<double>();
          }
          return hits / double(back.size());
        },
        [&]() {
          best.clear();
          for (auto& m : l2)
            for (const auto& p : m->parameters()) best.push_back(p.detach().clone());
        },
        [&]() {
          torch::NoGradGuard ng;
          size_t i = 0;
          for (auto& m : l2)
            for (auto& p : m->parameters()) p.copy_(best[i++]);
        });
    for (auto& m : l2) out.layer2.parameters += parameter_count(*m);
  }
  for (auto& m : l2) m->eval();
  l1->eval();

  // Multiply-adds per query: the projection, then the layers (layer 2: one cell, its largest).
  const size_t proj_macs = g.p < d ? d * g.p : 0;
  if (seed_arch) {
    auto conv_macs = [](size_t len, size_t classes) {
      const size_t l1 = len - 2, l2 = l1 / 2 - 2, l3 = l2 - 2;
      return l1 * 128 * 3 + l2 * 128 * 128 * 3 + l3 * 256 * 128 * 3 + l3 * 256 * classes;
    };
    out.layer1.multiply_adds = proj_macs + conv_macs(g.p, C);
    out.layer2.multiply_adds = proj_macs + conv_macs(2 * g.p, mmax);
  } else {
    out.layer1.multiply_adds = proj_macs + g.p * cfg.hidden1 + cfg.hidden1 * C;
    out.layer2.multiply_adds = proj_macs + 2 * g.p * cfg.hidden2 + cfg.hidden2 * mmax;
  }

  // ---- predictions for held-out rows: layer 1's cell, layer 2's members at that cell ----
  // probs1: rows x C; probs2: rows x members_max (layer 2 at the given cell; 0 beyond its members).
  auto predict = [&](const torch::Tensor& x, torch::Tensor* probs1, torch::Tensor* cells, torch::Tensor* probs2) {
    torch::NoGradGuard ng;
    const torch::Tensor zq = prep(x);
    *probs1 = torch::softmax(logits1(zq), 1);
    *cells = probs1->argmax(1);
    *probs2 = torch::zeros({x.size(0), int64_t(mmax)});
    for (int64_t i = 0; i < x.size(0); ++i) {
      const int64_t c = (*cells)[i].item<int64_t>();
      if (members[size_t(c)].empty()) continue;
      const torch::Tensor pr = torch::softmax(logits2(input2(zq.slice(0, i, i + 1), c), c), 1);
      probs2->slice(0, i, i + 1).slice(1, 0, pr.size(1)).copy_(pr);
    }
  };

  if (queries) {
    const size_t nq = queries->n;
    RouterEvaluation& ev = out.evaluation;
    ev.queries = nq;
    ANNLAB_ASSIGN_OR_RETURN(SearchResult gt, exact_knn(base.view(), queries->view(), 5, cfg.threads));
    SearchParams one;
    one.nprobe = 1;
    SearchResult iv;
    ANNLAB_TRY(ivf->search(queries->view(), 1, one, &iv));
    const torch::Tensor xq = rows_of(queries->view());
    torch::Tensor p1, cq, p2;
    predict(xq, &p1, &cq, &p2);
    std::vector<int64_t> pick(nq, -1), top5(nq * 5, -1), random(nq);
    std::vector<int32_t> cell(nq), true_cell(nq);
    Rng pick_rng(cfg.seed ^ 0x2545f4914f6cdd1dull);
    double e2e = 0;
    for (size_t q = 0; q < nq; ++q) {
      const size_t c = size_t(cq[int64_t(q)].item<int64_t>());
      cell[q] = int32_t(c);
      true_cell[q] = out.assignment[size_t(gt.ids[q * 5])];
      const size_t m = members[c].size();
      const torch::Tensor top = std::get<1>(p2[int64_t(q)].slice(0, 0, int64_t(m)).topk(int64_t(std::min<size_t>(5, m))));
      for (int64_t j = 0; j < top.size(0); ++j) top5[q * 5 + size_t(j)] = members[c][size_t(top[j].item<int64_t>())];
      pick[q] = top5[q * 5];
      random[q] = int64_t(pick_rng.below(n));
      e2e += pick[q] == gt.ids[q * 5];
    }
    ANNLAB_ASSIGN_OR_RETURN(RouterScores s, router_scores(base.view(), queries->view(), pick.data(), top5.data(),
                                                         cell.data(), true_cell.data(), gt.ids.data(), 5,
                                                         iv.ids.data(), random.data()));
    ev.mean_distance_router = s.mean_distance_router;
    ev.mean_distance_random = s.mean_distance_random;
    ev.mean_distance_ivf = s.mean_distance_ivf;
    ev.layer1_accuracy = s.layer1_accuracy;
    ev.layer2_top1 = s.layer2_top1;
    ev.layer2_top5 = s.layer2_top5;
    ev.seed_metric = s.seed_metric;
    ev.end_to_end_top1 = e2e / double(nq);
    // Prediction time: both layers for one query at a time, median over (up to 200) queries.
    std::vector<double> ms;
    for (size_t q = 0; q < std::min<size_t>(nq, 200); ++q) {
      const auto t1 = Clock::now();
      torch::Tensor a, b, c2;
      predict(xq.slice(0, int64_t(q), int64_t(q) + 1), &a, &b, &c2);
      ms.push_back(since(t1) * 1e3);
    }
    std::nth_element(ms.begin(), ms.begin() + long(ms.size() / 2), ms.end());
    ev.prediction_ms = ms[ms.size() / 2];
    out.has_evaluation = true;
    std::printf("held-out %zu queries: mean distance router %.4f, IVF (1 probe) %.4f, random %.4f; layer 1 %.4f, "
                "layer 2 top-1 %.4f, top-5 %.4f, the seed's metric %.4f; %.3f ms per query (libtorch)\n",
                nq, ev.mean_distance_router, ev.mean_distance_ivf, ev.mean_distance_random, ev.layer1_accuracy,
                ev.layer2_top1, ev.layer2_top5, ev.seed_metric, ev.prediction_ms);
  }

  // ---- the inference graphs' numbers (mlp) ----
  if (!seed_arch) {
    torch::NoGradGuard ng;
    g.mean = to_vec(mean);
    g.projection = to_vec(proj);
    const torch::Tensor s = l1m->bn->weight / torch::sqrt(l1m->bn->running_var + l1m->bn->options.eps());
    RouterDense a;
    a.in = size_t(l1m->dense->weight.size(1)), a.out = size_t(l1m->dense->weight.size(0));
    a.w = to_vec(l1m->dense->weight * s.unsqueeze(1));
    a.b = to_vec((l1m->dense->bias - l1m->bn->running_mean) * s + l1m->bn->bias);
    a.relu = true;
    g.layer1.push_back(std::move(a));
    RouterDense b;
    b.in = size_t(l1m->out->weight.size(1)), b.out = size_t(l1m->out->weight.size(0));
    b.w = to_vec(l1m->out->weight);
    b.b = to_vec(l1m->out->bias);
    g.layer1.push_back(std::move(b));
    g.cell_z = to_vec(zc);
    g.w1 = to_vec(l2m->w1);
    g.b1 = to_vec(l2m->b1);
    g.w2 = to_vec(l2m->w2);
    g.w2.resize((n + 1) * cfg.hidden2, 0.0f);
    g.b2 = to_vec(l2m->b2);
    g.b2.push_back(-1e9f);
    g.members.assign(C * mmax, int64_t(n));
    for (size_t c = 0; c < C; ++c) std::copy(members[c].begin(), members[c].end(), g.members.begin() + long(c * mmax));
    if (reference) {
      torch::Tensor p1, cr, p2;
      predict(rows_of(*reference), &p1, &cr, &p2);
      out.reference_layer1 = to_vec(p1);
      out.reference_layer2 = to_vec(p2);
      out.reference_cells = to_vec(cr.to(torch::kFloat32));
    }
  }
  out.seconds = since(t_start);
  return out;
}

}  // namespace annlab::train
