// annlab/vector_store.h — the full-precision vectors an index keeps for exact distances.
//
// Stores bytes when the vectors arrive as bytes (lossless for images), floats otherwise. A query
// is prepared once (PreparedQuery) and then compared against stored rows with the active SIMD
// kernels. Distances are squared L2, returned as double so byte distances stay exact integers.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "annlab/dataset.h"
#include "annlab/distance.h"
#include "annlab/status.h"

namespace annlab {

class BinaryReader;
class BinaryWriter;

class VectorStore {
 public:
  explicit VectorStore(size_t d) : d_(d) {}

  struct PreparedQuery {
    std::vector<float> f;    // the query as floats (always set)
    std::vector<uint8_t> b;  // the query as bytes, when exact and the store holds bytes
    bool bytes = false;
  };

  size_t dim() const { return d_; }
  size_t size() const { return n_; }
  DType dtype() const { return dtype_; }
  size_t memory_bytes() const { return f32_.size() * 4 + u8_.size(); }
  // Appends x. The first add picks the storage; floats added to a byte store that are not all
  // integers 0..255 convert the store to floats (never lossy).
  Status add(const VectorView& x);
  VectorView view() const;
  // Prepares query row i of q (q.d == dim()).
  void prepare(const VectorView& q, size_t i, PreparedQuery* out) const;
  // Squared L2 distance from a prepared query to stored vector `id`.
  double distance(const PreparedQuery& q, size_t id, const Kernels& k, float* scratch) const {
    if (q.bytes) return k.l2sq_u8(q.b.data(), u8_.data() + id * d_, d_);
    if (dtype_ == DType::F32) return k.l2sq_f32(q.f.data(), f32_.data() + id * d_, d_);
    for (size_t j = 0; j < d_; ++j) scratch[j] = u8_[id * d_ + j];
    return k.l2sq_f32(q.f.data(), scratch, d_);
  }
  // Starts fetching stored vector `id` into the cache (fetch_lines: HNSW's neighbours).
  uint32_t fetch(size_t id) const {
    if (dtype_ == DType::U8) return fetch_lines(u8_.data() + id * d_, d_);
    return fetch_lines(f32_.data() + id * d_, d_ * 4);
  }
  // Squared L2 distance between stored vectors a and b.
  double distance_between(size_t a, size_t b, const Kernels& k) const {
    if (dtype_ == DType::U8) return k.l2sq_u8(u8_.data() + a * d_, u8_.data() + b * d_, d_);
    return k.l2sq_f32(f32_.data() + a * d_, f32_.data() + b * d_, d_);
  }
  void save(BinaryWriter& w) const;
  Status load(BinaryReader& r);
  // SHA-256 (hex) of the first n rows as stored (dtype byte, then the row-major values): what an
  // index file that refers to these vectors records.
  std::string sha256(size_t n) const;

 private:
  size_t d_;
  size_t n_ = 0;
  DType dtype_ = DType::U8;
  std::vector<float> f32_;
  std::vector<uint8_t> u8_;
};

// The full vectors an index computes exact distances with (Flat's scan, the rerank of PQ, IVF-PQ,
// the binary codes and Tokens): either its own copy, or the caller's base vectors shared with it
// (the lab's, the bench's), which it then does not count as its own memory. An index file of an
// index that shares them records only their n, d and sha256 unless told to embed them.
class BaseVectors {
 public:
  explicit BaseVectors(size_t d) : own_(std::make_shared<VectorStore>(d)), cur_(own_.get()) {}
  BaseVectors(const BaseVectors&) = delete;
  BaseVectors& operator=(const BaseVectors&) = delete;
  const VectorStore& store() const { return *cur_; }
  // The vectors as a shared handle (the own copy too), to share them with another index.
  std::shared_ptr<const VectorStore> handle() const { return shared_ ? shared_ : own_; }
  size_t size() const { return n_; }  // vectors the index has added
  bool shared() const { return shared_ != nullptr; }
  size_t owned_bytes() const { return own_->memory_bytes(); }
  // Uses `base` instead of an own copy; before the first add. Errors: other dimension, already
  // holding vectors.
  Status share(std::shared_ptr<const VectorStore> base);
  // Own copy: appends x. Shared: x must be the shared vectors' next rows (their count is checked).
  Status add(const VectorView& x);
  // Writes mode 0 + the vectors (own copy, or shared with embed) or mode 1 + n, d, dtype, sha256.
  void save(BinaryWriter& w) const;
  // Reads what save wrote (format version 1: the vectors alone).
  Status load(BinaryReader& r);

 private:
  std::shared_ptr<VectorStore> own_;
  std::shared_ptr<const VectorStore> shared_;
  const VectorStore* cur_;  // shared_ or own_: what store() reads, without a branch in the scans
  size_t n_ = 0;
};

// The base-vectors block of an exact re-rank inside a coded index's payload (PQ, IVF-PQ, the binary
// codes, Tokens): the re-rank is a wrapper (RefineIndex) that owns the vectors, and the coded
// index writes the wrapper's block where its payload has always had it, so files keep their
// layout. Without a wrapper (w.refine / r.refine unset) an empty own copy is written, and a block
// read is checked and dropped.
void write_refine_block(BinaryWriter& w, size_t d);
Status read_refine_block(BinaryReader& r, size_t d);

}  // namespace annlab
