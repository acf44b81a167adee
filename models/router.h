// models/router.h — the learned router of the emulating-LSH seed paper (000_* in the seeds), trained
// with libtorch: k-means cells (the core's IVF<C>,Flat k-means, so the cells are IVF's for the same
// seed), a layer-1 model that predicts from a query the cell holding its nearest neighbour, and one
// layer-2 model per cell that predicts from (query, the cell's centroid) which member of the cell is
// the neighbour.
//
// Training pairs come from the base: each base row as a query, its nearest OTHER base row as the
// target (layer 1 learns the target's cell, the target cell's layer 2 its position among the cell's
// members, in ascending id order as the inverted lists keep them). 10 % of the pairs are held back
// for the seed's stopping rule (keep the weights of the best held-back accuracy; stop after
// `patience` epochs without a new best). Evaluation queries are never training pairs.
//
// Architectures:
//   mlp   (annlab's): a fixed centring + PCA projection computed by the core; layer 1 Dense +
//         BatchNorm + ReLU + Dense + softmax; each layer 2 Dense + ReLU + Dense + softmax over its
//         members (all layer-2 models trained together but each with its own weights, packed into
//         one ONNX graph whose input is the query followed by the cell's number).
//   seed  (the paper's): three 1-D convolutions of 128, 128 and 256 channels (kernel 3, ReLU), a
//         max-pooling after the first, flatten, a dense softmax; layer 2 the same over the query and
//         the centroid concatenated. Trained and evaluated by libtorch only (its models are far over
//         the size budget: the trainer reports their parameters).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "annlab/dataset.h"
#include "annlab/status.h"

namespace annlab::train {

struct RouterConfig {
  size_t nclusters = 100;
  uint64_t seed = 1;
  std::string arch = "mlp";  // "mlp" or "seed"
  size_t pca = 64;           // mlp: the fixed projection's width (0: the centred input itself)
  size_t hidden1 = 256;      // mlp: layer 1's hidden width
  size_t hidden2 = 32;       // mlp: each layer 2's hidden width
  size_t epochs = 30;        // at most, per layer
  size_t patience = 3;       // the seed's early stopping
  size_t batch = 256;
  double lr = 1e-3;          // Adam
  size_t rows = 0;           // training pairs from the first `rows` base rows (0: every row)
  int threads = 1;
};

// One dense layer's numbers (BatchNorm folded in): y = W x + b, W out x in row-major.
struct RouterDense {
  size_t in = 0, out = 0;
  std::vector<float> w, b;
  bool relu = false;
};

// The inference graphs' numbers, for the ONNX export.
struct RouterGraph {
  size_t d = 0, cells = 0, n = 0, p = 0, hidden2 = 0, members_max = 0;
  std::vector<float> mean;        // d
  std::vector<float> projection;  // d x p: z = (x - mean) @ projection
  std::vector<RouterDense> layer1;
  std::vector<float> cell_z;      // cells x p: the centroids' z
  std::vector<float> w1, b1;      // cells x 2p x hidden2, cells x hidden2
  std::vector<float> w2, b2;      // (n + 1) x hidden2, n + 1: row n is the padding (bias -1e9)
  std::vector<int64_t> members;   // cells x members_max: the base id of each output (n: padding)
};

struct RouterLayerReport {
  size_t epochs = 0, best_epoch = 0;
  double train_accuracy = 0, held_back_accuracy = 0;  // top-1, at the best epoch
  double seconds = 0;
  size_t parameters = 0, multiply_adds = 0;           // per query (layer 2: one cell)
};

// What evaluation on held-out queries measured (the seed's four tables and a little more).
struct RouterEvaluation {
  size_t queries = 0;
  double mean_distance_router = 0, mean_distance_random = 0, mean_distance_ivf = 0;
  double layer1_accuracy = 0, layer2_top1 = 0, layer2_top5 = 0, seed_metric = 0, end_to_end_top1 = 0;
  double prediction_ms = 0;  // libtorch, one query at a time, median over the queries, both layers
};

struct RouterResult {
  RouterGraph graph;
  std::vector<float> centroids;       // cells x d (IVF<C>,Flat's)
  std::vector<int32_t> assignment;    // the cell of every base row
  RouterLayerReport layer1, layer2;
  bool has_evaluation = false;
  RouterEvaluation evaluation;
  double seconds = 0, kmeans_seconds = 0, neighbours_seconds = 0;
  // libtorch's outputs for the reference rows: layer 1 (rows x cells) and layer 2 at layer 1's
  // cell (rows x members_max), for the ONNX runtimes' equality tests.
  std::vector<float> reference_layer1, reference_layer2;
  std::vector<float> reference_cells;  // rows: layer 1's cell of each reference row
};

// Trains on `base`; `neighbours` (optional: the base's exact 2 nearest neighbours among itself, as
// `annlab gt --base B --queries B --k 2` writes them) saves recomputing them. `queries` (optional:
// held-out rows) are evaluated after training. `reference` rows get libtorch's outputs.
Result<RouterResult> train_router(const Dataset& base, const RouterConfig& cfg, const IntMatrix* neighbours,
                                  const Dataset* queries, const VectorView* reference);

}  // namespace annlab::train
