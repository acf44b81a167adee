// annlab/encoder.h — a binary encoder: the part that turns a vector into a code of `bits` bits,
// behind the one Hamming-ranking index (binary_index.h). SimHash and ITQ are sign projections
// (bit j = [w_j . x >= t_j]) that differ in how w and t are learned; a learned hash (a model run
// elsewhere) is another implementation whose codes may arrive precomputed.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "annlab/dataset.h"
#include "annlab/status.h"
#include "annlab/train_task.h"

namespace annlab {

class BinaryReader;
class BinaryWriter;

class BinaryEncoder {
 public:
  virtual ~BinaryEncoder() = default;
  // The factory's name of the method it makes with the Hamming index ("SimHash", "ITQ").
  virtual std::string name() const = 0;
  size_t bits() const { return bits_; }
  size_t words() const { return (bits_ + 63) / 64; }
  size_t dim() const { return d_; }
  virtual bool trained() const = 0;
  // Learns from x (n x dim), in steps (train_task.h); every draw from `seed`.
  virtual TrainTask train_task(VectorView x, uint64_t seed) = 0;
  // The code of one vector (dim floats) into words() words; bits past bits() are zero.
  virtual void encode(const float* x, uint64_t* code) const = 0;
  // The code of row i of q, bytes or floats (scratch: dim() floats): by default the row as floats
  // through encode(); an encoder may read the bytes as they are (the same code).
  virtual void encode_row(const VectorView& q, size_t i, float* scratch, uint64_t* code) const {
    q.row_to_f32(i, scratch);
    encode(scratch, code);
  }
  // The codes of n vectors (n x dim floats, row-major) into n x words() words: one call per
  // block (a model runs a batch at once); by default one encode() per row.
  virtual void encode_rows(const float* x, size_t n, uint64_t* codes) const {
    for (size_t i = 0; i < n; ++i) encode(x + i * dim(), codes + i * words());
  }
  // True when the codes are computed elsewhere and arrive later (a model run by ONNX Runtime Web
  // in the page): prepare_task() must run over the rows before add() or search() sees them.
  virtual bool computes_elsewhere() const { return false; }
  // Computes ahead, in steps, the codes of x that are computed elsewhere (x must outlive the task);
  // finishes at once for an encoder that computes its codes itself.
  virtual TrainTask prepare_task(VectorView) { return finished_task(); }
  // The outside runtime's time for the last single row prepared (median of repeats), ms; 0: none.
  virtual double prepared_row_ms() const { return 0; }
  // Whether the codes of every row of x can be given now (an encoder whose codes are computed
  // elsewhere needs them prepared first).
  virtual Status check_inputs(const VectorView&) const { return Status::ok(); }
  virtual size_t memory_bytes() const = 0;
  virtual void save(BinaryWriter& w) const = 0;
  virtual Status load(BinaryReader& r) = 0;

 protected:
  BinaryEncoder(size_t d, size_t bits) : d_(d), bits_(bits) {}

 private:
  size_t d_, bits_;
};

// bit j = [w_j . x >= t_j]: the encoders that learn a projection and thresholds.
class SignProjectionEncoder : public BinaryEncoder {
 public:
  bool trained() const override { return !w_.empty(); }
  void encode(const float* x, uint64_t* code) const override;
  // A byte row where the level projects by integers: widened to int16 directly, and as floats only
  // if a bit is too near its threshold to be decided by the integer product.
  void encode_row(const VectorView& q, size_t i, float* scratch, uint64_t* code) const override;
  size_t memory_bytes() const override;
  void save(BinaryWriter& w) const override;   // the projections, then the thresholds
  Status load(BinaryReader& r) override;
  const std::vector<float>& projections() const { return w_; }  // bits x d
  const std::vector<float>& thresholds() const { return t_; }   // bits

 protected:
  using BinaryEncoder::BinaryEncoder;
  // After w_ and t_ change: where the level projects byte queries by integers (WebAssembly), the
  // projections in int16 (encoders.cpp).
  void prepare_integer_projections();
  std::vector<float> w_, t_;
  // The integer path's decisions for x16 (dp int16, zero-padded) with ||x||_1 = l1; the few
  // undecided bits measured on the floats that float_row() gives.
  template <class FloatRow>
  void encode_ints(const int16_t* x16, double l1, FloatRow float_row, uint64_t* code) const;

 private:
  std::shared_ptr<const struct IntegerProjections> ints_;
};

// SimHash: w_j are the rows of random rotations (as many as the bits need), t_j the median of
// w_j . x over the training sample (every bit splits the data in half). FAISS's IndexLSH.
class SimHashEncoder final : public SignProjectionEncoder {
 public:
  SimHashEncoder(size_t d, size_t bits) : SignProjectionEncoder(d, bits) {}
  std::string name() const override { return "SimHash"; }
  TrainTask train_task(VectorView x, uint64_t seed) override;
};

// ITQ (iterative quantization, Gong & Lazebnik): PCA to `bits` dimensions, then a rotation R
// learned by alternating B = sign(V R^T) and the orthogonal Procrustes fit of R to B; w = R P,
// t_j = w_j . mean. Needs bits <= d.
class ItqEncoder final : public SignProjectionEncoder {
 public:
  ItqEncoder(size_t d, size_t bits) : SignProjectionEncoder(d, bits) {}
  std::string name() const override { return "ITQ"; }
  TrainTask train_task(VectorView x, uint64_t seed) override;
  // The quantization loss ||B - V R^T||^2 / n after each rotation update.
  const std::vector<double>& loss() const { return loss_; }

 private:
  std::vector<double> loss_;
};

}  // namespace annlab
