// annlab/layout.h — 2-D maps of a data set that keep neighbours together.
//
// The PCA map of 784-d images is a linear projection in which the classes overlap: two points side
// by side on it are often far apart in the data. The neighbour-preserving layout here is UMAP's
// (McInnes, Healy and Melville 2018), written for annlab:
//   1. the k-nearest-neighbour graph of the data, found with annlab's own HNSW (HNSW16,
//      efConstruction 100, efSearch 64; every point asks for its k + 1 nearest and drops itself);
//   2. fuzzy weights w_ij = exp(-(d_ij - rho_i) / sigma_i), rho_i the distance to i's nearest
//      neighbour and sigma_i set so that i's weights sum to log2(k); then w = a + b - a b over the
//      two directions of each edge;
//   3. a start from the 2-D PCA of the data scaled to [-10, 10], then stochastic gradient descent
//      on the fuzzy cross-entropy: every edge pulled at a rate proportional to its weight, 5 random
//      points pushed away per pull, step size falling linearly to 0. The low-dimensional kernel is
//      1 / (1 + d^2) (UMAP's a = b = 1), so no pow() is needed.
// Every random draw takes the seed; the work is single-threaded and uses only + - * / and sqrt in
// float and double (exp by its own series), so the native build and the WebAssembly build give the
// same layout bit for bit. The work is cut into steps (TrainTask) for the lab's frames.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "annlab/dataset.h"
#include "annlab/index.h"
#include "annlab/status.h"
#include "annlab/train_task.h"

namespace annlab {

enum class LayoutMethod : uint8_t { Pca = 0, Umap = 1 };
// "pca", "umap".
const char* layout_method_name(LayoutMethod m);
Result<LayoutMethod> parse_layout_method(std::string_view s);

struct LayoutParams {
  LayoutMethod method = LayoutMethod::Umap;
  size_t neighbors = 15;  // k of the graph (UMAP's n_neighbors)
  size_t epochs = 0;      // 0: 500 up to 10,000 points, else 200 (UMAP's defaults)
  uint64_t seed = 42;
  size_t negatives = 5;   // points pushed away per pull
};

// What a layout is made of besides the coordinates: each point's k nearest (ids, squared
// distances; the graph the layout keeps), for placing new points.
struct LayoutGraph {
  size_t k = 0;
  std::vector<int64_t> ids;    // n * k
  std::vector<float> dist2;    // n * k
};

// Computes the layout of x (n >= 3 rows) into *xy (n * 2), in steps; *graph (optional) gets the
// k-NN graph. x must outlive the task.
TrainTask layout_task(VectorView x, LayoutParams params, std::vector<float>* xy, LayoutGraph* graph = nullptr);
// The same in one call.
Result<std::vector<float>> compute_layout(const VectorView& x, const LayoutParams& params);

// Where a point that is not in the layout goes: the weighted mean of the layout positions of its
// nearest base points (ids, with their squared distances, nearest first; weight 1 / (distance +
// the nearest distance / 10 + tiny)), as UMAP places new points to start its transform.
void place_on_layout(const std::vector<float>& base_xy, const int64_t* ids, const float* dist2, size_t k, float* xy);

// Each row of q placed on the layout of the base that `base` indexes (exactly: Flat): its
// min(10, n) nearest base points by place_on_layout. q.n * 2 coordinates.
Result<std::vector<float>> place_rows_on_layout(const Index& base, const std::vector<float>& base_xy, const VectorView& q,
                                                int threads = 1);

// Neighbour preservation: for `sample` points drawn with `seed` (all points when sample >= n),
// the share of each one's k nearest neighbours in x that are also among its k nearest on the map
// xy (n * 2), averaged. 1 is perfect; a random map gives about k / n.
Result<double> neighbour_preservation(const VectorView& x, const std::vector<float>& xy, size_t k, size_t sample,
                                      uint64_t seed);

}  // namespace annlab
