// annlab/dataset.h — vectors in memory.
//
// Convention (as FAISS): a set of n vectors of dimension d is a row-major matrix;
// component j of vector i is x[i * d + j]. Vectors whose components are all integers 0..255
// (images) may be kept as bytes: lossless, four times smaller, and exact integer distances.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "annlab/status.h"

namespace annlab {

enum class DType : uint8_t { F32 = 0, U8 = 1 };
const char* dtype_name(DType t);

// Largest dimension annlab accepts; larger headers in files are reported as errors.
inline constexpr size_t kMaxDim = size_t{1} << 20;

// A non-owning view of n x d vectors stored either as float32 or as bytes (exactly one is set).
struct VectorView {
  size_t n = 0;
  size_t d = 0;
  const float* f32 = nullptr;
  const uint8_t* u8 = nullptr;

  static VectorView of(const float* x, size_t n, size_t d) { return {n, d, x, nullptr}; }
  static VectorView of(const uint8_t* x, size_t n, size_t d) { return {n, d, nullptr, x}; }
  bool is_u8() const { return u8 != nullptr; }
  // Rows [begin, begin + count).
  VectorView rows(size_t begin, size_t count) const;
  // Copies row i into out (size d) as floats.
  void row_to_f32(size_t i, float* out) const;
  float at(size_t i, size_t j) const { return u8 ? float(u8[i * d + j]) : f32[i * d + j]; }
  // Error naming the first NaN or infinite component, if any.
  Status check_finite(std::string_view what) const;
};

struct Dataset {
  std::string name;                 // shown in messages and in the lab
  std::string note;                 // what loading changed, in one line ("converted from float64 to float32"), or empty
  size_t n = 0;
  size_t d = 0;
  DType dtype = DType::F32;
  std::vector<float> f32;           // n * d when dtype == F32
  std::vector<uint8_t> u8;          // n * d when dtype == U8
  std::vector<int32_t> labels;      // empty, or n class labels
  uint32_t image_h = 0, image_w = 0;  // image shape when each vector is an image (h * w == d)

  VectorView view() const;
  bool has_labels() const { return !labels.empty(); }
  // Stores the labels; error when their count differs from n.
  Status set_labels(std::vector<int32_t> l);
  // If every float component is an integer in 0..255, switches storage to bytes (lossless) and
  // returns true.
  bool compact_to_bytes();
  // Returns the rows listed in `rows` (labels and image shape follow).
  Dataset subset(const std::vector<size_t>& rows) const;
  // Checks sizes agree with n and d; the error names the inconsistency.
  Status validate() const;
};

// At most max_rows rows of x as floats (row-major), drawn without replacement in a seeded random
// order (all of x, shuffled, when it has no more rows than that).
std::vector<float> sample_rows(const VectorView& x, size_t max_rows, uint64_t seed);

// The held-out split the lab makes of a person's own file, and `annlab split` reproduces: of n rows,
// min(max_queries, n / 10) (at least 1 when n >= 2) drawn with a seeded shuffle are the queries and
// the rest, in file order, the base; a query is never in the index it is searched in.
struct HeldOutSplit {
  std::vector<size_t> base, queries;  // row numbers of the file
};
HeldOutSplit split_held_out(size_t n, uint64_t seed = 42, size_t max_queries = 1000);

// A matrix of int32 (ground-truth and result ids from .ivecs files).
struct IntMatrix {
  size_t n = 0;
  size_t d = 0;
  std::vector<int32_t> v;  // n * d
};

}  // namespace annlab
