// models/embed.h — the metric-learning CNN of the deep-learning case study (003_* in the seeds): a
// small convolutional network maps a 28 x 28 image to an l2-normalised embedding, trained with a
// triplet loss and semi-hard negative mining (FaceNet's), so that images of one class lie closer
// together than images of different classes.
//
// Network (input: the image's 784 pixels as floats 0..255, row-major):
//   x / 255 -> [Conv 3x3 (pad 1) + BatchNorm + ReLU + MaxPool 2] x 3 (16, 32, 64 channels;
//   28 -> 14 -> 7 -> 3) -> flatten (576) -> Dense 128 + BatchNorm + ReLU -> Dense dim -> l2-normalise.
// Loss: for each anchor and each positive of its class in the batch, the semi-hard negative (the
// closest negative farther than the positive; when there is none, the farthest negative), and
// max(0, |a - p|^2 - |a - n|^2 + margin) averaged over the pairs.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "annlab/dataset.h"
#include "annlab/status.h"

namespace annlab::train {

struct EmbedConfig {
  size_t dim = 64;
  uint64_t seed = 1;
  size_t epochs = 8;
  size_t batch = 256;
  double lr = 2e-3;      // Adam, cosine decay to lr / 20 over the epochs
  double margin = 0.2;   // on squared distances between unit vectors (0..4)
  size_t holdout = 2000; // base rows held out to measure precision@10 after each epoch
  int threads = 1;
  std::vector<size_t> channels = {16, 32, 64};
  size_t hidden = 128;
};

struct EmbedEpoch {
  size_t epoch = 0;
  double loss = 0;
  double active = 0;             // the share of triplets with a positive loss
  double precision_at_10 = 0;    // held-out rows against the training rows, by label
  double seconds = 0;
};

// The inference graph's numbers, BatchNorm folded in, for the ONNX export.
struct ConvLayer {
  size_t in = 0, out = 0;    // channels
  std::vector<float> w, b;   // out x in x 3 x 3, out
};
struct EmbedGraph {
  size_t h = 28, w = 28, dim = 0;
  std::vector<ConvLayer> convs;
  size_t flat = 0, hidden = 0;
  std::vector<float> w1, b1;  // hidden x flat, hidden
  std::vector<float> w2, b2;  // dim x hidden, dim
  size_t parameters() const;
  size_t multiply_adds() const;
};

struct EmbedResult {
  EmbedGraph graph;
  std::vector<EmbedEpoch> epochs;
  double seconds = 0;
  std::vector<float> reference_outputs;  // libtorch's embeddings of `reference`'s rows
};

// Trains on `base` (n x 784 images, `labels` one per row). Prints progress to stdout.
Result<EmbedResult> train_embed(const Dataset& base, const std::vector<int32_t>& labels, const EmbedConfig& cfg,
                                const VectorView* reference);

}  // namespace annlab::train
