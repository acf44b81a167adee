// annlab/transform.h — a vector transform: a global map from the data's space to the space
// another index works in ("OPQ16,IVF256,PQ16" is OPQ's learned rotation in front of IVF-PQ; PCA,
// and later a CNN embedding, are other transforms). The index that applies one (TransformedIndex)
// transforms what it is trained on, what it adds and every query, and maps what it draws back.
// Local transforms (LOPQ's rotation per cell) are not this: they belong to the list scanner.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "annlab/dataset.h"
#include "annlab/status.h"
#include "annlab/train_task.h"

namespace annlab {

class BinaryReader;
class BinaryWriter;

class VectorTransform {
 public:
  virtual ~VectorTransform() = default;
  size_t d_in() const { return d_in_; }
  size_t d_out() const { return d_out_; }
  // The factory string's prefix that makes it ("OPQ16").
  virtual std::string describe() const = 0;
  virtual bool trained() const = 0;
  // Learns the transform from x (n x d_in), in steps; every draw from `seed`.
  virtual TrainTask train_task(VectorView x, uint64_t seed) = 0;
  // out (n x d_out) = the transform of x (n x d_in floats).
  virtual void apply(const float* x, size_t n, float* out) const = 0;
  // Whether every row of x can be transformed now (a transform computed elsewhere needs its
  // outputs handed in first: parts/precomputed.h).
  virtual Status check_inputs(const VectorView&) const { return Status::ok(); }
  // Points of the output space back in the input space (n x d_out to n x d_in), for drawing; false
  // when the transform has no inverse to draw with.
  virtual bool reverse(const float* y, size_t n, float* out) const = 0;
  virtual size_t memory_bytes() const = 0;
  virtual void save(BinaryWriter& w) const = 0;
  virtual Status load(BinaryReader& r) = 0;

 protected:
  VectorTransform(size_t d_in, size_t d_out) : d_in_(d_in), d_out_(d_out) {}

 private:
  size_t d_in_, d_out_;
};

}  // namespace annlab
