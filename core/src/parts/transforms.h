// Private header (core/src/parts): vector transforms (annlab/transform.h).
//   OpqRotation  OPQ's learned d x d rotation for an M-sub-vector PQ (Ge et al.): from a seeded
//                random rotation, rounds of (train the PQ on X R^T, encode, decode to Y,
//                R = Procrustes(X^T Y)) on a seeded sample of 8,192 rows. Orthogonal, so what the
//                lab draws maps back exactly with R^T.
#pragma once

#include <memory>

#include "annlab/transform.h"

namespace annlab {

class OpqRotation final : public VectorTransform {
 public:
  OpqRotation(size_t d, size_t m) : VectorTransform(d, d), m_(m) {}
  std::string describe() const override { return cat("OPQ", m_); }
  bool trained() const override { return !r_.empty(); }
  TrainTask train_task(VectorView x, uint64_t seed) override;
  void apply(const float* x, size_t n, float* out) const override;
  bool reverse(const float* y, size_t n, float* out) const override;
  size_t memory_bytes() const override { return r_.size() * 4; }
  void save(BinaryWriter& w) const override;
  Status load(BinaryReader& r) override;
  const std::vector<float>& rotation() const { return r_; }  // z = R x, row-major d x d
  const std::vector<double>& mse() const { return mse_; }    // the PQ's error after each round

 private:
  size_t m_;
  std::vector<float> r_;
  std::vector<double> mse_;
};

}  // namespace annlab
