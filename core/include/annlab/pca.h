// annlab/pca.h — principal component analysis (used for the lab's 2-D maps of image data).
#pragma once

#include <cstddef>
#include <vector>

#include "annlab/dataset.h"
#include "annlab/status.h"

namespace annlab {

struct Pca {
  size_t d = 0;
  size_t k = 0;
  std::vector<float> mean;        // d
  std::vector<float> components;  // k * d, unit rows, by decreasing variance
  std::vector<double> variance;   // k, variance along each component
  // Projects x (n x d) to n x k coordinates.
  std::vector<float> project(const VectorView& x) const;
};

// Fits k components on x (n >= 2, 1 <= k <= d). Signs are fixed so that each component's
// largest-magnitude coordinate is positive (the result is reproducible).
Result<Pca> fit_pca(const VectorView& x, size_t k);

}  // namespace annlab
