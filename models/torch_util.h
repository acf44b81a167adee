// Private header (models/): libtorch helpers the trainers share.
#pragma once

#include <torch/torch.h>

#include <vector>

#include "annlab/dataset.h"
#include "annlab/random.h"

namespace annlab::train {

// The rows of x as an n x d float tensor.
inline torch::Tensor rows_of(const VectorView& x) {
  torch::Tensor t = torch::empty({int64_t(x.n), int64_t(x.d)}, torch::kFloat32);
  float* p = t.data_ptr<float>();
  for (size_t i = 0; i < x.n; ++i) x.row_to_f32(i, p + i * x.d);
  return t;
}

// Squared L2 distances (a: m x d, b: n x d) -> m x n.
inline torch::Tensor sq_dist(const torch::Tensor& a, const torch::Tensor& b) {
  return (a.pow(2).sum(1, true) + b.pow(2).sum(1).unsqueeze(0) - 2 * torch::mm(a, b.t())).clamp_min(0);
}

// 0..n-1 in a seeded random order (annlab's generator), as int64: the trainers' held-out split
// takes the first rows of it.
inline torch::Tensor seeded_permutation(size_t n, uint64_t seed) {
  std::vector<int64_t> order(n);
  for (size_t i = 0; i < n; ++i) order[i] = int64_t(i);
  Rng rng(seed);
  rng.shuffle(order);
  return torch::from_blob(order.data(), {int64_t(n)}, torch::kInt64).clone();
}

// A tensor's values, in row-major order.
inline std::vector<float> to_vec(const torch::Tensor& t) {
  const torch::Tensor c = t.contiguous();
  return std::vector<float>(c.data_ptr<float>(), c.data_ptr<float>() + c.numel());
}

}  // namespace annlab::train
