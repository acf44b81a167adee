// models/nphash.h — NPhash, the neural hash of the seed paper (Idelson, "Hamming Space Locality
// Preserving Neural Hashing for Similarity Search"), trained with libtorch.
//
// Model: input preprocessing (centring and a PCA to `pca` dimensions, fixed, computed by the core),
// hidden blocks Dense + BatchNorm + ReLU, an nbits-wide embedding, l2-normalised, then
// beta * tanh (beta = sqrt(nbits)) while training; at inference the pre-sign values are the
// l2-normalised embedding and the code is their sign.
// Loss: for each query of a batch, its k true neighbours among `proxies` points re-sampled at
// random from the training set at every batch; the KL divergence between the softmax of their
// similarities in the original space (cosine, or minus the squared L2 distance) and the softmax of
// their Hamming similarity S_h = f(q).f(x) / (2 nbits) + 1/2, each softmax with a temperature.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "annlab/dataset.h"
#include "annlab/status.h"

namespace annlab::train {

struct NphashConfig {
  size_t bits = 64;
  uint64_t seed = 1;
  std::vector<size_t> hidden = {512, 512};
  size_t pca = 128;          // 0: the raw input (centred)
  size_t epochs = 10;
  size_t batch = 256;
  size_t proxies = 10000;    // the seed's 10,000 (fewer when the training set is smaller)
  size_t k = 100;            // the seed's 100 true neighbours
  double lr = 1e-3;          // Adam, cosine decay to lr / 20 over the epochs
  std::string similarity = "l2";  // "l2" (annlab's ground truth) or "cosine" (the seed's)
  double temp_orig = 0.05;   // softmax temperature of the original-space similarities (normalised, below)
  double temp_code = 0.05;   // softmax temperature of the Hamming similarities
  size_t holdout = 1000;     // rows of the base held out to estimate 1-recall@10 each epoch
  int threads = 1;
  size_t stop_after = 0;     // tests: stop after this many epochs, as an interruption would (0: never)
};

// What an epoch measured.
struct EpochReport {
  size_t epoch = 0;
  double loss = 0;
  double one_recall_at_10 = 0;  // on the held-out slice, against the training rows
  double seconds = 0;
};

// The trained inference graph's numbers (BatchNorm folded into the dense layers), for the ONNX
// export: y = l2normalise(L_n(...relu(L_1(P (x - mean)))...)).
struct DenseLayer {
  size_t in = 0, out = 0;
  std::vector<float> w;  // out x in, row-major
  std::vector<float> b;  // out
  bool relu = false;
};
struct NphashGraph {
  size_t d = 0, bits = 0;
  std::vector<float> mean;       // d
  std::vector<float> projection; // d x pca (x - mean) @ projection; empty: identity
  size_t pca = 0;
  std::vector<DenseLayer> layers;
};

struct TrainResult {
  NphashGraph graph;
  std::vector<EpochReport> epochs;
  double seconds = 0;
  // libtorch's pre-sign outputs (eval mode) for the rows of `reference` given to train_nphash.
  std::vector<float> reference_outputs;
};

// Trains on `base` (n x d); checkpoints to `checkpoint` after every epoch (weights, optimiser,
// random state) and, with resume, continues from it. Prints progress to stdout. `reference`
// (optional) is encoded by the trained model for the equality tests of the ONNX runtimes.
Result<TrainResult> train_nphash(const Dataset& base, const NphashConfig& cfg, const std::string& checkpoint,
                                 bool resume, const VectorView* reference);

}  // namespace annlab::train
