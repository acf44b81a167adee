// annlab/pca.h — principal component analysis (the lab's 2-D maps of image data, LOPQ's per-cell
// rotations) and the orthogonal Procrustes solution (OPQ's rotation).
//
// Eigen's vectorisation is switched off for the core (EIGEN_DONT_VECTORIZE, core/CMakeLists.txt):
// the WebAssembly build has no Eigen SIMD, so scalar code everywhere keeps one seed's rotations
// bit-identical in both builds.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "annlab/dataset.h"
#include "annlab/status.h"
#include "annlab/train_task.h"

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
// The same fit cut into steps (train_task.h): the mean, blocks of 256 rows of the covariance, then
// the eigen-decomposition in one step. Writes *out when it finishes; x must outlive the task.
TrainTask fit_pca_task(VectorView x, size_t k, Pca* out);

// Eigen-decomposition of a symmetric d x d matrix a (row-major): eigenvalues in decreasing order,
// eigenvectors as the rows of `vectors` (d x d), each signed so its largest-magnitude coordinate
// is positive.
Status symmetric_eigen(const std::vector<double>& a, size_t d, std::vector<double>* values,
                       std::vector<double>* vectors);

// The orthogonal R (d x d, row-major) that maximises trace(R a), i.e. minimises ||X R^T - Y|| for
// a = X^T Y: R = V U^T where a = U S V^T.
Status procrustes_rotation(const std::vector<double>& a, size_t d, std::vector<float>* r);

// A random orthogonal d x d matrix (QR of a seeded Gaussian matrix), row-major.
std::vector<float> random_rotation(size_t d, uint64_t seed);

}  // namespace annlab
