// Private header (core/src/parts): outputs computed elsewhere — by a model run by ONNX Runtime Web
// in the page — kept by the rows' contents (OutputMemo: ModelEncoder keeps its codes in one), and
// stand-in parts fed such outputs (a transform, a router), so the same index code serves both
// builds. A row whose outputs are missing is refused by check_inputs() with the row and what to
// do; it never gets a made-up output.
//
// Outputs are found by the row's contents (a 128-bit hash of its floats), so a query may be
// searched, explained and searched again in any order.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "annlab/router.h"
#include "annlab/transform.h"

namespace annlab {

// Outputs of `width` values of T per input row of d floats.
template <class T>
class OutputMemo {
 public:
  OutputMemo(size_t d, size_t width) : d_(d), width_(width) {}
  size_t size() const { return map_.size(); }
  // Bytes held, about: each row's outputs, its key and the hash table's node.
  size_t memory_bytes() const { return map_.size() * (width_ * sizeof(T) + sizeof(Key) + 3 * sizeof(void*) + sizeof(std::vector<T>)); }
  void put(const float* x, const T* out) { map_[key(x)].assign(out, out + width_); }
  // The outputs (x.n x width) of every row of x.
  void put_rows(const VectorView& x, const T* out);
  const T* find(const float* x) const {
    auto it = map_.find(key(x));
    return it == map_.end() ? nullptr : it->second.data();
  }
  // Every row of x has its outputs; `part` names the part in the message.
  Status check(const VectorView& x, std::string_view part) const;

 private:
  struct Key {
    uint64_t a, b;
    bool operator==(const Key& o) const { return a == o.a && b == o.b; }
  };
  struct Hash {
    size_t operator()(const Key& k) const { return size_t(k.a); }
  };
  Key key(const float* x) const;
  size_t d_, width_;
  std::unordered_map<Key, std::vector<T>, Hash> map_;
};

// A vector transform computed elsewhere (a CNN embedding run by ONNX Runtime Web): `name` is its
// factory prefix.
class PrecomputedTransform final : public VectorTransform {
 public:
  PrecomputedTransform(std::string name, size_t d_in, size_t d_out)
      : VectorTransform(d_in, d_out), name_(std::move(name)), memo_(d_in, d_out) {}
  std::string describe() const override { return name_; }
  bool trained() const override { return trained_; }
  TrainTask train_task(VectorView x, uint64_t seed) override;
  // Hands in the outputs (n x d_out) of the n rows of x.
  Status feed(const VectorView& x, const float* out);
  void apply(const float* x, size_t n, float* out) const override;
  Status check_inputs(const VectorView& x) const override { return memo_.check(x, cat(name_, "'s outputs")); }
  bool reverse(const float*, size_t, float*) const override { return false; }
  size_t memory_bytes() const override { return 0; }
  void save(BinaryWriter& w) const override;
  Status load(BinaryReader& r) override;

 private:
  std::string name_;
  bool trained_ = false;
  OutputMemo<float> memo_;
};

// A router over k-means cells (trained, assigned and saved as the nearest-centroid router) whose
// per-query cell scores come from elsewhere (the learned router's layer 1 run by ONNX Runtime
// Web): a query probes its cells by decreasing score.
class PrecomputedRouter final : public CellRouter {
 public:
  PrecomputedRouter(std::string name, size_t d, size_t nlist);
  std::string name() const override { return name_; }
  bool trained() const override { return cells_->trained(); }
  TrainTask train_task(VectorView x, uint64_t seed) override { return cells_->train_task(x, seed); }
  void assign(const VectorView& x, int32_t* cell) const override { cells_->assign(x, cell); }
  // Hands in the cell scores (n x cells(), larger is better) of the n query rows of x.
  Status feed(const VectorView& x, const float* scores);
  size_t route(const float* q, size_t nprobe, CellChoice* out) const override;  // value = -score
  Status check_inputs(const VectorView& x) const override { return memo_.check(x, cat(name_, "'s cell scores")); }
  bool values_are_distances() const override { return false; }
  const std::vector<float>& centroids() const override { return cells_->centroids(); }
  size_t memory_bytes() const override { return cells_->memory_bytes(); }
  void save(BinaryWriter& w) const override { cells_->save(w); }
  Status load(BinaryReader& r) override { return cells_->load(r); }

 private:
  std::string name_;
  std::unique_ptr<CellRouter> cells_;
  OutputMemo<float> memo_;
};

}  // namespace annlab
